"""The lab's reaper, on a schedule: what the learner made by hand and forgot stops billing.

The idle shutdown stops JupyterLab, the serving stack deletes itself, the launcher's jobs carry a
maximum runtime. What a notebook makes has none of these: ``xgb.deploy()`` makes an endpoint that
bills by the hour until someone deletes it. Every run (EventBridge Scheduler), this function:

- deletes the lab's endpoints older than ``ENDPOINT_TTL_HOURS``, with their configurations;
- stops the lab's jobs running longer than ``MAX_JOB_HOURS``;
- deletes the domain's Studio apps InService longer than ``MAX_APP_HOURS`` (a backstop for the idle
  shutdown, which learners report does not always fire);

and publishes one alert per action, with what the resource would have cost a day. A limit of 0 turns
that part off. "The lab's" is decided by the ``study-env:prefix`` tag (the launcher and the SDK
defaults file in Studio set it) or Studio's own ``sagemaker:domain-arn`` tag naming the lab's domain,
never by name; what a CloudFormation stack manages
(``aws:cloudformation:stack-id``) is its stack's, and an endpoint tagged ``study-env:keep=true`` is kept.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from botocore.config import Config
from botocore.exceptions import ClientError

from lab_contract import CLOUDFORMATION_STACK_TAG_KEY, ENDPOINT, PREFIX_TAG_KEY, STOP_ORDER

LOG = logging.getLogger()
LOG.setLevel(logging.INFO)

KEEP_TAG_KEY = "study-env:keep"
# Studio tags what is created from it with its domain: the second way to know a resource is the lab's.
DOMAIN_TAG_KEY = "sagemaker:domain-arn"
CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 10})
# Studio apps that run on an instance of their own (the "default" JupyterServer of Studio Classic runs on none).
INSTANCE_APP_TYPES = ("JupyterLab", "CodeEditor", "KernelGateway", "RStudioServerPro", "Canvas")


@dataclass(frozen=True)
class Limits:
    prefix: str
    endpoint_hours: int
    job_hours: int
    app_hours: int
    domain_id: str = ""
    domain_arn: str = ""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Limits:
        def hours(key: str) -> int:
            raw = environ.get(key, "")
            if not raw.isdigit():
                raise ValueError(f"environment {key}={raw!r}: must be a whole number of hours (0: off)")
            return int(raw)

        prefix = environ.get("PREFIX", "")
        if not prefix:
            raise ValueError("environment PREFIX is missing: the reaper must know whose resources it looks at")
        return cls(
            prefix,
            hours("ENDPOINT_TTL_HOURS"),
            hours("MAX_JOB_HOURS"),
            hours("MAX_APP_HOURS"),
            environ.get("DOMAIN_ID", ""),
            environ.get("DOMAIN_ARN", ""),
        )


@dataclass(frozen=True)
class Found:
    """One resource the reaper looked at: what it is, how old, its tags, what it bills an hour."""

    kind: str  # "endpoint", a job kind's label ("training job"), or "app"
    name: str
    created: datetime
    tags: Mapping[str, str]
    hourly_usd: float | None = None
    detail: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Action:
    found: Found
    hours: float

    def message(self) -> str:
        verb = "stopped" if self.found.kind.endswith(" job") else "deleted"
        text = f"{verb} {self.found.kind} {self.found.name} after {self.hours:.1f} h"
        if self.found.hourly_usd:
            text += f"; it would have cost ${self.found.hourly_usd * 24:.2f} a day"
        return text


def age_hours(created: datetime, now: datetime) -> float:
    return (now - created).total_seconds() / 3600


def is_labs(tags: Mapping[str, str], prefix: str, domain_arn: str = "") -> bool:
    """Tagged with the lab's prefix, or by Studio with the lab's domain; and not a CloudFormation stack's."""
    ours = tags.get(PREFIX_TAG_KEY) == prefix or bool(domain_arn and tags.get(DOMAIN_TAG_KEY) == domain_arn)
    return ours and CLOUDFORMATION_STACK_TAG_KEY not in tags


def to_reap(found: Iterable[Found], limits: Limits, now: datetime) -> list[Action]:
    """What is past its limit, oldest first; never what is not the lab's or is marked to keep."""
    actions = []
    for item in found:
        if item.kind == "app":
            limit = limits.app_hours  # apps are the domain's: listed for this domain only
        elif not is_labs(item.tags, limits.prefix, limits.domain_arn):
            continue
        elif item.kind == ENDPOINT.label:
            if item.tags.get(KEEP_TAG_KEY, "").lower() == "true":
                continue
            limit = limits.endpoint_hours
        else:
            limit = limits.job_hours
        hours = age_hours(item.created, now)
        if limit and hours > limit:
            actions.append(Action(item, hours))
    return sorted(actions, key=lambda action: -action.hours)


# --- what the account holds (boto3) ------------------------------------------------------------------


def _tags(sm, arn: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for page in sm.get_paginator("list_tags").paginate(ResourceArn=arn):
        tags.update({t["Key"]: t["Value"] for t in page["Tags"]})
    return tags


def endpoint_hourly_usd(sm, config_name: str, prices: Mapping[str, float]) -> float | None:
    """What an endpoint's instances bill an hour (``None`` for serverless or an unknown type)."""
    variants = sm.describe_endpoint_config(EndpointConfigName=config_name)["ProductionVariants"]
    total = 0.0
    for variant in variants:
        price = prices.get(variant.get("InstanceType", ""))
        if price is None:
            return None
        total += price * variant.get("InitialInstanceCount", 1)
    return total


def endpoints(sm, prices: Mapping[str, float]) -> Iterable[Found]:
    for page in sm.get_paginator("list_endpoints").paginate():
        for summary in page["Endpoints"]:
            if summary["EndpointStatus"] in ("Deleting", "Creating"):
                continue
            tags = _tags(sm, summary["EndpointArn"])
            config = sm.describe_endpoint(EndpointName=summary["EndpointName"])["EndpointConfigName"]
            hourly = (
                endpoint_hourly_usd(sm, config, prices) if PREFIX_TAG_KEY in tags or DOMAIN_TAG_KEY in tags else None
            )
            yield Found(
                ENDPOINT.label,
                summary["EndpointName"],
                summary["CreationTime"],
                tags,
                hourly,
                {"EndpointConfigName": config},
            )


def running_jobs(sm) -> Iterable[Found]:
    for kind in STOP_ORDER:
        for page in sm.get_paginator(kind.method("List")).paginate(StatusEquals="InProgress"):
            for summary in page[kind.summaries_key]:
                yield Found(
                    kind.label,
                    summary[kind.field("Name")],
                    summary["CreationTime"],
                    _tags(sm, summary[kind.field("Arn")]),
                )


def apps(sm, domain_id: str, prices: Mapping[str, float]) -> Iterable[Found]:
    for page in sm.get_paginator("list_apps").paginate(DomainIdEquals=domain_id):
        for app in page["Apps"]:
            if app.get("Status") != "InService" or app["AppType"] not in INSTANCE_APP_TYPES:
                continue
            owner = {"SpaceName": app["SpaceName"]} if app.get("SpaceName") else {}
            if app.get("UserProfileName"):
                owner["UserProfileName"] = app["UserProfileName"]
            itype = app.get("ResourceSpec", {}).get("InstanceType", "")
            yield Found(
                "app",
                f"{app['AppType']} {app['AppName']} ({itype or 'default instance'})",
                app["CreationTime"],
                {},
                prices.get(itype),
                {"DomainId": domain_id, "AppType": app["AppType"], "AppName": app["AppName"], **owner},
            )


def act(sm, action: Action) -> None:
    item = action.found
    if item.kind == "app":
        sm.delete_app(**dict(item.detail or {}))
    elif item.kind == ENDPOINT.label:
        sm.delete_endpoint(EndpointName=item.name)
        config = (item.detail or {}).get("EndpointConfigName")
        if config:
            try:
                sm.delete_endpoint_config(EndpointConfigName=config)
            except ClientError as err:
                LOG.warning("endpoint config %s of %s: %s", config, item.name, err)
    else:
        kind = next(k for k in STOP_ORDER if k.label == item.kind)
        getattr(sm, kind.method("Stop"))(**{kind.field("Name"): item.name})


def reap(
    sm, sns, topic_arn: str, limits: Limits, prices: Mapping[str, Mapping[str, float]], now: datetime
) -> list[str]:
    """Look, act, tell; one failed action is told too and does not stop the others."""
    found: list[Found] = []
    if limits.endpoint_hours:
        found += endpoints(sm, prices.get("hosting", {}))
    if limits.job_hours:
        found += running_jobs(sm)
    if limits.app_hours and limits.domain_id:
        found += apps(sm, limits.domain_id, prices.get("studio", {}))
    told = []
    for action in to_reap(found, limits, now):
        try:
            act(sm, action)
            text = action.message()
        except ClientError as err:
            error = err.response.get("Error", {})
            text = (
                f"could not act on {action.found.kind} {action.found.name}: {error.get('Code')}: {error.get('Message')}"
            )
        LOG.info(text)
        if topic_arn:
            sns.publish(TopicArn=topic_arn, Subject=f"{limits.prefix} study lab: reaper", Message=text)
        told.append(text)
    return told


def handler(event, context):
    import boto3

    limits = Limits.from_environ(os.environ)
    prices = json.loads(os.environ.get("PRICES", "{}"))
    region = os.environ.get("AWS_REGION")
    sm = boto3.client("sagemaker", region_name=region, config=CLIENT_CONFIG)
    sns = boto3.client("sns", region_name=region, config=CLIENT_CONFIG)
    told = reap(sm, sns, os.environ.get("TOPIC_ARN", ""), limits, prices, datetime.now(UTC))
    return {"actions": told}
