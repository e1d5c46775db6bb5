"""The naming rules the lab checks in more than one place (pure: the CLI uses them without the CDK).

Each rule is spelled out once here; constructs raise ``ValueError("<Owner> <prop>=<value>: <rule>")``
through :meth:`NameRule.check`, and ``study_env.config`` raises its one-line ``ContextError`` with the
same rule text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NameRule:
    pattern: re.Pattern[str]
    rule: str

    def matches(self, value: Any) -> bool:
        return isinstance(value, str) and self.pattern.fullmatch(value) is not None

    def check(self, owner: str, prop: str, value: Any) -> str:
        """Return ``value`` if it follows the rule; otherwise raise a ``ValueError`` naming owner, prop and rule."""
        if not self.matches(value):
            raise ValueError(f"{owner} {prop}={value!r}: {self.rule}")
        return value


# The lab's prefix starts stack names (a letter first) and bucket, job and model names (lowercase only).
LAB_PREFIX = NameRule(
    re.compile(r"[a-z][a-z0-9]{1,9}"), "must be 2-10 lowercase letters and digits, starting with a letter"
)
INSTANCE_TYPE = NameRule(re.compile(r"ml\.[a-z0-9]+\.[a-z0-9]+"), "must look like ml.<family>.<size>, e.g. ml.m5.large")
# Real-time and async endpoints run on no ml.t3 type (SageMaker's ProductionVariantInstanceType).
ENDPOINT_INSTANCE_TYPE = NameRule(
    re.compile(r"ml\.(?!t3\.)[a-z0-9]+\.[a-z0-9]+"),
    "must be an instance type SageMaker hosts endpoints on (not ml.t3; e.g. ml.t2.medium or ml.m5.large)",
)
# SageMaker's own pattern for job, model, endpoint, domain and user profile names.
SAGEMAKER_NAME = NameRule(
    re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"),
    "must be 1-63 letters, digits and hyphens, not starting or ending with a hyphen",
)
