"""Helpers the Day notebooks share (copied next to them into ~/study-plan/): what bills now, and what a Day cost.

Prices come from ``prices.json`` beside this file (us-east-1 on-demand; other regions differ).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import boto3

_HERE = os.path.dirname(os.path.abspath(__file__))
JOB_KINDS = {
    "training": ("list_training_jobs", "TrainingJobSummaries", "TrainingJobName"),
    "processing": ("list_processing_jobs", "ProcessingJobSummaries", "ProcessingJobName"),
    "transform": ("list_transform_jobs", "TransformJobSummaries", "TransformJobName"),
    "tuning": ("list_hyper_parameter_tuning_jobs", "HyperParameterTuningJobSummaries", "HyperParameterTuningJobName"),
}


def prices() -> dict:
    with open(os.path.join(_HERE, "prices.json")) as fh:
        return json.load(fh)


def _hourly(kind: str, instance_type: str) -> float:
    return prices()["per_instance_hour"].get(kind, {}).get(instance_type, 0.0)


def _seconds(start, end) -> float:
    if not start:
        return 0.0
    return max(0.0, ((end or datetime.now(UTC)) - start).total_seconds())


def job_cost(kind: str, name: str, sagemaker=None) -> tuple[float, str]:
    """(USD, how it was figured) for one job, from SageMaker's own record of it."""
    sm = sagemaker or boto3.client("sagemaker")
    if kind == "training":
        job = sm.describe_training_job(TrainingJobName=name)
        itype, count = job["ResourceConfig"]["InstanceType"], job["ResourceConfig"]["InstanceCount"]
        seconds = job.get("BillableTimeInSeconds") or 0
        return seconds * count * _hourly("training", itype) / 3600, f"{seconds} billable s on {count} x {itype}"
    if kind == "processing":
        job = sm.describe_processing_job(ProcessingJobName=name)
        cluster = job.get("ProcessingResources", {}).get("ClusterConfig", {})
        itype, count = cluster.get("InstanceType", ""), cluster.get("InstanceCount", 1)
        seconds = _seconds(job.get("ProcessingStartTime"), job.get("ProcessingEndTime"))
        return seconds * count * _hourly("processing", itype) / 3600, f"{seconds:.0f} s on {count} x {itype}"
    if kind == "transform":
        job = sm.describe_transform_job(TransformJobName=name)
        itype, count = job["TransformResources"]["InstanceType"], job["TransformResources"]["InstanceCount"]
        seconds = _seconds(job.get("TransformStartTime"), job.get("TransformEndTime"))
        return seconds * count * _hourly("transform", itype) / 3600, f"{seconds:.0f} s on {count} x {itype}"
    if kind == "tuning":
        total, jobs = 0.0, 0
        for page in sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
            HyperParameterTuningJobName=name
        ):
            for summary in page["TrainingJobSummaries"]:
                total += job_cost("training", summary["TrainingJobName"], sm)[0]
                jobs += 1
        return total, f"{jobs} training jobs"
    raise ValueError(f"kind {kind!r}: one of {', '.join(JOB_KINDS)}")


def endpoint_cost(instance_type: str | None, seconds: float, memory_mb: int = 0) -> float:
    """USD for an endpoint that existed ``seconds`` (an instance endpoint bills for all of them)."""
    if instance_type:
        return seconds * _hourly("hosting", instance_type) / 3600
    # Serverless bills per second of inference, not while idle; this is an upper bound.
    return 0.0 if not memory_mb else seconds * memory_mb / 1024 * prices()["serverless_inference_per_gb_second"]


def report(costs: dict[str, tuple[float, str]]) -> float:
    """Print one line per item and the total; return the total."""
    total = 0.0
    for what, (usd, how) in costs.items():
        print(f"  {what}: ${usd:.4f} ({how})")
        total += usd
    table = prices()
    print(f"  total: ${total:.4f} ({table['region']} on-demand prices as of {table['as_of']}; other regions differ)")
    return total


def still_billing(sagemaker=None) -> list[str]:
    """What bills by the hour in this account and region now: endpoints and running jobs."""
    sm = sagemaker or boto3.client("sagemaker")
    found = [f"endpoint {e['EndpointName']} ({e['EndpointStatus']})" for e in sm.list_endpoints()["Endpoints"]]
    for kind, (operation, key, name_field) in JOB_KINDS.items():
        for summary in getattr(sm, operation)(StatusEquals="InProgress")[key]:
            found.append(f"{kind} job {summary[name_field]} (InProgress)")
    return found


def assert_nothing_bills() -> None:
    left = still_billing()
    if left:
        raise AssertionError("still billing: " + "; ".join(left))
    print("nothing bills by the hour: no endpoint, no running job")
