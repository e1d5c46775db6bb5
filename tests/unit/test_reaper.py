"""The reaper in the Studio stack: its schedule, its environment, and a role that touches only the lab's."""

from __future__ import annotations

import json

import pytest
from aws_cdk import Duration
from aws_cdk import aws_sns as sns

from tests.support.scratch import scratch_stack


def _one(tj: dict, rtype: str) -> tuple[str, dict]:
    (item,) = [(k, r) for k, r in tj["Resources"].items() if r["Type"] == rtype]
    return item


@pytest.fixture(scope="module")
def tj(synth):
    return synth.template_json("studio")


def _reaper_function(tj: dict) -> tuple[str, dict]:
    (item,) = [
        (k, r)
        for k, r in tj["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function" and r["Properties"]["Handler"] == "reaper.handler"
    ]
    return item


def test_it_runs_every_hour_and_its_schedule_may_invoke_only_it(tj):
    function_id, _ = _reaper_function(tj)
    _, schedule = _one(tj, "AWS::Scheduler::Schedule")
    props = schedule["Properties"]
    assert props["ScheduleExpression"] == "rate(60 minutes)"
    assert props["Target"]["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    role_id = props["Target"]["RoleArn"]["Fn::GetAtt"][0]
    (policy,) = [
        r
        for r in tj["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in r["Properties"]["Roles"]
    ]
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Resource"] == {"Fn::GetAtt": [function_id, "Arn"]}


def test_its_limits_come_from_context_and_its_prices_from_the_price_table(tj):
    _, function = _reaper_function(tj)
    env = function["Properties"]["Environment"]["Variables"]
    assert (env["PREFIX"], env["ENDPOINT_TTL_HOURS"], env["MAX_JOB_HOURS"], env["MAX_APP_HOURS"]) == (
        "mls",
        "4",
        "6",
        "12",
    )
    domain_id, _ = _one(tj, "AWS::SageMaker::Domain")
    assert env["DOMAIN_ID"] == {"Fn::GetAtt": [domain_id, "DomainId"]}
    assert env["DOMAIN_ARN"] == {"Fn::GetAtt": [domain_id, "DomainArn"]}
    assert "AlertsTopic" in json.dumps(env["TOPIC_ARN"])
    assert json.loads(env["PRICES"]) == {
        "hosting": {"ml.m5.large": 0.115, "ml.m5.xlarge": 0.23},
        "studio": {"ml.m5.large": 0.115, "ml.m5.xlarge": 0.23, "ml.t3.medium": 0.05},
    }


def test_it_may_stop_and_delete_only_what_carries_the_labs_tag_and_only_this_domains_apps(tj):
    _, function = _reaper_function(tj)
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    (policy,) = [
        r
        for r in tj["Resources"].values()
        if r["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in r["Properties"]["Roles"]
    ]
    by_sid = {s.get("Sid"): s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    act = by_sid["StopAndDeleteOnlyTheLabs"]
    assert act["Condition"] == {"StringEquals": {"aws:ResourceTag/study-env:prefix": "mls"}}
    assert set(act["Action"]) == {
        "sagemaker:DeleteEndpoint",
        "sagemaker:DeleteEndpointConfig",
        "sagemaker:StopHyperParameterTuningJob",
        "sagemaker:StopTrainingJob",
        "sagemaker:StopProcessingJob",
        "sagemaker:StopTransformJob",
    }
    studio_made = by_sid["StopAndDeleteThisDomains"]
    assert set(studio_made["Action"]) == set(act["Action"])
    domain_id, _ = _one(tj, "AWS::SageMaker::Domain")
    assert studio_made["Condition"] == {
        "StringEquals": {"aws:ResourceTag/sagemaker:domain-arn": {"Fn::GetAtt": [domain_id, "DomainArn"]}}
    }
    apps = by_sid["DeleteThisDomainsApps"]
    domain_id, _ = _one(tj, "AWS::SageMaker::Domain")
    assert {"Fn::GetAtt": [domain_id, "DomainId"]} in apps["Resource"]["Fn::Join"][1]
    publish = [s for s in by_sid.values() if s["Action"] == "sns:Publish"]
    assert len(publish) == 1 and "AlertsTopic" in json.dumps(publish[0]["Resource"])
    assert all(s["Resource"] != "*" for sid, s in by_sid.items() if sid != "ListWhatBills")


@pytest.mark.parametrize(
    "props,message",
    [
        ({"max_app_hours": -1}, "LabReaper max_app_hours=-1: must be a whole number of hours, 0-168"),
        ({"max_job_hours": True}, "LabReaper max_job_hours=True"),
        ({"endpoint_ttl_hours": 200}, "LabReaper endpoint_ttl_hours=200"),
        ({"rate": Duration.minutes(5)}, "LabReaper rate=5 minutes: must be between 15 minutes and a day"),
        ({"prefix": "Bad!"}, "LabReaper prefix='Bad!'"),
    ],
)
def test_bad_props_are_refused_by_name(props, message):
    from study_env.constructs.lab_reaper import LabReaper

    stack, _, _, _, studio = scratch_stack()
    ok = {"prefix": "mls", "endpoint_ttl_hours": 4, "max_job_hours": 6, "max_app_hours": 12}
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        LabReaper(stack, "Reaper", studio=studio, alert_topic=sns.Topic(stack, "T"), **{**ok, **props})
