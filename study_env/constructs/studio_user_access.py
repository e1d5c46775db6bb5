"""What the study plan's notebook code needs from the role it runs as in Studio, beyond the Foundation's grants."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from study_env.constructs.execution_role import SageMakerExecutionRole
from study_env.constructs.studio_domain import StudioDomain
from study_env.job_kinds import JOB_KINDS, MODEL
from study_env.nag import SAGEMAKER_LOG_GROUP, acknowledge, sagemaker_resource_finding

# The jobs the plan's notebook starts and follows (Day 6-12), and what "follow" takes for each.
JOB_RESOURCES = tuple(kind.arn_type for kind in JOB_KINDS)
JOB_ACTIONS = (
    *(kind.action(verb) for kind in JOB_KINDS for verb in ("Create", "Describe", "Stop")),
    "sagemaker:ListTrainingJobsForHyperParameterTuningJob",
)
# Estimator.transformer() registers the trained model before the transform job.
MODEL_ACTIONS = tuple(MODEL.action(verb) for verb in ("Create", "Describe", "Delete"))
# The SDK names jobs and models it is not given a name for "sagemaker-<image>-<timestamp>".
SDK_DEFAULT_NAME_PREFIX = "sagemaker-"


class StudioUserAccess(Construct):
    """Adds to ``execution_role`` (as its own policy, in this stack) what the Studio user does:

    open and run apps and spaces of ``studio`` only; start, follow and stop training, processing,
    transform and tuning jobs named with ``job_name_prefixes`` on ``allowed_instance_types`` only;
    register the models a transform needs; read the jobs' logs. The study bucket's prefixes are the
    Foundation's grants (the SDK's uploads and outputs go under ``models/training/``).

    :param execution_role: the role Studio's apps run as; the grants go into a policy of this stack.
    :param studio: the domain whose apps and spaces the user runs.
    :param job_name_prefixes: job and model names the user may create, each ending in ``-``.
    :param allowed_instance_types: the only instance types the user's jobs may use.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        execution_role: SageMakerExecutionRole,
        studio: StudioDomain,
        job_name_prefixes: Sequence[str],
        allowed_instance_types: Sequence[str],
    ) -> None:
        super().__init__(scope, id)
        prefixes = list(job_name_prefixes)
        if not prefixes or not all(isinstance(p, str) and p.endswith("-") and "*" not in p for p in prefixes):
            raise ValueError(
                f"StudioUserAccess job_name_prefixes={prefixes!r}: give at least one, each ending with '-' and "
                "without '*'"
            )
        if not allowed_instance_types:
            raise ValueError("StudioUserAccess allowed_instance_types: name at least one instance type")
        # An imported role puts every grant below into one policy of this stack, leaving the Foundation's untouched.
        self.role = iam.Role.from_role_arn(self, "Role", execution_role.role_arn)
        stack = Stack.of(self)

        studio.grant_studio_user(self.role)
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="NotebookJobs",
                actions=list(JOB_ACTIONS),
                resources=[
                    stack.format_arn(service="sagemaker", resource=r, resource_name=p + "*")
                    for r in JOB_RESOURCES
                    for p in prefixes
                ],
                # Cost guard: the same allow-list as the launcher. ForAllValues holds for calls naming no type.
                conditions={"ForAllValues:StringEquals": {"sagemaker:InstanceTypes": list(allowed_instance_types)}},
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="NotebookModels",
                actions=list(MODEL_ACTIONS),
                resources=[
                    stack.format_arn(service="sagemaker", resource="model", resource_name=p + "*") for p in prefixes
                ],
            )
        )
        log_group = stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name="/aws/sagemaker/*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="NotebookJobLogs",
                actions=["logs:GetLogEvents", "logs:FilterLogEvents"],
                resources=[log_group, log_group + ":log-stream:*"],
            )
        )
        self._acknowledge(stack, studio, prefixes)

    def _acknowledge(self, stack: Stack, studio: StudioDomain, prefixes: list[str]) -> None:
        policy = self.role.node.find_child("Policy")
        domain_id = stack.resolve(studio.domain_id)["Fn::GetAtt"][0]
        log_group = SAGEMAKER_LOG_GROUP
        acknowledge(
            policy,
            (
                "AwsSolutions-IAM5[Resource::*]",
                "sagemaker:ListApps and sagemaker:ListSpaces support no resource-level permission.",
            ),
            *(
                (
                    sagemaker_resource_finding(kind, f"<{domain_id}.DomainId>/*"),
                    f"Studio names each {kind} of this domain at run time; the scope is this domain's {kind}s only.",
                )
                for kind in ("app", "space")
            ),
            *(
                (
                    sagemaker_resource_finding(kind, f"{p}*"),
                    f"The SDK names each {kind} with a timestamp at run time; the scope is names starting with {p}.",
                )
                for kind in (*JOB_RESOURCES, MODEL.arn_type)
                for p in prefixes
            ),
            (
                f"AwsSolutions-IAM5[Resource::{log_group}]",
                "SageMaker names each job's log group under /aws/sagemaker/ at run time.",
            ),
            (
                f"AwsSolutions-IAM5[Resource::{log_group}:log-stream:*]",
                "SageMaker creates one log stream per job instance at run time.",
            ),
        )
