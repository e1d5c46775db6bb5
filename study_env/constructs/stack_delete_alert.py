"""Tells the alerts topic when CloudFormation fails to delete a stack of the lab (DELETE_FAILED)."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sns as sns
from constructs import Construct

from study_env.nag import acknowledge
from study_env.naming import SAGEMAKER_NAME

# AWS's names for CloudFormation's stack events ("Stack Status Change event detail").
STACK_STATUS_DETAIL_TYPE = "CloudFormation Stack Status Change"


class StackDeleteAlert(Construct):
    """An EventBridge rule ``rule_name`` that sends a one-line message to ``topic`` when the stack
    ``stack_name`` (this account and region) ends in DELETE_FAILED, e.g. an endpoint stack whose
    time-to-live deletion failed: what CloudFormation could not delete may still bill.

    Place it in a stack that outlives the watched one: a rule inside the watched stack could be
    deleted before the resource whose deletion fails.

    :param topic: where the message goes; its policy must let EventBridge rules named like
        ``rule_name`` publish (``StudyAlerts`` does for ``<prefix>-*``).
    :param stack_name: the stack watched.
    :param rule_name: the rule's name.
    """

    def __init__(self, scope: Construct, id: str, *, topic: sns.ITopic, stack_name: str, rule_name: str) -> None:
        super().__init__(scope, id)
        SAGEMAKER_NAME.check("StackDeleteAlert", "stack_name", stack_name)
        SAGEMAKER_NAME.check("StackDeleteAlert", "rule_name", rule_name)
        stack = Stack.of(self)
        # The stack id is the stack's ARN; the trailing "/" keeps out other stacks whose name starts alike.
        stack_ids = stack.format_arn(service="cloudformation", resource="stack", resource_name=f"{stack_name}/")
        # Imported by ARN, as JobNotifications does: the topic's own stack owns its policy.
        self.topic = sns.Topic.from_topic_arn(self, "Topic", topic.topic_arn)
        self.rule = events.Rule(
            self,
            "Rule",
            rule_name=rule_name,
            description=f"{stack_name} could not be deleted (DELETE_FAILED)",
            event_pattern=events.EventPattern(
                source=["aws.cloudformation"],
                detail_type=[STACK_STATUS_DETAIL_TYPE],
                detail={
                    "stack-id": events.Match.prefix(stack_ids),
                    "status-details": {"status": ["DELETE_FAILED"]},
                },
            ),
        )
        reason = events.EventField.from_path("$.detail.status-details.status-reason")
        when = events.EventField.from_path("$.time")
        region = events.EventField.from_path("$.region")
        self.rule.add_target(
            targets.SnsTopic(
                self.topic,
                message=events.RuleTargetInput.from_text(
                    f"CloudFormation could not delete stack {stack_name} ({when}); what it could not delete may "
                    f"still bill: see aws cloudformation describe-stack-events --stack-name {stack_name} --region "
                    f"{region}, delete what is left, then delete the stack again. Reason: {reason}"
                ),
            )
        )
        acknowledge(
            self.rule,
            (
                "Annotation::@aws-cdk/aws-events:ruleUnresolvedEnvironment",
                "The topic is the Foundation stack's, in this account and region; only its imported ARN is a token.",
            ),
        )
