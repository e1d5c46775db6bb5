"""What the emulator cannot do, and how the rehearsal works around each gap: the one place for both.

moto 5.2 in server mode accepts the real CDK CLI's ``bootstrap``, ``deploy`` and ``destroy``, but it is
not CloudFormation. Each :class:`Gap` below names one difference, what the rehearsal does about it and
what therefore stays unchecked; ``python -m tools.sandbox`` prints this table before it starts.

Two kinds of workaround live here:
- fixes to the embedded emulator (:func:`patch_emulator`), applied in this process only, that make it
  behave as CloudFormation documents (outputs after a change set, placeholders for types it skips);
- stand-ins run against the emulator's API for what CloudFormation would have had a Lambda or the
  service do (:func:`after_deploy`, :func:`before_destroy`).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from study_env.paths import PREPARED_DATA_DIR
from study_env.tags import CLOUDFORMATION_STACK_KEY
from tools import lambda_assets
from tools.assembly import CloudAssembly

BUCKET_DEPLOYMENT_TYPE = "Custom::CDKBucketDeployment"
AUTO_DELETE_TYPE = "Custom::S3AutoDeleteObjects"
LAB_CLEANUP_TYPE = "Custom::LabCleanup"
# What CloudFormation itself resolves without creating anything.
NOT_RESOURCES = ("AWS::CDK::Metadata", "AWS::CloudFormation::WaitCondition", "AWS::CloudFormation::WaitConditionHandle")


@dataclass(frozen=True)
class Gap:
    key: str
    symptom: str
    workaround: str
    unchecked: str


GAPS: tuple[Gap, ...] = (
    Gap(
        "change-set-outputs",
        "a stack deployed through a change set (what `cdk deploy` does) has no Outputs and no Exports, "
        "so a stack that imports from another cannot be created",
        "refresh the stack's outputs and register its exports after the change set runs; clear them "
        "once the stack is deleted (moto resolves outputs lazily, and resolving a Ref to a deleted "
        "resource re-creates it) (patch_emulator)",
        "nothing: outputs and cross-stack imports are then resolved by the emulator",
    ),
    Gap(
        "skipped-types",
        "resource types without a moto model (AWS::SageMaker::Domain, AWS::SageMaker::UserProfile, "
        "AWS::S3::BucketPolicy, ...) are silently not created; an Output or policy that reads one of "
        "their attributes fails with HTTP 500",
        "a placeholder resource stands in for each (Ref and Fn::GetAtt resolve to placeholder names "
        "and ARNs); the rehearsal counts them and checks they are deleted with their stack; the "
        "placeholders of a bucket policy and a topic policy keep their resolved document for the IAM "
        "enforcer (put into moto's S3, the TLS-only statement would refuse the emulator's plain HTTP)",
        "the real properties of every skipped type (listed after deploy under 'not checked')",
    ),
    Gap(
        "custom-resources",
        "custom resources never run: moto tries to invoke their Lambda in Docker, logs the failure and "
        "leaves the resource without data, so BucketDeployment uploads nothing and S3 auto-delete "
        "empties nothing",
        "each custom resource is a placeholder (not invoked); after deploy, copy each "
        "BucketDeployment's published asset zips into its destination bucket and prefix; before "
        "destroy, empty every bucket that has an auto-delete resource, and run the lab's own cleanup "
        "handler (lambda/lab_cleanup/leftovers.py) in-process for each Custom::LabCleanup, as its "
        "Delete would",
        "CDK's own custom resource handlers, and the Studio teardown handlers (their unit tests cover "
        "them with botocore's Stubber; the emulator has no Studio apps or spaces)",
    ),
    Gap(
        "undeletable-types",
        "moto's CloudFormation creates but cannot delete some types: Lambda layer versions, IAM "
        "managed policies, and a VPC's route tables and internet gateways (so deleting the VPC fails "
        "with DependencyViolation and the stack's resources are left behind)",
        "before destroy, delete those resources of each stack through their service's API "
        "(UNDELETABLE in gaps.py); give moto's layer version the physical id (its ARN) that "
        "CloudFormation's Ref returns, so it can be found",
        "the deletion order CloudFormation would use for them",
    ),
    Gap(
        "tuning-trials",
        "a tuning job runs no training jobs: it is Completed at once and names a best training job "
        "'FakeTrainingJobName' that does not exist, so a transform of the tuning job's best model fails",
        "when a tuning job is created, create one trial training job from its training job definition, "
        "named as SageMaker names trials (<tuning job>-001-<8 hex>), make it the best training job and "
        "answer ListTrainingJobsForHyperParameterTuningJob with it (moto has no such action) (patch_emulator)",
        "the search itself: the strategy, ranges and objective are only checked by botocore's shapes "
        "and the launcher's own rules",
    ),
    Gap(
        "cloudformation-tags",
        "resources a stack creates carry no aws:cloudformation:stack-id tag, which CloudFormation adds "
        "to every taggable resource; the lab cleanup would take the serving stack's model for one the "
        "launcher left and delete it, and the stack's own delete then fails",
        "before destroy, tag each stack's SageMaker models, endpoint configurations and endpoints with "
        "aws:cloudformation:stack-id as CloudFormation does",
        "nothing beyond those: the cleanup only reads the tags of jobs, models, endpoint configurations and endpoints",
    ),
    Gap(
        "lambda-code",
        "Lambda functions are created but their code cannot run (no Docker)",
        "the study CLI calls the launcher's handler in-process with the deployed function's own "
        "environment variables, the emulator's endpoint and credentials of the function's own role "
        "(sts:AssumeRole on the deployed role); the lab cleanup handler runs the same way",
        "the Lambda runtime itself (packaging, timeout, memory)",
    ),
    Gap(
        "iam",
        "moto enforces no IAM: every request is accepted whatever its caller's policies say",
        "the IAM enforcer (tools/iam) in front of the emulator checks every request signed with credentials "
        "the rehearsal handed to a lab principal against that role's inline and attached policies (read "
        "back through the emulator's IAM API) and the study bucket's and alerts topic's policies, with "
        "AWS's evaluation logic (@cloud-copilot/iam-simulate): implied iam:PassRole and "
        "sagemaker:AddTags included; a denied request gets AccessDenied, an operation without a mapping "
        "or a condition the evaluator is not tested on is 'unknown'; both fail the rehearsal",
        "the learner's own requests (an administrator: the CDK CLI, the study CLI); what SageMaker does "
        "with the execution role inside a job or endpoint (reading channels, pulling images, writing "
        "logs and models happen inside the service, not through the emulator's API); service control "
        "policies, permission boundaries, session policies, KMS key policies and VPC endpoint policies; "
        "aws:SecureTransport is taken as true (AWS SDKs use TLS; the emulator speaks plain HTTP)",
    ),
    Gap(
        "job-outputs",
        "SageMaker jobs run nothing in the emulator: a processing job writes no outputs, a transform job "
        "no predictions, a transcription job no transcript, and moto drops a processing job's "
        "ProcessingResources and a training job's KmsKeyId, which the SageMaker SDK reads back",
        "when a processing job is created, each output named train, validation or test gets the lab's "
        "prepared split (prepared_data/, which a test keeps equal to what the lab's preprocessing script "
        "makes of the sample dataset); a transform job writes one stand-in score per input row to "
        "<output>/<file>.out; a completed transcription job writes a transcript document naming its "
        "audio; ProcessingResources and an empty KmsKeyId are answered as SageMaker answers them; "
        "ListTrainingJobsForHyperParameterTuningJob lists the tuning trial (patch_emulator)",
        "the jobs' code and containers: what a notebook prints of predictions and transcripts is the "
        "stand-in's, not a model's",
    ),
    Gap(
        "endpoint-answers",
        "moto's InvokeEndpoint answers with a fixed canned body whatever the request",
        "answer each CSV row of the request with a stand-in score in [0, 1) (the same for the same row), "
        "as CSV or, when the request accepts JSON, as XGBoost's JSON predictions document (patch_emulator)",
        "the model: the scores mean nothing",
    ),
    Gap(
        "studio-apps",
        "moto has no Studio apps: ListApps is not implemented",
        "ListApps answers an empty list (patch_emulator), so the reaper's look at the domain's apps runs",
        "stopping an app: the reaper's app part is covered by its Stubber tests",
    ),
    Gap(
        "missing-services",
        "moto has no Amazon Translate, and its Comprehend key phrases are canned offsets with no Text",
        "TranslateText is answered in AWS's response shape with the text marked as translated "
        "(ServiceStandIns, in front of moto); DetectKeyPhrases returns the long words of the request's "
        "own text with their offsets",
        "the services' results: Day 1 shows the calls and their response shapes, not real analysis",
    ),
    Gap(
        "bootstrap-retained",
        "not a gap: CDKToolkit keeps its staging bucket and image repository (DeletionPolicy Retain), "
        "as in a real account",
        "the rehearsal deletes the bootstrap stack, empties and deletes what it retained, so the final "
        "inventory must be empty",
        "nothing",
    ),
)


def describe_gaps() -> str:
    lines = ["Emulator gaps and what this rehearsal does about each (tools/sandbox/gaps.py):"]
    for gap in GAPS:
        lines.append(f"- {gap.key}: {gap.symptom}.")
        lines.append(f"    workaround: {gap.workaround}.")
        lines.append(f"    not checked: {gap.unchecked}.")
    return "\n".join(lines)


# --- emulator fixes (this process only) --------------------------------------------------------------


class Placeholders:
    """Placeholder resources alive in the emulator, and every skipped type seen (for the report)."""

    def __init__(self) -> None:
        self.live: dict[str, str] = {}
        self.seen: Counter[str] = Counter()
        # ("s3", bucket) / ("sns", topic ARN) -> the policy document its placeholder stands for.
        self.resource_policies: dict[tuple[str, str], dict] = {}

    def reset(self) -> None:
        self.live.clear()
        self.seen.clear()
        self.resource_policies.clear()


PLACEHOLDERS = Placeholders()


# The moto release these patches are written against (requirements-dev.txt pins it; a test keeps the two equal).
MOTO_VERSION = "5.2.5"


@dataclass(frozen=True)
class Patch:
    """One name set on a moto module or class: replacing what is there, or (``adds``) adding what is not."""

    owner: Any
    name: str
    value: Any
    adds: bool = False


class EmulatorPatchError(RuntimeError):
    """A patched moto name is not where the patch expects it: moto changed under the rehearsal."""


def check_patches(patches: list[Patch], version: str | None = None) -> None:
    """Fail, naming each name and the moto release to pin, unless every replaced name exists and no added one does.

    ``setattr`` on a name that moto renamed would silently add an attribute nobody calls.
    """
    if version is None:
        import moto

        version = moto.__version__
    problems = []
    for patch in patches:
        owner = getattr(patch.owner, "__qualname__", getattr(patch.owner, "__name__", repr(patch.owner)))
        present = patch.name in vars(patch.owner)
        if present == patch.adds:
            problems.append(f"{owner}.{patch.name} {'already exists' if patch.adds else 'does not exist'}")
    if problems:
        raise EmulatorPatchError(
            f"moto {version}: "
            + "; ".join(problems)
            + f". The rehearsal's emulator patches (tools/sandbox/gaps.py) are written for moto {MOTO_VERSION}: "
            f"pin moto[server]=={MOTO_VERSION} in requirements-dev.txt, or update the patches to this release."
        )


def _skipped_type_patches() -> list[Patch]:
    """'skipped-types' and 'custom-resources': a placeholder for every type moto does not model."""
    from moto.cloudformation import parsing
    from moto.core.common_models import CloudFormationModel

    class PlaceholderResource(CloudFormationModel):
        def __init__(self, resource_type: str, name: str, account_id: str, region_name: str) -> None:
            self.resource_type = resource_type
            self.name = name
            parts = resource_type.lower().split("::")
            service = parts[1] if parts[0] == "aws" else "custom"
            self.arn = f"arn:aws:{service}:{region_name}:{account_id}:{parts[-1]}/{name}"
            self.undo: Callable[[], object] | None = None

        @staticmethod
        def cloudformation_type() -> str:
            return "Placeholder"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
            placeholder = cls(kwargs["ResourceType"], resource_name, account_id, region_name)
            placeholder.undo = _apply_resource_policy(
                placeholder.resource_type, cloudformation_json, account_id, region_name
            )
            PLACEHOLDERS.live[placeholder.arn] = placeholder.resource_type
            PLACEHOLDERS.seen[placeholder.resource_type] += 1
            return placeholder

        @property
        def physical_resource_id(self) -> str:
            return self.name

        def get_cfn_attribute(self, attribute_name: str) -> str:
            return self.arn if attribute_name.endswith("Arn") else f"{self.name}-{attribute_name.lower()}"

        def delete(self, account_id: str, region_name: str) -> None:
            if self.undo is not None:
                self.undo()
            PLACEHOLDERS.live.pop(self.arn, None)

    original = parsing.resource_class_from_type

    def class_from_type(resource_type: str):
        if resource_type in NOT_RESOURCES:
            return None
        if resource_type.startswith("Custom::") or resource_type not in parsing.get_model_map():
            return PlaceholderResource
        return original(resource_type)

    return [Patch(parsing, "resource_class_from_type", class_from_type)]


def _apply_resource_policy(
    resource_type: str, template: dict, account_id: str, region_name: str
) -> Callable[[], object] | None:
    """'skipped-types': keep the study bucket's and the alerts topic's (resolved) policies for the IAM enforcer.

    Not put into moto's S3: it would enforce the TLS-only statement against the emulator's plain HTTP.
    Returns what forgets the policy when the stack deletes the placeholder (None for other types).
    """
    properties = template.get("Properties", {})
    if resource_type == "AWS::S3::BucketPolicy":
        owners = [("s3", properties["Bucket"])]
    elif resource_type == "AWS::SNS::TopicPolicy":
        owners = [("sns", topic) for topic in properties["Topics"]]
    else:
        return None
    for owner in owners:
        PLACEHOLDERS.resource_policies[owner] = properties["PolicyDocument"]

    def forget() -> None:
        for owner in owners:
            PLACEHOLDERS.resource_policies.pop(owner, None)

    return forget


def _change_set_patches() -> list[Patch]:
    """'change-set-outputs': outputs and exports after a change set, cleared once the stack is deleted."""
    from moto.cloudformation.models import CloudFormationBackend, Stack

    original_create = CloudFormationBackend.create_change_set
    original_execute = CloudFormationBackend.execute_change_set
    original_delete = Stack.delete

    def create_change_set(self, *args, **kwargs):
        change_set_id, stack_id = original_create(self, *args, **kwargs)
        stack = self.stacks[stack_id]
        # A new stack must see other stacks' exports for Fn::ImportValue, as create_stack gives it.
        stack.cross_stack_resources = self.exports
        stack.resource_map.cross_stack_resources = self.exports
        return change_set_id, stack_id

    def execute_change_set(self, change_set_name, stack_name=None):
        original_execute(self, change_set_name, stack_name)
        change_set = self.describe_change_set(change_set_name)
        stack = self.stacks[change_set.stack_id]
        stack._parse_template()
        stack.output_map = stack._create_output_map()
        for export in stack.exports:
            self.exports[export.name] = export

    def delete_stack(self):
        original_delete(self)
        self.template_dict = {**self.template_dict, "Outputs": {}}
        self.output_map = self._create_output_map()

    return [
        Patch(CloudFormationBackend, "create_change_set", create_change_set),
        Patch(CloudFormationBackend, "execute_change_set", execute_change_set),
        Patch(Stack, "delete", delete_stack),
    ]


def _tuning_trial_patches() -> list[Patch]:
    """'tuning-trials': one trial training job per tuning job, named as SageMaker names trials, made its best."""
    from moto.sagemaker.exceptions import ValidationError
    from moto.sagemaker.models import SageMakerModelBackend
    from moto.sagemaker.responses import SageMakerResponse

    original = SageMakerModelBackend.create_hyper_parameter_tuning_job

    def create_tuning_job(self, hyper_parameter_tuning_job_name, **kwargs):
        arn = original(self, hyper_parameter_tuning_job_name=hyper_parameter_tuning_job_name, **kwargs)
        definition = kwargs.get("training_job_definition") or (kwargs.get("training_job_definitions") or [None])[0]
        if definition:
            trial_name = f"{hyper_parameter_tuning_job_name}-001-{hashlib.sha256(arn.encode()).hexdigest()[:8]}"
            trial = self.create_training_job(
                training_job_name=trial_name,
                hyper_parameters=definition.get("StaticHyperParameters", {}),
                algorithm_specification=definition["AlgorithmSpecification"],
                role_arn=definition["RoleArn"],
                input_data_config=definition.get("InputDataConfig", []),
                output_data_config=definition["OutputDataConfig"],
                resource_config=definition.get("ResourceConfig") or _resource_config(definition),
                vpc_config=definition.get("VpcConfig"),
                stopping_condition=definition["StoppingCondition"],
                tags=None,
                enable_network_isolation=definition.get("EnableNetworkIsolation", False),
                enable_inter_container_traffic_encryption=False,
                enable_managed_spot_training=definition.get("EnableManagedSpotTraining", False),
                checkpoint_config=definition.get("CheckpointConfig"),
                debug_hook_config=None,
                debug_rule_configurations=None,
                tensor_board_output_config=None,
                experiment_config=None,
            )
            tuning_job = self.hyper_parameter_tuning_jobs[hyper_parameter_tuning_job_name]
            best = {
                "TrainingJobName": trial_name,
                "TrainingJobArn": trial.arn,
                "TuningJobName": hyper_parameter_tuning_job_name,
            }
            tuning_job.best_training_job = {**tuning_job.best_training_job, **best}
            tuning_job.OverallBestTrainingJob = {**tuning_job.OverallBestTrainingJob, **best}
        return arn

    def list_training_jobs_for_tuning_job(self):
        tuning = self._get_param("HyperParameterTuningJobName")
        backend = self.sagemaker_backend
        if tuning not in backend.hyper_parameter_tuning_jobs:
            raise ValidationError(f"Could not find tuning job {tuning}")
        summaries = [
            {
                "TrainingJobName": job.training_job_name,
                "TrainingJobArn": job.arn,
                "TuningJobName": tuning,
                "CreationTime": _epoch(job.creation_time),
                "TrainingJobStatus": job.training_job_status,
                "TunedHyperParameters": {},
            }
            for name, job in backend.training_jobs.items()
            if name.startswith(f"{tuning}-001-")
        ]
        return json.dumps({"TrainingJobSummaries": summaries})

    return [
        Patch(SageMakerModelBackend, "create_hyper_parameter_tuning_job", create_tuning_job),
        Patch(
            SageMakerResponse,
            "list_training_jobs_for_hyper_parameter_tuning_job",
            list_training_jobs_for_tuning_job,
            adds=True,
        ),
    ]


def _layer_patches() -> list[Patch]:
    """'undeletable-types': CloudFormation's Ref of a layer version is its ARN; moto's model has no physical id."""
    from moto.awslambda.models import LayerVersion

    return [Patch(LayerVersion, "physical_resource_id", property(lambda self: self.arn), adds=True)]


def _epoch(when: Any) -> Any:
    return when.timestamp() if hasattr(when, "timestamp") else when


def _s3_backend(account_id: str) -> Any:
    from moto.s3.models import s3_backends

    return s3_backends[account_id]["aws"]


def _score(row: bytes) -> str:
    """A stand-in prediction for one CSV row: a number in [0, 1), the same for the same row."""
    return f"{int(hashlib.sha256(row.strip()).hexdigest()[:8], 16) / 2**32:.6f}"


def _resource_config(definition: dict) -> dict:
    """A training job's ResourceConfig from a tuning job's HyperParameterTuningResourceConfig (SDK 2.x sends that)."""
    tuning = definition.get("HyperParameterTuningResourceConfig") or {}
    return {key: tuning[key] for key in ("InstanceType", "InstanceCount", "VolumeSizeInGB") if key in tuning}


def _job_output_patches() -> list[Patch]:
    """'job-outputs': what the Studio notebooks read back from SageMaker jobs."""
    from moto.sagemaker.models import SageMakerModelBackend
    from moto.sagemaker.responses import SageMakerResponse

    original_create_processing = SageMakerResponse.create_processing_job
    original_describe_processing = SageMakerModelBackend.describe_processing_job
    original_describe_training = SageMakerModelBackend.describe_training_job
    original_create_transform = SageMakerModelBackend.create_transform_job
    resources: dict[str, dict] = {}

    def create_processing_job(self):
        # moto's backend drops ProcessingResources; the SDK reads it back to follow the job's logs.
        resources[self._get_param("ProcessingJobName")] = self._get_param("ProcessingResources") or {}
        answer = original_create_processing(self)
        _write_prepared_splits(
            self.current_account, (self._get_param("ProcessingOutputConfig") or {}).get("Outputs", [])
        )
        return answer

    def describe_processing_job(self, processing_job_name):
        described = dict(original_describe_processing(self, processing_job_name))
        described.setdefault("ProcessingResources", resources.get(processing_job_name, {}))
        return described

    def describe_training_job(self, training_job_name):
        # SageMaker always answers with an (empty) KmsKeyId; the SDK's Estimator.attach reads it.
        described = dict(original_describe_training(self, training_job_name))
        described["OutputDataConfig"] = {"KmsKeyId": "", **described.get("OutputDataConfig", {})}
        return described

    def create_transform_job(self, *args, **kwargs):
        job = original_create_transform(self, *args, **kwargs)
        source = kwargs["transform_input"]["DataSource"]["S3DataSource"]["S3Uri"]
        bucket, _, prefix = source[len("s3://") :].partition("/")
        out_bucket, _, out_prefix = kwargs["transform_output"]["S3OutputPath"][len("s3://") :].partition("/")
        s3 = _s3_backend(self.account_id)
        for key in list(s3.get_bucket(bucket).keys):
            if key.startswith(prefix) and not key.endswith("/"):
                rows = [line for line in s3.get_object(bucket, key).value.splitlines() if line.strip()]
                name = key[len(prefix) :].lstrip("/") or key.rsplit("/", 1)[-1]
                body = "".join(_score(row) + "\n" for row in rows).encode()
                s3.put_object(out_bucket, f"{out_prefix.rstrip('/')}/{name}.out".lstrip("/"), body)
        return job

    return [
        Patch(SageMakerResponse, "create_processing_job", create_processing_job),
        Patch(SageMakerModelBackend, "describe_processing_job", describe_processing_job),
        Patch(SageMakerModelBackend, "describe_training_job", describe_training_job),
        Patch(SageMakerModelBackend, "create_transform_job", create_transform_job),
    ]


def _write_prepared_splits(account_id: str, outputs: list[dict]) -> None:
    """Each processing output named train, validation or test gets the lab's prepared split."""
    for output in outputs:
        split = os.path.join(PREPARED_DATA_DIR, output.get("OutputName", ""))
        uri = (output.get("S3Output") or {}).get("S3Uri", "")
        if output.get("OutputName") and os.path.isdir(split) and uri.startswith("s3://"):
            bucket, _, prefix = uri[len("s3://") :].partition("/")
            for name in sorted(os.listdir(split)):
                with open(os.path.join(split, name), "rb") as fh:
                    _s3_backend(account_id).put_object(bucket, f"{prefix.rstrip('/')}/{name}", fh.read())


def _service_answer_patches() -> list[Patch]:
    """'endpoint-answers', 'missing-services' and 'studio-apps': answers the notebooks and the reaper read."""
    from moto.comprehend.models import ComprehendBackend
    from moto.sagemaker.responses import SageMakerResponse
    from moto.sagemakerruntime.models import SageMakerRuntimeBackend
    from moto.transcribe.models import FakeTranscriptionJob

    original_advance = FakeTranscriptionJob.advance
    original_detect_key_phrases = ComprehendBackend.detect_key_phrases

    def invoke_endpoint(self, endpoint_name, unique_repr):
        request = json.loads(base64.b64decode(unique_repr))
        body = request.get("Body") or ""
        rows = [row for row in (body.encode() if isinstance(body, str) else body).splitlines() if row.strip()] or [b""]
        if "json" in (request.get("Accept") or ""):
            body = json.dumps({"predictions": [{"score": float(_score(row))} for row in rows]})
            return body, "application/json", "AllTraffic", None
        return "".join(_score(row) + "\n" for row in rows), "text/csv", "AllTraffic", None

    def detect_key_phrases(self, text, language):
        # moto's canned phrases carry offsets past a short text and no Text: phrases of the text itself.
        original_detect_key_phrases(self, text, language)
        phrases, start = [], 0
        for word in text.split():
            begin = text.index(word, start)
            start = begin + len(word)
            if len(word.strip(".,!?")) > 6:
                phrases.append({"Score": 0.99, "Text": word.strip(".,!?"), "BeginOffset": begin, "EndOffset": start})
        return phrases

    def advance(self):
        original_advance(self)
        if self.status == "COMPLETED" and self._output_bucket_name and not getattr(self, "_written", False):
            key = self.output_key or f"{self.transcription_job_name}.json"
            text = f"(the emulator's transcript of {self.media['MediaFileUri']})"
            document = {
                "jobName": self.transcription_job_name,
                "status": "COMPLETED",
                "results": {"transcripts": [{"transcript": text}], "items": []},
            }
            _s3_backend(self._account_id).put_object(self._output_bucket_name, key, json.dumps(document).encode())
            self._written = True

    def list_apps(self):
        return json.dumps({"Apps": []})

    return [
        Patch(SageMakerResponse, "list_apps", list_apps, adds=True),
        Patch(SageMakerRuntimeBackend, "invoke_endpoint", invoke_endpoint),
        Patch(FakeTranscriptionJob, "advance", advance),
        Patch(ComprehendBackend, "detect_key_phrases", detect_key_phrases),
    ]


class ServiceStandIns:
    """'missing-services': answers for services moto has no model of, in front of moto's WSGI application.

    Amazon Translate (Day 1): ``TranslateText`` answers with the text marked as translated, in AWS's
    response shape, so the notebook's own code runs; no translation happens.
    """

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("AWSShineFrontendService_20170701."):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            request = json.loads(environ["wsgi.input"].read(length) or b"{}")
            answer = {
                "TranslatedText": f"[{request.get('TargetLanguageCode')}] {request.get('Text', '')}",
                "SourceLanguageCode": request.get("SourceLanguageCode"),
                "TargetLanguageCode": request.get("TargetLanguageCode"),
            }
            body = json.dumps(answer).encode()
            start_response(
                "200 OK", [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(body)))]
            )
            return [body]
        return self.app(environ, start_response)


@contextlib.contextmanager
def patch_emulator() -> Iterator[None]:
    """The emulator fixes of the 'change-set-outputs', 'skipped-types', 'tuning-trials' and 'undeletable-types' gaps.

    moto's classes are patched only while the rehearsal runs, so mock_aws tests in the same process
    see moto as it is.
    """
    patches = [
        *_skipped_type_patches(),
        *_change_set_patches(),
        *_tuning_trial_patches(),
        *_layer_patches(),
        *_job_output_patches(),
        *_service_answer_patches(),
    ]
    check_patches(patches)
    saved = [(patch.owner, patch.name, vars(patch.owner).get(patch.name)) for patch in patches]
    for patch in patches:
        setattr(patch.owner, patch.name, patch.value)
    PLACEHOLDERS.reset()
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Tried to parse AWS::CDK::Metadata")
            yield
    finally:
        for owner, name, value in saved:
            if value is None:
                delattr(owner, name)
            else:
                setattr(owner, name, value)


# --- stand-ins, run against the emulator's API -------------------------------------------------------


def physical_ids(session, stack_name: str) -> dict[str, str]:
    """Logical id → physical id of every resource of a deployed stack."""
    cfn = session.client("cloudformation")
    resources = cfn.describe_stack_resources(StackName=stack_name)["StackResources"]
    return {r["LogicalResourceId"]: r.get("PhysicalResourceId", "") for r in resources if "LogicalResourceId" in r}


def _resolve(value: Any, ids: dict[str, str], account: str, region: str) -> str:
    """The few intrinsic forms CDK writes into custom-resource properties: literals, Ref, Fn::Sub."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Ref" in value:
        return ids[value["Ref"]]
    if isinstance(value, dict) and "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
        return value["Fn::Sub"].replace("${AWS::AccountId}", account).replace("${AWS::Region}", region)
    raise ValueError(f"sandbox: cannot resolve custom-resource property {value!r}")


def after_deploy(session, assembly: CloudAssembly, account: str, region: str) -> list[str]:
    """'custom-resources' gap: do what each BucketDeployment would have done. Returns what it did."""
    s3 = session.client("s3")
    done = []
    for stack in assembly.stacks:
        deployments = stack.resources_of(BUCKET_DEPLOYMENT_TYPE)
        if not deployments:
            continue
        ids = physical_ids(session, stack.stack_name)
        for logical_id, resource in sorted(deployments.items()):
            props = resource["Properties"]
            bucket = _resolve(props["DestinationBucketName"], ids, account, region)
            prefix = props.get("DestinationBucketKeyPrefix", "")
            count = 0
            for source_bucket, source_key in zip(props["SourceBucketNames"], props["SourceObjectKeys"], strict=True):
                body = s3.get_object(Bucket=_resolve(source_bucket, ids, account, region), Key=source_key)[
                    "Body"
                ].read()
                with zipfile.ZipFile(io.BytesIO(body)) as archive:
                    for member in archive.infolist():
                        if member.is_dir():
                            continue
                        s3.put_object(Bucket=bucket, Key=prefix + member.filename, Body=archive.read(member))
                        count += 1
            done.append(f"{stack.stack_name}/{logical_id}: {count} objects into s3://{bucket}/{prefix}")
    return done


def empty_bucket(s3, bucket: str) -> int:
    """Delete every object version and delete marker in ``bucket``; return how many."""
    removed = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        entries = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        for start in range(0, len(entries), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": entries[start : start + 1000], "Quiet": True})
        removed += len(entries)
    return removed


# The types whose stack-id tag the lab cleanup reads (to leave what a stack manages to its stack).
CLOUDFORMATION_TAGGED = ("AWS::SageMaker::Model", "AWS::SageMaker::EndpointConfig", "AWS::SageMaker::Endpoint")


def tag_stack_models(session) -> list[str]:
    """'cloudformation-tags' gap: the stack-id tag CloudFormation puts on the models and endpoints it creates."""
    cfn, sm = session.client("cloudformation"), session.client("sagemaker")
    done = []
    for stack in cfn.describe_stacks()["Stacks"]:
        for resource in cfn.describe_stack_resources(StackName=stack["StackName"])["StackResources"]:
            if resource.get("ResourceType") in CLOUDFORMATION_TAGGED and resource.get("PhysicalResourceId"):
                # The physical id (Ref) of a model, an endpoint configuration and an endpoint is its ARN.
                sm.add_tags(
                    ResourceArn=resource["PhysicalResourceId"],
                    Tags=[{"Key": CLOUDFORMATION_STACK_KEY, "Value": stack["StackId"]}],
                )
                done.append(f"{stack['StackName']}/{resource['LogicalResourceId']}: tagged {CLOUDFORMATION_STACK_KEY}")
    return done


def before_destroy(emulator, assembly: CloudAssembly) -> list[str]:
    """'custom-resources', 'cloudformation-tags' and 'undeletable-types' gaps: what destroy needs done first.

    The lab's cleanup handler runs as its own function's role, as CloudFormation's Delete would run it.
    """
    session = emulator.session()
    s3 = session.client("s3")
    done = tag_stack_models(session)
    for stack in assembly.stacks:
        try:
            ids = physical_ids(session, stack.stack_name)
        except ClientError:
            continue  # not deployed
        for logical_id, resource in sorted(stack.resources_of(AUTO_DELETE_TYPE).items()):
            bucket = _resolve(resource["Properties"]["BucketName"], ids, "", "")
            done.append(f"{stack.stack_name}/{logical_id}: emptied s3://{bucket} ({empty_bucket(s3, bucket)} objects)")
        for logical_id, resource in sorted(stack.resources_of(LAB_CLEANUP_TYPE).items()):
            event = {"RequestType": "Delete", "ResourceProperties": resource["Properties"]}
            role = function_role(session, ids[resource["Properties"]["ServiceToken"]["Fn::GetAtt"][0]])
            as_function = emulator.iam.session(role, f"{stack.stack_name} lab cleanup")
            report = _lab_cleanup_module().on_event(event, sm=as_function.client("sagemaker"))
            done.append(f"{stack.stack_name}/{logical_id}: ran the cleanup handler as {role}: {report}")
        for resource_type, delete in UNDELETABLE.items():
            for logical_id in sorted(stack.resources_of(resource_type)):
                if ids.get(logical_id):
                    delete(session, ids[logical_id])
                    done.append(f"{stack.stack_name}/{logical_id}: deleted {resource_type} {ids[logical_id]}")
    return done


def sagemaker_resource_tags(arn: str) -> dict[str, str] | None:
    """The tags of a SageMaker resource in the emulator, None if there is no such resource.

    Read from moto's backend: its ListTags answers HTTP 500 for a resource that does not exist.
    """
    from moto.sagemaker.models import sagemaker_backends

    _, _, _, region, account, _ = arn.split(":", 5)
    try:
        resource = sagemaker_backends[account][region]._get_resource_from_arn(arn)
    except Exception:  # noqa: BLE001 - moto raises ValidationError or KeyError for what it does not hold
        return None
    return None if resource is None else {t["Key"]: t["Value"] for t in resource.tags or []}


def function_role(session, function_name: str) -> str:
    """The role a deployed Lambda function runs as."""
    return session.client("lambda").get_function_configuration(FunctionName=function_name)["Role"]


def _lab_cleanup_module():
    """The cleanup Lambda's own module, loaded by path (its folder is an asset, not a package)."""
    return lambda_assets.load("lab_cleanup", "leftovers", name="sandbox_lab_cleanup")


def _delete_layer_version(session, arn: str) -> None:
    *_, name, version = arn.split(":")
    session.client("lambda").delete_layer_version(LayerName=name, VersionNumber=int(version))


def _delete_managed_policy(session, arn: str) -> None:
    iam = session.client("iam")
    for page in iam.get_paginator("list_entities_for_policy").paginate(PolicyArn=arn):
        for role in page.get("PolicyRoles", []):
            iam.detach_role_policy(RoleName=role["RoleName"], PolicyArn=arn)
    iam.delete_policy(PolicyArn=arn)


def _delete_route_table(session, table_id: str) -> None:
    ec2 = session.client("ec2")
    table = ec2.describe_route_tables(RouteTableIds=[table_id])["RouteTables"][0]
    for association in table.get("Associations", []):
        if not association.get("Main"):
            ec2.disassociate_route_table(AssociationId=association["RouteTableAssociationId"])
    ec2.delete_route_table(RouteTableId=table_id)


def _delete_internet_gateway(session, gateway_id: str) -> None:
    ec2 = session.client("ec2")
    gateway = ec2.describe_internet_gateways(InternetGatewayIds=[gateway_id])["InternetGateways"][0]
    for attachment in gateway.get("Attachments", []):
        ec2.detach_internet_gateway(InternetGatewayId=gateway_id, VpcId=attachment["VpcId"])
    ec2.delete_internet_gateway(InternetGatewayId=gateway_id)


# Types moto's CloudFormation creates but cannot delete, each with how to delete one by physical id.
# (Routes, route table associations and gateway attachments go with their table or gateway.)
UNDELETABLE = {
    "AWS::Lambda::LayerVersion": _delete_layer_version,
    "AWS::IAM::ManagedPolicy": _delete_managed_policy,
    "AWS::EC2::RouteTable": _delete_route_table,
    "AWS::EC2::InternetGateway": _delete_internet_gateway,
}
