"""What every command of the study CLI is handed: the session, the lab, the launcher, where to print."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from study_env.cli.lab import Lab, Transport, wait_for
from study_env.cli.serving import ServingDeployer
from study_env.job_kinds import SageMakerKind

DEFAULT_TIMEOUT_MINUTES = 120


@dataclass
class Context:
    """What every command needs: the session, the lab, how to reach the launcher, where to print."""

    session: Any
    lab: Lab
    transport_factory: Callable[[Lab], Transport]
    out: Callable[[str], None] = print
    timeout_seconds: float = DEFAULT_TIMEOUT_MINUTES * 60
    poll_seconds: float = 15.0
    serving: ServingDeployer | None = None
    # What time it is (the cost views' "running for"); tests pass a fixed one.
    clock: Callable[[], datetime] | None = None
    _transport: Transport | None = field(default=None, repr=False)

    @property
    def transport(self) -> Transport:
        if self._transport is None:
            self._transport = self.transport_factory(self.lab)
        return self._transport

    @property
    def sagemaker(self):
        return self.session.client("sagemaker")

    def wait(self, kind: SageMakerKind, name: str) -> dict:
        return wait_for(
            self.sagemaker,
            kind,
            name,
            timeout_seconds=self.timeout_seconds,
            poll_seconds=self.poll_seconds,
            progress=self.out,
        )
