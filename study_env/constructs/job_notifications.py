"""Tells the lab's alerts topic when one of its SageMaker jobs finishes, fails or is stopped."""

from __future__ import annotations

from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sns as sns
from constructs import Construct

from study_env.job_kinds import FINAL_JOB_STATES, JOB_KINDS, TRAINING, JobKind
from study_env.nag import acknowledge


class JobNotifications(Construct):
    """One EventBridge rule per job kind, named ``<prefix>-<kind>-job-state``, sending a one-line message.

    A rule per kind because each event names its job and status fields differently, and an input
    transformer reads fixed paths. Training jobs started by a tuning job are left out: the tuning
    job's own notification covers them (20 trials would be 20 emails).

    :param topic: where the messages go; its policy must let EventBridge rules ``<prefix>-*`` publish
        (``StudyAlerts`` does).
    :param prefix: job names start with ``<prefix>-``.
    """

    def __init__(self, scope: Construct, id: str, *, topic: sns.ITopic, prefix: str) -> None:
        super().__init__(scope, id)
        if not prefix:
            raise ValueError("JobNotifications prefix: must not be empty")
        # Imported by ARN: the topic's own stack owns its policy (scoped to these rules' names), so the
        # target must not add a second, unscoped statement to it.
        self.topic = sns.Topic.from_topic_arn(self, "Topic", topic.topic_arn)
        self.rules: dict[str, events.Rule] = {}
        for job in JOB_KINDS:
            detail = {
                job.name_field: events.Match.prefix(f"{prefix}-"),
                job.status_field: list(FINAL_JOB_STATES),
            }
            if job is TRAINING:
                detail["TuningJobArn"] = events.Match.does_not_exist()
            rule = events.Rule(
                self,
                f"{job.key.capitalize()}JobState",
                rule_name=f"{prefix}-{job.key}-job-state",
                description=f"{prefix} {job.key} jobs reaching {', '.join(FINAL_JOB_STATES)}",
                event_pattern=events.EventPattern(
                    source=["aws.sagemaker"], detail_type=[job.detail_type], detail=detail
                ),
            )
            rule.add_target(targets.SnsTopic(self.topic, message=self.message(job)))
            acknowledge(
                rule,
                (
                    "Annotation::@aws-cdk/aws-events:ruleUnresolvedEnvironment",
                    "The topic is the Foundation stack's, in this account and region; only its imported ARN is a "
                    "token.",
                ),
            )
            self.rules[job.key] = rule

    @staticmethod
    def message(job: JobKind) -> events.RuleTargetInput:
        name = events.EventField.from_path(f"$.detail.{job.name_field}")
        status = events.EventField.from_path(f"$.detail.{job.status_field}")
        when = events.EventField.from_path("$.time")
        region = events.EventField.from_path("$.region")
        return events.RuleTargetInput.from_text(
            f"SageMaker {job.label} {name} is {status} ({when}). "
            f"Details: aws sagemaker {job.cli_command('Describe')} {job.cli_name_option} {name} --region {region}"
        )
