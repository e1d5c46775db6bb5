"""The local rehearsal end to end: real CDK CLI against an embedded moto server, nothing left after."""

from __future__ import annotations

import json

import nbformat
import pytest

from study_env.layout import DATA_RAW
from study_env.plan import DAYS, Day
from tools.assembly import CloudAssembly
from tools.plan.run import still_billing
from tools.plan.studio import Studio
from tools.sandbox import gaps, inventory
from tools.sandbox.in_process import InProcessTransport
from tools.sandbox.lab_use import use_lab
from tools.sandbox.rehearsal import rehearse

pytestmark = pytest.mark.slow


def without_one_statement(emulator, outputs, sid):
    """Remove statement ``sid`` from the launcher role's deployed policy, ask for a training job, put it back."""
    iam = emulator.session().client("iam")
    role = outputs["mls-jobs"]["LauncherRoleArn"].rsplit("/", 1)[-1]
    (name,) = [n for n in iam.list_role_policies(RoleName=role)["PolicyNames"] if "DefaultPolicy" in n]
    document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    broken = {**document, "Statement": [s for s in document["Statement"] if s.get("Sid") != sid]}
    assert len(broken["Statement"]) == len(document["Statement"]) - 1
    iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(broken))
    function = outputs["mls-jobs"]["LauncherFunctionName"]
    transport = InProcessTransport.from_deployed(
        emulator.session(), function, assume=lambda r: emulator.iam.assume(r, "probe")
    )
    try:
        with emulator.iam.expecting_refusals() as refused:
            response = transport.send({"action": "train"})
    finally:
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document))
    return response, [verdict.line() for verdict in refused]


FORGOTTEN_ENDPOINT = """import boto3
from sagemaker.estimator import Estimator

sm = boto3.client("sagemaker")
done = sm.list_training_jobs(NameContains="sagemaker-xgboost", StatusEquals="Completed")["TrainingJobSummaries"]
predictor = Estimator.attach(done[0]["TrainingJobName"]).deploy(initial_instance_count=1, instance_type="ml.m5.large")
"""


def write_notebook(studio, name: str, *cells: str) -> None:
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(cell) for cell in cells],
        metadata={"kernelspec": {"name": "study-sdk2", "display_name": "", "language": "python"}},
    )
    nbformat.write(notebook, f"{studio.notebook_dir}/{name}.ipynb")


def a_notebook_that_is_refused(emulator, studio, admin):
    """A notebook cell the execution role may not run (Studio's notebook instances are not the lab's)."""
    write_notebook(studio, "probe", "import boto3\nboto3.client('sagemaker').list_notebook_instances()")
    write_notebook(studio, "forgotten", FORGOTTEN_ENDPOINT)
    with emulator.iam.expecting_refusals() as refused:
        run = studio.run(Day("Probe", "probe", "", bills=False), lambda: still_billing(admin))
    return run, [verdict.line() for verdict in refused]


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
        # The learner's own days, in Studio, on the fresh lab: every notebook as the execution role
        # (before the study CLI's tour, which leaves the serving stack's endpoint up until destroy).
        studio = Studio(emulator, outputs, str(tmp_path_factory.mktemp("studio")))
        admin = session.client("sagemaker")
        seen["plan"] = {day.name: studio.run(day, lambda: still_billing(admin)) for day in DAYS}
        seen["notebook probe"] = a_notebook_that_is_refused(emulator, studio, admin)
        report = use_lab(emulator, cdk, assembly, outputs)
        seen["probe"] = without_one_statement(emulator, outputs, "CreateLabJobs")
        # A learner who forgets the last cells of Day 11: make destroy must still leave nothing.
        seen["billing before"] = still_billing(admin)
        seen["forgotten"] = studio.run(Day("Forgotten", "forgotten", "", bills=True), lambda: still_billing(admin))
        return report

    seen["said"] = []
    result = rehearse(use_and_look, workdir=str(tmp_path_factory.mktemp("sandbox")), say=seen["said"].append)
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
    # The datasets (one folder per dataset beside the breast-cancer CSV), and Day 1's inputs.
    assert seen["raw"] == [
        DATA_RAW + "ai-services/reviews.txt",
        DATA_RAW + "ai-services/study-card.png",
        DATA_RAW + "breast_cancer.csv",
        DATA_RAW + "hourly-demand/series.json",
        DATA_RAW + "login-events/logins.csv",
        DATA_RAW + "product-reviews/reviews.txt",
        DATA_RAW + "sensor-anomalies/readings.csv",
    ]


def test_skipped_types_are_reported_and_deleted_with_their_stacks(rehearsal):
    result, seen = rehearsal
    assert result.skipped_types["AWS::S3::BucketPolicy"] >= 1
    assert any(t.startswith("Custom::") for t in result.skipped_types)
    assert seen["live_placeholders"], "placeholders stood in while the stacks existed"


def test_the_launcher_ran_the_pipeline(rehearsal):
    result, _ = rehearsal
    assert any("its environment lines up with the stacks" in line for line in result.lab_report)
    assert any(line.startswith("pipeline summary:") for line in result.lab_report)


def test_iam_was_enforced_on_every_lab_principal_and_nothing_was_refused(rehearsal):
    result, _ = rehearsal
    assert [v.line() for v in result.iam.refused] == []
    assert result.iam_summary.endswith(" 0 denied, 0 unknown")
    assert {"job launcher", "mls-jobs lab cleanup", "Studio execution role"} <= set(result.principals)
    # Every principal the rehearsal handed credentials to made requests that were checked.
    assert all(result.iam.requests[name] > 0 for name in result.principals)


def test_a_statement_removed_from_the_launcher_role_is_a_denied_request_named_in_one_line(rehearsal):
    _, seen = rehearsal
    response, refused = seen["probe"]
    assert response["ok"] is False and response["error"]["code"] == "AccessDeniedException"
    (line,) = refused
    jobs = "arn:aws:sagemaker:us-east-1:123456789012:training-job/mls-train-"
    assert line.startswith(f"implicitlydenied: probe: sagemaker:CreateTrainingJob on {jobs}")
    assert line.endswith("no statement allows sagemaker:CreateTrainingJob")


@pytest.mark.parametrize("day", DAYS, ids=lambda day: day.name)
def test_the_days_notebook_runs_in_studio_as_the_execution_role_and_leaves_nothing_billing(rehearsal, day):
    _, seen = rehearsal
    run = seen["plan"][day.name]
    assert run.ok, run.line()


def test_a_refused_request_in_a_notebook_fails_its_run_and_is_named(rehearsal):
    _, seen = rehearsal
    run, refused = seen["notebook probe"]
    assert "AccessDenied" in run.error and not run.ok
    (line,) = refused
    assert line.startswith("unknown: Studio execution role: sagemaker:ListNotebookInstances")


def test_an_endpoint_a_notebook_forgot_is_deleted_by_make_destroy(rehearsal):
    result, seen = rehearsal
    run = seen["forgotten"]
    assert run.error == ""
    # Beside what the study CLI's tour leaves to destroy (the serving stack's endpoint, one made as a notebook would).
    (forgotten,) = set(run.billing) - set(seen["billing before"])
    assert forgotten.startswith("endpoint sagemaker-xgboost-")
    # The Jobs stack's cleanup deleted it (with its configuration and model) as its own role; nothing is left.
    cleanups = [line for line in seen["said"] if "ran the cleanup handler" in line]
    assert len(cleanups) == 1, cleanups
    (cleanup,) = cleanups
    # This one, and the one the study CLI's tour made the way a notebook does and left (below).
    assert "'EndpointsDeleted': 2, 'EndpointConfigsDeleted': 2" in cleanup
    assert result.leftovers == {}


def test_the_reaper_deleted_a_forgotten_endpoint_past_its_time_to_live_and_said_what_it_saved(rehearsal):
    result, _ = rehearsal
    (line,) = [line for line in result.lab_report if line.startswith("reaper: ")]
    assert line == (
        "reaper: deleted endpoint sagemaker-xgboost-2026-12-03-01-00-00-001 after 5.0 h; it would have cost $2.76 a day"
    )
    assert "mls-studio reaper" in result.principals
