"""The lab's alerts: one SNS topic for budget and job notifications, and a monthly cost budget."""

from __future__ import annotations

from aws_cdk import Aws
from aws_cdk import aws_budgets as budgets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from study_env.config import _EMAIL_RE as EMAIL_PATTERN
from study_env.nag import acknowledge

BUDGETS_PRINCIPAL = "budgets.amazonaws.com"
EVENTS_PRINCIPAL = "events.amazonaws.com"
CLOUDWATCH_PRINCIPAL = "cloudwatch.amazonaws.com"
# (notification type, percent of the budget) pairs: the study plan's "impossible to forget".
BUDGET_THRESHOLDS = (("ACTUAL", 50), ("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 100))


class StudyAlerts(Construct):
    """An SNS topic the lab's alerts go to, a monthly cost budget that warns there, and an email.

    Only AWS Budgets (for budgets named ``<prefix>-*``), EventBridge (for rules named ``<prefix>-*``)
    and CloudWatch (for alarms named ``<prefix>-*``) of this account may publish to the topic;
    subscribers must use TLS.

    :param prefix: the lab's prefix; names the topic, the budget and the publishers allowed.
    :param budget_usd: the monthly cost budget in US dollars. Default: 20.
    :param alert_email: an address subscribed to the topic (it must confirm the subscription).
        Default: none.
    """

    def __init__(
        self, scope: Construct, id: str, *, prefix: str, budget_usd: int = 20, alert_email: str | None = None
    ) -> None:
        super().__init__(scope, id)
        if not isinstance(budget_usd, int) or isinstance(budget_usd, bool) or budget_usd < 1:
            raise ValueError(f"StudyAlerts budget_usd={budget_usd!r}: must be a whole number of dollars, at least 1")
        if alert_email is not None and not EMAIL_PATTERN.match(alert_email):
            raise ValueError(f"StudyAlerts alert_email={alert_email!r}: must be an email address like name@example.com")
        self.prefix = prefix
        self.budget_name = f"{prefix}-monthly-cost"

        self.topic = sns.Topic(
            self, "Topic", topic_name=f"{prefix}-alerts", display_name=f"{prefix} study lab", enforce_ssl=True
        )
        acknowledge(
            self.topic,
            (
                "AwsSolutions-SNS2",
                "Budgets and EventBridge cannot publish to a topic under the free AWS-managed SNS key, and a "
                "customer-managed key would be the lab's only fixed monthly cost; the topic carries job names and "
                "budget percentages, no data.",
            ),
        )
        budget_arns = f"arn:{Aws.PARTITION}:budgets::{Aws.ACCOUNT_ID}:budget/{prefix}-*"
        rule_arns = f"arn:{Aws.PARTITION}:events:{Aws.REGION}:{Aws.ACCOUNT_ID}:rule/{prefix}-*"
        alarm_arns = f"arn:{Aws.PARTITION}:cloudwatch:{Aws.REGION}:{Aws.ACCOUNT_ID}:alarm:{prefix}-*"
        for sid, principal, source_arns in (
            ("BudgetsPublish", BUDGETS_PRINCIPAL, budget_arns),
            ("JobEventsPublish", EVENTS_PRINCIPAL, rule_arns),
            # e.g. the serving stack's alarm on a failed time-to-live (a message in its dead-letter queue).
            ("AlarmsPublish", CLOUDWATCH_PRINCIPAL, alarm_arns),
        ):
            self.topic.add_to_resource_policy(
                iam.PolicyStatement(
                    sid=sid,
                    principals=[iam.ServicePrincipal(principal)],
                    actions=["sns:Publish"],
                    resources=[self.topic.topic_arn],
                    conditions={
                        "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                        "ArnLike": {"aws:SourceArn": source_arns},
                    },
                )
            )
        if alert_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alert_email))

        self.budget = budgets.CfnBudget(
            self,
            "Budget",
            budget=budgets.CfnBudget.BudgetDataProperty(
                budget_name=self.budget_name,
                budget_type="COST",
                time_unit="MONTHLY",
                budget_limit=budgets.CfnBudget.SpendProperty(amount=budget_usd, unit="USD"),
            ),
            notifications_with_subscribers=[
                budgets.CfnBudget.NotificationWithSubscribersProperty(
                    notification=budgets.CfnBudget.NotificationProperty(
                        notification_type=kind,
                        comparison_operator="GREATER_THAN",
                        threshold=percent,
                        threshold_type="PERCENTAGE",
                    ),
                    subscribers=[
                        budgets.CfnBudget.SubscriberProperty(subscription_type="SNS", address=self.topic.topic_arn)
                    ],
                )
                for kind, percent in BUDGET_THRESHOLDS
            ],
        )
        # Budgets checks that it may publish when the budget is created: the policy must exist first.
        self.budget.node.add_dependency(self.topic.node.find_child("Policy"))

    @property
    def topic_arn(self) -> str:
        return self.topic.topic_arn
