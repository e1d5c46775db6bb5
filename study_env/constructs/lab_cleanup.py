"""Removes what the lab's launcher created outside CloudFormation when its stack is destroyed.

The handler (``lambda/lab_cleanup/leftovers.py``) documents the contract: jobs and models named
``<prefix>-...`` and tagged ``study-env:prefix=<prefix>``. This role may stop and delete only
resources that carry both.
"""

from __future__ import annotations

from aws_cdk import Aws, CustomResource, Duration
from aws_cdk import aws_iam as iam
from constructs import Construct

from study_env.constructs.lab_function import LabFunction
from study_env.nag import acknowledge

PREFIX_TAG = "study-env:prefix"
# SageMaker resource type in an ARN -> the stop/delete action the cleanup may take on it.
CLEANUP_ACTIONS = {
    "hyper-parameter-tuning-job": "sagemaker:StopHyperParameterTuningJob",
    "training-job": "sagemaker:StopTrainingJob",
    "processing-job": "sagemaker:StopProcessingJob",
    "transform-job": "sagemaker:StopTransformJob",
    "model": "sagemaker:DeleteModel",
}
# List calls take no resource in IAM.
LIST_ACTIONS = (
    "sagemaker:ListHyperParameterTuningJobs",
    "sagemaker:ListTrainingJobs",
    "sagemaker:ListProcessingJobs",
    "sagemaker:ListTransformJobs",
    "sagemaker:ListModels",
)


class LabCleanup(Construct):
    """A custom resource whose deletion stops the lab's running jobs and deletes its models.

    :param prefix: the lab's prefix (names start with ``<prefix>-``; the ``study-env:prefix`` tag).
    """

    def __init__(self, scope: Construct, id: str, *, prefix: str) -> None:
        super().__init__(scope, id)
        if not prefix or not prefix.isalnum() or not prefix.islower():
            raise ValueError(f"LabCleanup prefix={prefix!r}: must be lowercase letters and digits")
        self.prefix = prefix
        self.handler = LabFunction(
            self,
            "Handler",
            folder="lab_cleanup",
            handler="leftovers.handler",
            description=f"On cdk destroy: stops running {prefix} jobs and deletes {prefix} models made outside CloudFormation",
            timeout=Duration.minutes(5),
        )
        arns = {kind: self.resource_arns(kind) for kind in CLEANUP_ACTIONS}
        self.handler.add_to_role_policy(iam.PolicyStatement(sid="ListLabResources", actions=list(LIST_ACTIONS), resources=["*"]))
        self.handler.add_to_role_policy(
            iam.PolicyStatement(sid="ReadLabTags", actions=["sagemaker:ListTags"], resources=list(arns.values()))
        )
        self.handler.add_to_role_policy(
            iam.PolicyStatement(
                sid="StopAndDeleteTaggedLabResources",
                actions=list(CLEANUP_ACTIONS.values()),
                resources=list(arns.values()),
                conditions={"StringEquals": {f"aws:ResourceTag/{PREFIX_TAG}": prefix}},
            )
        )
        self.resource = CustomResource(
            self,
            "Resource",
            service_token=self.handler.function_arn,
            resource_type="Custom::LabCleanup",
            properties={"Prefix": prefix},
        )
        self._acknowledge()

    def resource_arns(self, kind: str) -> str:
        """ARN pattern of the lab's SageMaker resources of ``kind`` (SageMaker lowercases names in ARNs)."""
        return f"arn:{Aws.PARTITION}:sagemaker:{Aws.REGION}:{Aws.ACCOUNT_ID}:{kind}/{self.prefix}-*"

    def _acknowledge(self) -> None:
        policy = self.handler.role.node.find_child("DefaultPolicy")
        acknowledge(
            policy,
            ("AwsSolutions-IAM5[Resource::*]", "SageMaker's List* calls support no resource-level permission; they only read names."),
            *(
                (f"AwsSolutions-IAM5[Resource::{_finding(kind, self.prefix)}]",
                 f"The launcher names each {kind} at run time; the {kind}/{self.prefix}-* pattern plus the tag condition is the lab's own.")
                for kind in CLEANUP_ACTIONS
            ),
        )


def _finding(kind: str, prefix: str) -> str:
    """How cdk-nag spells a resource pattern with pseudo parameters."""
    return f"arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:{kind}/{prefix}-*"
