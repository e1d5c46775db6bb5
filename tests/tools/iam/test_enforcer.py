"""The enforcer on a running emulator: lab principals are checked, the learner is not, refusals are AWS's."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tools.sandbox.rehearsal import ACCOUNT, running_emulator

pytestmark = pytest.mark.slow

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadLabModels",
            "Effect": "Allow",
            "Action": ["sagemaker:DescribeModel", "sagemaker:ListModels"],
            "Resource": ["*"],
        },
        {
            "Sid": "CreateLabModels",
            "Effect": "Allow",
            "Action": "sagemaker:CreateModel",
            "Resource": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/mls-*",
        },
    ],
}


@pytest.fixture(scope="module")
def lab():
    with running_emulator() as emulator:
        iam = emulator.session().client("iam")
        role = iam.create_role(RoleName="lab-role", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        iam.put_role_policy(RoleName="lab-role", PolicyName="lab", PolicyDocument=json.dumps(POLICY))
        yield emulator, role, emulator.iam.session(role, "notebook").client("sagemaker")


def create_model(client, name, **extra):
    return client.create_model(ModelName=name, PrimaryContainer={"Image": "i"}, **extra)


def test_an_allowed_request_reaches_the_emulator(lab):
    emulator, _, client = lab
    with emulator.iam.expecting_refusals() as refused:
        create_model(client, "mls-model-allowed")
        assert client.describe_model(ModelName="mls-model-allowed")["ModelName"] == "mls-model-allowed"
    assert refused == []
    assert emulator.iam.tally.requests["notebook"] >= 2


def test_a_denied_request_is_answered_as_aws_would_and_names_the_statement(lab):
    emulator, _, client = lab
    with emulator.iam.expecting_refusals() as refused, pytest.raises(ClientError) as err:
        create_model(client, "other-model")
    assert err.value.response["Error"]["Code"] == "AccessDeniedException"
    (verdict,) = refused
    assert verdict.line() == (
        f"implicitlydenied: notebook: sagemaker:CreateModel on arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/other-model "
        "(sagemaker:CreateModel): no statement allows it on this resource "
        "(role/lab-role/lab/CreateLabModels allow sagemaker:CreateModel elsewhere)"
    )
    assert "other-model" not in [m["ModelName"] for m in emulator.session().client("sagemaker").list_models()["Models"]]


def test_passing_a_role_and_tagging_are_checked_too(lab):
    emulator, role, client = lab
    with emulator.iam.expecting_refusals() as refused, pytest.raises(ClientError):
        create_model(client, "mls-model-with-role", ExecutionRoleArn=role)
    assert [v.check.action for v in refused] == ["iam:PassRole"]
    with emulator.iam.expecting_refusals() as refused, pytest.raises(ClientError):
        create_model(client, "mls-model-tagged", Tags=[{"Key": "study-env:prefix", "Value": "mls"}])
    assert [(v.check.action, v.check.context["sagemaker:TaggingAction"]) for v in refused] == [
        ("sagemaker:AddTags", "CreateModel")
    ]


def test_an_operation_without_a_mapping_is_unknown_by_name(lab):
    emulator, _, client = lab
    with emulator.iam.expecting_refusals() as refused, pytest.raises(ClientError) as err:
        client.list_notebook_instances()
    assert err.value.response["Error"]["Code"] == "AccessDeniedException"
    assert [(v.decision.result, v.call) for v in refused] == [("Unknown", "sagemaker:ListNotebookInstances")]


def test_the_learner_is_not_checked_and_unknown_credentials_are_refused(lab):
    emulator, _, _ = lab
    before = dict(emulator.iam.tally.requests)
    assert emulator.session().client("sagemaker").list_notebook_instances()["NotebookInstances"] == []
    assert dict(emulator.iam.tally.requests) == before
    import boto3

    stranger = boto3.Session(
        aws_access_key_id="AKIASTRANGER00000000", aws_secret_access_key="x", region_name="us-east-1"
    )
    with emulator.iam.expecting_refusals() as refused, pytest.raises(ClientError):
        stranger.client("sagemaker").list_models()
    assert refused == []  # not a lab principal: refused, but not one of the tallied principals' requests


def test_a_policy_change_is_seen_at_the_next_request(lab):
    emulator, _, client = lab
    admin_iam = emulator.session().client("iam")
    widened = {
        **POLICY,
        "Statement": [
            *POLICY["Statement"],
            {
                "Effect": "Allow",
                "Action": "sagemaker:CreateModel",
                "Resource": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/late-*",
            },
        ],
    }
    admin_iam.put_role_policy(RoleName="lab-role", PolicyName="lab", PolicyDocument=json.dumps(widened))
    try:
        create_model(client, "late-model")
    finally:
        admin_iam.put_role_policy(RoleName="lab-role", PolicyName="lab", PolicyDocument=json.dumps(POLICY))


def test_an_endpoint_is_checked_on_itself_and_its_configuration_with_the_requests_tags(lab):
    emulator, _, _ = lab
    admin = emulator.session()
    lab_tag = {"StringEquals": {"aws:RequestTag/study-env:prefix": "mls"}}
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sagemaker:CreateEndpoint",
                "Resource": [
                    f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint/*",
                    f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:endpoint-config/*",
                ],
                "Condition": lab_tag,
            },
            {"Effect": "Allow", "Action": "sagemaker:AddTags", "Resource": "*"},
        ],
    }
    admin.client("iam").create_role(RoleName="serving-role", AssumeRolePolicyDocument=TRUST)
    admin.client("iam").put_role_policy(RoleName="serving-role", PolicyName="p", PolicyDocument=json.dumps(policy))
    sagemaker = admin.client("sagemaker")
    create_model(sagemaker, "served")
    sagemaker.create_endpoint_config(
        EndpointConfigName="served",
        ProductionVariants=[
            {"VariantName": "v", "ModelName": "served", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
        ],
    )
    client = emulator.iam.session(f"arn:aws:iam::{ACCOUNT}:role/serving-role", "serving").client("sagemaker")
    with emulator.iam.expecting_refusals() as refused:
        client.create_endpoint(
            EndpointName="served-tagged",
            EndpointConfigName="served",
            Tags=[{"Key": "study-env:prefix", "Value": "mls"}],
        )
    assert refused == []
    with emulator.iam.expecting_refusals() as refused, pytest.raises(ClientError):
        client.create_endpoint(EndpointName="served-untagged", EndpointConfigName="served")
    assert [v.check.resource.rsplit(":", 1)[1] for v in refused] == ["endpoint/served-untagged"]


def test_the_summary_counts_requests_principals_and_refusals(lab):
    emulator, _, client = lab
    tally = emulator.iam.tally
    client.list_models()
    with pytest.raises(ClientError):  # tallied: not inside expecting_refusals
        create_model(client, "not-the-labs")
    assert emulator.iam.summary() == (
        f"iam: {sum(tally.requests.values())} requests checked for {len(tally.requests)} principals, "
        f"{len(tally.denied)} denied, {len(tally.unknown)} unknown"
    )
    assert tally.requests["notebook"] >= 2 and len(tally.denied) >= 1
