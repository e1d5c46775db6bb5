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
# CloudFormation shows at most this much of a reason; keep the start, where the cause is.
MAX_REASON = 4000

Work = Callable[[Mapping[str, Any]], dict[str, Any]]


def response_body(
    event: Mapping[str, Any], status: str, physical_id: str, data: Mapping[str, Any], reason: str
) -> dict:
    return {
        "Status": status,
        "Reason": reason[:MAX_REASON],
        "PhysicalResourceId": physical_id,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": False,
        "Data": dict(data),
    }


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
