"""The reaper (lambda/reaper): what it deletes and stops, what it must not touch, what it tells."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from tools import lambda_assets
from tools.sandbox.forgotten import deploy_requests

lambda_assets.add_to_path("reaper")

import reaper  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/sm"
ARN = "arn:aws:sagemaker:us-east-1:123456789012"
LAB = {"Key": "study-env:prefix", "Value": "mls"}
CFN = {
    "Key": "aws:cloudformation:stack-id",
    "Value": "arn:aws:cloudformation:us-east-1:123456789012:stack/mls-serving/x",
}
KEEP = {"Key": "study-env:keep", "Value": "true"}
LIMITS = reaper.Limits("mls", endpoint_hours=4, job_hours=6, app_hours=12, domain_id="d-abc")
# moto has no Studio apps: the moto tests look at endpoints and jobs (a domain id turns the apps part on).
NO_STUDIO = reaper.Limits("mls", endpoint_hours=4, job_hours=6, app_hours=12)
PRICES = {"hosting": {"ml.m5.large": 0.115}, "studio": {"ml.t3.medium": 0.05}}


@pytest.fixture
def aws(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        sns = boto3.client("sns", region_name="us-east-1")
        topic = sns.create_topic(Name="mls-alerts")["TopicArn"]
        sqs = boto3.client("sqs", region_name="us-east-1")
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
        yield boto3.client("sagemaker", region_name="us-east-1"), sns, topic, (sqs, queue)


def _endpoint(sm, name: str, *tags: dict) -> None:
    deploy_requests(sm, name, ROLE, list(tags))


def _inbox(sqs_queue) -> list[str]:
    sqs, queue = sqs_queue
    return [m["Body"] for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])]


def test_a_forgotten_lab_endpoint_is_deleted_with_its_config_and_the_learner_is_told(aws):
    sm, sns, topic, inbox = aws
    _endpoint(sm, "sagemaker-xgboost-2026-12-03-06-09-14-544", LAB)  # Day 11's deploy(), never deleted
    _endpoint(sm, "mls-serving-endpoint", LAB, CFN)  # the serving stack's: its own time-to-live
    _endpoint(sm, "kept-on-purpose", LAB, KEEP)
    _endpoint(sm, "another-project", {"Key": "project", "Value": "theirs"})
    later = datetime.now(UTC) + timedelta(hours=4, minutes=12)
    told = reaper.reap(sm, sns, topic, NO_STUDIO, PRICES, later)
    assert told == [
        "deleted endpoint sagemaker-xgboost-2026-12-03-06-09-14-544 after 4.2 h; it would have cost $2.76 a day"
    ]
    left = {"mls-serving-endpoint", "kept-on-purpose", "another-project"}
    assert {e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]} == left
    assert {c["EndpointConfigName"] for c in sm.list_endpoint_configs()["EndpointConfigs"]} == left
    assert _inbox(inbox) == told


def test_a_young_endpoint_is_left_and_a_limit_of_zero_turns_the_part_off(aws):
    sm, sns, topic, inbox = aws
    _endpoint(sm, "sagemaker-xgboost-young", LAB)
    assert reaper.reap(sm, sns, topic, NO_STUDIO, PRICES, datetime.now(UTC) + timedelta(hours=3)) == []
    off = reaper.Limits("mls", endpoint_hours=0, job_hours=6, app_hours=12)
    assert reaper.reap(sm, sns, topic, off, PRICES, datetime.now(UTC) + timedelta(days=5)) == []
    assert [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]] == ["sagemaker-xgboost-young"]
    assert _inbox(inbox) == []


def _found(kind: str, name: str, hours: float, *tags: dict) -> reaper.Found:
    now = datetime(2026, 12, 3, 12, tzinfo=UTC)
    return reaper.Found(kind, name, now - timedelta(hours=hours), {t["Key"]: t["Value"] for t in tags})


def test_what_is_past_its_limit_oldest_first_never_anyone_elses():
    now = datetime(2026, 12, 3, 12, tzinfo=UTC)
    found = [
        _found("training job", "sagemaker-xgboost-1", 7, LAB),
        _found("training job", "mls-train-1", 5, LAB),  # within its limit
        _found("processing job", "other-lab", 30, {"Key": "study-env:prefix", "Value": "lab2"}),
        _found("tuning job", "untagged", 30),
        _found("app", "JupyterLab default (ml.t3.medium)", 13),  # apps: listed for the domain only
        _found("endpoint", "e", 4.5, LAB),
    ]
    assert [(a.found.name, round(a.hours, 1)) for a in reaper.to_reap(found, LIMITS, now)] == [
        ("JupyterLab default (ml.t3.medium)", 13.0),
        ("sagemaker-xgboost-1", 7.0),
        ("e", 4.5),
    ]


def test_studios_domain_tag_is_the_second_way_to_know_the_labs_own():
    now = datetime(2026, 12, 3, 12, tzinfo=UTC)
    domain = "arn:aws:sagemaker:us-east-1:123456789012:domain/d-abc"
    limits = reaper.Limits("mls", endpoint_hours=4, job_hours=6, app_hours=12, domain_id="d-abc", domain_arn=domain)
    found = [
        _found("endpoint", "made-in-studio-without-our-tag", 5, {"Key": "sagemaker:domain-arn", "Value": domain}),
        _found("endpoint", "another-domains", 5, {"Key": "sagemaker:domain-arn", "Value": domain + "x"}),
        _found("endpoint", "domain-but-managed", 5, {"Key": "sagemaker:domain-arn", "Value": domain}, CFN),
    ]
    assert [a.found.name for a in reaper.to_reap(found, limits, now)] == ["made-in-studio-without-our-tag"]
    assert reaper.to_reap(found, LIMITS, now) == []  # without the domain's ARN only the prefix tag counts


def _stub_nothing_but(stub, *, jobs: dict | None = None, apps: list | None = None) -> None:
    """Answers for one reap: no endpoints, the given running jobs per kind, the given apps."""
    stub.add_response("list_endpoints", {"Endpoints": []}, {})
    for kind in reaper.STOP_ORDER:
        summaries = (jobs or {}).get(kind.label, [])
        stub.add_response(kind.method("List"), {kind.summaries_key: summaries}, {"StatusEquals": "InProgress"})
        for summary in summaries:
            stub.add_response("list_tags", {"Tags": [LAB]}, {"ResourceArn": summary[kind.field("Arn")]})
    stub.add_response("list_apps", {"Apps": apps or []}, {"DomainIdEquals": "d-abc"})


def test_a_runaway_lab_job_is_stopped_and_an_app_left_on_is_deleted():
    client = boto3.client("sagemaker", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    started = datetime(2026, 12, 3, tzinfo=UTC)
    job = {
        "TrainingJobName": "kmeans-2026-12-03-00-00-00-000",
        "TrainingJobArn": f"{ARN}:training-job/kmeans-2026-12-03-00-00-00-000",
        "TrainingJobStatus": "InProgress",
        "CreationTime": started,
    }
    app = {
        "DomainId": "d-abc",
        "SpaceName": "study",
        "AppType": "JupyterLab",
        "AppName": "default",
        "Status": "InService",
        "CreationTime": started,
        "ResourceSpec": {"InstanceType": "ml.t3.medium"},
    }
    stopped_app = {**app, "AppName": "old", "Status": "Deleted"}
    with Stubber(client) as stub:
        _stub_nothing_but(stub, jobs={"training job": [job]}, apps=[app, stopped_app])
        stub.add_response("stop_training_job", {}, {"TrainingJobName": "kmeans-2026-12-03-00-00-00-000"})
        stub.add_response(
            "delete_app", {}, {"DomainId": "d-abc", "AppType": "JupyterLab", "AppName": "default", "SpaceName": "study"}
        )
        told = reaper.reap(client, None, "", LIMITS, PRICES, started + timedelta(hours=13))
        stub.assert_no_pending_responses()
    assert told == [
        "stopped training job kmeans-2026-12-03-00-00-00-000 after 13.0 h",
        "deleted app JupyterLab default (ml.t3.medium) after 13.0 h; it would have cost $1.20 a day",
    ]


def test_a_failed_action_is_told_and_the_others_still_happen():
    client = boto3.client("sagemaker", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    started = datetime(2026, 12, 3, tzinfo=UTC)
    jobs = [
        {
            "TrainingJobName": name,
            "TrainingJobArn": f"{ARN}:training-job/{name}",
            "TrainingJobStatus": "InProgress",
            "CreationTime": started,
        }
        for name in ("a", "b")
    ]
    with Stubber(client) as stub:
        _stub_nothing_but(stub, jobs={"training job": jobs})
        stub.add_client_error(
            "stop_training_job", "AccessDeniedException", "no", expected_params={"TrainingJobName": "a"}
        )
        stub.add_response("stop_training_job", {}, {"TrainingJobName": "b"})
        told = reaper.reap(client, None, "", LIMITS, PRICES, started + timedelta(hours=7))
    assert told == ["could not act on training job a: AccessDeniedException: no", "stopped training job b after 7.0 h"]


@pytest.mark.parametrize(
    "environ,message",
    [
        ({"ENDPOINT_TTL_HOURS": "4", "MAX_JOB_HOURS": "6", "MAX_APP_HOURS": "12"}, "PREFIX is missing"),
        (
            {"PREFIX": "mls", "ENDPOINT_TTL_HOURS": "four", "MAX_JOB_HOURS": "6", "MAX_APP_HOURS": "12"},
            "ENDPOINT_TTL_HOURS='four'",
        ),
    ],
)
def test_a_bad_environment_is_refused_by_name(environ, message):
    with pytest.raises(ValueError, match=message):
        reaper.Limits.from_environ(environ)
