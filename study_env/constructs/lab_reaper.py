"""A scheduled reaper of what the learner made by hand: forgotten endpoints, runaway jobs, Studio apps left on.

The handler (``lambda/reaper/reaper.py``) documents what it does. This construct gives it a schedule
(EventBridge Scheduler, free at this rate) and a role that may stop and delete only what carries the
lab's tag, and only this domain's apps. Idle, it bills nothing: a schedule and a function that runs
for a second or two an hour stay inside the free tiers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import jsii
from aws_cdk import Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns as sns
from constructs import Construct

from study_env import prices
from study_env.arns import sagemaker_arn
from study_env.config import ENDPOINT_TTL_RANGE, REAPER_HOURS_RANGE
from study_env.constructs.lab_function import LabFunction
from study_env.constructs.stack_time_to_live import scheduler_role
from study_env.constructs.studio_domain import StudioDomain
from study_env.job_kinds import ENDPOINT, ENDPOINT_CONFIG, STOP_ORDER
from study_env.nag import acknowledge, sagemaker_resource_finding
from study_env.naming import INSTANCE_TYPE, LAB_PREFIX
from study_env.tags import PREFIX_KEY

# Hourly: a forgotten ml.m5.large endpoint then bills at most one hour past its limit ($0.115).
DEFAULT_RATE = Duration.hours(1)


@jsii.implements(iam.IGrantable)
class LabReaper(Construct):
    """Stops and deletes what the lab's user left running, on a schedule, and says so on ``alert_topic``.

    :param prefix: the lab's prefix: only resources tagged ``study-env:prefix=<prefix>`` are touched.
    :param studio: the domain whose apps are stopped after ``max_app_hours``.
    :param alert_topic: where each action is told.
    :param endpoint_ttl_hours: endpoints older than this are deleted, 0-168 (0: never).
    :param max_job_hours: jobs running longer than this are stopped, 0-168 (0: never).
    :param max_app_hours: Studio apps InService longer than this are deleted, 0-168 (0: never).
    :param instance_types: instance types whose hourly price the alerts quote. Default: none.
    :param rate: how often it runs, 15 minutes to a day. Default: every hour.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        prefix: str,
        studio: StudioDomain,
        alert_topic: sns.ITopic,
        endpoint_ttl_hours: int,
        max_job_hours: int,
        max_app_hours: int,
        instance_types: Sequence[str] = (),
        rate: Duration = DEFAULT_RATE,
    ) -> None:
        super().__init__(scope, id)
        LAB_PREFIX.check("LabReaper", "prefix", prefix)
        for name, value, (low, high) in (
            ("endpoint_ttl_hours", endpoint_ttl_hours, ENDPOINT_TTL_RANGE),
            ("max_job_hours", max_job_hours, REAPER_HOURS_RANGE),
            ("max_app_hours", max_app_hours, REAPER_HOURS_RANGE),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"LabReaper {name}={value!r}: must be a whole number of hours, {low}-{high} (0: off)")
        for instance_type in instance_types:
            INSTANCE_TYPE.check("LabReaper", "instance_types", instance_type)
        if not Duration.minutes(15).to_seconds() <= rate.to_seconds() <= Duration.days(1).to_seconds():
            raise ValueError(f"LabReaper rate={rate.to_human_string()}: must be between 15 minutes and a day")
        self.prefix = prefix
        self.handler = LabFunction(
            self,
            "Handler",
            folder="reaper",
            handler="reaper.handler",
            description=f"Deletes forgotten {prefix} endpoints and apps, stops runaway {prefix} jobs, and says so",
            timeout=Duration.minutes(2),
            shared_modules=("lab_contract",),
            environment={
                "PREFIX": prefix,
                "ENDPOINT_TTL_HOURS": str(endpoint_ttl_hours),
                "MAX_JOB_HOURS": str(max_job_hours),
                "MAX_APP_HOURS": str(max_app_hours),
                "DOMAIN_ID": studio.domain_id,
                "DOMAIN_ARN": studio.domain_arn,
                "TOPIC_ARN": alert_topic.topic_arn,
                "PRICES": json.dumps(prices.subset(("hosting", "studio"), instance_types), sort_keys=True),
            },
        )
        self._grant(studio, alert_topic)
        self.role = scheduler_role(self, f"Lets EventBridge Scheduler run the {prefix} reaper")
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="RunTheReaper", actions=["lambda:InvokeFunction"], resources=[self.handler.function_arn]
            )
        )
        self.schedule = scheduler.CfnSchedule(
            self,
            "Schedule",
            description=f"Runs the {prefix} reaper every {rate.to_human_string()}",
            schedule_expression=f"rate({int(rate.to_minutes())} minutes)",
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            target=scheduler.CfnSchedule.TargetProperty(
                arn=self.handler.function_arn,
                role_arn=self.role.role_arn,
                retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(maximum_retry_attempts=0),
            ),
        )
        # The role's policy must exist before the schedule can use it.
        self.schedule.node.add_dependency(self.role)

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The reaper function's role."""
        return self.handler.role

    def _grant(self, studio: StudioDomain, alert_topic: sns.ITopic) -> None:
        labs = {"StringEquals": {f"aws:ResourceTag/{PREFIX_KEY}": self.prefix}}
        kinds = [ENDPOINT, ENDPOINT_CONFIG, *STOP_ORDER]
        arns = [sagemaker_arn(kind.arn_type, "*") for kind in kinds]
        self.handler.add_to_role_policy(
            iam.PolicyStatement(
                sid="ListWhatBills",
                actions=[ENDPOINT.action("List"), *(k.action("List") for k in STOP_ORDER), "sagemaker:ListApps"],
                resources=["*"],
            )
        )
        self.handler.add_to_role_policy(
            iam.PolicyStatement(
                sid="ReadTagsAndEndpoints",
                actions=["sagemaker:ListTags", ENDPOINT.action("Describe"), ENDPOINT_CONFIG.action("Describe")],
                resources=arns,
            )
        )
        acts = [ENDPOINT.action("Delete"), ENDPOINT_CONFIG.action("Delete"), *(k.action("Stop") for k in STOP_ORDER)]
        self.handler.add_to_role_policy(
            iam.PolicyStatement(sid="StopAndDeleteOnlyTheLabs", actions=acts, resources=arns, conditions=labs)
        )
        # What Studio made for this domain without the lab's tag (a notebook that replaced the SDK's tags).
        this_domain = {"StringEquals": {"aws:ResourceTag/sagemaker:domain-arn": studio.domain_arn}}
        self.handler.add_to_role_policy(
            iam.PolicyStatement(sid="StopAndDeleteThisDomains", actions=acts, resources=arns, conditions=this_domain)
        )
        app_arn = sagemaker_arn("app", f"{studio.domain_id}/*")
        self.handler.add_to_role_policy(
            iam.PolicyStatement(sid="DeleteThisDomainsApps", actions=["sagemaker:DeleteApp"], resources=[app_arn])
        )
        alert_topic.grant_publish(self.handler.role)
        policy = self.handler.role.node.find_child("DefaultPolicy")
        domain_logical_id = Stack.of(self).resolve(studio.domain_id)["Fn::GetAtt"][0]
        acknowledge(
            policy,
            (
                sagemaker_resource_finding("app", f"<{domain_logical_id}.DomainId>/*"),
                "Studio names each app of this domain at run time; the scope is this domain's apps only.",
            ),
            (
                "AwsSolutions-IAM5[Resource::*]",
                "SageMaker's List* calls support no resource-level permission; they only read names.",
            ),
            *(
                (
                    sagemaker_resource_finding(kind.arn_type, "*"),
                    f"The launcher and the SDK in Studio name each {kind.arn_type} at run time; stops and deletes "
                    f"hold only for those tagged study-env:prefix={self.prefix}.",
                )
                for kind in kinds
            ),
        )
