"""Requests as botocore signs them are told apart as AWS would: service, operation and parameters."""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qs, urlsplit

import boto3
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse

from tools.iam import authorization
from tools.iam.http import SIGNED_AS, RawRequest, UnrecognizedRequest, parse

ENDPOINT = "http://localhost:5999"


def captured(service: str, operation: str, **params) -> RawRequest:
    """The request boto3 would send for one call, stopped before it leaves the process."""
    client = boto3.Session(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x", region_name="eu-west-1").client(
        service, endpoint_url=ENDPOINT
    )
    seen: list[RawRequest] = []

    def stop(request, **kwargs):
        url = urlsplit(request.url)
        body = request.body.read() if hasattr(request.body, "read") else request.body or b""
        body = body.encode() if isinstance(body, str) else body
        seen.append(
            RawRequest(
                request.method,
                url.netloc,
                url.path or "/",
                parse_qs(url.query, keep_blank_values=True),
                {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()},
                body,
            )
        )
        return AWSResponse(request.url, 200, {}, None)

    client.meta.events.register("before-send", stop)
    # The empty response does not parse; the request was captured before that.
    with contextlib.suppress(Exception):
        getattr(client, operation)(**params)
    return seen[0]


CALLS = [
    (
        "sagemaker",
        "create_training_job",
        {
            "TrainingJobName": "mls-train-1",
            "RoleArn": "arn:aws:iam::1:role/r",
            "AlgorithmSpecification": {"TrainingImage": "i", "TrainingInputMode": "File"},
            "OutputDataConfig": {"S3OutputPath": "s3://b/o"},
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
            "StoppingCondition": {"MaxRuntimeInSeconds": 60},
        },
        "sagemaker",
        "CreateTrainingJob",
    ),
    ("sagemaker", "list_endpoints", {}, "sagemaker", "ListEndpoints"),
    (
        "sagemaker-runtime",
        "invoke_endpoint",
        {"EndpointName": "mls-endpoint", "Body": b"1,2"},
        "sagemaker-runtime",
        "InvokeEndpoint",
    ),
    ("sts", "get_caller_identity", {}, "sts", "GetCallerIdentity"),
    ("sns", "publish", {"TopicArn": "arn:aws:sns:eu-west-1:1:t", "Message": "m"}, "sns", "Publish"),
    (
        "logs",
        "get_log_events",
        {"logGroupName": "/aws/sagemaker/TrainingJobs", "logStreamName": "s"},
        "logs",
        "GetLogEvents",
    ),
    (
        "polly",
        "synthesize_speech",
        {"Text": "hi", "OutputFormat": "mp3", "VoiceId": "Joanna"},
        "polly",
        "SynthesizeSpeech",
    ),
    ("comprehend", "detect_sentiment", {"Text": "good", "LanguageCode": "en"}, "comprehend", "DetectSentiment"),
    ("s3", "list_objects_v2", {"Bucket": "study", "Prefix": "data/"}, "s3", "ListObjectsV2"),
    ("s3", "put_object", {"Bucket": "study", "Key": "data/raw/x.csv", "Body": b"1"}, "s3", "PutObject"),
    ("s3", "get_object", {"Bucket": "study", "Key": "output/p.out"}, "s3", "GetObject"),
    ("s3", "head_object", {"Bucket": "study", "Key": "output/p.out"}, "s3", "HeadObject"),
    ("s3", "get_bucket_location", {"Bucket": "study"}, "s3", "GetBucketLocation"),
    ("s3", "create_multipart_upload", {"Bucket": "study", "Key": "k"}, "s3", "CreateMultipartUpload"),
    (
        "s3",
        "delete_objects",
        {"Bucket": "study", "Delete": {"Objects": [{"Key": "a"}, {"Key": "b"}]}},
        "s3",
        "DeleteObjects",
    ),
    ("s3", "list_buckets", {}, "s3", "ListBuckets"),
]


@pytest.mark.parametrize(
    ("service", "method", "params", "expected_service", "expected_operation"),
    CALLS,
    ids=[f"{c[0]}.{c[1]}" for c in CALLS],
)
def test_a_signed_request_is_its_operation(service, method, params, expected_service, expected_operation):
    call = parse(captured(service, method, **params))
    assert (call.service, call.operation, call.access_key, call.region) == (
        expected_service,
        expected_operation,
        "AKIDEXAMPLE",
        "eu-west-1",
    )


def test_parameters_are_read_per_protocol():
    assert parse(captured(*CALLS[0][:2], **CALLS[0][2])).params["ResourceConfig"]["InstanceType"] == "ml.m5.large"
    assert (
        parse(captured("sagemaker-runtime", "invoke_endpoint", EndpointName="mls-e", Body=b"1")).params["EndpointName"]
        == "mls-e"
    )
    assert (
        parse(captured("sns", "publish", TopicArn="arn:aws:sns:eu-west-1:1:t", Message="m")).params["TopicArn"]
        == "arn:aws:sns:eu-west-1:1:t"
    )
    listing = parse(captured("s3", "list_objects_v2", Bucket="study", Prefix="data/"))
    assert (listing.params["Bucket"], listing.params["prefix"]) == ("study", "data/")
    assert parse(captured("s3", "delete_objects", Bucket="b", Delete={"Objects": [{"Key": "a"}, {"Key": "b"}]})).params[
        "Keys"
    ] == [b"a", b"b"]


def test_virtual_host_buckets_are_read_from_the_host():
    request = RawRequest(
        "PUT",
        "cdk-assets.localhost:5999",
        "/asset.zip",
        {},
        {"authorization": "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/s3/aws4_request, Signature=x"},
        b"",
    )
    call = parse(request)
    assert (call.operation, call.params["Bucket"], call.params["Key"]) == ("PutObject", "cdk-assets", "asset.zip")


def test_an_unsigned_request_is_the_emulators_own():
    assert parse(RawRequest("GET", "localhost", "/moto-api/", {}, {}, b"")) is None


def test_an_operation_that_cannot_be_told_is_refused_by_name():
    request = RawRequest(
        "PATCH",
        "localhost",
        "/study/k",
        {"torrent": [""]},
        {"authorization": "Credential=AK/20260101/us-east-1/s3/aws4_request,"},
        b"",
    )
    with pytest.raises(UnrecognizedRequest, match=r"s3: PATCH /study/k\?torrent"):
        parse(request)


def test_the_signing_name_table_matches_botocore():
    session = botocore.session.get_session()
    for signing_name, services in SIGNED_AS.items():
        for service in services:
            metadata = session.get_service_model(service).metadata
            assert metadata.get("signingName", metadata["endpointPrefix"]) == signing_name


def test_every_mapped_operation_is_botocores():
    session = botocore.session.get_session()
    for service, operation in authorization.RULES:
        assert operation in session.get_service_model(service).operation_names, f"{service}:{operation}"
