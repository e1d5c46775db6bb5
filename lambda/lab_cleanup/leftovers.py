"""On ``cdk destroy`` of the Jobs stack: stop the jobs and delete the endpoints, endpoint configurations and
models the lab made outside CloudFormation, whoever made them.

What is the lab's is decided by its tag, never by its name: the job launcher tags everything it
creates ``study-env:prefix=<prefix>``, and so does the SageMaker SDK in the lab's Studio (its defaults
file), which names what it makes ``sagemaker-xgboost-...``, ``kmeans-...`` and so on. Resources that
CloudFormation manages (the Serving stack's, tagged ``aws:cloudformation:stack-id``) are left to their
stack; SageMaker propagates a tuning job's tags to its training jobs, so those are stopped with it.

Deleting or stopping something that is already gone or already stopping is not an error; any other
failure fails the stack deletion with the list of what was left, so nothing billable is forgotten
silently (delete the stack again once it is fixed). A resource whose tags cannot be read (still
throttled after retries) is reported as left, and the others are still handled. Before the
function's time limit the cleanup stops and reports what it did not get to, so CloudFormation gets an
answer instead of waiting for the custom resource's service timeout.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError

from cfn_response import respond
from lab_contract import (
    CLOUDFORMATION_STACK_TAG_KEY,
    DELETE_ORDER,
    ENDPOINT,
    ENDPOINT_CONFIG,
    MODEL,
    PREFIX_TAG_KEY,
    STOP_ORDER,
    Kind,
)

LOG = logging.getLogger()
LOG.setLevel(logging.INFO)

# Standard mode retries throttling and transient errors with backoff; ten attempts ride out a burst.
CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 10})
THROTTLED = frozenset({"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"})
# SageMaker answers ValidationException both for "this is already gone or finished", which is the
# cleanup's goal, and for real mistakes; only these messages mean the former.
_ALREADY_DONE_RE = re.compile(
    r"could not find|not found|does not exist|in status (?:stopping|stopped|completed|failed)", re.IGNORECASE
)
# Tries of one ListTags after the client's own retries gave up on throttling.
TAG_ATTEMPTS = 3
# Time kept back from the function's limit to report to CloudFormation (the reply may take a few seconds).
RESERVE_MS = 30_000


class OutOfTime(Exception):
    """The function's time limit is close: stop and report."""


@dataclass
class CleanupReport:
    deleted_models: list[str] = field(default_factory=list)
    stopped_jobs: list[str] = field(default_factory=list)
    deleted_endpoints: list[str] = field(default_factory=list)
    deleted_endpoint_configs: list[str] = field(default_factory=list)
    already_gone: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def done_list(self, kind: Kind) -> list[str]:
        """Where what was done to ``kind`` is recorded."""
        if kind is MODEL:
            return self.deleted_models
        if kind is ENDPOINT:
            return self.deleted_endpoints
        if kind is ENDPOINT_CONFIG:
            return self.deleted_endpoint_configs
        return self.stopped_jobs

    def as_data(self) -> dict[str, Any]:
        return {
            "ModelsDeleted": len(self.deleted_models),
            "JobsStopped": len(self.stopped_jobs),
            "EndpointsDeleted": len(self.deleted_endpoints),
            "EndpointConfigsDeleted": len(self.deleted_endpoint_configs),
        }


@dataclass
class Clock:
    """The function's remaining time (``context.get_remaining_time_in_millis``); ``None``: unlimited."""

    time_left_ms: Callable[[], int] | None = None
    reserve_ms: int = RESERVE_MS

    def check(self) -> None:
        if self.time_left_ms is not None and self.time_left_ms() < self.reserve_ms:
            raise OutOfTime


def is_already_done(err: ClientError) -> bool:
    """True when SageMaker's error says the resource is already gone, stopping or finished."""
    error = err.response.get("Error", {})
    code, message = error.get("Code", ""), error.get("Message", "")
    if code == "ResourceNotFound":
        return True
    return code == "ValidationException" and bool(_ALREADY_DONE_RE.search(message))


def _describe(err: ClientError) -> str:
    error = err.response.get("Error", {})
    return f"{error.get('Code', '')}: {error.get('Message', '')}"


def tags_of(sm, arn: str, sleep: Callable[[float], None] = time.sleep) -> dict[str, str]:
    """The resource's tags; a throttled call is tried again (``TAG_ATTEMPTS`` times) for this resource."""
    for attempt in range(1, TAG_ATTEMPTS + 1):
        try:
            tags: dict[str, str] = {}
            for page in sm.get_paginator("list_tags").paginate(ResourceArn=arn):
                tags.update({t["Key"]: t["Value"] for t in page["Tags"]})
            return tags
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") not in THROTTLED or attempt == TAG_ATTEMPTS:
                raise
            sleep(2.0 * attempt)
    raise AssertionError("unreachable")


def is_lab_model(tags: Mapping[str, str], prefix: str) -> bool:
    """A model, endpoint or endpoint configuration of the lab that no CloudFormation stack manages."""
    return tags.get(PREFIX_TAG_KEY) == prefix and CLOUDFORMATION_STACK_TAG_KEY not in tags


def is_lab_job(tags: Mapping[str, str], prefix: str) -> bool:
    return tags.get(PREFIX_TAG_KEY) == prefix


def _candidates(sm, kind: Kind, clock: Clock) -> Iterator[tuple[str, str]]:
    """``(name, arn)`` of every running job of ``kind``, or every endpoint, configuration or model."""
    name_key, arn_key = kind.field("Name"), kind.field("Arn")
    filters: dict[str, str] = {} if kind in DELETE_ORDER else {"StatusEquals": "InProgress"}
    for page in sm.get_paginator(kind.method("List")).paginate(**filters):
        clock.check()
        for item in page[kind.summaries_key]:
            yield item[name_key], item[arn_key]


def _every(kind: Kind) -> str:
    return f"every {kind.label}" if kind in DELETE_ORDER else f"every running {kind.label}"


def _attempt(report: CleanupReport, done: list[str], what: str, call, **params) -> None:
    try:
        call(**params)
        done.append(what)
    except ClientError as err:
        if is_already_done(err):
            report.already_gone.append(what)
        else:
            report.errors.append(f"{what}: {_describe(err)}")


def clean_up(sm, prefix: str, clock: Clock | None = None, sleep: Callable[[float], None] = time.sleep) -> CleanupReport:
    """Stop the lab's running jobs, then delete its endpoints, configurations and models; never raises for one."""
    clock = clock or Clock()
    report = CleanupReport()
    phases = [(kind, "Stop") for kind in STOP_ORDER] + [(kind, "Delete") for kind in DELETE_ORDER]
    for index, (kind, verb) in enumerate(phases):
        done = report.done_list(kind)
        pending: list[str] | None = None  # None while still listing
        try:
            listed = list(_candidates(sm, kind, clock))
            pending = [f"{kind.label} {name}" for name, _ in listed]
            for name, arn in listed:
                clock.check()
                what = pending.pop(0)
                try:
                    tags = tags_of(sm, arn, sleep)
                except ClientError as err:
                    report.errors.append(f"{what}: could not read its tags: {_describe(err)}")
                    continue
                owned = is_lab_model(tags, prefix) if kind in DELETE_ORDER else is_lab_job(tags, prefix)
                if owned:
                    _attempt(report, done, what, getattr(sm, kind.method(verb)), **{kind.field("Name"): name})
        except OutOfTime:
            now = pending if pending is not None else [_every(kind)]
            later = [_every(k) for k, _ in phases[index + 1 :]]
            report.errors.append("stopped before the function's time limit; not yet checked: " + ", ".join(now + later))
            break
    return report


def on_event(event: Mapping[str, Any], sm=None, time_left_ms: Callable[[], int] | None = None) -> dict[str, Any]:
    """Create and Update have nothing to do; Delete cleans up and fails if something could not be."""
    prefix = event["ResourceProperties"].get("Prefix")
    if not prefix:
        raise ValueError("the custom resource property Prefix is missing")
    if event["RequestType"] != "Delete":
        return {}
    if sm is None:
        sm = client()
    report = clean_up(sm, prefix, Clock(time_left_ms))
    LOG.info("cleanup of %r: %s", prefix, report)
    if report.errors:
        raise RuntimeError("left behind: " + "; ".join(report.errors))
    return report.as_data()


def client():
    import boto3

    return boto3.client("sagemaker", region_name=os.environ.get("AWS_REGION"), config=CLIENT_CONFIG)


def handler(event, context):
    physical_id = f"{event['ResourceProperties'].get('Prefix', 'lab')}-lab-cleanup"
    time_left = getattr(context, "get_remaining_time_in_millis", None)
    return respond(event, context, lambda e: on_event(e, time_left_ms=time_left), physical_id)
