"""On ``cdk destroy`` of the Jobs stack: delete the models and stop the jobs the lab made outside CloudFormation.

Contract with the job launcher: every job and model it creates is named ``<prefix>-...`` and tagged
``study-env:prefix=<prefix>``. A leftover is a resource with both. Models that CloudFormation manages
(the Serving stack's, tagged ``aws:cloudformation:stack-id``) are left to their stack; SageMaker
propagates a tuning job's tags to its training jobs, so those are stopped with it.

Deleting or stopping something that is already gone or already stopping is not an error; any other
failure fails the stack deletion with the list of what was left, so nothing billable is forgotten
silently (delete the stack again once it is fixed).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from cfn_response import respond
from lab_contract import CLOUDFORMATION_STACK_TAG_KEY, PREFIX_TAG_KEY, STOP_ORDER, Kind

LOG = logging.getLogger()
LOG.setLevel(logging.INFO)

# "Already stopping or finished" (ValidationException) and "already deleted" are the cleanup's goal.
GONE_ERRORS = ("ValidationException", "ResourceNotFound")


@dataclass
class CleanupReport:
    deleted_models: list[str]
    stopped_jobs: list[str]
    already_gone: list[str]
    errors: list[str]

    def as_data(self) -> dict[str, Any]:
        return {"ModelsDeleted": len(self.deleted_models), "JobsStopped": len(self.stopped_jobs)}


def tags_of(sm, arn: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for page in sm.get_paginator("list_tags").paginate(ResourceArn=arn):
        tags.update({t["Key"]: t["Value"] for t in page["Tags"]})
    return tags


def is_lab_model(tags: Mapping[str, str], prefix: str) -> bool:
    return tags.get(PREFIX_TAG_KEY) == prefix and CLOUDFORMATION_STACK_TAG_KEY not in tags


def is_lab_job(tags: Mapping[str, str], prefix: str) -> bool:
    return tags.get(PREFIX_TAG_KEY) == prefix


def lab_models(sm, prefix: str) -> Iterator[str]:
    """Names of the models the lab's launcher created (named and tagged with ``prefix``)."""
    for page in sm.get_paginator("list_models").paginate(NameContains=prefix + "-"):
        for model in page["Models"]:
            if model["ModelName"].startswith(prefix + "-") and is_lab_model(tags_of(sm, model["ModelArn"]), prefix):
                yield model["ModelName"]


def running_lab_jobs(sm, prefix: str, kind: Kind) -> Iterator[str]:
    """Names of the lab's jobs of ``kind`` that are still in progress."""
    name_key = kind.field("Name")
    pages = sm.get_paginator(kind.method("List")).paginate(NameContains=prefix + "-", StatusEquals="InProgress")
    for page in pages:
        for job in page[kind.summaries_key]:
            if job[name_key].startswith(prefix + "-") and is_lab_job(tags_of(sm, job[kind.field("Arn")]), prefix):
                yield job[name_key]


def _attempt(report: CleanupReport, done: list[str], what: str, call, **params) -> None:
    try:
        call(**params)
        done.append(what)
    except ClientError as err:
        code = err.response["Error"]["Code"]
        if code in GONE_ERRORS:
            report.already_gone.append(what)
        else:
            report.errors.append(f"{what}: {code}: {err.response['Error'].get('Message', '')}")


def clean_up(sm, prefix: str) -> CleanupReport:
    """Stop the lab's running jobs, then delete its models; never raises for a single resource."""
    report = CleanupReport([], [], [], [])
    for kind in STOP_ORDER:
        for name in running_lab_jobs(sm, prefix, kind):
            _attempt(
                report,
                report.stopped_jobs,
                f"{kind.label} {name}",
                getattr(sm, kind.method("Stop")),
                **{kind.field("Name"): name},
            )
    for name in lab_models(sm, prefix):
        _attempt(report, report.deleted_models, f"model {name}", sm.delete_model, ModelName=name)
    return report


def on_event(event: Mapping[str, Any], sm=None) -> dict[str, Any]:
    """Create and Update have nothing to do; Delete cleans up and fails if something could not be."""
    prefix = event["ResourceProperties"].get("Prefix")
    if not prefix:
        raise ValueError("the custom resource property Prefix is missing")
    if event["RequestType"] != "Delete":
        return {}
    if sm is None:
        import boto3

        sm = boto3.client("sagemaker", region_name=os.environ.get("AWS_REGION"))
    report = clean_up(sm, prefix)
    LOG.info("cleanup of %r: %s", prefix, report)
    if report.errors:
        raise RuntimeError("left behind: " + "; ".join(report.errors))
    return report.as_data()


def handler(event, context):
    physical_id = f"{event['ResourceProperties'].get('Prefix', 'lab')}-lab-cleanup"
    return respond(event, context, on_event, physical_id)
