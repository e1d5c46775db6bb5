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
# What Studio's web UI does with apps and spaces: the actions that take sagemaker:InstanceTypes, and the rest.
INSTANCE_TYPED_STUDIO_ACTIONS = ("sagemaker:CreateApp", "sagemaker:CreateSpace", "sagemaker:UpdateSpace")
UNSIZED_STUDIO_ACTIONS = (
    "sagemaker:DeleteApp",
    "sagemaker:DescribeApp",
    "sagemaker:DeleteSpace",
    "sagemaker:DescribeSpace",
    "sagemaker:AddTags",
    "sagemaker:ListTags",
)
# The teardown also lists the domain's user profiles (every one of them goes before the domain).
TEARDOWN_LIST_ACTIONS = (*STUDIO_RESOURCELESS_ACTIONS, "sagemaker:ListUserProfiles")


class StudioDomain(Construct):
    """A Studio domain (IAM authentication, ``PublicInternetOnly``) and its one user profile.

    JupyterLab is the default app; JupyterLab and Code Editor run on ``instance_type`` by default and
    shut down after ``idle_timeout_minutes`` idle; users may shorten it but not lengthen it. The
    built-in lifecycle configuration runs at every JupyterLab start. :meth:`grant_studio_user` lets apps
    start only on ``instance_type`` and ``app_instance_types``.

    :param domain_name: the domain's name.
    :param vpc: the domain's network; its public subnets are used.
    :param execution_role: the role every app and job of the domain runs as.
    :param user_profile_name: the one user profile's name.
    :param idle_timeout_minutes: JupyterLab stops after this long idle, 60-525600; users may shorten
        it, not lengthen it. Default: 60.
    :param instance_type: JupyterLab's default instance type. Default: ``ml.t3.medium``.
    :param built_in_lifecycle_config_arn: a JupyterLab lifecycle configuration that runs at every start
        of every space (the user's and the spaces' default). Default: none.
    :param app_instance_types: instance types users may also start apps and spaces on (cost guard).
        Default: none (``instance_type`` only).
    :param jupyter_lab_image_arn: JupyterLab's default image (a SageMaker Distribution image ARN, or
        ``AWS::NoValue``). Default: none (Studio's own default).
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
        built_in_lifecycle_config_arn: str | None = None,
        app_instance_types: Sequence[str] = (),
        jupyter_lab_image_arn: str | None = None,
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
        for app_type in app_instance_types:
            INSTANCE_TYPE.check("StudioDomain", "app_instance_types", app_type)
        # The default first: an app started without an instance type runs on it.
        self.app_instance_types = tuple(dict.fromkeys([instance_type, *app_instance_types]))
        subnet_ids = [subnet.subnet_id for subnet in vpc.public_subnets]
        if not subnet_ids:
            raise ValueError("StudioDomain vpc: has no public subnet (PublicInternetOnly needs one)")

        # One idle policy for both IDEs: without it a Code Editor app bills until stopped by hand.
        idle_shutdown = sagemaker.CfnDomain.AppLifecycleManagementProperty(
            idle_settings=sagemaker.CfnDomain.IdleSettingsProperty(
                lifecycle_management="ENABLED",
                idle_timeout_in_minutes=idle_timeout_minutes,
                min_idle_timeout_in_minutes=low,
                max_idle_timeout_in_minutes=idle_timeout_minutes,
            )
        )
        # The built-in lifecycle configuration runs at every JupyterLab start, in every space; a default
        # one would only be pre-selected, and a space keeps whatever its user picked instead.
        jupyter_lab = sagemaker.CfnDomain.JupyterLabAppSettingsProperty(
            default_resource_spec=sagemaker.CfnDomain.ResourceSpecProperty(
                instance_type=instance_type, sage_maker_image_arn=jupyter_lab_image_arn
            ),
            built_in_lifecycle_config_arn=built_in_lifecycle_config_arn,
            app_lifecycle_management=idle_shutdown,
        )
        code_editor = sagemaker.CfnDomain.CodeEditorAppSettingsProperty(
            default_resource_spec=sagemaker.CfnDomain.ResourceSpecProperty(instance_type=instance_type),
            app_lifecycle_management=idle_shutdown,
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
                code_editor_app_settings=code_editor,
            ),
            default_space_settings=sagemaker.CfnDomain.DefaultSpaceSettingsProperty(
                execution_role=execution_role.role_arn,
                jupyter_lab_app_settings=sagemaker.CfnDomain.JupyterLabAppSettingsProperty(
                    built_in_lifecycle_config_arn=built_in_lifecycle_config_arn
                ),
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
        this domain, which holds this one profile. Apps and spaces may name only ``app_instance_types``.
        """
        apps_and_spaces = [self.resource_arn("app", "*"), self.resource_arn("space", "*")]
        # Cost guard on the actions that take sagemaker:InstanceTypes, in a statement of their own (a
        # condition on the others would be meaningless). ForAllValues also holds when a request names no
        # instance type, as AWS evaluates it: SageMaker then uses the space's or the domain's default,
        # which is instance_type, and a space's default is itself set through these conditioned actions.
        sized = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=list(INSTANCE_TYPED_STUDIO_ACTIONS),
            resource_arns=apps_and_spaces,
            conditions={"ForAllValues:StringEquals": {"sagemaker:InstanceTypes": list(self.app_instance_types)}},
        )
        grants = [sized] + [
            iam.Grant.add_to_principal(grantee=grantee, actions=actions, resource_arns=resources)
            for actions, resources in (
                (["sagemaker:DescribeDomain"], [self.domain_arn]),
                (["sagemaker:DescribeUserProfile"], [self.resource_arn("user-profile", self.user_profile_name)]),
                (list(UNSIZED_STUDIO_ACTIONS), apps_and_spaces),
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
