"""A stack with a VPC, the Foundation's bucket and role and a Studio domain: for constructs built with bad props."""

from __future__ import annotations

from aws_cdk import App, Stack
from aws_cdk import aws_ec2 as ec2

from study_env.constructs.execution_role import SageMakerExecutionRole
from study_env.constructs.studio_domain import StudioDomain
from study_env.constructs.study_bucket import StudyBucket
from study_env.paths import SAMPLE_DATA_DIR, TRAINING_CODE_DIR


def scratch_stack() -> tuple[Stack, ec2.Vpc, StudyBucket, SageMakerExecutionRole, StudioDomain]:
    """``(stack, vpc, bucket, role, studio)``, not synthesized."""
    stack = Stack(App(), "Scratch")
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        nat_gateways=0,
        subnet_configuration=[ec2.SubnetConfiguration(name="P", subnet_type=ec2.SubnetType.PUBLIC)],
    )
    bucket = StudyBucket(stack, "Bucket", sample_data_dir=SAMPLE_DATA_DIR, training_code_dir=TRAINING_CODE_DIR)
    role = SageMakerExecutionRole(stack, "Role", study_bucket=bucket)
    studio = StudioDomain(stack, "Studio", domain_name="ok", vpc=vpc, execution_role=role, user_profile_name="ok")
    return stack, vpc, bucket, role, studio
