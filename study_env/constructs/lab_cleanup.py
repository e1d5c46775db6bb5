"""Removes what the lab made outside CloudFormation when the Jobs stack is destroyed.

The handler (``lambda/lab_cleanup/leftovers.py``) documents the contract: jobs, endpoints, endpoint
configurations and models tagged ``study-env:prefix=<prefix>``, whatever their names (the launcher
names its own ``<prefix>-...``, the SageMaker SDK in Studio ``sagemaker-xgboost-...``, ``kmeans-...``).
This role may stop and delete only resources that carry the tag.
"""

from __future__ import annotations

import jsii
from aws_cdk import CustomResource, Duration
from aws_cdk import aws_iam as iam
from constructs import Construct

from study_env.arns import sagemaker_arn
from study_env.constructs.job_launcher import LIST_ACTIONS
from study_env.constructs.lab_function import LabFunction
from study_env.job_kinds import DELETE_ORDER, STOP_ORDER
from study_env.nag import acknowledge, sagemaker_resource_finding
from study_env.naming import LAB_PREFIX
from study_env.tags import PREFIX_KEY

# SageMaker resource type in an ARN -> the stop/delete action the cleanup may take on it.
CLEANUP_ACTIONS = {
    **{kind.arn_type: kind.action("Stop") for kind in STOP_ORDER},
    **{kind.arn_type: kind.action("Delete") for kind in DELETE_ORDER},
}


@jsii.implements(iam.IGrantable)
class LabCleanup(Construct):
    """A custom resource whose deletion stops the lab's running jobs and deletes its endpoints and models.

    :param prefix: the lab's prefix: the value of the ``study-env:prefix`` tag of what is the lab's.
    """

    def __init__(self, scope: Construct, id: str, *, prefix: str) -> None:
        super().__init__(scope, id)
        LAB_PREFIX.check("LabCleanup", "prefix", prefix)
        self.prefix = prefix
        self.handler = LabFunction(
            self,
            "Handler",
            folder="lab_cleanup",
            handler="leftovers.handler",
            description=f"On cdk destroy: stops running {prefix} jobs and deletes {prefix} endpoints and models made "
            "outside CloudFormation",
            timeout=Duration.minutes(5),
            shared_modules=("lab_contract",),
        )
        arns = {kind: self.resource_arns(kind) for kind in CLEANUP_ACTIONS}
        self.handler.add_to_role_policy(
            iam.PolicyStatement(
                sid="ListLabResources",
                actions=[*LIST_ACTIONS, *(kind.action("List") for kind in DELETE_ORDER)],
                resources=["*"],
            )
        )
        self.handler.add_to_role_policy(
            iam.PolicyStatement(sid="ReadLabTags", actions=["sagemaker:ListTags"], resources=list(arns.values()))
        )
        self.handler.add_to_role_policy(
            iam.PolicyStatement(
                sid="StopAndDeleteTaggedLabResources",
                actions=list(CLEANUP_ACTIONS.values()),
                resources=list(arns.values()),
                conditions={"StringEquals": {f"aws:ResourceTag/{PREFIX_KEY}": prefix}},
            )
        )
        self.resource = CustomResource(
            self,
            "Resource",
            service_token=self.handler.function_arn,
            resource_type="Custom::LabCleanup",
            properties={"Prefix": prefix},
            service_timeout=self.handler.custom_resource_timeout,
        )
        self._acknowledge()

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The cleanup function's role."""
        return self.handler.role

    def resource_arns(self, kind: str) -> str:
        """Every SageMaker resource of ``kind``: which are the lab's is the tag condition's to say."""
        return sagemaker_arn(kind, "*")

    def _acknowledge(self) -> None:
        policy = self.handler.role.node.find_child("DefaultPolicy")
        acknowledge(
            policy,
            (
                "AwsSolutions-IAM5[Resource::*]",
                "SageMaker's List* calls support no resource-level permission; they only read names.",
            ),
            *(
                (
                    sagemaker_resource_finding(kind, "*"),
                    f"The launcher and the SDK in Studio name each {kind} at run time; stops and deletes hold only "
                    f"for those tagged study-env:prefix={self.prefix}, reading tags bills and changes nothing.",
                )
                for kind in CLEANUP_ACTIONS
            ),
        )
