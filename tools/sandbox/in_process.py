"""The launcher's handler called in this process, as the rehearsal's stand-in for Lambda ``Invoke``."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import boto3

from study_env.cli.lab import LabError
from tools import lambda_assets

LAUNCHER_FOLDER = "launcher"


class InProcessTransport:
    """The launcher's handler called in this process, with the environment the Jobs stack gives it.

    For the local rehearsal, where the emulator cannot run Lambda code: the environment is read from
    the deployed function's configuration (:meth:`from_deployed`), so a mismatch between what the
    stack sets and what the handler reads shows up as a failed request.
    """

    def __init__(self, environment: dict[str, str], folder: str = LAUNCHER_FOLDER) -> None:
        self.folder = folder
        self.environment = dict(environment)
        self._module: Any = None

    @classmethod
    def from_deployed(
        cls, session, function_name: str, assume: Callable[[str], dict[str, str]] | None = None
    ) -> InProcessTransport:
        """The deployed function's environment; with ``assume``, also its role's credentials (as in Lambda)."""
        config = session.client("lambda").get_function_configuration(FunctionName=function_name)
        environment = dict(config.get("Environment", {}).get("Variables", {}))
        if assume is not None:
            environment.update(assume(config["Role"]))
        return cls(environment)

    @contextlib.contextmanager
    def _function_environment(self) -> Iterator[None]:
        saved = {k: os.environ.get(k) for k in self.environment}
        os.environ.update(self.environment)
        # boto3's default session keeps the credentials it found first; the handler must find its own.
        saved_session, boto3.DEFAULT_SESSION = boto3.DEFAULT_SESSION, None
        try:
            yield
        finally:
            boto3.DEFAULT_SESSION = saved_session
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def _handler(self) -> Callable[[dict, Any], dict]:
        if self._module is None:
            try:
                # A module of its own per transport: a new container, with no client cached yet.
                self._module = lambda_assets.load(
                    self.folder, "handler", name=f"launcher_in_process_{id(self)}", fresh=True
                )
            except (FileNotFoundError, ImportError) as err:
                raise LabError(f"launcher handler of lambda/{self.folder}: {err}") from None
        return self._module.handler

    def send(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._function_environment():
            handler = self._handler()
            # A JSON round trip, as Lambda does: the handler never sees Python-only values.
            return json.loads(json.dumps(handler(json.loads(json.dumps(request)), None)))
