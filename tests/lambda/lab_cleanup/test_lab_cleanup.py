"""The cleanup custom resources (lambda/lab_cleanup): leftovers with moto and Stubber, expiry, the CFN reply."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from tools import lambda_assets
from tools.sandbox.forgotten import deploy_requests

lambda_assets.add_to_path("lab_cleanup")

import cfn_response  # noqa: E402
import expiry  # noqa: E402
import leftovers  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/sm"
ARN = "arn:aws:sagemaker:us-east-1:123456789012"
LAB_TAG = {"Key": "study-env:prefix", "Value": "mls"}
CFN_TAG = {
    "Key": "aws:cloudformation:stack-id",
    "Value": "arn:aws:cloudformation:us-east-1:123456789012:stack/mls-serving/x",
}


def _event(request_type: str, **props) -> dict:
    return {
        "RequestType": request_type,
        "ResponseURL": "https://cloudformation-custom-resource-response.example/put",
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/mls-jobs/x",
        "RequestId": "r-1",
        "LogicalResourceId": "LabCleanup",
        "ResourceProperties": {"ServiceToken": "arn:aws:lambda:...", **props},
    }


# ---- leftovers: models with moto ---------------------------------------------------------------


@pytest.fixture
def sm():
    with mock_aws():
        yield boto3.client("sagemaker", region_name="us-east-1")


def _model(sm, name: str, *tags: dict) -> None:
    sm.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "img"}, Tags=list(tags))


def _model_names(sm) -> set[str]:
    return {m["ModelName"] for m in sm.list_models()["Models"]}


def test_delete_removes_lab_tagged_models_whatever_their_name_and_nothing_else(sm):
    _model(sm, "mls-transform-1", LAB_TAG)
    _model(sm, "mls-transform-2", LAB_TAG, {"Key": "other", "Value": "x"})
    _model(sm, "mls-untagged")  # named like the lab's but not tagged by the launcher
    _model(sm, "mls-other-lab", {"Key": "study-env:prefix", "Value": "lab2"})
    _model(sm, "mls-from-cloudformation", LAB_TAG, CFN_TAG)  # the Serving stack's: its stack deletes it
    _model(sm, "sagemaker-xgboost-2026-12-03-06-07-33-143", LAB_TAG)  # made in Studio: the SDK's name, the lab's tag
    data = leftovers.on_event(_event("Delete", Prefix="mls"), sm=sm)
    assert data == {"ModelsDeleted": 3, "JobsStopped": 0, "EndpointsDeleted": 0, "EndpointConfigsDeleted": 0}
    assert _model_names(sm) == {"mls-untagged", "mls-other-lab", "mls-from-cloudformation"}


def _serving(sm, name: str, *tags: dict) -> None:
    """An endpoint as a notebook's deploy() makes it: a model, a configuration and an endpoint of one name."""
    deploy_requests(sm, name, ROLE, list(tags))


def test_a_forgotten_notebook_endpoint_is_deleted_with_its_configuration_and_model(sm):
    _serving(sm, "sagemaker-xgboost-2026-12-03-06-09-14-544", LAB_TAG)
    _serving(sm, "mls-serving-endpoint", LAB_TAG, CFN_TAG)  # the Serving stack's own
    _serving(sm, "another-project", {"Key": "project", "Value": "theirs"})
    data = leftovers.on_event(_event("Delete", Prefix="mls"), sm=sm)
    assert data == {"ModelsDeleted": 1, "JobsStopped": 0, "EndpointsDeleted": 1, "EndpointConfigsDeleted": 1}
    remaining = {"mls-serving-endpoint", "another-project"}
    assert {e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]} == remaining
    assert {c["EndpointConfigName"] for c in sm.list_endpoint_configs()["EndpointConfigs"]} == remaining
    assert _model_names(sm) == remaining


def test_finished_jobs_are_not_touched(sm):
    # moto completes jobs at once: nothing is in progress, so nothing is stopped (Stubber covers stops).
    sm.create_training_job(
        TrainingJobName="mls-train-1",
        AlgorithmSpecification={"TrainingImage": "img", "TrainingInputMode": "File"},
        RoleArn=ROLE,
        OutputDataConfig={"S3OutputPath": "s3://b/models/training/"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
        StoppingCondition={"MaxRuntimeInSeconds": 60},
        Tags=[LAB_TAG],
    )
    report = leftovers.clean_up(sm, "mls")
    assert report.stopped_jobs == [] and report.errors == []


def test_create_and_update_do_nothing(sm):
    _model(sm, "mls-transform-1", LAB_TAG)
    assert leftovers.on_event(_event("Create", Prefix="mls"), sm=sm) == {}
    assert leftovers.on_event(_event("Update", Prefix="mls"), sm=sm) == {}
    assert _model_names(sm) == {"mls-transform-1"}


def test_a_missing_prefix_is_an_error_not_a_cleanup_of_everything(sm):
    _model(sm, "mls-transform-1", LAB_TAG)
    with pytest.raises(ValueError, match="Prefix is missing"):
        leftovers.on_event(_event("Delete"), sm=sm)
    assert _model_names(sm) == {"mls-transform-1"}


# ---- leftovers: running jobs with Stubber (moto has no stop_*) ---------------------------------


def _stubbed():
    client = boto3.client("sagemaker", region_name="us-east-1")
    return client, Stubber(client)


LIST_RUNNING = {"StatusEquals": "InProgress"}


def _nothing_to_delete(stub) -> None:
    for kind in leftovers.DELETE_ORDER:
        stub.add_response(kind.method("List"), {kind.summaries_key: []}, {})


def _no_serving(stub) -> None:
    """No endpoint and no endpoint configuration: what the phases before the models list."""
    for kind in leftovers.DELETE_ORDER[:-1]:
        stub.add_response(kind.method("List"), {kind.summaries_key: []}, {})


def _summary(kind, name: str) -> dict:
    """A list-call summary with the members botocore requires (Stubber validates responses)."""
    summary = {
        kind.field("Name"): name,
        kind.field("Arn"): f"{ARN}:job/{name}",
        kind.field("Status"): "InProgress",
        "CreationTime": datetime(2026, 11, 25, tzinfo=UTC),
    }
    if kind.label == "tuning job":
        summary.update(Strategy="Bayesian", TrainingJobStatusCounters={}, ObjectiveStatusCounters={})
    return summary


def test_running_lab_jobs_are_stopped_tuning_first_and_others_left():
    client, stub = _stubbed()
    running = {
        "tuning job": ["mls-tune-1"],
        "training job": ["mls-train-1", "mls-train-untagged", "otherlab-mls-train", "sagemaker-xgboost-1"],
        "processing job": ["mls-process-1"],
        "transform job": ["mls-transform-1"],
    }
    for kind in leftovers.STOP_ORDER:
        names = running[kind.label]
        stub.add_response(kind.method("List"), {kind.summaries_key: [_summary(kind, n) for n in names]}, LIST_RUNNING)
        for n in names:
            # The tag decides, not the name: another lab's job is left, a notebook's job is stopped.
            tags = {"mls-train-untagged": [], "otherlab-mls-train": [{"Key": "study-env:prefix", "Value": "otherlab"}]}
            tags_of_n = tags.get(n, [LAB_TAG])
            stub.add_response("list_tags", {"Tags": tags_of_n}, {"ResourceArn": f"{ARN}:job/{n}"})
            if tags_of_n == [LAB_TAG]:
                stub.add_response(kind.method("Stop"), {}, {kind.field("Name"): n})
    _nothing_to_delete(stub)
    with stub:
        report = leftovers.clean_up(client, "mls")
    stub.assert_no_pending_responses()
    assert report.stopped_jobs == [
        "tuning job mls-tune-1",
        "training job mls-train-1",
        "training job sagemaker-xgboost-1",
        "processing job mls-process-1",
        "transform job mls-transform-1",
    ]
    assert report.errors == []


def test_a_job_already_stopping_is_not_an_error_but_access_denied_fails_the_delete():
    client, stub = _stubbed()
    for kind in leftovers.STOP_ORDER:
        if kind.label != "training job":
            stub.add_response(kind.method("List"), {kind.summaries_key: []}, LIST_RUNNING)
            continue
        summaries = [_summary(kind, n) for n in ("mls-a", "mls-b")]
        stub.add_response(kind.method("List"), {kind.summaries_key: summaries}, LIST_RUNNING)
        stub.add_response("list_tags", {"Tags": [LAB_TAG]}, {"ResourceArn": f"{ARN}:job/mls-a"})
        stub.add_client_error(
            kind.method("Stop"),
            "ValidationException",
            "The job is in status Stopping",
            expected_params={kind.field("Name"): "mls-a"},
        )
        stub.add_response("list_tags", {"Tags": [LAB_TAG]}, {"ResourceArn": f"{ARN}:job/mls-b"})
        stub.add_client_error(
            kind.method("Stop"),
            "AccessDeniedException",
            "not authorized",
            expected_params={kind.field("Name"): "mls-b"},
        )
    _nothing_to_delete(stub)
    with stub, pytest.raises(RuntimeError) as err:
        leftovers.on_event(_event("Delete", Prefix="mls"), sm=client)
    assert str(err.value) == "left behind: training job mls-b: AccessDeniedException: not authorized"
    stub.assert_no_pending_responses()


# ---- the CloudFormation reply ------------------------------------------------------------------


class _Reply:
    status = 200

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class _Opener:
    def __init__(self):
        self.requests = []

    def __call__(self, request, timeout):
        self.requests.append(request)
        return _Reply()


class _Context:
    log_stream_name = "2026/11/25/[$LATEST]abc"


def test_success_and_failure_both_reach_cloudformation():
    opener = _Opener()
    event = _event("Delete", Prefix="mls")
    ok = cfn_response.respond(event, _Context(), lambda e: {"ModelsDeleted": 1}, "mls-lab-cleanup", opener=opener)

    def boom(_event):
        raise RuntimeError("left behind: model mls-x: ThrottlingException: slow down")

    failed = cfn_response.respond(event, _Context(), boom, "mls-lab-cleanup", opener=opener)
    assert [r.get_method() for r in opener.requests] == ["PUT", "PUT"]
    assert opener.requests[0].full_url == event["ResponseURL"]
    sent = [json.loads(r.data) for r in opener.requests]
    assert sent == [ok, failed]
    assert ok["Status"] == "SUCCESS" and ok["Data"] == {"ModelsDeleted": 1}
    assert ok["PhysicalResourceId"] == "mls-lab-cleanup" and ok["RequestId"] == "r-1"
    assert failed["Status"] == "FAILED"
    assert failed["Reason"] == (
        "RuntimeError: left behind: model mls-x: ThrottlingException: slow down (log stream 2026/11/25/[$LATEST]abc)"
    )


@pytest.mark.parametrize("reason", ["x" * 4000, "x" * 10000, 'é"\\\n' * 3000, "left behind: model mls-1; " * 200])
def test_the_body_sent_stays_within_cloudformations_4096_bytes_and_keeps_the_start(reason):
    # CloudFormation refuses a response body over 4,096 bytes; a 4,000-character reason made it 4,312.
    opener = _Opener()

    def fail(_event):
        raise RuntimeError(reason)

    body = cfn_response.respond(_event("Delete"), _Context(), fail, "mls-lab-cleanup", opener=opener)
    (request,) = opener.requests
    assert len(request.data) <= 4096 and int(request.headers["Content-length"]) == len(request.data)
    assert json.loads(request.data) == body
    assert body["Reason"].startswith("RuntimeError: " + reason[:100]) and body["Reason"].endswith(" ...")
    assert len(request.data) > 4000  # cut no more than needed


def test_a_short_reason_is_sent_whole():
    body = cfn_response.response_body(_event("Delete"), "FAILED", "id", {}, "x" * 3000)
    assert body["Reason"] == "x" * 3000


# ---- expiry ------------------------------------------------------------------------------------

NOW = datetime(2026, 11, 25, 17, 30, 12, 999000, tzinfo=UTC)


def test_expiry_is_now_plus_ttl_in_utc_to_the_second():
    assert expiry.expiry(NOW, 4) == datetime(2026, 11, 25, 21, 30, 12, tzinfo=UTC)
    other_zone = NOW.astimezone(timezone(timedelta(hours=2)))
    assert expiry.expiry(other_zone, 168) == datetime(2026, 12, 2, 17, 30, 12, tzinfo=UTC)


def test_expiry_attributes_are_a_scheduler_at_expression_and_a_utc_stamp():
    data = expiry.on_event(_event("Create", TtlHours="4", RestartOn=["cfg-1"]), clock=lambda: NOW)
    assert data == {"ScheduleExpression": "at(2026-11-25T21:30:12)", "ExpiresAt": "2026-11-25T21:30:12Z"}
    assert expiry.on_event(_event("Update", TtlHours="1"), clock=lambda: NOW)["ExpiresAt"] == "2026-11-25T18:30:12Z"
    assert expiry.on_event(_event("Delete", TtlHours="4"), clock=lambda: NOW) == {}


@pytest.mark.parametrize(
    "ttl,message",
    [("0", "between 1 and 168"), ("169", "between 1 and 168"), ("soon", "whole number"), (None, "whole number")],
)
def test_expiry_refuses_a_bad_ttl(ttl, message):
    with pytest.raises(ValueError, match=message):
        expiry.on_event(_event("Create", TtlHours=ttl), clock=lambda: NOW)


def test_expiry_refuses_a_naive_clock():
    with pytest.raises(ValueError, match="timezone-aware"):
        expiry.expiry(datetime(2026, 1, 1), 4)


# ---- retries, throttling, time limit, what counts as gone ------------------------------------


def _no_running_jobs(stub) -> None:
    for kind in leftovers.STOP_ORDER:
        stub.add_response(kind.method("List"), {kind.summaries_key: []}, LIST_RUNNING)


def _model_summary(name: str) -> dict:
    return {"ModelName": name, "ModelArn": f"{ARN}:model/{name}", "CreationTime": datetime(2026, 11, 25, tzinfo=UTC)}


def test_a_throttled_list_tags_is_retried_for_that_resource_and_the_rest_goes_on():
    client, stub = _stubbed()
    _no_running_jobs(stub)
    _no_serving(stub)
    stub.add_response("list_models", {"Models": [_model_summary(n) for n in ("mls-a", "mls-b", "mls-c")]}, {})
    # mls-a: throttled once, then read and deleted.
    stub.add_client_error("list_tags", "ThrottlingException", "Rate exceeded", expected_params={"ResourceArn": ANY})
    stub.add_response("list_tags", {"Tags": [LAB_TAG]}, {"ResourceArn": f"{ARN}:model/mls-a"})
    stub.add_response("delete_model", {}, {"ModelName": "mls-a"})
    # mls-b: throttled every time: reported, not the end of the cleanup.
    for _ in range(leftovers.TAG_ATTEMPTS):
        stub.add_client_error("list_tags", "ThrottlingException", "Rate exceeded", expected_params={"ResourceArn": ANY})
    # mls-c: still handled.
    stub.add_response("list_tags", {"Tags": [LAB_TAG]}, {"ResourceArn": f"{ARN}:model/mls-c"})
    stub.add_response("delete_model", {}, {"ModelName": "mls-c"})
    pauses = []
    with stub:
        report = leftovers.clean_up(client, "mls", sleep=pauses.append)
    stub.assert_no_pending_responses()
    assert report.deleted_models == ["model mls-a", "model mls-c"]
    assert report.errors == ["model mls-b: could not read its tags: ThrottlingException: Rate exceeded"]
    assert len(pauses) == 1 + leftovers.TAG_ATTEMPTS - 1


@pytest.mark.parametrize(
    "message,gone",
    [
        ('Could not find model "arn:aws:sagemaker:us-east-1:123456789012:model/mls-a".', True),
        ("The request was rejected because the training job is in status Completed.", True),
        ("1 validation error detected: Value 'mls a' at 'modelName' failed to satisfy constraint", False),
        ("Cannot delete model mls-a while it is used by a running transform job", False),
    ],
)
def test_only_a_validation_error_saying_gone_or_finished_counts_as_gone(message, gone):
    client, stub = _stubbed()
    _no_running_jobs(stub)
    _no_serving(stub)
    stub.add_response("list_models", {"Models": [_model_summary("mls-a")]}, {})
    stub.add_response("list_tags", {"Tags": [LAB_TAG]}, {"ResourceArn": f"{ARN}:model/mls-a"})
    stub.add_client_error("delete_model", "ValidationException", message, expected_params={"ModelName": "mls-a"})
    with stub:
        report = leftovers.clean_up(client, "mls")
    assert (report.already_gone, report.errors) == (
        (["model mls-a"], []) if gone else ([], [f"model mls-a: ValidationException: {message}"])
    )


class _Countdown:
    """``get_remaining_time_in_millis`` of a function that has ``calls`` checks left before its limit."""

    def __init__(self, calls: int) -> None:
        self.calls = calls

    def __call__(self) -> int:
        self.calls -= 1
        return 60_000 if self.calls >= 0 else 1_000


def test_near_the_time_limit_the_cleanup_stops_and_fails_naming_what_it_did_not_get_to(monkeypatch):
    # Today a timed-out function sends nothing and CloudFormation waits; now the reply says what is left.
    client, stub = _stubbed()
    tuning, training = leftovers.STOP_ORDER[:2]
    stub.add_response(tuning.method("List"), {tuning.summaries_key: []}, LIST_RUNNING)
    summaries = [_summary(training, n) for n in ("mls-train-1", "mls-train-2")]
    stub.add_response(training.method("List"), {training.summaries_key: summaries}, LIST_RUNNING)
    stub.add_response("list_tags", {"Tags": [LAB_TAG]}, {"ResourceArn": f"{ARN}:job/mls-train-1"})
    stub.add_response("stop_training_job", {}, {"TrainingJobName": "mls-train-1"})
    # Nothing after that is called: the Stubber would fail on any call it was not given.
    monkeypatch.setattr(leftovers, "client", lambda: client)
    sent = []
    monkeypatch.setattr(
        leftovers,
        "respond",
        lambda event, context, work, physical_id: sent.append(
            cfn_response.respond(event, context, work, physical_id, opener=_Opener())
        ),
    )
    # Checks: tuning page, training page, first training job; the fourth (second job) is past the limit.
    context = _Context()
    context.get_remaining_time_in_millis = _Countdown(3)
    with stub:
        leftovers.handler(_event("Delete", Prefix="mls"), context)
    stub.assert_no_pending_responses()
    ((body),) = sent
    assert body["Status"] == "FAILED"
    assert body["Reason"].startswith(
        "RuntimeError: left behind: stopped before the function's time limit; not yet checked: "
        "training job mls-train-2, every running processing job, every running transform job, every endpoint, "
        "every endpoint-config, every model"
    )


def test_the_cleanups_client_retries_throttling_ten_times(monkeypatch):
    # Standard retry mode with 10 attempts: nine throttled answers in a row still end in a cleanup.
    import botocore.endpoint
    from botocore.awsrequest import AWSResponse

    monkeypatch.setattr(botocore.endpoint.time, "sleep", lambda seconds: None)
    with mock_aws():
        sm = leftovers.client()
        _model(sm, "mls-transform-1", LAB_TAG)
        throttles = {"left": 9}

        def throttle(request, **kwargs):
            if throttles["left"] and request.headers.get("X-Amz-Target", b"").endswith(b"ListModels"):
                throttles["left"] -= 1
                body = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
                return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.1"}, _Raw(body))
            return None

        sm.meta.events.register_first("before-send.sagemaker", throttle)
        data = leftovers.on_event(_event("Delete", Prefix="mls"), sm=sm)
        assert data == {"ModelsDeleted": 1, "JobsStopped": 0, "EndpointsDeleted": 0, "EndpointConfigsDeleted": 0}
        assert throttles["left"] == 0


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **kwargs):
        yield self.body


def test_handlers_answer_cloudformation_through_respond(monkeypatch):
    sent = []
    monkeypatch.setattr(expiry, "respond", lambda event, context, work, physical_id: sent.append(physical_id))
    monkeypatch.setattr(leftovers, "respond", lambda event, context, work, physical_id: sent.append(physical_id))
    expiry.handler(_event("Create", TtlHours="4"), _Context())
    leftovers.handler(_event("Delete", Prefix="mls"), _Context())
    assert sent == ["LabCleanup", "mls-lab-cleanup"]
