"""What an HTTP request to the emulator is, in botocore's terms: signer, service, operation, parameters.

The service comes from the SigV4 credential scope; the operation from botocore's own model of that
service (``X-Amz-Target`` for JSON protocols, ``Action`` for query protocols, method and request URI
for REST protocols). S3's REST API is matched by hand (:func:`_s3_call`): its IAM actions follow the
method, bucket, key and sub-resource, not botocore's operation names.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import parse_qs

import botocore.session

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class ApiCall:
    """One request: its signer's access key, region, botocore service and operation, and parameters."""

    access_key: str
    region: str
    service: str
    operation: str
    params: dict[str, Any] = field(default_factory=dict)
    protocol: str = "json"


@dataclass(frozen=True)
class RawRequest:
    method: str
    host: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


def raw_request(environ: dict[str, Any], body: bytes) -> RawRequest:
    headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = environ[key]
    return RawRequest(
        method=environ["REQUEST_METHOD"],
        host=headers.get("host", ""),
        path=environ.get("PATH_INFO", "/"),
        query=parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True),
        headers=headers,
        body=body,
    )


def signer(request: RawRequest) -> tuple[str, str, str] | None:
    """(access key id, region, signing name) of a SigV4-signed request, or None if it is unsigned."""
    match = _CREDENTIAL.search(request.header("authorization"))
    if match is None and "X-Amz-Credential" in request.query:
        match = _CREDENTIAL.search("Credential=" + request.query["X-Amz-Credential"][0].replace("%2F", "/") + ",")
    return (match.group(1), match.group(2), match.group(3)) if match else None


class UnrecognizedRequest(ValueError):
    """A signed request whose operation cannot be told: the enforcer counts it as unknown."""


def parse(request: RawRequest) -> ApiCall | None:
    """The request as an API call, or None for the emulator's own unsigned endpoints."""
    signed = signer(request)
    if signed is None:
        return None
    access_key, region, signing_name = signed
    if signing_name == "s3":
        return _s3_call(request, access_key, region)
    target = request.header("x-amz-target")
    for model in _models_signed_as(signing_name):
        protocols = model.metadata.get("protocols") or [model.metadata.get("protocol", "")]
        # A service may offer several protocols; botocore signs json when the model lists it.
        protocol = "json" if target and "json" in protocols else protocols[0]
        if target and protocol == "json":
            prefix, _, operation = target.rpartition(".")
            if prefix == model.metadata.get("targetPrefix") and operation in model.operation_names:
                return ApiCall(access_key, region, model.service_name, operation, _json_body(request), protocol)
        elif protocol in ("query", "ec2") and not target:
            form = {**request.query, **parse_qs(request.body.decode("utf-8", "replace"))}
            params = {k: v[0] for k, v in form.items()}
            if params.get("Action") in model.operation_names:
                return ApiCall(access_key, region, model.service_name, params.pop("Action"), params, protocol)
        elif protocol.startswith("rest"):
            found = _rest_operation(model, request)
            if found is not None:
                operation, labels = found
                body = _json_body(request) if protocol == "rest-json" else {}
                flat_query = {k: v[0] for k, v in request.query.items()}
                return ApiCall(
                    access_key, region, model.service_name, operation, {**flat_query, **body, **labels}, protocol
                )
    raise UnrecognizedRequest(f"{signing_name}: {request.method} {request.path} (target {target or '-'})")


# Signing names that are not the botocore service name, or that several services share. Loading every
# botocore model to find out would take seconds; a test checks this table against the models.
SIGNED_AS = {
    "sagemaker": ("sagemaker", "sagemaker-runtime"),
    "monitoring": ("cloudwatch",),
    "elasticfilesystem": ("efs",),
    "events": ("events",),
}


@cache
def _models_signed_as(signing_name: str) -> list[Any]:
    """botocore service models whose requests are signed with ``signing_name``."""
    session = botocore.session.get_session()
    names = SIGNED_AS.get(signing_name, (signing_name,))
    return [session.get_service_model(name) for name in names if name in session.get_available_services()]


@cache
def _uri_pattern(uri: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    path, _, query = uri.partition("?")
    regex = re.sub(r"\\{(\w+)\\\+\\}", r"(?P<\1>.+)", re.escape(path))
    regex = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", regex)
    required = tuple(part.split("=")[0] for part in query.split("&") if part)
    return re.compile(f"^{regex}$"), required


def _rest_operation(model: Any, request: RawRequest) -> tuple[str, dict[str, str]] | None:
    best: tuple[int, str, dict[str, str]] | None = None
    for name in model.operation_names:
        http = model.operation_model(name).http
        if http.get("method") != request.method:
            continue
        pattern, required = _uri_pattern(http["requestUri"])
        match = pattern.match(request.path)
        if match and all(key in request.query for key in required):
            score = len(http["requestUri"])
            if best is None or score > best[0]:
                best = (score, name, match.groupdict())
    return (best[1], best[2]) if best else None


def _json_body(request: RawRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    try:
        parsed = json.loads(request.body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


# S3 sub-resources (query keys) and what a request naming them is; the rest are not the lab's.
_S3_BUCKET_GET = {
    "location": "GetBucketLocation",
    "versions": "ListObjectVersions",
    "policy": "GetBucketPolicy",
    "tagging": "GetBucketTagging",
    "uploads": "ListMultipartUploads",
}


def _s3_call(request: RawRequest, access_key: str, region: str) -> ApiCall:
    host = request.host.split(":")[0]
    # Virtual-host style (the CDK CLI's): <bucket>.localhost; path style: localhost/<bucket>/<key>.
    host_bucket = host.rsplit(".localhost", 1)[0] if host.endswith(".localhost") else ""
    parts = request.path.lstrip("/").split("/", 1)
    if host_bucket:
        bucket, key = host_bucket, request.path.lstrip("/")
    else:
        bucket, key = parts[0], parts[1] if len(parts) > 1 else ""
    params: dict[str, Any] = {"Bucket": bucket, "Key": key, **{k: v[0] for k, v in request.query.items()}}
    if request.header("x-amz-copy-source"):
        params["CopySource"] = request.header("x-amz-copy-source")
    if not bucket:
        operation = "ListBuckets" if request.method == "GET" else ""
    elif not key:
        operation = _s3_bucket_operation(request, params)
    else:
        operation = _s3_object_operation(request, params)
    if not operation:
        raise UnrecognizedRequest(f"s3: {request.method} {request.path}?{'&'.join(sorted(request.query))}")
    return ApiCall(access_key, region, "s3", operation, params, "rest-xml")


def _s3_bucket_operation(request: RawRequest, params: dict[str, Any]) -> str:
    query = set(request.query)
    subresource = sorted(query & set(_S3_BUCKET_GET))
    if request.method == "GET":
        if subresource:
            return _S3_BUCKET_GET[subresource[0]]
        return "ListObjectsV2" if "list-type" in query else "ListObjects"
    if request.method == "HEAD":
        return "HeadBucket"
    if request.method == "POST" and "delete" in query:
        params["Keys"] = re.findall(rb"<Key>([^<]*)</Key>", request.body)
        return "DeleteObjects"
    return ""


_S3_OBJECT_READ_QUERY = {"versionId", "partNumber", "response-content-type"}


def _s3_object_operation(request: RawRequest, params: dict[str, Any]) -> str:
    query, method = set(request.query), request.method
    if method in ("GET", "HEAD") and not query - _S3_OBJECT_READ_QUERY:
        return "GetObject" if method == "GET" else "HeadObject"
    by_query = {
        ("PUT", "uploadId"): "UploadPart",
        ("POST", "uploads"): "CreateMultipartUpload",
        ("POST", "uploadId"): "CompleteMultipartUpload",
        ("DELETE", "uploadId"): "AbortMultipartUpload",
    }
    for (verb, key), operation in by_query.items():
        if method == verb and key in query:
            return operation
    if method == "PUT" and not query:
        return "CopyObject" if "CopySource" in params else "PutObject"
    if method == "DELETE" and not query - {"versionId"}:
        return "DeleteObject"
    return ""
