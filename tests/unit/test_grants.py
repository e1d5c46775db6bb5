"""Construct idioms: grants return iam.Grant, and constructs that own a role are grantees themselves."""

from __future__ import annotations

from aws_cdk import App, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from study_env.constructs.execution_role import SageMakerExecutionRole
from study_env.constructs.job_launcher import JobLauncher
from study_env.constructs.lab_cleanup import LabCleanup
from study_env.constructs.studio_domain import StudioDomain
from study_env.constructs.study_bucket import StudyBucket
from study_env.paths import SAMPLE_DATA_DIR, TRAINING_CODE_DIR


def _policy_actions(template: Template, role_logical_prefix: str) -> set[str]:
    actions: set[str] = set()
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if any(role["Ref"].startswith(role_logical_prefix) for role in policy["Properties"]["Roles"]):
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                action = statement["Action"]
                actions.update(action if isinstance(action, list) else [action])
    return actions


def test_constructs_with_a_role_are_grantees_and_grants_land_in_that_role():
    stack = Stack(App(), "S")
    bucket = StudyBucket(stack, "Bucket", sample_data_dir=SAMPLE_DATA_DIR, training_code_dir=TRAINING_CODE_DIR)
    role = SageMakerExecutionRole(stack, "Exec", study_bucket=bucket)
    launcher = JobLauncher(stack, "Launcher", study_bucket=bucket, execution_role=role, prefix="mls")
    cleanup = LabCleanup(stack, "Cleanup", prefix="mls")
    cases = (
        (launcher, launcher.role, "LauncherFunctionRole"),
        (cleanup, cleanup.handler.role, "CleanupHandlerRole"),
        (role, role.role, "ExecRole"),
    )
    for grantee, own_role, _ in cases:
        assert grantee.grant_principal is own_role
        grant = bucket.grant_write(grantee, bucket.output_reports)
        assert isinstance(grant, iam.Grant) and grant.success
    template = Template.from_stack(stack)  # synthesized once: the app caches its assembly
    for _, _, logical_prefix in cases:
        assert "s3:PutObject" in _policy_actions(template, logical_prefix), logical_prefix


def test_grant_read_returns_every_statement_it_added():
    stack = Stack(App(), "S")
    bucket = StudyBucket(stack, "Bucket", sample_data_dir=SAMPLE_DATA_DIR, training_code_dir=TRAINING_CODE_DIR)
    grantee = iam.Role(stack, "R", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    grant = bucket.grant_read(grantee, bucket.data_raw)
    actions = sorted(s.to_statement_json()["Action"] for s in grant.principal_statements)
    assert actions == ["s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket"]


def test_studio_user_grant_is_one_grant_of_all_its_statements():
    stack = Stack(App(), "S")
    bucket = StudyBucket(stack, "Bucket", sample_data_dir=SAMPLE_DATA_DIR, training_code_dir=TRAINING_CODE_DIR)
    role = SageMakerExecutionRole(stack, "Exec", study_bucket=bucket)
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        nat_gateways=0,
        subnet_configuration=[ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC)],
    )
    studio = StudioDomain(
        stack, "Studio", domain_name="mls-studio", vpc=vpc, execution_role=role, user_profile_name="student"
    )
    grantee = iam.Role(stack, "User", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    grant = studio.grant_studio_user(grantee)
    assert grant.success and len(grant.principal_statements) == 5
