"""The sandbox's check that the launcher's environment and permissions match the stacks (moto)."""

from __future__ import annotations

import json
import os
from types import SimpleNamespace

import boto3
import pytest
from moto import mock_aws

from study_env.paths import SAMPLE_DATA_DIR
from tools.sandbox.lab_use import launcher_wiring_problems, sample_rows, use_lab
from tools.sandbox.rehearsal import RehearsalError

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


@pytest.fixture
def account():
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        iam = session.client("iam")
        execution = iam.create_role(RoleName="mls-exec", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        launcher = iam.create_role(RoleName="mls-launcher", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        session.client("s3").create_bucket(Bucket="mls-study")
        yield session, execution, launcher


def make_function(session, role, variables):
    session.client("lambda").create_function(
        FunctionName="mls-launcher",
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
        Environment={"Variables": variables},
    )


def allow_pass_role(session, resource):
    session.client("iam").put_role_policy(
        RoleName="mls-launcher",
        PolicyName="pass",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": resource}],
            }
        ),
    )


JOB_ACTIONS = {
    "sagemaker:CreateProcessingJob": "processing-job",
    "sagemaker:CreateTrainingJob": "training-job",
    "sagemaker:CreateHyperParameterTuningJob": "hyper-parameter-tuning-job",
}


def allow_creates(session, prefix="mls", job_actions=tuple(JOB_ACTIONS)):
    """The JobLauncher's create grants, as an attached policy (PassRole is inline: both kinds are read)."""
    arn = "arn:aws:sagemaker:us-east-1:123456789012:{}/" + prefix + "-*"
    iam = session.client("iam")
    policy = iam.create_policy(
        PolicyName="creates",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": list(job_actions),
                        "Resource": [arn.format(JOB_ACTIONS[a]) for a in job_actions],
                    },
                    {"Effect": "Allow", "Action": "sagemaker:CreateModel", "Resource": arn.format("model")},
                    {
                        "Effect": "Allow",
                        "Action": "sagemaker:CreateTransformJob",
                        "Resource": arn.format("transform-job"),
                        "Condition": {"ArnLike": {"sagemaker:ModelArn": arn.format("model")}},
                    },
                ],
            }
        ),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="mls-launcher", PolicyArn=policy)


def lined_up_environment(execution, **changes):
    return {"STUDY_BUCKET": "mls-study", "EXECUTION_ROLE_ARN": execution, "JOB_PREFIX": "mls", **changes}


def test_lined_up_launcher_has_no_problems(account):
    session, execution, launcher = account
    make_function(session, launcher, lined_up_environment(execution))
    allow_pass_role(session, execution)
    allow_creates(session)
    assert launcher_wiring_problems(session, "mls-launcher", "mls-study", execution, "mls") == []


def test_each_mismatch_is_named(account):
    session, execution, launcher = account
    make_function(session, launcher, {"STUDY_BUCKET": "mls-other", "EXECUTION_ROLE_ARN": execution + "-gone"})
    allow_pass_role(session, "arn:aws:iam::123456789012:role/someone-else")
    arn = "arn:aws:sagemaker:us-east-1:123456789012:{}/mls-x"
    assert launcher_wiring_problems(session, "mls-launcher", "mls-study", execution, "mls") == [
        "launcher environment does not name the study bucket mls-study: ['EXECUTION_ROLE_ARN', 'STUDY_BUCKET']",
        "launcher environment JOB_PREFIX=None: the lab prefix is mls",
        f"launcher environment EXECUTION_ROLE_ARN={execution}-gone: no such role",
        "launcher environment STUDY_BUCKET=mls-other: no such bucket",
        f"launcher role {launcher} may not iam:PassRole the execution role {execution}",
        f"launcher role {launcher} may not sagemaker:CreateProcessingJob on {arn.format('processing-job')}",
        f"launcher role {launcher} may not sagemaker:CreateTrainingJob on {arn.format('training-job')}",
        f"launcher role {launcher} may not sagemaker:CreateHyperParameterTuningJob on "
        f"{arn.format('hyper-parameter-tuning-job')}",
        f"launcher role {launcher} may not sagemaker:CreateTransformJob on {arn.format('transform-job')}",
        f"launcher role {launcher} may not sagemaker:CreateModel on {arn.format('model')}",
    ]


def test_a_job_prefix_other_than_the_labs_is_named_with_the_creates_it_may_not_make(account):
    session, execution, launcher = account
    make_function(session, launcher, lined_up_environment(execution, JOB_PREFIX="mlx"))
    allow_pass_role(session, execution)
    allow_creates(session)
    arn = "arn:aws:sagemaker:us-east-1:123456789012:{}/mlx-x"
    assert launcher_wiring_problems(session, "mls-launcher", "mls-study", execution, "mls") == [
        "launcher environment JOB_PREFIX=mlx: the lab prefix is mls",
        *(
            f"launcher role {launcher} may not {action} on {arn.format(resource)}"
            for action, resource in [
                ("sagemaker:CreateProcessingJob", "processing-job"),
                ("sagemaker:CreateTrainingJob", "training-job"),
                ("sagemaker:CreateHyperParameterTuningJob", "hyper-parameter-tuning-job"),
                ("sagemaker:CreateTransformJob", "transform-job"),
                ("sagemaker:CreateModel", "model"),
            ]
        ),
    ]


def test_a_role_without_create_training_job_is_named(account):
    session, execution, launcher = account
    make_function(session, launcher, lined_up_environment(execution))
    allow_pass_role(session, execution)
    allow_creates(session, job_actions=("sagemaker:CreateProcessingJob", "sagemaker:CreateHyperParameterTuningJob"))
    assert launcher_wiring_problems(session, "mls-launcher", "mls-study", execution, "mls") == [
        f"launcher role {launcher} may not sagemaker:CreateTrainingJob on "
        "arn:aws:sagemaker:us-east-1:123456789012:training-job/mls-x",
    ]


def test_a_grant_for_another_labs_jobs_does_not_count(account):
    session, execution, launcher = account
    make_function(session, launcher, lined_up_environment(execution))
    allow_pass_role(session, execution)
    allow_creates(session, prefix="other")
    problems = launcher_wiring_problems(session, "mls-launcher", "mls-study", execution, "mls")
    assert [p.split(" may not ")[1].split(" on ")[0] for p in problems] == [
        "sagemaker:CreateProcessingJob",
        "sagemaker:CreateTrainingJob",
        "sagemaker:CreateHyperParameterTuningJob",
        "sagemaker:CreateTransformJob",
        "sagemaker:CreateModel",
    ]


def test_invoke_rows_are_features_only():
    rows = sample_rows(2).splitlines()
    assert len(rows) == 2
    with open(os.path.join(SAMPLE_DATA_DIR, "breast_cancer.csv")) as fh:
        header = fh.readline().strip().split(",")
    assert "target" in header
    assert all(len(row.split(",")) == len(header) - 1 for row in rows)


def test_rehearsal_without_the_jobs_stack_fails(account):
    session, _, _ = account
    session.client("cloudformation").create_stack(
        StackName="mls-foundation", TemplateBody=json.dumps({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}})
    )
    emulator = SimpleNamespace(session=lambda: session)
    with pytest.raises(RehearsalError, match=r"stack mls-jobs was not deployed: the rehearsal has no launcher"):
        use_lab(emulator, cdk=None, assembly=None, outputs={})
