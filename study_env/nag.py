"""Acknowledging cdk-nag (and other validation) findings on one construct, always with a reason."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(construct: IConstruct, *findings: tuple[str, str]) -> None:
    """Acknowledge ``(rule_id, reason)`` pairs on ``construct`` only (never stack- or app-wide).

    A rule id may name one finding, e.g. ``AwsSolutions-IAM5[Resource::*]``.
    """
    for rule_id, reason in findings:
        if not reason or len(reason.split()) < 4:
            raise ValueError(f"acknowledge {rule_id}: give a specific reason, not {reason!r}")
    # One call for all: each crossing into the jsii kernel costs synth time.
    Validations.of(construct).acknowledge(*(Acknowledgment(id=rule_id, reason=reason) for rule_id, reason in findings))


def sagemaker_resource_finding(resource_type: str, name_pattern: str) -> str:
    """The cdk-nag finding id of a wildcard ``arns.sagemaker_arn(resource_type, name_pattern)`` resource."""
    return (
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:"
        f"{resource_type}/{name_pattern}]"
    )


# Finding ids that more than one construct acknowledges.
LAMBDA_BASIC_EXECUTION_FINDING = (
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]"
)
SAGEMAKER_LOG_GROUP = "arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/*"
