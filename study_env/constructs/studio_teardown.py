"""Deletes what CloudFormation cannot when a Studio domain goes away: apps, spaces, home EFS, NFS security groups."""

from __future__ import annotations

import os

import jsii
from aws_cdk import CfnResource, CustomResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct

from study_env.constructs.studio_domain import StudioDomain
from study_env.nag import LAMBDA_BASIC_EXECUTION_FINDING, acknowledge, sagemaker_resource_finding
from study_env.paths import LAMBDA_DIR

HANDLER_DIR = os.path.join(LAMBDA_DIR, "studio_teardown")
# CloudFormation waits at most one hour for a custom resource.
MAX_TOTAL_TIMEOUT = Duration.minutes(60)
# The handler gives up this long before the Provider does, so the failure names what is left.
_DEADLINE_MARGIN = Duration.minutes(5)
SAGEMAKER_EFS_TAG = "ManagedByAmazonSageMakerResource"
# Describe calls of EC2 and EFS's list-all-file-systems support no resource-level permission.
TEARDOWN_RESOURCELESS_ACTIONS = (
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeNetworkInterfaces",
    "elasticfilesystem:DescribeFileSystems",
)


@jsii.implements(iam.IGrantable)
class StudioTeardown(Construct):
    """Makes ``cdk destroy`` of a Studio domain complete, even with apps left running.

    Two custom resources, one Provider (on_event + an is_complete poller):

    - ``AppsTeardown`` depends on the domain and the user profile, so CloudFormation deletes it first:
      it deletes every app, space and user profile of the domain (a profile replaced by a rename
      included) and waits until they are gone. CloudFormation then deletes the domain (and finds its
      profile gone, which counts as deleted).
    - ``ResidueTeardown`` is a dependency of the domain and depends on the whole VPC, so it is deleted
      after the domain and before the subnets: it deletes the home EFS (mount targets first), network
      interfaces left detached in the NFS security groups, and the two NFS security groups SageMaker
      created in the VPC, which would otherwise block the VPC.

    :param studio: the domain whose apps, spaces and residue are deleted.
    :param vpc: the domain's VPC (where SageMaker creates the NFS security groups and the EFS).
    :param total_timeout: how long a delete may take (app deletion can take many minutes), 10-60
        minutes. Default: 55 minutes.
    :param query_interval: how often the poller looks again. Default: 30 seconds.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        studio: StudioDomain,
        vpc: ec2.IVpc,
        total_timeout: Duration = Duration.minutes(55),
        query_interval: Duration = Duration.seconds(30),
    ) -> None:
        super().__init__(scope, id)
        total, interval = total_timeout.to_seconds(), query_interval.to_seconds()
        if not _DEADLINE_MARGIN.to_seconds() * 2 <= total <= MAX_TOTAL_TIMEOUT.to_seconds():
            raise ValueError(f"StudioTeardown total_timeout={total}s: must be 10-60 minutes")
        if not 10 <= interval <= total / 10:
            raise ValueError(
                f"StudioTeardown query_interval={interval}s: must be at least 10 s and at most a tenth of total_timeout"
            )
        stack = Stack.of(self)
        self.log_group = logs.LogGroup(
            self, "Logs", retention=logs.RetentionDays.ONE_WEEK, removal_policy=RemovalPolicy.DESTROY
        )
        self.role = iam.Role(
            self,
            "HandlerRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Studio teardown: deletes the domain's apps, spaces, home EFS and NFS security groups",
        )
        self.log_group.grant_write(self.role)
        self._grant_residue_cleanup(stack, vpc)
        # A separate policy: the handler functions must not depend on the domain (the domain depends
        # on ResidueTeardown, which depends on the functions), only AppsTeardown does.
        self.apps_policy = iam.Policy(
            self, "AppsTeardownPolicy", roles=[self.role], statements=studio.teardown_statements()
        )

        code = lambda_.Code.from_asset(HANDLER_DIR, exclude=["__pycache__", "*.pyc"])
        on_event, is_complete = (
            lambda_.Function(
                self,
                name,
                runtime=lambda_.Runtime.PYTHON_3_14,
                architecture=lambda_.Architecture.ARM_64,
                code=code,
                handler=f"index.{entry}",
                role=self.role,
                timeout=Duration.minutes(2),
                log_group=self.log_group,
                description=f"Studio teardown: {entry}",
            )
            for name, entry in (("OnEvent", "on_event"), ("IsComplete", "is_complete"))
        )
        self.provider = cr.Provider(
            self,
            "Provider",
            on_event_handler=on_event,
            is_complete_handler=is_complete,
            total_timeout=total_timeout,
            query_interval=query_interval,
            log_group=self.log_group,
        )
        deadline = str(int(total - _DEADLINE_MARGIN.to_seconds()))

        def teardown(name: str, properties: dict) -> CustomResource:
            return CustomResource(
                self,
                f"{name}Teardown",
                service_token=self.provider.service_token,
                resource_type=f"Custom::Studio{name}Teardown",
                properties={**properties, "TimeoutSeconds": deadline},
            )

        self.residue_teardown = teardown("Residue", {"Phase": "residue", "VpcId": vpc.vpc_id})
        self.residue_teardown.node.add_dependency(vpc)
        studio.domain.node.add_dependency(self.residue_teardown)
        self.apps_teardown = teardown("Apps", {"Phase": "apps", "DomainId": studio.domain_id})
        self.apps_teardown.node.add_dependency(studio.user_profile, studio.domain, self.apps_policy)
        self._acknowledge(stack, studio, on_event, is_complete)

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The handlers' role."""
        return self.role

    def _acknowledge(self, stack: Stack, studio: StudioDomain, *handlers: lambda_.Function) -> None:
        def logical_id(construct) -> str:
            resource = construct if isinstance(construct, CfnResource) else construct.node.default_child
            return stack.resolve(resource.logical_id)

        account = "arn:<AWS::Partition>:{service}:<AWS::Region>:<AWS::AccountId>:{resource}/*"
        acknowledge(
            self.role.node.find_child("DefaultPolicy"),
            (
                "AwsSolutions-IAM5[Resource::*]",
                "ec2:DescribeSecurityGroups, ec2:DescribeNetworkInterfaces and elasticfilesystem:DescribeFileSystems "
                "without a file system id support no resource-level permission.",
            ),
            (
                "AwsSolutions-IAM5[Resource::" + account.format(service="ec2", resource="security-group") + "]",
                "SageMaker names the NFS security groups after the domain at run time; a condition limits this to "
                "the lab's VPC.",
            ),
            (
                "AwsSolutions-IAM5[Resource::" + account.format(service="ec2", resource="network-interface") + "]",
                "EFS mount targets' network interfaces get ids at run time; a condition limits this to the lab's VPC.",
            ),
            (
                "AwsSolutions-IAM5[Resource::"
                + account.format(service="elasticfilesystem", resource="file-system")
                + "]",
                "SageMaker creates the home file system at run time; a tag condition limits this to SageMaker "
                "domains' file systems.",
            ),
        )
        domain = f"<{logical_id(studio.domain)}.DomainId>"
        acknowledge(
            self.apps_policy,
            (
                "AwsSolutions-IAM5[Resource::*]",
                "sagemaker:ListApps, ListSpaces and ListUserProfiles support no resource-level permission.",
            ),
            *(
                (
                    sagemaker_resource_finding(kind, f"{domain}/*"),
                    f"Studio names each {kind} at run time; the scope is this domain's {kind}s only.",
                )
                for kind in ("app", "space", "user-profile")
            ),
        )
        framework = [
            self.provider.node.find_child(f"framework-{name}") for name in ("onEvent", "isComplete", "onTimeout")
        ]
        invoked = [logical_id(fn) for fn in (*handlers, *framework[1:])]
        acknowledge(
            self.provider,
            (
                LAMBDA_BASIC_EXECUTION_FINDING,
                "The Provider framework's own functions only write their CloudWatch logs with this managed policy.",
            ),
            *(
                (
                    f"AwsSolutions-IAM5[Resource::<{fn}.Arn>:*]",
                    "The Provider framework invokes this one function, any version of it.",
                )
                for fn in invoked
            ),
            (
                "AwsSolutions-SF1",
                "The waiter state machine runs only while a teardown resource is created or deleted; the handlers "
                "log every poll.",
            ),
            (
                "AwsSolutions-SF2",
                "X-Ray tracing of a waiter that runs once per deploy or destroy adds cost and no insight.",
            ),
        )

    def _grant_residue_cleanup(self, stack: Stack, vpc: ec2.IVpc) -> None:
        in_vpc = {"ArnEquals": {"ec2:Vpc": stack.format_arn(service="ec2", resource="vpc", resource_name=vpc.vpc_id)}}
        self.role.add_to_policy(iam.PolicyStatement(actions=list(TEARDOWN_RESOURCELESS_ACTIONS), resources=["*"]))
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress", "ec2:DeleteSecurityGroup"],
                resources=[stack.format_arn(service="ec2", resource="security-group", resource_name="*")],
                conditions=in_vpc,
            )
        )
        # DeleteMountTarget also deletes its network interface; interfaces left detached in the NFS
        # groups are deleted directly.
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["ec2:DeleteNetworkInterface"],
                resources=[stack.format_arn(service="ec2", resource="network-interface", resource_name="*")],
                conditions=in_vpc,
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "elasticfilesystem:DescribeMountTargets",
                    "elasticfilesystem:DeleteMountTarget",
                    "elasticfilesystem:DeleteFileSystem",
                ],
                resources=[stack.format_arn(service="elasticfilesystem", resource="file-system", resource_name="*")],
                conditions={
                    "StringLike": {
                        f"aws:ResourceTag/{SAGEMAKER_EFS_TAG}": stack.format_arn(
                            service="sagemaker", resource="domain", resource_name="*"
                        )
                    }
                },
            )
        )
