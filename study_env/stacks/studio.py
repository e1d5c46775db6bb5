"""Studio stack: a public-subnet VPC, the Studio domain and user profile, its lifecycle, its reaper and teardown."""

from __future__ import annotations

from aws_cdk import CfnOutput
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_sns as sns
from constructs import Construct

from study_env.constructs.lab_reaper import LabReaper
from study_env.constructs.studio_domain import StudioDomain
from study_env.constructs.studio_lifecycle import StudioLifecycle
from study_env.constructs.studio_teardown import StudioTeardown
from study_env.constructs.studio_user_access import StudioUserAccess
from study_env.images import SageMakerDistributionImage
from study_env.nag import acknowledge
from study_env.stacks.lab_stack import LabStack
from study_env.tags import lab_tags

STUDIO_INSTANCE_TYPE = "ml.t3.medium"


class StudioStack(LabStack):
    def __init__(self, scope: Construct, id: str, *, alerts_topic: sns.ITopic, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)
        # Public subnets only: a NAT gateway or an interface endpoint would bill by the hour. Zones:
        # the region's first two, or the ones context names (to keep Studio out of a constrained zone).
        zones = list(self.config.availability_zones)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr("10.40.0.0/16"),
            availability_zones=zones or None,
            max_azs=None if zones else 2,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24)
            ],
        )
        acknowledge(
            self.vpc,
            (
                "AwsSolutions-VPC7",
                "The VPC carries only Studio's traffic to its home EFS; flow logs bill per GB ingested and stored, "
                "and this lab keeps nothing that costs money while idle.",
            ),
        )
        self.lifecycle = StudioLifecycle(
            self,
            "JupyterLabLifecycle",
            name_prefix=f"{self.config.prefix}-jupyterlab",
            study_bucket=self.study_bucket,
            execution_role=self.execution_role,
            tags=lab_tags(self.config.prefix),
        )
        self.studio = StudioDomain(
            self,
            "Studio",
            domain_name=f"{self.config.prefix}-studio",
            vpc=self.vpc,
            execution_role=self.execution_role,
            user_profile_name=self.config.user_profile_name,
            idle_timeout_minutes=self.config.idle_timeout_minutes,
            instance_type=STUDIO_INSTANCE_TYPE,
            built_in_lifecycle_config_arn=self.lifecycle.lifecycle_config_arn,
            # A supported SageMaker Distribution image (SDK 3.x): the lifecycle adds the SDK 2.x kernel beside it.
            jupyter_lab_image_arn=SageMakerDistributionImage(self).image_arn,
            app_instance_types=self.config.allowed_instance_types,
        )
        self.user_access = StudioUserAccess(
            self,
            "UserAccess",
            execution_role=self.execution_role,
            studio=self.studio,
            study_bucket=self.study_bucket,
            prefix=self.config.prefix,
            allowed_instance_types=self.config.allowed_instance_types,
        )
        self.teardown = StudioTeardown(self, "Teardown", studio=self.studio, vpc=self.vpc)
        # What the learner's notebooks make escapes the lab's other guards: an hourly reaper catches it.
        self.reaper = LabReaper(
            self,
            "Reaper",
            prefix=self.config.prefix,
            studio=self.studio,
            alert_topic=alerts_topic,
            endpoint_ttl_hours=self.config.endpoint_ttl_hours,
            max_job_hours=self.config.max_job_hours,
            max_app_hours=self.config.max_app_hours,
            instance_types=(STUDIO_INSTANCE_TYPE, *self.config.allowed_instance_types),
        )

        CfnOutput(self, "DomainId", value=self.studio.domain_id, description="SageMaker Studio domain ID")
        CfnOutput(self, "UserProfileName", value=self.studio.user_profile_name, description="Studio user profile")
        CfnOutput(
            self, "StudioConsoleUrl", value=self.studio.console_url, description="Open Studio from this console page"
        )
