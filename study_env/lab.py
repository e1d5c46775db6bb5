"""The deployed lab as the study CLI sees it: found from stack outputs, reached through the launcher.

Nothing here is typed by hand: the bucket, role, launcher function and endpoint come from the
outputs of ``<prefix>-foundation``, ``<prefix>-jobs`` and ``<prefix>-serving``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Protocol

from botocore.exceptions import ClientError, NoCredentialsError

from study_env.paths import LAMBDA_DIR

FOUNDATION, JOBS, SERVING = "foundation", "jobs", "serving"
LAUNCHER_OUTPUT = "LauncherFunctionName"
ENDPOINT_OUTPUT = "EndpointName"
MODEL_DATA_OUTPUT = "ModelData"
LAUNCHER_HANDLER = os.path.join(LAMBDA_DIR, "launcher", "handler.py")


class LabError(Exception):
    """Something the user can act on; ``str()`` is the message the CLI prints."""


def no_credentials() -> LabError:
    return LabError(
        "no AWS credentials found: run `aws configure` (or set AWS_PROFILE), "
        "or rehearse without an account with `make sandbox`"
    )


@dataclass
class Lab:
    prefix: str
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)

    def stack_name(self, part: str) -> str:
        return f"{self.prefix}-{part}"

    @property
    def name_prefix(self) -> str:
        """What every name of the lab starts with; the hyphen keeps lab ``ml`` off lab ``mls``'s jobs."""
        return f"{self.prefix}-"

    def owns(self, name: str) -> bool:
        """Whether a SageMaker job, model or endpoint name is this lab's (as the launcher names them)."""
        return name.startswith(self.name_prefix)

    def output(self, part: str, key: str) -> str:
        if part not in self.outputs:
            raise LabError(f"stack {self.stack_name(part)} is not deployed: run `make deploy` first")
        try:
            return self.outputs[part][key]
        except KeyError:
            raise LabError(f"stack {self.stack_name(part)} has no output {key!r}: redeploy it with this version") from None

    @property
    def bucket(self) -> str:
        return self.output(FOUNDATION, "BucketName")

    @property
    def execution_role_arn(self) -> str:
        return self.output(FOUNDATION, "ExecutionRoleArn")

    @property
    def launcher_function(self) -> str:
        return self.output(JOBS, LAUNCHER_OUTPUT)

    @property
    def endpoint_name(self) -> str:
        return self.output(SERVING, ENDPOINT_OUTPUT)


def find_lab(session, prefix: str) -> Lab:
    """Read the lab's stack outputs. The foundation stack must exist; the others are optional."""
    cfn = session.client("cloudformation")
    lab = Lab(prefix)
    for part in (FOUNDATION, JOBS, SERVING):
        try:
            stacks = cfn.describe_stacks(StackName=lab.stack_name(part))["Stacks"]
        except NoCredentialsError:
            raise no_credentials() from None
        except ClientError as err:
            if "does not exist" in str(err):
                continue
            raise LabError(f"cannot read stack {lab.stack_name(part)}: {err}") from None
        if stacks and not stacks[0]["StackStatus"].startswith("DELETE"):
            lab.outputs[part] = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs") or []}
    if FOUNDATION not in lab.outputs:
        raise LabError(
            f"stack {lab.stack_name(FOUNDATION)} is not deployed in {session.region_name}: "
            "run `make deploy` (or pass --prefix / --region for another lab)"
        )
    return lab


# --- reaching the launcher ------------------------------------------------------------------------

class Transport(Protocol):
    def send(self, request: dict[str, Any]) -> dict[str, Any]: ...


class LambdaTransport:
    """The deployed launcher function, through Lambda ``Invoke`` (the real account)."""

    def __init__(self, session, function_name: str) -> None:
        self._lambda = session.client("lambda")
        self.function_name = function_name

    def send(self, request: dict[str, Any]) -> dict[str, Any]:
        try:
            result = self._lambda.invoke(FunctionName=self.function_name, Payload=json.dumps(request).encode())
        except NoCredentialsError:
            raise no_credentials() from None
        payload = result["Payload"].read().decode() or "null"
        if result.get("FunctionError"):
            raise LabError(f"launcher {self.function_name} failed ({result['FunctionError']}): {payload}")
        return json.loads(payload)


class InProcessTransport:
    """The launcher's handler called in this process, with the environment the Jobs stack gives it.

    For the local rehearsal, where the emulator cannot run Lambda code: the environment is read from
    the deployed function's configuration (:meth:`from_deployed`), so a mismatch between what the
    stack sets and what the handler reads shows up as a failed request.
    """

    def __init__(self, handler_path: str, environment: dict[str, str]) -> None:
        if not os.path.isfile(handler_path):
            raise LabError(f"launcher handler {handler_path} not found")
        self.handler_path = handler_path
        self.environment = dict(environment)
        self._module = None

    @classmethod
    def from_deployed(cls, session, function_name: str, handler_path: str = LAUNCHER_HANDLER) -> "InProcessTransport":
        config = session.client("lambda").get_function_configuration(FunctionName=function_name)
        return cls(handler_path, config.get("Environment", {}).get("Variables", {}))

    @contextlib.contextmanager
    def _function_environment(self) -> Iterator[None]:
        saved = {k: os.environ.get(k) for k in self.environment}
        os.environ.update(self.environment)
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def _handler(self) -> Callable[[dict, Any], dict]:
        if self._module is None:
            folder = os.path.dirname(self.handler_path)
            # The handler imports its sibling modules as Lambda would: from its own folder.
            if folder not in sys.path:
                sys.path.insert(0, folder)
            spec = importlib.util.spec_from_file_location(f"launcher_in_process_{id(self)}", self.handler_path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            self._module = module
        return self._module.handler

    def send(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._function_environment():
            handler = self._handler()
            # A JSON round trip, as Lambda does: the handler never sees Python-only values.
            return json.loads(json.dumps(handler(json.loads(json.dumps(request)), None)))


def launch(transport: Transport, request: dict[str, Any]) -> dict[str, Any]:
    """Send one request; return the successful response or raise with the launcher's own reason."""
    response = transport.send(request)
    if not isinstance(response, dict) or "ok" not in response:
        raise LabError(f"launcher returned something that is not a launcher response: {response!r}")
    if not response["ok"]:
        error = response.get("error") or {}
        field_name = error.get("field")
        where = f" (field {field_name!r})" if field_name else ""
        raise LabError(f"launcher rejected {request.get('action')!r}{where}: {error.get('message', response)}")
    return response


# --- waiting for SageMaker ------------------------------------------------------------------------

@dataclass(frozen=True)
class JobKind:
    label: str
    describe: str
    name_param: str
    status_field: str
    list_operation: str
    list_key: str


JOB_KINDS = {
    "process": JobKind("processing", "describe_processing_job", "ProcessingJobName", "ProcessingJobStatus",
                       "list_processing_jobs", "ProcessingJobSummaries"),
    "train": JobKind("training", "describe_training_job", "TrainingJobName", "TrainingJobStatus",
                     "list_training_jobs", "TrainingJobSummaries"),
    "tune": JobKind("tuning", "describe_hyper_parameter_tuning_job", "HyperParameterTuningJobName",
                    "HyperParameterTuningJobStatus", "list_hyper_parameter_tuning_jobs", "HyperParameterTuningJobSummaries"),
    "transform": JobKind("transform", "describe_transform_job", "TransformJobName", "TransformJobStatus",
                         "list_transform_jobs", "TransformJobSummaries"),
    "endpoint": JobKind("endpoint", "describe_endpoint", "EndpointName", "EndpointStatus",
                        "list_endpoints", "Endpoints"),
}
DONE = {"Completed", "InService"}
FAILED = {"Failed", "Stopped", "OutOfService"}


class JobFailed(LabError):
    pass


def wait_for(
    sagemaker,
    kind: str,
    name: str,
    *,
    timeout_seconds: float,
    poll_seconds: float = 15.0,
    progress: Callable[[str], None] = lambda line: None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict:
    """Poll until ``name`` is done; report each status change; raise with SageMaker's reason on failure."""
    job = JOB_KINDS[kind]
    started = clock()
    last = None
    while True:
        described = getattr(sagemaker, job.describe)(**{job.name_param: name})
        status = described[job.status_field]
        detail = described.get("SecondaryStatus")
        shown = f"{status} ({detail})" if detail and detail != status else status
        elapsed = clock() - started
        if shown != last:
            progress(f"  {job.label} {name}: {shown} after {elapsed:.0f} s")
            last = shown
        if status in DONE:
            return described
        if status in FAILED:
            reason = described.get("FailureReason") or "SageMaker gave no reason"
            raise JobFailed(f"{job.label} job {name} {status.lower()}: {reason}")
        if elapsed >= timeout_seconds:
            raise JobFailed(
                f"{job.label} job {name} still {status} after {timeout_seconds:.0f} s; it keeps running: "
                f"check it with `python -m study_env.cli jobs` or stop it with `cleanup`"
            )
        sleep(poll_seconds)
