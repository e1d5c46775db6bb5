"""A stack that deletes itself a number of hours after it was deployed (EventBridge Scheduler, one shot).

How, without a timestamp in the template:

1. A custom resource (``lambda/lab_cleanup/expiry.py``) returns ``at(<deploy time + hours>)`` when
   CloudFormation creates it, and again whenever its properties change (``restart_on``: e.g. the
   endpoint configuration, so deploying a new model restarts the clock).
2. A one-time EventBridge Scheduler schedule fires at that time and calls CloudFormation's
   ``DeleteStack`` on this stack's id through Scheduler's universal target, passing the stack's
   CloudFormation execution role as ``RoleARN``.
3. CloudFormation deletes the resources with that role (the bootstrap ``cfn-exec`` role, which
   ``cdk deploy`` also uses). A principal that uses a stack's service role must be allowed to pass
   it (``iam:PassRole``), so the schedule's role may delete this one stack, only with that role, and
   pass that role to CloudFormation only. It needs no SageMaker, IAM or Lambda permissions, and
   deleting it half-way through deletes nothing it still needs.
4. A failed call (after Scheduler's retries) lands in a dead-letter queue; an alarm on that queue
   tells the alerts topic. A deletion that starts and then fails (DELETE_FAILED) is reported by a
   rule outside this stack (:class:`~study_env.constructs.stack_delete_alert.StackDeleteAlert`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import jsii
from aws_cdk import Aws, CustomResource, DefaultStackSynthesizer, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from study_env.config import ENDPOINT_TTL_RANGE
from study_env.constructs.lab_function import LabFunction
from study_env.nag import acknowledge

SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com"
CLOUDFORMATION_PRINCIPAL = "cloudformation.amazonaws.com"
# Scheduler tries again for at most this long, then sends the event to the dead-letter queue, so a
# failed expiry is reported within the hour instead of after Scheduler's default 24 hours.
RETRY_ATTEMPTS = 3
RETRY_WINDOW = Duration.hours(1)
DEAD_LETTER_RETENTION = Duration.days(14)


def synthesizer_execution_role_arn(stack: Stack) -> str:
    """The CloudFormation execution role of ``stack``'s synthesizer, for this stack's account and region.

    Raises ``ValueError`` (one line) when the synthesizer names none, e.g. ``CliCredentialsStackSynthesizer``.
    """
    synthesizer = stack.synthesizer
    if not isinstance(synthesizer, DefaultStackSynthesizer):
        raise ValueError(
            f"StackTimeToLive: the synthesizer of {stack.stack_name} ({type(synthesizer).__name__}) names no "
            "CloudFormation execution role for the scheduled DeleteStack; use DefaultStackSynthesizer, pass "
            "execution_role_arn, or set endpoint_ttl_hours=0"
        )
    try:
        template = synthesizer.cloud_formation_execution_role_arn
    except RuntimeError as err:  # jsii: a DefaultStackSynthesizer made in Python is bound as a copy
        raise ValueError(
            f"StackTimeToLive: cannot read the CloudFormation execution role of {stack.stack_name}'s synthesizer "
            f"({err}); pass execution_role_arn"
        ) from None
    arn = (
        template.replace("${AWS::Partition}", stack.partition)
        .replace("${AWS::AccountId}", stack.account)
        .replace("${AWS::Region}", stack.region)
    )
    # CDK tokens render as ${Token[...]}; any other ${...} is a placeholder CloudFormation would not resolve.
    if re.search(r"\$\{(?!Token\[)", arn):
        raise ValueError(f"StackTimeToLive: execution role {template!r} has a placeholder this stack cannot resolve")
    return arn


def scheduler_role(scope: Construct, description: str) -> iam.Role:
    """``SchedulerRole``: a role only EventBridge Scheduler of this account may assume (confused deputy guard)."""
    return iam.Role(
        scope,
        "SchedulerRole",
        assumed_by=iam.ServicePrincipal(
            SCHEDULER_PRINCIPAL, conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
        ),
        description=description,
    )


@jsii.implements(iam.IGrantable)
class StackTimeToLive(Construct):
    """Deletes the enclosing stack ``hours`` after deployment, and says so when it could not.

    :param hours: how long after each deployment the stack deletes itself, 1-168.
    :param restart_on: values (tokens allowed) whose change on a later deploy restarts the clock.
        Default: none (only the first deployment starts it).
    :param execution_role_arn: the role CloudFormation deletes the stack with (``RoleARN`` of the
        scheduled ``DeleteStack``). Default: the stack's ``DefaultStackSynthesizer``
        ``cloudFormationExecutionRoleArn`` for its account and region (the bootstrap ``cfn-exec`` role).
    :param alert_topic: told (by a CloudWatch alarm named ``<stack name>-expiry-failed``) when the
        scheduled call failed; its policy must let such alarms publish (``StudyAlerts`` does for
        ``<prefix>-*``). Default: none (the failed call only waits in the dead-letter queue).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        hours: int,
        restart_on: Sequence[str] = (),
        execution_role_arn: str | None = None,
        alert_topic: sns.ITopic | None = None,
    ) -> None:
        super().__init__(scope, id)
        low, high = 1, ENDPOINT_TTL_RANGE[1]
        if isinstance(hours, bool) or not isinstance(hours, int) or not low <= hours <= high:
            raise ValueError(f"StackTimeToLive hours={hours!r}: must be a whole number between {low} and {high}")
        stack = Stack.of(self)
        self.hours = hours
        self.execution_role_arn = execution_role_arn or synthesizer_execution_role_arn(stack)
        self.clock = LabFunction(
            self,
            "Clock",
            folder="lab_cleanup",
            handler="expiry.handler",
            description=f"Computes when {stack.stack_name} deletes itself ({hours} h after deploy)",
        )
        self.expiry = CustomResource(
            self,
            "Expiry",
            service_token=self.clock.function_arn,
            resource_type="Custom::StackExpiry",
            service_timeout=self.clock.custom_resource_timeout,
            properties={"TtlHours": hours, "RestartOn": list(restart_on)},
        )
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            retention_period=DEAD_LETTER_RETENTION,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        acknowledge(
            self.dead_letters,
            (
                "AwsSolutions-SQS3",
                "This queue is the schedule's dead-letter queue; nothing reads from it but the alarm and the learner.",
            ),
        )
        self.role = scheduler_role(
            self, f"Lets EventBridge Scheduler delete {stack.stack_name} when its time-to-live ends"
        )
        self._grant_expiry()
        self.schedule = scheduler.CfnSchedule(
            self,
            "Schedule",
            description=f"Deletes {stack.stack_name} {hours} h after its deployment",
            schedule_expression=self.expiry.get_att_string("ScheduleExpression"),
            schedule_expression_timezone="UTC",
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            target=scheduler.CfnSchedule.TargetProperty(
                arn=f"arn:{Aws.PARTITION}:scheduler:::aws-sdk:cloudformation:deleteStack",
                role_arn=self.role.role_arn,
                input=stack.to_json_string({"StackName": Aws.STACK_ID, "RoleARN": self.execution_role_arn}),
                dead_letter_config=scheduler.CfnSchedule.DeadLetterConfigProperty(arn=self.dead_letters.queue_arn),
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(
                    maximum_retry_attempts=RETRY_ATTEMPTS,
                    maximum_event_age_in_seconds=RETRY_WINDOW.to_seconds(),
                ),
            ),
        )
        # The role's policy must exist before the schedule can use it.
        self.schedule.node.add_dependency(self.role)
        self.alarm = None
        if alert_topic is not None:
            self.alarm = cloudwatch.Alarm(
                self,
                "ExpiryFailed",
                alarm_name=f"{stack.stack_name}-expiry-failed",
                alarm_description=(
                    f"The scheduled deletion of {stack.stack_name} failed (a message in its dead-letter queue): "
                    f"what the stack holds still bills; delete it by hand (npx cdk destroy {stack.stack_name} "
                    "--exclusively with its -c context)"
                ),
                metric=self.dead_letters.metric_approximate_number_of_messages_visible(
                    period=Duration.minutes(5), statistic="Maximum"
                ),
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            # Imported by ARN: the topic's own stack owns its policy.
            topic = sns.Topic.from_topic_arn(self, "AlertTopic", alert_topic.topic_arn)
            self.alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))

    def _grant_expiry(self) -> None:
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="DeleteThisStackOnlyWithItsRole",
                actions=["cloudformation:DeleteStack"],
                resources=[Aws.STACK_ID],
                conditions={"ArnEquals": {"cloudformation:RoleArn": self.execution_role_arn}},
            )
        )
        # Using a stack's service role takes iam:PassRole on it ("AWS CloudFormation service role").
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="PassTheStacksRoleToCloudFormation",
                actions=["iam:PassRole"],
                resources=[self.execution_role_arn],
                conditions={"StringEquals": {"iam:PassedToService": CLOUDFORMATION_PRINCIPAL}},
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ReportFailedCalls", actions=["sqs:SendMessage"], resources=[self.dead_letters.queue_arn]
            )
        )

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The schedule's role, which deletes the stack."""
        return self.role

    @property
    def expires_at(self) -> str:
        """The UTC time the stack deletes itself (known after deploy)."""
        return self.expiry.get_att_string("ExpiresAt")
