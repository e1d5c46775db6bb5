"""The sandbox's check that the launcher's environment matches the stacks (moto); its permissions are enforced."""

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


def lined_up_environment(execution, **changes):
    return {"STUDY_BUCKET": "mls-study", "EXECUTION_ROLE_ARN": execution, "JOB_PREFIX": "mls", **changes}


def test_lined_up_launcher_has_no_problems(account):
    session, execution, launcher = account
    make_function(session, launcher, lined_up_environment(execution))
    assert launcher_wiring_problems(session, "mls-launcher", "mls-study", "mls") == []


def test_each_mismatch_is_named(account):
    session, execution, launcher = account
    make_function(session, launcher, {"STUDY_BUCKET": "mls-other", "EXECUTION_ROLE_ARN": execution + "-gone"})
    assert launcher_wiring_problems(session, "mls-launcher", "mls-study", "mls") == [
        "launcher environment does not name the study bucket mls-study: ['EXECUTION_ROLE_ARN', 'STUDY_BUCKET']",
        "launcher environment JOB_PREFIX=None: the lab prefix is mls",
        f"launcher environment EXECUTION_ROLE_ARN={execution}-gone: no such role",
        "launcher environment STUDY_BUCKET=mls-other: no such bucket",
    ]


def test_a_job_prefix_other_than_the_labs_is_named(account):
    session, execution, launcher = account
    make_function(session, launcher, lined_up_environment(execution, JOB_PREFIX="mlx"))
    assert launcher_wiring_problems(session, "mls-launcher", "mls-study", "mls") == [
        "launcher environment JOB_PREFIX=mlx: the lab prefix is mls",
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
