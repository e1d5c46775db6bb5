"""A stack that deletes itself a number of hours after it was deployed (EventBridge Scheduler, one shot).

How, without a timestamp in the template:

1. A custom resource (``lambda/lab_cleanup/expiry.py``) returns ``at(<deploy time + hours>)`` when
   CloudFormation creates it, and again whenever its properties change (``restart_on``: e.g. the
   endpoint configuration, so deploying a new model restarts the clock).
2. A one-time EventBridge Scheduler schedule fires at that time and calls CloudFormation's
   ``DeleteStack`` on this stack's id through Scheduler's universal target.
3. The schedule's role may call ``cloudformation:DeleteStack`` on this one stack and nothing else.
   CloudFormation then deletes the resources with the stack's service role, which ``cdk deploy``
   sets (the bootstrap ``cfn-exec`` role). So the schedule's role needs no SageMaker, IAM or Lambda
   permissions, and deleting it half-way through deletes nothing it still needs.
"""

from __future__ import annotations

from collections.abc import Sequence

import jsii
from aws_cdk import Aws, CustomResource, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from study_env.config import ENDPOINT_TTL_RANGE
from study_env.constructs.lab_function import LabFunction

SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com"


@jsii.implements(iam.IGrantable)
class StackTimeToLive(Construct):
    """Deletes the enclosing stack ``hours`` after deployment.

    :param hours: how long after each deployment the stack deletes itself, 1-168.
    :param restart_on: values (tokens allowed) whose change on a later deploy restarts the clock.
        Default: none (only the first deployment starts it).
    """

    def __init__(self, scope: Construct, id: str, *, hours: int, restart_on: Sequence[str] = ()) -> None:
        super().__init__(scope, id)
        low, high = 1, ENDPOINT_TTL_RANGE[1]
        if isinstance(hours, bool) or not isinstance(hours, int) or not low <= hours <= high:
            raise ValueError(f"StackTimeToLive hours={hours!r}: must be a whole number between {low} and {high}")
        stack = Stack.of(self)
        self.hours = hours
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
        self.role = iam.Role(
            self,
            "SchedulerRole",
            assumed_by=iam.ServicePrincipal(
                SCHEDULER_PRINCIPAL, conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
            description=f"Lets EventBridge Scheduler delete {stack.stack_name} when its time-to-live ends",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="DeleteThisStackOnly", actions=["cloudformation:DeleteStack"], resources=[Aws.STACK_ID]
            )
        )
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
                input=stack.to_json_string({"StackName": Aws.STACK_ID}),
            ),
        )

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The schedule's role, which deletes the stack."""
        return self.role

    @property
    def expires_at(self) -> str:
        """The UTC time the stack deletes itself (known after deploy)."""
        return self.expiry.get_att_string("ExpiresAt")
