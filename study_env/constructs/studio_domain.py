"""A SageMaker Studio domain with one user profile, JupyterLab by default, shut down when idle."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from aws_cdk import Aws, Fn, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from study_env.config import IDLE_TIMEOUT_RANGE
from study_env.constructs.execution_role import SageMakerExecutionRole
from study_env.naming import INSTANCE_TYPE, SAGEMAKER_NAME

# SageMaker's List* actions support no resource-level permission: the only "*" statements granted here.
STUDIO_RESOURCELESS_ACTIONS = ("sagemaker:ListApps", "sagemaker:ListSpaces")
# The teardown also lists the domain's user profiles (every one of them goes before the domain).
TEARDOWN_LIST_ACTIONS = (*STUDIO_RESOURCELESS_ACTIONS, "sagemaker:ListUserProfiles")


class StudioDomain(Construct):
    """A Studio domain (IAM authentication, ``PublicInternetOnly``) and its one user profile.

    JupyterLab is the default app, on ``instance_type``, with idle shutdown after
    ``idle_timeout_minutes``; users may shorten it but not lengthen it. The lifecycle configurations in
    ``lifecycle_config_arns`` are allowed for JupyterLab, and the first one runs at every start.

    :param domain_name: the domain's name.
    :param vpc: the domain's network; its public subnets are used.
    :param execution_role: the role every app and job of the domain runs as.
    :param user_profile_name: the one user profile's name.
    :param idle_timeout_minutes: JupyterLab stops after this long idle, 60-525600; users may shorten
        it, not lengthen it. Default: 60.
    :param instance_type: JupyterLab's default instance type. Default: ``ml.t3.medium``.
    :param lifecycle_config_arns: JupyterLab lifecycle configurations allowed; the first runs at every
        start. Default: none.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        domain_name: str,
        vpc: ec2.IVpc,
        execution_role: SageMakerExecutionRole,
        user_profile_name: str,
        idle_timeout_minutes: int = 60,
        instance_type: str = "ml.t3.medium",
        lifecycle_config_arns: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, id)
        SAGEMAKER_NAME.check("StudioDomain", "domain_name", domain_name)
        SAGEMAKER_NAME.check("StudioDomain", "user_profile_name", user_profile_name)
        low, high = IDLE_TIMEOUT_RANGE
        if (
            isinstance(idle_timeout_minutes, bool)
            or not isinstance(idle_timeout_minutes, int)
            or not low <= idle_timeout_minutes <= high
        ):
            raise ValueError(
                f"StudioDomain idle_timeout_minutes={idle_timeout_minutes!r}: must be a whole number of minutes, "
                f"{low}-{high}"
            )
        INSTANCE_TYPE.check("StudioDomain", "instance_type", instance_type)
        subnet_ids = [subnet.subnet_id for subnet in vpc.public_subnets]
        if not subnet_ids:
            raise ValueError("StudioDomain vpc: has no public subnet (PublicInternetOnly needs one)")

        lifecycle = list(lifecycle_config_arns)
        jupyter_lab = sagemaker.CfnDomain.JupyterLabAppSettingsProperty(
            default_resource_spec=sagemaker.CfnDomain.ResourceSpecProperty(
                instance_type=instance_type, lifecycle_config_arn=lifecycle[0] if lifecycle else None
            ),
            lifecycle_config_arns=lifecycle or None,
            app_lifecycle_management=sagemaker.CfnDomain.AppLifecycleManagementProperty(
                idle_settings=sagemaker.CfnDomain.IdleSettingsProperty(
                    lifecycle_management="ENABLED",
                    idle_timeout_in_minutes=idle_timeout_minutes,
                    min_idle_timeout_in_minutes=low,
                    max_idle_timeout_in_minutes=idle_timeout_minutes,
                )
            ),
        )
        self.domain = sagemaker.CfnDomain(
            self,
            "Domain",
            domain_name=domain_name,
            auth_mode="IAM",
            app_network_access_type="PublicInternetOnly",
            vpc_id=vpc.vpc_id,
            subnet_ids=subnet_ids,
            default_user_settings=sagemaker.CfnDomain.UserSettingsProperty(
                execution_role=execution_role.role_arn,
                studio_web_portal="ENABLED",
                default_landing_uri="studio::",
                jupyter_lab_app_settings=jupyter_lab,
            ),
        )
        self.user_profile = sagemaker.CfnUserProfile(
            self, "UserProfile", domain_id=self.domain.attr_domain_id, user_profile_name=user_profile_name
        )
        self.user_profile_name = user_profile_name

    @property
    def domain_id(self) -> str:
        return self.domain.attr_domain_id

    @property
    def domain_arn(self) -> str:
        return self.domain.attr_domain_arn

    @property
    def console_url(self) -> str:
        """The domain's page in the SageMaker console, where "Open Studio" starts a session."""
        return Fn.join(
            "",
            [
                "https://",
                Aws.REGION,
                ".console.aws.amazon.com/sagemaker/home?region=",
                Aws.REGION,
                "#/studio/",
                self.domain_id,
            ],
        )

    def resource_arn(self, resource: str, name: str) -> str:
        """The ARN of a domain-scoped SageMaker resource, e.g. ``resource_arn("app", "*")``."""
        return Stack.of(self).format_arn(
            service="sagemaker", resource=resource, resource_name=f"{self.domain_id}/{name}"
        )

    def grant_studio_user(self, grantee: iam.IGrantable) -> iam.Grant:
        """What Studio's web UI does with the user's role: read this domain and profile, run its apps and spaces.

        Apps of private spaces carry the space's name, not the profile's, in their ARN, so the scope is
        this domain, which holds this one profile.
        """
        app_and_space_actions = [
            "sagemaker:CreateApp",
            "sagemaker:DeleteApp",
            "sagemaker:DescribeApp",
            "sagemaker:CreateSpace",
            "sagemaker:UpdateSpace",
            "sagemaker:DeleteSpace",
            "sagemaker:DescribeSpace",
            "sagemaker:AddTags",
            "sagemaker:ListTags",
        ]
        grants = [
            iam.Grant.add_to_principal(grantee=grantee, actions=actions, resource_arns=resources)
            for actions, resources in (
                (["sagemaker:DescribeDomain"], [self.domain_arn]),
                (["sagemaker:DescribeUserProfile"], [self.resource_arn("user-profile", self.user_profile_name)]),
                (app_and_space_actions, [self.resource_arn("app", "*"), self.resource_arn("space", "*")]),
                (list(STUDIO_RESOURCELESS_ACTIONS), ["*"]),
            )
        ]
        return functools.reduce(iam.Grant.combine, grants)

    def teardown_statements(self) -> list[iam.PolicyStatement]:
        """What deleting every app, space and user profile of this domain takes (for a teardown's own policy)."""
        return [
            iam.PolicyStatement(actions=list(TEARDOWN_LIST_ACTIONS), resources=["*"]),
            iam.PolicyStatement(actions=["sagemaker:DeleteApp"], resources=[self.resource_arn("app", "*")]),
            iam.PolicyStatement(actions=["sagemaker:DeleteSpace"], resources=[self.resource_arn("space", "*")]),
            iam.PolicyStatement(
                actions=["sagemaker:DeleteUserProfile"], resources=[self.resource_arn("user-profile", "*")]
            ),
        ]
