"""The deployed lab as the study CLI sees it: found from stack outputs, reached through the launcher.

Nothing here is typed by hand: the bucket, role, launcher function and endpoint come from the
outputs of ``<prefix>-foundation``, ``<prefix>-jobs`` and ``<prefix>-serving``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from botocore.exceptions import ClientError, NoCredentialsError

from study_env.job_kinds import PROCESSING, TRAINING, TRANSFORM, TUNING, JobKind, SageMakerKind

FOUNDATION, STUDIO, JOBS, SERVING = "foundation", "studio", "jobs", "serving"
# Every stack of the app, in the order `make deploy` creates them.
STACK_PARTS = (FOUNDATION, STUDIO, JOBS, SERVING)
LAUNCHER_OUTPUT = "LauncherFunctionName"
ENDPOINT_OUTPUT = "EndpointName"
MODEL_DATA_OUTPUT = "ModelData"
CONTENT_TYPE_OUTPUT = "ContentType"
ACCEPT_OUTPUT = "Accept"
# What the serving stack's endpoint reads and answers in when its stack predates those outputs (XGBoost).
CSV = "text/csv"
# The launcher's actions and the kind of job each starts.
ACTION_KINDS: dict[str, JobKind] = {"process": PROCESSING, "train": TRAINING, "tune": TUNING, "transform": TRANSFORM}


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
            raise LabError(
                f"stack {self.stack_name(part)} has no output {key!r}: redeploy it with this version"
            ) from None

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

    def endpoint_types(self, endpoint: str) -> tuple[str, str]:
        """``(content type, accept)`` to call ``endpoint`` with: the serving stack's, for its algorithm.

        Another endpoint (a notebook's) is called with CSV, as the built-in XGBoost takes it.
        """
        serving = self.outputs.get(SERVING, {})
        if serving.get(ENDPOINT_OUTPUT) != endpoint:
            return CSV, CSV
        return serving.get(CONTENT_TYPE_OUTPUT, CSV), serving.get(ACCEPT_OUTPUT, CSV)


def find_lab(session, prefix: str) -> Lab:
    """Read the lab's stack outputs. The foundation stack must exist; the others are optional."""
    cfn = session.client("cloudformation")
    lab = Lab(prefix)
    for part in STACK_PARTS:
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

DONE = {"Completed", "InService"}
FAILED = {"Failed", "Stopped", "OutOfService"}


class JobFailed(LabError):
    pass


def wait_for(
    sagemaker,
    kind: SageMakerKind,
    name: str,
    *,
    timeout_seconds: float,
    poll_seconds: float = 15.0,
    progress: Callable[[str], None] = lambda line: None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict:
    """Poll until ``name`` is done; report each status change; raise with SageMaker's reason on failure."""
    started = clock()
    last = None
    while True:
        described = getattr(sagemaker, kind.method("Describe"))(**{kind.name_field: name})
        status = described[kind.status_field]
        detail = described.get("SecondaryStatus")
        shown = f"{status} ({detail})" if detail and detail != status else status
        elapsed = clock() - started
        if shown != last:
            progress(f"  {kind.key} {name}: {shown} after {elapsed:.0f} s")
            last = shown
        if status in DONE:
            return described
        if status in FAILED:
            reason = described.get("FailureReason") or "SageMaker gave no reason"
            raise JobFailed(f"{kind.label} {name} {status.lower()}: {reason}")
        if elapsed >= timeout_seconds:
            raise JobFailed(
                f"{kind.label} {name} still {status} after {timeout_seconds:.0f} s; it keeps running: "
                f"check it with `python -m study_env.cli jobs` or stop it with `cleanup`"
            )
        sleep(poll_seconds)
