"""The local rehearsal end to end: real CDK CLI against an embedded moto server, nothing left after."""

from __future__ import annotations

import pytest

from study_env.layout import DATA_RAW
from tools.assembly import CloudAssembly
from tools.sandbox import gaps, inventory
from tools.sandbox.lab_use import use_lab
from tools.sandbox.rehearsal import rehearse

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory):
    seen = {}

    def use_and_look(emulator, cdk, assembly, outputs):
        session = emulator.session()
        bucket = outputs["mls-foundation"]["BucketName"]
        seen["raw"] = [
            o["Key"] for o in session.client("s3").list_objects_v2(Bucket=bucket, Prefix=DATA_RAW).get("Contents", [])
        ]
        seen["live_placeholders"] = dict(gaps.PLACEHOLDERS.live)
        return use_lab(emulator, cdk, assembly, outputs)

    result = rehearse(use_and_look, workdir=str(tmp_path_factory.mktemp("sandbox")), say=lambda line: None)
    return result, seen


def test_nothing_is_left_after_destroy(rehearsal):
    result, _ = rehearsal
    assert result.leftovers == {}, inventory.render(result.leftovers, "left after destroy:")


def test_every_stack_of_the_app_was_deployed_with_its_outputs(rehearsal, synth):
    result, _ = rehearsal
    assert result.stacks == [stack.stack_name for stack in CloudAssembly(synth.outdir).stacks]
    for stack in CloudAssembly(synth.outdir).stacks:
        assert set(result.outputs[stack.stack_name]) == set(stack.outputs)
        assert all(result.outputs[stack.stack_name].values())


def test_bucket_deployment_stand_in_seeded_the_dataset(rehearsal):
    _, seen = rehearsal
    assert seen["raw"] == [DATA_RAW + "breast_cancer.csv"]


def test_skipped_types_are_reported_and_deleted_with_their_stacks(rehearsal):
    result, seen = rehearsal
    assert result.skipped_types["AWS::S3::BucketPolicy"] >= 1
    assert any(t.startswith("Custom::") for t in result.skipped_types)
    assert seen["live_placeholders"], "placeholders stood in while the stacks existed"


def test_the_launcher_ran_the_pipeline(rehearsal):
    result, _ = rehearsal
    assert any("line up with the stacks" in line for line in result.lab_report)
    assert any(line.startswith("pipeline summary:") for line in result.lab_report)
