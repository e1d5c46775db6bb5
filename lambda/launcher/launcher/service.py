"""The launcher's one entry for any request: validate, then start, describe or list jobs.

:func:`handle` always returns a response dict: ``{"ok": true, ...}`` or
``{"ok": false, "error": {"field", "code", "message"}}``. A request that fails validation returns
before the SageMaker client is even created; SageMaker's own errors come back with its code.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

import lab_contract
from launcher import job_requests, names
from launcher.requests import (
    DescribeRequest,
    JobRequest,
    ListRequest,
    ProcessRequest,
    TrainRequest,
    TransformRequest,
    TuneRequest,
)
from launcher.settings import Settings
from launcher.validation import RequestError, validate

INVALID_REQUEST = "InvalidRequest"
JOB_NOT_READY = "JobNotReady"


# What launch() builds for each job request type; a transform also needs its model first.
BUILDERS: dict[type, Callable[[Any, Settings, str], dict[str, Any]]] = {
    ProcessRequest: job_requests.processing_job,
    TrainRequest: job_requests.training_job,
    TuneRequest: job_requests.tuning_job,
}
LIST_MAX_RESULTS = 10


class Failure(Exception):
    """A request that got as far as SageMaker and failed there (or found a job not ready for it)."""

    def __init__(self, field: str | None, code: str, message: str) -> None:
        super().__init__(message)
        self.field, self.code, self.message = field, code, message


def failure(field: str | None, code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"field": field, "code": code, "message": message}}


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _random_hex() -> str:
    return secrets.token_hex(2)


def handle(
    event: Any,
    settings: Settings,
    get_client: Callable[[], Any],
    now: Callable[[], datetime] = _utc_now,
    random_hex: Callable[[], str] = _random_hex,
) -> dict[str, Any]:
    try:
        request = validate(event, settings)
    except RequestError as error:
        return failure(error.field, INVALID_REQUEST, error.message)
    client = get_client()
    try:
        if isinstance(request, DescribeRequest):
            return describe(request, settings, client)
        if isinstance(request, ListRequest):
            return list_jobs(settings, client)
        return launch(request, settings, client, names.suffix(now(), random_hex(), request.request_id))
    except Failure as error:
        return failure(error.field, error.code, error.message)
    except BotoCoreError as error:
        return failure(None, type(error).__name__, str(error))


def call(field: str | None, operation: Callable[..., dict], **kwargs: Any) -> dict:
    """One SageMaker call; its error becomes a :class:`Failure` naming the request field it concerns."""
    try:
        return operation(**kwargs)
    except ClientError as error:
        err = error.response.get("Error", {})
        raise Failure(field, err.get("Code", "ClientError"), err.get("Message", str(error))) from None


def is_not_found(error: Failure) -> bool:
    # SageMaker reports a missing training, processing or transform job or model as a
    # ValidationException ("Could not find ...", "Requested resource not found"), a tuning job as ResourceNotFound.
    text = error.message.lower()
    return error.code == "ResourceNotFound" or (
        error.code == "ValidationException" and ("not find" in text or "not found" in text or "does not exist" in text)
    )


def find(operation: Callable[..., dict], **kwargs: Any) -> dict | None:
    try:
        return call(None, operation, **kwargs)
    except Failure as error:
        if is_not_found(error):
            return None
        raise


def launch(request: JobRequest, settings: Settings, client: Any, name_suffix: str) -> dict[str, Any]:
    kind = lab_contract.JOBS[request.kind]
    name = names.job_name(settings.prefix, request.action, name_suffix)
    describe_job = getattr(client, kind.method("Describe"))
    if request.request_id is not None:
        existing = find(describe_job, **{kind.field("Name"): name})
        if existing is not None:
            return started(settings, request, kind.key, name, existing[kind.field("Arn")], existing=True)
    extra: dict[str, Any] = {}
    if isinstance(request, TransformRequest):
        model_name, extra = model_for(request, settings, client, name_suffix)
        body = job_requests.transform_job(request, settings, name, model_name, extra.get("algorithm"))
    else:
        body = BUILDERS[type(request)](request, settings, name)
    try:
        response = call(None, getattr(client, kind.method("Create")), **body)
    except Failure as error:
        # Two retries of one request_id racing: the loser returns the winner's job.
        if request.request_id is None or error.code != "ResourceInUse":
            raise
        response = call(None, describe_job, **{kind.field("Name"): name})
        return started(settings, request, kind.key, name, response[kind.field("Arn")], existing=True, **extra)
    return started(settings, request, kind.key, name, response[kind.field("Arn")], existing=False, **extra)


def started(
    settings: Settings, request: JobRequest, kind: str, name: str, arn: str, existing: bool, **extra: Any
) -> dict[str, Any]:
    return {
        "ok": True,
        "action": request.action,
        "kind": kind,
        "job_name": name,
        "arn": arn,
        "console_url": job_requests.console_url(settings.region, kind, name),
        "existing": existing,
        **({"request_id": request.request_id} if request.request_id is not None else {}),
        **extra,
    }


def model_for(
    request: TransformRequest, settings: Settings, client: Any, name_suffix: str
) -> tuple[str, dict[str, Any]]:
    """The model a transform runs: the one named, or one made from a (best) training job's artifact."""
    if request.model_name is not None:
        # A model named as is (the serving stack's) is served by its image's algorithm, as one made here is.
        model = call("model_name", client.describe_model, ModelName=request.model_name)
        algorithm = algorithm_of(settings, model.get("PrimaryContainer", {}).get("Image", ""))
        return request.model_name, {"model_name": request.model_name, **({"algorithm": algorithm} if algorithm else {})}
    field = "training_job_name"
    training_job = request.training_job_name
    if request.tuning_job_name is not None:
        field = "tuning_job_name"
        tuning = call(
            field, client.describe_hyper_parameter_tuning_job, HyperParameterTuningJobName=request.tuning_job_name
        )
        best = tuning.get("BestTrainingJob", {}).get("TrainingJobName")
        if not best:
            raise Failure(
                field,
                JOB_NOT_READY,
                f"tuning job {request.tuning_job_name} has no best training job yet (status "
                f"{tuning.get('HyperParameterTuningJobStatus')})",
            )
        training_job = best
    training = call(field, client.describe_training_job, TrainingJobName=training_job)
    status = training.get("TrainingJobStatus")
    artifact = training.get("ModelArtifacts", {}).get("S3ModelArtifacts")
    if status != "Completed" or not artifact:
        raise Failure(
            field, JOB_NOT_READY, f"training job {training_job} is {status}; a transform needs a Completed one"
        )
    model_name = names.model_name(settings.prefix, name_suffix)
    image = training["AlgorithmSpecification"]["TrainingImage"]
    created = find(client.describe_model, ModelName=model_name) is None
    if created:
        call(field, client.create_model, **job_requests.model(request, settings, model_name, image, artifact))
    found = {"model_name": model_name, "model_created": created, "training_job_name": training_job}
    # The algorithm that trained it decides what its inference reads and writes (CSV if unknown).
    algorithm = algorithm_of(settings, image)
    return model_name, {**found, **({"algorithm": algorithm} if algorithm else {})}


def algorithm_of(settings: Settings, image: str) -> str | None:
    """The built-in algorithm whose image is ``image``, as this lab's settings name them."""
    images = {settings.xgboost_image: "xgboost", **{uri: name for name, uri in settings.algorithm_images.items()}}
    return images.get(image)


def describe(request: DescribeRequest, settings: Settings, client: Any) -> dict[str, Any]:
    name = request.job_name
    kind_key = names.kind_of(name, settings.prefix)
    if kind_key is None:  # validation admits only the lab's job names
        raise Failure("job_name", INVALID_REQUEST, f"{name} is not one of the lab's jobs")
    kind = lab_contract.JOBS[kind_key]
    job = call("job_name", getattr(client, kind.method("Describe")), **{kind.field("Name"): name})
    result: dict[str, Any] = {
        "ok": True,
        "action": "describe",
        "kind": kind.key,
        "job_name": name,
        "arn": job[kind.field("Arn")],
        "status": job[kind.field("Status")],
        "console_url": job_requests.console_url(settings.region, kind.key, name),
        "created": iso(job.get("CreationTime")),
        "ended": iso(job.get(kind.end_time_field)),
    }
    if job.get("FailureReason"):
        result["failure_reason"] = job["FailureReason"]
    result.update(DETAILS[kind.key](job))
    return result


def _training_details(job: dict) -> dict[str, Any]:
    return {
        "secondary_status": job.get("SecondaryStatus"),
        "hyperparameters": job.get("HyperParameters", {}),
        "model_artifacts": job.get("ModelArtifacts", {}).get("S3ModelArtifacts"),
        "billable_seconds": job.get("BillableTimeInSeconds"),
    }


def _tuning_details(job: dict) -> dict[str, Any]:
    best = job.get("BestTrainingJob") or {}
    metric = best.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
    return {
        "strategy": job.get("HyperParameterTuningJobConfig", {}).get("Strategy"),
        "training_job_counts": job.get("TrainingJobStatusCounters", {}),
        "best_training_job": best.get("TrainingJobName"),
        "best_objective": {"metric": metric["MetricName"], "value": metric["Value"]} if metric else None,
        "best_hyperparameters": best.get("TunedHyperParameters"),
    }


def _transform_details(job: dict) -> dict[str, Any]:
    return {"model_name": job.get("ModelName"), "output_path": job.get("TransformOutput", {}).get("S3OutputPath")}


def _processing_details(job: dict) -> dict[str, Any]:
    outputs = job.get("ProcessingOutputConfig", {}).get("Outputs", [])
    return {"outputs": {o["OutputName"]: o.get("S3Output", {}).get("S3Uri") for o in outputs}}


DETAILS: dict[str, Callable[[dict], dict[str, Any]]] = {
    "processing": _processing_details,
    "training": _training_details,
    "tuning": _tuning_details,
    "transform": _transform_details,
}


def list_jobs(settings: Settings, client: Any) -> dict[str, Any]:
    """The lab's most recent jobs of each type, newest first."""
    jobs: dict[str, list[dict[str, Any]]] = {}
    for kind in lab_contract.JOBS.values():
        name_field = kind.field("Name")
        response = call(
            None,
            getattr(client, kind.method("List")),
            NameContains=settings.prefix + "-",
            SortBy="CreationTime",
            SortOrder="Descending",
            MaxResults=LIST_MAX_RESULTS,
        )
        jobs[kind.key] = [
            {
                "job_name": summary[name_field],
                "status": summary[kind.field("Status")],
                "created": iso(summary.get("CreationTime")),
                "console_url": job_requests.console_url(settings.region, kind.key, summary[name_field]),
            }
            for summary in response.get(kind.summaries_key, [])
            if names.is_labs(summary[name_field], settings.prefix)
        ]
    return {"ok": True, "action": "list", "jobs": jobs}


def iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None
