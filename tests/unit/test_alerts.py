"""Foundation's alerts: the SNS topic, who may publish to it, the monthly budget and the email."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack
from aws_cdk.assertions import Match, Template

from study_env.constructs.study_alerts import StudyAlerts


@pytest.fixture(scope="module")
def alerts(synth):
    tj = synth.template_json("foundation")
    return {r["Type"]: (k, r) for k, r in tj["Resources"].items() if k.startswith("Alerts")}


def test_topic_is_named_after_the_prefix_and_has_no_subscription_without_an_email(foundation, synth):
    foundation.has_resource_properties("AWS::SNS::Topic", {"TopicName": "mls-alerts"})
    foundation.resource_count_is("AWS::SNS::Subscription", 0)
    assert synth.config.alert_email is None


def test_only_this_accounts_budgets_lab_rules_and_lab_alarms_may_publish_and_only_over_tls(alerts):
    statements = alerts["AWS::SNS::TopicPolicy"][1]["Properties"]["PolicyDocument"]["Statement"]
    by_sid = {s["Sid"]: s for s in statements}
    assert by_sid["AllowPublishThroughSSLOnly"]["Effect"] == "Deny"
    assert by_sid["AllowPublishThroughSSLOnly"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    for sid, service, arn_tail in (
        ("BudgetsPublish", "budgets.amazonaws.com", ":budget/mls-*"),
        ("JobEventsPublish", "events.amazonaws.com", ":rule/mls-*"),
        ("AlarmsPublish", "cloudwatch.amazonaws.com", ":alarm:mls-*"),
    ):
        statement = by_sid[sid]
        assert statement["Principal"] == {"Service": service}
        assert statement["Action"] == "sns:Publish"
        assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
        assert statement["Condition"]["ArnLike"]["aws:SourceArn"]["Fn::Join"][1][-1] == arn_tail
    assert len(statements) == 4


def test_monthly_cost_budget_warns_at_50_80_100_actual_and_100_forecast(alerts):
    logical_id, budget = alerts["AWS::Budgets::Budget"]
    props = budget["Properties"]
    assert props["Budget"] == {
        "BudgetLimit": {"Amount": 20, "Unit": "USD"},
        "BudgetName": "mls-monthly-cost",
        "BudgetType": "COST",
        "TimeUnit": "MONTHLY",
    }
    topic_id = alerts["AWS::SNS::Topic"][0]
    got = [
        (
            n["Notification"]["NotificationType"],
            n["Notification"]["Threshold"],
            n["Notification"]["ThresholdType"],
            n["Subscribers"],
        )
        for n in props["NotificationsWithSubscribers"]
    ]
    assert got == [
        (kind, pct, "PERCENTAGE", [{"Address": {"Ref": topic_id}, "SubscriptionType": "SNS"}])
        for kind, pct in (("ACTUAL", 50), ("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 100))
    ]
    # Budgets verifies it may publish when the budget is created.
    assert budget["DependsOn"] == [alerts["AWS::SNS::TopicPolicy"][0]]


def test_topic_arn_is_a_foundation_output(foundation):
    foundation.has_output("AlertsTopicArn", {"Value": {"Ref": Match.string_like_regexp("^AlertsTopic")}})


def test_an_email_subscribes_to_the_topic_and_the_budget_follows_budget_usd():
    stack = Stack(App(), "S")
    StudyAlerts(stack, "Alerts", prefix="lab2", budget_usd=7, alert_email="me@example.com")
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "me@example.com"})
    template.has_resource_properties(
        "AWS::Budgets::Budget",
        {"Budget": Match.object_like({"BudgetName": "lab2-monthly-cost", "BudgetLimit": {"Amount": 7, "Unit": "USD"}})},
    )
    template.has_resource_properties("AWS::SNS::Topic", {"TopicName": "lab2-alerts"})


@pytest.mark.parametrize(
    "props,message",
    [
        ({"budget_usd": 0}, "budget_usd=0: must be a whole number of dollars, at least 1"),
        ({"budget_usd": True}, "budget_usd=True"),
        ({"alert_email": "nobody"}, "alert_email='nobody': must be an email address"),
    ],
)
def test_bad_props_are_refused_with_the_prop_named(props, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        StudyAlerts(Stack(App(), "S"), "Alerts", prefix="mls", **props)
