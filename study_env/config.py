"""The lab's settings, read from CDK context and validated before any construct is built.

Every key has a default in ``cdk.json``; ``cdk synth -c key=value`` overrides it. Values given on
the command line arrive as strings, so every parser accepts the string form too. A bad value raises
:class:`ContextError`, whose message is one line naming the key, the value and the rule.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from study_env import layout
from study_env.algorithms import BY_NAME, XGBOOST
from study_env.naming import ENDPOINT_INSTANCE_TYPE, INSTANCE_TYPE, LAB_PREFIX, SAGEMAKER_NAME

_MODEL_KEY_RE = re.compile(r"^models/[A-Za-z0-9!_.*'()/-]+\.tar\.gz$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
# An Availability Zone name (us-east-1a, ap-northeast-2c); Local and Wavelength Zones do not match.
_ZONE_RE = re.compile(r"^(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)[a-z]$")
# CreateDomain takes 1-16 subnets; the VPC makes one public subnet per zone.
ZONES_RANGE = (1, 6)

XGBOOST_VERSIONS = ("1.7-1", "1.5-1")
# serverless bills per request; instance and async bill per instance-hour while they exist.
EndpointMode = Literal["serverless", "instance", "async"]
ENDPOINT_MODES: tuple[EndpointMode, ...] = get_args(EndpointMode)
# SageMaker Studio idle shutdown accepts 60..525600 minutes (IdleSettings.IdleTimeoutInMinutes).
IDLE_TIMEOUT_RANGE = (60, 525600)
# Serverless inference: MemorySizeInMB in 1024..6144 by 1024, MaxConcurrency 1..200.
SERVERLESS_MEMORY_CHOICES = (1024, 2048, 3072, 4096, 5120, 6144)
SERVERLESS_CONCURRENCY_RANGE = (1, 200)
ENDPOINT_TTL_RANGE = (0, 168)
# The reaper's caps on jobs and Studio apps, in hours (0: off).
REAPER_HOURS_RANGE = (0, 168)
BUDGET_RANGE = (1, 10000)
# `make destroy` context: puts the (optional) serving stack into the app so `destroy --all` removes it.
DESTROY_CONTEXT = {"model_key": "models/destroy/model.tar.gz"}


def destroy_context_args() -> list[str]:
    """``DESTROY_CONTEXT`` as CDK CLI arguments: ``["-c", "model_key=..."]``."""
    return [arg for key, value in DESTROY_CONTEXT.items() for arg in ("-c", f"{key}={value}")]


class ContextError(ValueError):
    """A context value that the lab cannot use. ``str()`` is the one-line message for the user."""

    def __init__(self, key: str, value: Any, rule: str) -> None:
        self.key, self.value, self.rule = key, value, rule
        super().__init__(f"context {key!r}={value!r}: {rule}")


@dataclass(frozen=True)
class StudyConfig:
    prefix: str = "mls"
    allowed_instance_types: tuple[str, ...] = ("ml.t3.medium", "ml.m5.large", "ml.m5.xlarge")
    default_instance_type: str = "ml.m5.large"
    xgboost_version: str = "1.7-1"
    user_profile_name: str = "student"
    idle_timeout_minutes: int = 60
    training_job_name: str | None = None
    model_key: str | None = None
    algorithm: str = XGBOOST
    endpoint_mode: EndpointMode = "serverless"
    serverless_memory_mb: int = 2048
    serverless_max_concurrency: int = 5
    endpoint_instance_type: str = "ml.m5.large"
    endpoint_ttl_hours: int = 4
    max_job_hours: int = 6
    max_app_hours: int = 12
    budget_usd: int = 20
    alert_email: str | None = None
    availability_zones: tuple[str, ...] = ()
    account: str | None = None
    region: str | None = None

    @property
    def serving_enabled(self) -> bool:
        """The Serving stack exists only when context names a model to serve."""
        return bool(self.training_job_name or self.model_key)

    @property
    def served_model_key(self) -> str | None:
        """The key in the study bucket of the model the Serving stack serves (``None``: no Serving stack)."""
        if self.training_job_name:
            return layout.training_model_key(self.training_job_name)
        return self.model_key

    def stack_name(self, part: str) -> str:
        return f"{self.prefix}-{part}"

    @classmethod
    def from_context(cls, get: Callable[[str], Any], environ: Mapping[str, str] | None = None) -> StudyConfig:
        """Build the config from a context getter (``app.node.try_get_context``).

        ``environ`` supplies the account and region (``CDK_DEFAULT_ACCOUNT``/``CDK_DEFAULT_REGION``,
        set by the CDK CLI when credentials are available); without them the app is
        environment-agnostic.
        """
        d = cls()

        def value(key: str, default: Any) -> Any:
            v = get(key)
            return default if v is None else v

        prefix = value("prefix", d.prefix)
        if not LAB_PREFIX.matches(prefix):
            raise ContextError("prefix", prefix, LAB_PREFIX.rule)

        allowed = _string_list("allowed_instance_types", value("allowed_instance_types", d.allowed_instance_types))
        if not allowed:
            raise ContextError("allowed_instance_types", allowed, "must name at least one instance type")
        for itype in allowed:
            if not INSTANCE_TYPE.matches(itype):
                raise ContextError("allowed_instance_types", itype, "each entry " + INSTANCE_TYPE.rule)

        default_itype = _member_of(
            "default_instance_type", value("default_instance_type", d.default_instance_type), allowed
        )
        xgb = _choice("xgboost_version", value("xgboost_version", d.xgboost_version), XGBOOST_VERSIONS)

        profile = value("user_profile_name", d.user_profile_name)
        if not SAGEMAKER_NAME.matches(profile):
            raise ContextError("user_profile_name", profile, SAGEMAKER_NAME.rule)
        idle = _int_in(
            "idle_timeout_minutes", value("idle_timeout_minutes", d.idle_timeout_minutes), *IDLE_TIMEOUT_RANGE
        )

        job, key = _served_model(
            _optional_str(value("training_job_name", None)), _optional_str(value("model_key", None))
        )

        algorithm = _choice("algorithm", value("algorithm", d.algorithm), tuple(BY_NAME))
        mode = cast(EndpointMode, _choice("endpoint_mode", value("endpoint_mode", d.endpoint_mode), ENDPOINT_MODES))
        memory = _int_choice(
            "serverless_memory_mb", value("serverless_memory_mb", d.serverless_memory_mb), SERVERLESS_MEMORY_CHOICES
        )
        concurrency = _int_in(
            "serverless_max_concurrency",
            value("serverless_max_concurrency", d.serverless_max_concurrency),
            *SERVERLESS_CONCURRENCY_RANGE,
        )
        endpoint_itype = _member_of(
            "endpoint_instance_type", value("endpoint_instance_type", d.endpoint_instance_type), allowed
        )
        if not ENDPOINT_INSTANCE_TYPE.matches(endpoint_itype):
            raise ContextError("endpoint_instance_type", endpoint_itype, ENDPOINT_INSTANCE_TYPE.rule)
        ttl = _int_in("endpoint_ttl_hours", value("endpoint_ttl_hours", d.endpoint_ttl_hours), *ENDPOINT_TTL_RANGE)
        budget = _int_in("budget_usd", value("budget_usd", d.budget_usd), *BUDGET_RANGE)
        max_job = _int_in("max_job_hours", value("max_job_hours", d.max_job_hours), *REAPER_HOURS_RANGE)
        max_app = _int_in("max_app_hours", value("max_app_hours", d.max_app_hours), *REAPER_HOURS_RANGE)

        email = _optional_str(value("alert_email", None))
        if email is not None and not _EMAIL_RE.match(email):
            raise ContextError("alert_email", email, "must be an email address like name@example.com")

        env = environ or {}
        region = env.get("CDK_DEFAULT_REGION") or None
        zones = _zones(value("availability_zones", []), region)
        return cls(
            prefix=prefix,
            allowed_instance_types=tuple(allowed),
            default_instance_type=default_itype,
            xgboost_version=xgb,
            user_profile_name=profile,
            idle_timeout_minutes=idle,
            training_job_name=job,
            model_key=key,
            algorithm=algorithm,
            endpoint_mode=mode,
            serverless_memory_mb=memory,
            serverless_max_concurrency=concurrency,
            endpoint_instance_type=endpoint_itype,
            endpoint_ttl_hours=ttl,
            max_job_hours=max_job,
            max_app_hours=max_app,
            budget_usd=budget,
            alert_email=email,
            availability_zones=zones,
            account=env.get("CDK_DEFAULT_ACCOUNT") or None,
            region=region,
        )


def _served_model(job: str | None, key: str | None) -> tuple[str | None, str | None]:
    """The model the serving stack serves: a training job's, or a key in the study bucket (not both)."""
    if job is not None and not SAGEMAKER_NAME.matches(job):
        raise ContextError(
            "training_job_name", job, "is not a SageMaker training job name, which " + SAGEMAKER_NAME.rule
        )
    if key is not None and (".." in key.split("/") or not _MODEL_KEY_RE.match(key)):
        raise ContextError(
            "model_key",
            key,
            "must be a key in the study bucket under models/ ending in .tar.gz (no s3://, no bucket name)",
        )
    if job and key:
        raise ContextError("model_key", key, "give either training_job_name or model_key, not both")
    return job, key


def _zones(raw: Any, region: str | None) -> tuple[str, ...]:
    """The Studio VPC's zones, or ``()`` for CDK's choice (the region's first two)."""
    key = "availability_zones"
    zones = _string_list(key, raw)
    if not zones:
        return ()
    low, high = ZONES_RANGE
    if not low <= len(zones) <= high or len(set(zones)) != len(zones):
        raise ContextError(key, zones, f"name {low}-{high} different Availability Zones")
    for zone in zones:
        match = _ZONE_RE.match(zone)
        if not match:
            raise ContextError(key, zone, "each entry must be an Availability Zone name like us-east-1a")
        if region and match.group("region") != region:
            raise ContextError(key, zone, f"is not in the deployment's region {region}")
    return tuple(zones)


def _string_list(key: str, raw: Any) -> list[str]:
    """A list from cdk.json, or from ``-c key='["a","b"]'`` / ``-c key=a,b`` on the command line."""
    if isinstance(raw, str):
        text = raw.strip()
        if text.startswith("["):
            try:
                raw = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ContextError(key, raw, f"is not a valid JSON list ({exc.msg})") from None
        else:
            raw = [part.strip() for part in text.split(",") if part.strip()]
    if not isinstance(raw, (list, tuple)) or not all(isinstance(x, str) for x in raw):
        raise ContextError(key, raw, "must be a list of strings")
    return list(raw)


def _optional_str(raw: Any) -> str | None:
    if raw is None or raw == "":
        return None
    return raw if isinstance(raw, str) else str(raw)


def _as_int(key: str, raw: Any) -> int:
    if isinstance(raw, bool):
        raise ContextError(key, raw, "must be a whole number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and re.fullmatch(r"\s*-?\d+\s*", raw):
        return int(raw)
    raise ContextError(key, raw, "must be a whole number")


def _int_in(key: str, raw: Any, low: int, high: int) -> int:
    number = _as_int(key, raw)
    if not low <= number <= high:
        raise ContextError(key, raw, f"must be between {low} and {high}")
    return number


def _int_choice(key: str, raw: Any, choices: tuple[int, ...]) -> int:
    number = _as_int(key, raw)
    if number not in choices:
        raise ContextError(key, raw, "must be one of " + ", ".join(str(c) for c in choices))
    return number


def _choice(key: str, raw: Any, choices: tuple[str, ...]) -> str:
    if raw not in choices:
        raise ContextError(key, raw, "must be one of " + ", ".join(choices))
    return raw


def _member_of(key: str, raw: Any, allowed: list[str]) -> str:
    if raw not in allowed:
        raise ContextError(key, raw, "must be one of allowed_instance_types: " + ", ".join(allowed))
    return raw


if __name__ == "__main__":
    # `make destroy` reads the destroy context from here, so it is spelled once.
    import sys

    if sys.argv[1:] != ["--destroy-context"]:
        sys.exit("usage: python -m study_env.config --destroy-context")
    print(" ".join(destroy_context_args()))
