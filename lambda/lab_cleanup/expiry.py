"""The Serving stack's time-to-live: the moment it expires, computed when CloudFormation deploys it.

A one-time EventBridge Scheduler schedule needs an absolute ``at(...)`` time, which a template
cannot hold without becoming different on every synth. This custom resource returns it at deploy
time instead (now + ``TtlHours``); its properties include the endpoint configuration, so a deploy
that changes the endpoint restarts the clock and one that changes nothing keeps it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from cfn_response import respond

LOG = logging.getLogger()
LOG.setLevel(logging.INFO)

MAX_TTL_HOURS = 168


def expiry(now: datetime, ttl_hours: int) -> datetime:
    """``now`` plus the TTL, in UTC, to the second (Scheduler's ``at()`` has no sub-second part)."""
    if not 1 <= ttl_hours <= MAX_TTL_HOURS:
        raise ValueError(f"TtlHours={ttl_hours!r}: must be between 1 and {MAX_TTL_HOURS}")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return (now.astimezone(UTC) + timedelta(hours=ttl_hours)).replace(microsecond=0)


def schedule_attributes(expires: datetime) -> dict[str, str]:
    stamp = expires.strftime("%Y-%m-%dT%H:%M:%S")
    return {"ScheduleExpression": f"at({stamp})", "ExpiresAt": stamp + "Z"}


def on_event(event: Mapping[str, Any], clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> dict[str, str]:
    if event["RequestType"] == "Delete":
        return {}
    raw = event["ResourceProperties"].get("TtlHours")
    try:
        hours = int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"TtlHours={raw!r}: must be a whole number of hours") from None
    attributes = schedule_attributes(expiry(clock(), hours))
    LOG.info("stack expires at %s", attributes["ExpiresAt"])
    return attributes


def handler(event, context):
    return respond(event, context, on_event, physical_id=event.get("PhysicalResourceId") or event["LogicalResourceId"])
