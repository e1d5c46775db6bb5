"""The CloudFormation custom-resource protocol for a Lambda that is its own service token.

CloudFormation waits (up to an hour) for a PUT to the event's pre-signed ``ResponseURL``; a handler
that dies without one stalls the stack. :func:`respond` therefore always answers, FAILED with the
error's message when the work raised.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

LOG = logging.getLogger(__name__)
# CloudFormation refuses a response body over 4,096 bytes (the whole JSON, not only the reason).
MAX_BODY_BYTES = 4096
_CUT = " ..."

Work = Callable[[Mapping[str, Any]], dict[str, Any]]


def response_body(
    event: Mapping[str, Any], status: str, physical_id: str, data: Mapping[str, Any], reason: str
) -> dict:
    """The response; a reason too long for CloudFormation's body limit keeps its start, where the cause is."""
    body = {
        "Status": status,
        "Reason": reason,
        "PhysicalResourceId": physical_id,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": False,
        "Data": dict(data),
    }
    if _size(body) <= MAX_BODY_BYTES:
        return body
    # The longest start of the reason that fits with the marker (escapes and UTF-8 make characters
    # cost 1-6 bytes each, so search rather than compute).
    low, high = 0, len(reason)
    while low < high:
        middle = (low + high + 1) // 2
        if _size({**body, "Reason": reason[:middle] + _CUT}) <= MAX_BODY_BYTES:
            low = middle
        else:
            high = middle - 1
    body["Reason"] = reason[:low] + _CUT
    if _size(body) > MAX_BODY_BYTES:
        raise ValueError(f"response body exceeds {MAX_BODY_BYTES} bytes even without a reason")
    return body


def _size(body: Mapping[str, Any]) -> int:
    return len(json.dumps(body).encode())


def respond(
    event: Mapping[str, Any], context: Any, work: Work, physical_id: str, opener=urllib.request.urlopen
) -> dict:
    """Run ``work(event)`` and report its outcome to CloudFormation; return the body sent.

    ``work`` returns the attributes (``Fn::GetAtt``) of the resource. Its exception becomes a FAILED
    response whose reason CloudFormation shows in the stack events.
    """
    try:
        data, status = work(event), "SUCCESS"
        reason = f"{event['RequestType']} done"
    except Exception as exc:  # noqa: BLE001 - every failure must reach CloudFormation
        LOG.exception("%s failed", event.get("RequestType"))
        data, status = {}, "FAILED"
        reason = f"{type(exc).__name__}: {exc} (log stream {getattr(context, 'log_stream_name', '?')})"
    body = response_body(event, status, physical_id, data, reason)
    payload = json.dumps(body).encode()
    request = urllib.request.Request(
        event["ResponseURL"],
        data=payload,
        method="PUT",
        headers={"Content-Type": "", "Content-Length": str(len(payload))},
    )
    with opener(request, timeout=30) as reply:
        LOG.info("response %s sent: HTTP %s", status, reply.status)
    return body
