"""What IAM checks for each API call: actions, resources and condition context, implied checks included.

:data:`RULES` has one entry per (service, operation) the lab's principals use. An operation without
an entry is :class:`Unmapped`: the enforcer counts it as unknown, by name, and never lets it pass
unchecked. Each rule returns the :class:`Check` list AWS makes for the request (Service Authorization
Reference, "Actions, resources, and condition keys"), with every condition key AWS would send and,
in ``known_absent``, the ones it would not (so a policy reading a key the mapping forgot is caught).

Implied checks (``implied``): passing a role (``RoleArn``, ``ExecutionRoleArn``) is ``iam:PassRole``
on it with ``iam:PassedToService``; a SageMaker create that carries tags, or any create a Studio
session makes (Studio adds ``sagemaker:domain-arn`` and its other tags itself), is also
``sagemaker:AddTags`` on the new resource with ``sagemaker:TaggingAction`` = the create's operation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from tools.iam.http import ApiCall

Context = dict[str, str | list[str]]


@dataclass(frozen=True)
class Check:
    action: str
    resource: str
    context: Context = field(default_factory=dict)
    known_absent: tuple[str, ...] = ()
    # ("s3", bucket) or ("sns", topic ARN): whose resource policy applies too.
    resource_policy: tuple[str, str] | None = None


class Unmapped(LookupError):
    """An operation this table does not know: its authorization cannot be checked."""


class Facts(Protocol):
    """What the rules look up in the emulator."""

    account: str

    def resource_tags(self, arn: str) -> dict[str, str] | None:
        """The tags of an existing resource; None when it does not exist (yet)."""


@dataclass(frozen=True)
class Caller:
    """Who makes the call, as far as the rules care."""

    studio: bool = False


Rule = Callable[[ApiCall, Facts, Caller], list[Check]]

# Tag context: the complete set is known, so a tag it lacks is absent (not forgotten).
_RESOURCE_TAG_KEYS = ("aws:ResourceTag/", "sagemaker:ResourceTag/")
_REQUEST_TAG_KEYS = ("aws:RequestTag/", "aws:TagKeys")
PASSED_TO = {"sagemaker": "sagemaker.amazonaws.com"}


def arn(call: ApiCall, facts: Facts, service: str, resource: str) -> str:
    return f"arn:aws:{service}:{call.region}:{facts.account}:{resource}"


# --- SageMaker -----------------------------------------------------------------------------------

# Request parameter naming each SageMaker resource, and its ARN resource type.
SAGEMAKER_NAMES = {
    "TrainingJobName": "training-job",
    "ProcessingJobName": "processing-job",
    "HyperParameterTuningJobName": "hyper-parameter-tuning-job",
    "TransformJobName": "transform-job",
    "ModelName": "model",
    "EndpointConfigName": "endpoint-config",
    "EndpointName": "endpoint",
}


def sagemaker_arn(call: ApiCall, facts: Facts, resource_type: str, name: str) -> str:
    # SageMaker writes resource names in lower case in its ARNs.
    return arn(call, facts, "sagemaker", f"{resource_type}/{name.lower()}")


def _named(call: ApiCall, facts: Facts, name_param: str) -> str:
    if name_param not in call.params:
        raise Unmapped(f"sagemaker:{call.operation} without {name_param}")
    return sagemaker_arn(call, facts, SAGEMAKER_NAMES[name_param], call.params[name_param])


def _existing(arn_: str, facts: Facts) -> Context:
    tags = facts.resource_tags(arn_) or {}
    return {f"{prefix}{key}": value for key, value in tags.items() for prefix in _RESOURCE_TAG_KEYS}


def _tags(call: ApiCall) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in call.params.get("Tags") or []}


def _request_tags(tags: dict[str, str]) -> Context:
    context: Context = {f"aws:RequestTag/{k}": v for k, v in tags.items()}
    if tags:
        context["aws:TagKeys"] = sorted(tags)
    return context


def _values(found: Iterator[Any]) -> list[str]:
    return sorted({str(v) for v in found if v})


def _instance_types(call: ApiCall) -> list[str]:
    p = call.params
    definitions = [p.get("TrainingJobDefinition") or {}, *(p.get("TrainingJobDefinitions") or [])]
    return _values(
        iter(
            [
                (p.get("ResourceConfig") or {}).get("InstanceType"),
                *(g.get("InstanceType") for g in (p.get("ResourceConfig") or {}).get("InstanceGroups") or []),
                ((p.get("ProcessingResources") or {}).get("ClusterConfig") or {}).get("InstanceType"),
                *((d.get("ResourceConfig") or {}).get("InstanceType") for d in definitions),
                *((d.get("HyperParameterTuningResourceConfig") or {}).get("InstanceType") for d in definitions),
                *(
                    c.get("InstanceType")
                    for d in definitions
                    for c in (d.get("HyperParameterTuningResourceConfig") or {}).get("InstanceConfigs") or []
                ),
                (p.get("TransformResources") or {}).get("InstanceType"),
                *(v.get("InstanceType") for v in p.get("ProductionVariants") or []),
                (p.get("ResourceSpec") or {}).get("InstanceType"),
            ]
        )
    )


def _create_context(call: ApiCall, facts: Facts) -> tuple[Context, tuple[str, ...]]:
    """Condition keys of the SageMaker creates the lab makes, and which of them this request leaves out."""
    context: Context = {}
    absent: list[str] = []
    types = _instance_types(call)
    if call.operation in (
        "CreateTrainingJob",
        "CreateProcessingJob",
        "CreateHyperParameterTuningJob",
        "CreateTransformJob",
        "CreateEndpointConfig",
        "CreateApp",
    ):
        if types:
            context["sagemaker:InstanceTypes"] = types
        else:
            absent.append("sagemaker:InstanceTypes")
    models = _values(
        iter(
            [
                call.params.get("ModelName") if call.operation == "CreateTransformJob" else None,
                *(v.get("ModelName") for v in call.params.get("ProductionVariants") or []),
            ]
        )
    )
    if call.operation in ("CreateTransformJob", "CreateEndpointConfig"):
        if models:
            model_arns = [sagemaker_arn(call, facts, "model", m) for m in models]
            context["sagemaker:ModelArn"] = model_arns[0] if call.operation == "CreateTransformJob" else model_arns
        else:
            absent.append("sagemaker:ModelArn")
    if call.operation == "CreateEndpointConfig":
        serverless = [
            v["ServerlessConfig"] for v in call.params.get("ProductionVariants") or [] if v.get("ServerlessConfig")
        ]
        for key, field_name in (
            ("sagemaker:ServerlessMemorySize", "MemorySizeInMB"),
            ("sagemaker:ServerlessMaxConcurrency", "MaxConcurrency"),
        ):
            values = _values(s.get(field_name) for s in serverless)
            if values:
                context[key] = values
            else:
                absent.append(key)
    stopping = call.params.get("StoppingCondition") or (call.params.get("TrainingJobDefinition") or {}).get(
        "StoppingCondition"
    )
    if call.operation in ("CreateTrainingJob", "CreateHyperParameterTuningJob") and stopping:
        context["sagemaker:MaxRuntimeInSeconds"] = str(stopping.get("MaxRuntimeInSeconds"))
    return context, tuple(absent)


def _sagemaker_create(name_param: str) -> Rule:
    def rule(call: ApiCall, facts: Facts, caller: Caller) -> list[Check]:
        created = _named(call, facts, name_param)
        tags = _tags(call)
        context, absent = _create_context(call, facts)
        checks = [
            Check(
                f"sagemaker:{call.operation}",
                created,
                {**context, **_request_tags(tags)},
                (*absent, *_REQUEST_TAG_KEYS, *_RESOURCE_TAG_KEYS),
            )
        ]
        if call.operation == "CreateEndpoint":
            # Creating an endpoint is authorized on its configuration too (a required resource), with the
            # same request context: the request's tags are the request's, whichever resource is checked.
            config = sagemaker_arn(call, facts, "endpoint-config", call.params["EndpointConfigName"])
            checks.append(
                Check(
                    "sagemaker:CreateEndpoint",
                    config,
                    {**_existing(config, facts), **_request_tags(tags)},
                    (*_REQUEST_TAG_KEYS, *_RESOURCE_TAG_KEYS),
                )
            )
        if tags or caller.studio:
            checks.append(
                Check(
                    "sagemaker:AddTags",
                    created,
                    {"sagemaker:TaggingAction": call.operation, **_request_tags(tags)},
                    (*_REQUEST_TAG_KEYS, *_RESOURCE_TAG_KEYS),
                )
            )
        return checks + list(implied_pass_roles(call, facts))

    return rule


def _sagemaker_named(name_param: str, action: str | None = None) -> Rule:
    def rule(call: ApiCall, facts: Facts, caller: Caller) -> list[Check]:
        target = _named(call, facts, name_param)
        return [Check(action or f"sagemaker:{call.operation}", target, _existing(target, facts), _RESOURCE_TAG_KEYS)]

    return rule


def _sagemaker_any(call: ApiCall, facts: Facts, caller: Caller) -> list[Check]:
    return [Check(f"sagemaker:{call.operation}", "*")]


def _sagemaker_tags(call: ApiCall, facts: Facts, caller: Caller) -> list[Check]:
    target = call.params["ResourceArn"]
    context: Context = _existing(target, facts)
    absent: tuple[str, ...] = _RESOURCE_TAG_KEYS
    if call.operation == "AddTags":
        # Not part of a create: TaggingAction is absent (a statement requiring it does not match).
        context.update(_request_tags(_tags(call)))
        absent += (*_REQUEST_TAG_KEYS, "sagemaker:TaggingAction")
    return [Check(f"sagemaker:{call.operation}", target, context, absent)]


def _domain(call: ApiCall, facts: Facts, caller: Caller) -> list[Check]:
    target = arn(call, facts, "sagemaker", f"domain/{call.params['DomainId']}")
    return [Check(f"sagemaker:{call.operation}", target, _existing(target, facts), _RESOURCE_TAG_KEYS)]


def _user_profile(call: ApiCall, facts: Facts, caller: Caller) -> list[Check]:
    target = arn(call, facts, "sagemaker", f"user-profile/{call.params['DomainId']}/{call.params['UserProfileName']}")
    return [Check(f"sagemaker:{call.operation}", target, _existing(target, facts), _RESOURCE_TAG_KEYS)]


def implied_pass_roles(call: ApiCall, facts: Facts) -> Iterator[Check]:
    """``iam:PassRole`` on every role the request hands to the service."""
    service = "sagemaker" if call.service.startswith("sagemaker") else call.service
    for role in sorted(set(_role_arns(call.params))):
        yield Check(
            "iam:PassRole",
            role,
            {"iam:PassedToService": PASSED_TO.get(service, f"{service}.amazonaws.com")},
            ("iam:AssociatedResourceArn",),
        )


def _role_arns(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("RoleArn", "ExecutionRoleArn") and isinstance(item, str):
                yield item
            else:
                yield from _role_arns(item)
    elif isinstance(value, list):
        for item in value:
            yield from _role_arns(item)


# --- S3 ------------------------------------------------------------------------------------------


def _s3_object(action: str) -> Rule:
    def rule(call: ApiCall, facts: Facts, caller: Caller) -> list[Check]:
        bucket, key = call.params["Bucket"], call.params["Key"]
        name = action + ("Version" if action == "s3:GetObject" and call.params.get("versionId") else "")
        return [Check(name, f"arn:aws:s3:::{bucket}/{key}", resource_policy=("s3", bucket))]

    return rule


def _s3_copy(call: ApiCall, facts: Facts, caller: Caller) -> list[Check]:
    source = call.params["CopySource"].lstrip("/").split("?")[0]
    bucket = source.split("/", 1)[0]
    return _s3_object("s3:PutObject")(call, facts, caller) + [
        Check("s3:GetObject", f"arn:aws:s3:::{source}", resource_policy=("s3", bucket))
    ]


def _s3_bucket(action: str) -> Rule:
    def rule(call: ApiCall, facts: Facts, caller: Caller) -> list[Check]:
        bucket = call.params["Bucket"]
        context: Context = {}
        absent: tuple[str, ...] = ()
        if action in ("s3:ListBucket", "s3:ListBucketVersions"):
            if call.params.get("prefix"):
                context["s3:prefix"] = call.params["prefix"]
            else:
                absent = ("s3:prefix",)
        return [Check(action, f"arn:aws:s3:::{bucket}", context, absent, ("s3", bucket))]

    return rule


def _s3_delete_objects(call: ApiCall, facts: Facts, caller: Caller) -> list[Check]:
    bucket = call.params["Bucket"]
    return [
        Check("s3:DeleteObject", f"arn:aws:s3:::{bucket}/{key.decode()}", resource_policy=("s3", bucket))
        for key in call.params["Keys"]
    ]


# --- other services ----------------------------------------------------------------------------


def _any(action: str) -> Rule:
    def rule(call: ApiCall, facts: Facts, caller: Caller) -> list[Check]:
        return [Check(action, "*")]

    return rule


def _log_group(call: ApiCall, facts: Facts, caller: Caller) -> list[Check]:
    group = call.params["logGroupName"]
    if call.operation == "GetLogEvents":
        target = arn(call, facts, "logs", f"log-group:{group}:log-stream:{call.params['logStreamName']}")
    else:
        target = arn(call, facts, "logs", f"log-group:{group}")
    return [Check(f"logs:{call.operation}", target)]


def _sns_publish(call: ApiCall, facts: Facts, caller: Caller) -> list[Check]:
    topic = call.params["TopicArn"]
    return [Check("sns:Publish", topic, resource_policy=("sns", topic))]


def _transcribe_start(call: ApiCall, facts: Facts, caller: Caller) -> list[Check]:
    context: Context = (
        {"transcribe:OutputBucketName": call.params["OutputBucketName"]} if call.params.get("OutputBucketName") else {}
    )
    if call.params.get("OutputKey"):
        context["transcribe:OutputKey"] = call.params["OutputKey"]
    absent = tuple(k for k in ("transcribe:OutputBucketName", "transcribe:OutputKey") if k not in context)
    tags = _tags(call)
    return [
        Check(
            "transcribe:StartTranscriptionJob",
            "*",
            {**context, **_request_tags(tags)},
            (*absent, "transcribe:OutputEncryptionKMSKeyId", *_REQUEST_TAG_KEYS, "aws:ResourceTag/"),
        )
    ]


def _transcription_job(call: ApiCall, facts: Facts, caller: Caller) -> list[Check]:
    job = arn(call, facts, "transcribe", f"transcription-job/{call.params['TranscriptionJobName']}")
    return [Check(f"transcribe:{call.operation}", job)]


def _no_check(call: ApiCall, facts: Facts, caller: Caller) -> list[Check]:
    # sts:GetCallerIdentity needs no permission: AWS answers it even under an explicit deny.
    return []


RULES: dict[tuple[str, str], Rule] = {
    **{
        ("sagemaker", f"Create{kind}"): _sagemaker_create(f"{kind}Name")
        for kind in (
            "TrainingJob",
            "ProcessingJob",
            "HyperParameterTuningJob",
            "TransformJob",
            "Model",
            "EndpointConfig",
            "Endpoint",
        )
    },
    **{
        ("sagemaker", f"{verb}{kind}"): _sagemaker_named(f"{kind}Name")
        for kind in ("TrainingJob", "ProcessingJob", "HyperParameterTuningJob", "TransformJob")
        for verb in ("Describe", "Stop")
    },
    **{
        ("sagemaker", f"{verb}{kind}"): _sagemaker_named(f"{kind}Name")
        for kind in ("Model", "EndpointConfig", "Endpoint")
        for verb in ("Describe", "Delete")
    },
    ("sagemaker", "ListTrainingJobsForHyperParameterTuningJob"): _sagemaker_named("HyperParameterTuningJobName"),
    **{
        ("sagemaker", f"List{kinds}"): _sagemaker_any
        for kinds in (
            "TrainingJobs",
            "ProcessingJobs",
            "HyperParameterTuningJobs",
            "TransformJobs",
            "Models",
            "EndpointConfigs",
            "Endpoints",
            "Apps",
            "Spaces",
            "Domains",
            "UserProfiles",
        )
    },
    ("sagemaker", "AddTags"): _sagemaker_tags,
    ("sagemaker", "ListTags"): _sagemaker_tags,
    ("sagemaker", "DeleteTags"): _sagemaker_tags,
    ("sagemaker", "DescribeDomain"): _domain,
    ("sagemaker", "DescribeUserProfile"): _user_profile,
    ("sagemaker-runtime", "InvokeEndpoint"): _sagemaker_named("EndpointName", "sagemaker:InvokeEndpoint"),
    ("sagemaker-runtime", "InvokeEndpointAsync"): _sagemaker_named("EndpointName", "sagemaker:InvokeEndpointAsync"),
    ("s3", "ListBuckets"): _any("s3:ListAllMyBuckets"),
    ("s3", "ListObjects"): _s3_bucket("s3:ListBucket"),
    ("s3", "ListObjectsV2"): _s3_bucket("s3:ListBucket"),
    ("s3", "HeadBucket"): _s3_bucket("s3:ListBucket"),
    ("s3", "ListObjectVersions"): _s3_bucket("s3:ListBucketVersions"),
    ("s3", "GetBucketLocation"): _s3_bucket("s3:GetBucketLocation"),
    ("s3", "ListMultipartUploads"): _s3_bucket("s3:ListBucketMultipartUploads"),
    ("s3", "GetObject"): _s3_object("s3:GetObject"),
    ("s3", "HeadObject"): _s3_object("s3:GetObject"),
    ("s3", "PutObject"): _s3_object("s3:PutObject"),
    ("s3", "CreateMultipartUpload"): _s3_object("s3:PutObject"),
    ("s3", "UploadPart"): _s3_object("s3:PutObject"),
    ("s3", "CompleteMultipartUpload"): _s3_object("s3:PutObject"),
    ("s3", "AbortMultipartUpload"): _s3_object("s3:AbortMultipartUpload"),
    ("s3", "CopyObject"): _s3_copy,
    ("s3", "DeleteObject"): _s3_object("s3:DeleteObject"),
    ("s3", "DeleteObjects"): _s3_delete_objects,
    ("logs", "GetLogEvents"): _log_group,
    ("logs", "FilterLogEvents"): _log_group,
    ("logs", "DescribeLogStreams"): _log_group,
    ("sns", "Publish"): _sns_publish,
    ("sts", "GetCallerIdentity"): _no_check,
    ("comprehend", "DetectSentiment"): _any("comprehend:DetectSentiment"),
    ("comprehend", "DetectKeyPhrases"): _any("comprehend:DetectKeyPhrases"),
    ("comprehend", "DetectEntities"): _any("comprehend:DetectEntities"),
    ("comprehend", "DetectDominantLanguage"): _any("comprehend:DetectDominantLanguage"),
    ("translate", "TranslateText"): _any("translate:TranslateText"),
    ("polly", "SynthesizeSpeech"): _any("polly:SynthesizeSpeech"),
    ("polly", "DescribeVoices"): _any("polly:DescribeVoices"),
    ("rekognition", "DetectLabels"): _any("rekognition:DetectLabels"),
    ("rekognition", "DetectText"): _any("rekognition:DetectText"),
    ("textract", "DetectDocumentText"): _any("textract:DetectDocumentText"),
    ("transcribe", "StartTranscriptionJob"): _transcribe_start,
    ("transcribe", "GetTranscriptionJob"): _transcription_job,
    ("transcribe", "DeleteTranscriptionJob"): _transcription_job,
}


def checks_for(call: ApiCall, facts: Facts, caller: Caller) -> list[Check]:
    """The checks AWS makes for ``call``; raises :class:`Unmapped` for an operation not in :data:`RULES`."""
    rule = RULES.get((call.service, call.operation))
    if rule is None:
        raise Unmapped(f"{call.service}:{call.operation}")
    return rule(call, facts, caller)
