"""The two job-kind tables agree (CDK side and the Lambda side), and every name in them is SageMaker's."""

from __future__ import annotations

import botocore.session
import pytest

from study_env import job_kinds, tags
from study_env.job_kinds import JOB_KINDS, MODEL
from tools import lambda_assets

lambda_assets.add_to_path("launcher")

import lab_contract  # noqa: E402  (lambda/shared, as bundled next to each handler)

SAGEMAKER = botocore.session.get_session().get_service_model("sagemaker")
KINDS = [*JOB_KINDS, *job_kinds.DELETE_ORDER]


def test_the_tables_name_the_same_kinds_in_the_same_stop_and_delete_order():
    assert list(lab_contract.JOBS) == [kind.key for kind in JOB_KINDS]
    assert [k.key for k in lab_contract.STOP_ORDER] == [k.key for k in job_kinds.STOP_ORDER]
    assert [k.key for k in lab_contract.DELETE_ORDER] == [k.key for k in job_kinds.DELETE_ORDER]
    assert lab_contract.MODEL.key == MODEL.key


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.key)
def test_each_kind_is_spelled_alike_on_both_sides(kind):
    other = lab_contract.JOBS.get(kind.key) or {k.key: k for k in lab_contract.DELETE_ORDER}[kind.key]
    assert other.stem == kind.stem
    assert other.summaries_key == kind.list_key
    assert other.field("Name") == kind.name_field and other.field("Arn") == kind.arn_field
    for verb in ("Create", "Describe", "List"):
        assert other.method(verb) == kind.method(verb)
    if isinstance(kind, job_kinds.JobKind):
        assert other.max_name_length == kind.max_name_length
        assert other.end_time_field == kind.end_time_field
        assert other.console_path == kind.console_path
        assert other.label == kind.label


@pytest.mark.parametrize("kind", JOB_KINDS, ids=lambda k: k.key)
def test_every_job_operation_and_field_exists_in_botocores_sagemaker_model(kind):
    for verb in ("Create", "Describe", "List", "Stop"):
        assert kind.operation(verb) in SAGEMAKER.operation_names
    client = botocore.session.get_session().create_client("sagemaker", region_name="us-east-1")
    for verb in ("Create", "Describe", "List", "Stop"):
        assert hasattr(client, kind.method(verb)), kind.method(verb)
    described = SAGEMAKER.operation_model(kind.operation("Describe")).output_shape.members
    assert {kind.name_field, kind.arn_field, kind.status_field, kind.end_time_field} <= set(described)
    listed = SAGEMAKER.operation_model(kind.operation("List")).output_shape.members
    assert kind.list_key in listed
    summary = listed[kind.list_key].member.members
    assert {kind.name_field, kind.arn_field, kind.status_field, "CreationTime"} <= set(summary)
    assert kind.name_field in SAGEMAKER.operation_model(kind.operation("Stop")).input_shape.members
    name_shape = SAGEMAKER.operation_model(kind.operation("Create")).input_shape.members[kind.name_field]
    assert name_shape.metadata["max"] == kind.max_name_length
    # The job's final states are SageMaker's own status values.
    assert set(job_kinds.FINAL_JOB_STATES) <= set(described[kind.status_field].enum)


@pytest.mark.parametrize("kind", [MODEL, job_kinds.ENDPOINT_CONFIG, job_kinds.ENDPOINT], ids=lambda k: k.key)
def test_every_resource_operation_exists(kind):
    for verb in ("Create", "Describe", "List", "Delete"):
        assert kind.operation(verb) in SAGEMAKER.operation_names
    assert kind.list_key in SAGEMAKER.operation_model(kind.operation("List")).output_shape.members
    assert kind.name_field in SAGEMAKER.operation_model(kind.operation("Delete")).input_shape.members


def test_cli_spellings_follow_the_aws_cli():
    assert job_kinds.TUNING.cli_command("Describe") == "describe-hyper-parameter-tuning-job"
    assert job_kinds.TUNING.cli_name_option == "--hyper-parameter-tuning-job-name"
    assert job_kinds.TUNING.action("Stop") == "sagemaker:StopHyperParameterTuningJob"


def test_tag_keys_are_spelled_alike_on_both_sides():
    assert lab_contract.PROJECT_TAG == (tags.PROJECT_KEY, tags.PROJECT_VALUE) == ("project", "study-env")
    assert lab_contract.PREFIX_TAG_KEY == tags.PREFIX_KEY == "study-env:prefix"
    assert lab_contract.CLOUDFORMATION_STACK_TAG_KEY == tags.CLOUDFORMATION_STACK_KEY == "aws:cloudformation:stack-id"
