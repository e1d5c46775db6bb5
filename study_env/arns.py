"""ARNs of the lab's resources in the stack's own account and region, as CloudFormation tokens."""

from __future__ import annotations

from aws_cdk import Aws


def sagemaker_arn(resource_type: str, name_pattern: str) -> str:
    """The ARN (or ARN pattern) of SageMaker resources of ``resource_type`` in this stack's account and region.

    ``sagemaker_arn("model", "mls-*")`` is every model whose name starts with ``mls-``.
    """
    return f"arn:{Aws.PARTITION}:sagemaker:{Aws.REGION}:{Aws.ACCOUNT_ID}:{resource_type}/{name_pattern}"
