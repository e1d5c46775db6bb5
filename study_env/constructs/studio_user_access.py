"""What the study plan's notebooks need from the role they run as in Studio, each grant with its cost guard.

The Foundation gives the execution role what SageMaker jobs need (the bucket's layout prefixes, logs,
images). This adds, as its own policy in the Studio stack, what the learner's notebook code does Day
by Day, with the condition that keeps each part cheap and the lab's own:

- jobs of any name (the SDK names them ``sagemaker-xgboost-...``, ``kmeans-...``) but only on
  ``allowed_instance_types``; following and stopping them (no condition: nothing to guard);
- models, endpoint configurations and endpoints: configurations on allowed instance types or
  serverless, endpoints only carrying the lab's tag (the SDK defaults file tags them), invoking and
  deleting only endpoints that carry it;
- ``sagemaker:AddTags`` only as part of one of those creates (``sagemaker:TaggingAction``): Studio
  and the SDK tag what they create, and nothing else may be re-tagged as the lab's;
- reading ``output/`` (Day 12's predictions) and uploading to ``data/raw/`` (Day 4);
- Day 1's pay-per-request AI services (detect, translate, synthesize; Transcribe jobs writing only
  into the study bucket) and Day 2's tour of what exists (list calls).

Statements are split so a condition sits only with the actions it is about: a ``ForAllValues``
condition is true when its key is absent, so it must not share a statement with actions that never
send the key.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from study_env.arns import sagemaker_arn
from study_env.constructs.execution_role import SageMakerExecutionRole
from study_env.constructs.studio_domain import StudioDomain
from study_env.constructs.study_bucket import StudyBucket
from study_env.job_kinds import ENDPOINT, ENDPOINT_CONFIG, JOB_KINDS, MODEL, TUNING
from study_env.nag import SAGEMAKER_LOG_GROUP, acknowledge, sagemaker_resource_finding
from study_env.naming import INSTANCE_TYPE, LAB_PREFIX
from study_env.tags import PREFIX_KEY

# Every create the notebooks make; AddTags is allowed only as part of one of them.
CREATES = (*(kind for kind in JOB_KINDS), MODEL, ENDPOINT_CONFIG, ENDPOINT)
# Day 2's tour and the notebooks' "what still bills" check. IAM scopes no List* call.
LIST_ACTIONS = tuple(kind.action("List") for kind in (*JOB_KINDS, MODEL, ENDPOINT_CONFIG, ENDPOINT))
# Day 1: pay-per-request calls on small inputs; none of them has a resource to scope to.
AI_SERVICE_ACTIONS = (
    "comprehend:DetectSentiment",
    "comprehend:DetectKeyPhrases",
    "translate:TranslateText",
    "polly:SynthesizeSpeech",
    "rekognition:DetectLabels",
    "rekognition:DetectText",
    "textract:DetectDocumentText",
)


class StudioUserAccess(Construct):
    """Adds to ``execution_role`` (as its own policy, in this stack) what the Studio user's notebooks do.

    See the module documentation for each grant and its guard.

    :param execution_role: the role Studio's apps run as; the grants go into a policy of this stack.
    :param studio: the domain whose apps and spaces the user runs.
    :param study_bucket: the bucket the notebooks read predictions from and upload raw data to.
    :param prefix: the lab's prefix: endpoints the user creates, invokes or deletes carry
        ``study-env:prefix=<prefix>``.
    :param allowed_instance_types: the only instance types the user's jobs and endpoints may use.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        execution_role: SageMakerExecutionRole,
        studio: StudioDomain,
        study_bucket: StudyBucket,
        prefix: str,
        allowed_instance_types: Sequence[str],
    ) -> None:
        super().__init__(scope, id)
        LAB_PREFIX.check("StudioUserAccess", "prefix", prefix)
        if not allowed_instance_types:
            raise ValueError("StudioUserAccess allowed_instance_types: name at least one instance type")
        for instance_type in allowed_instance_types:
            INSTANCE_TYPE.check("StudioUserAccess", "allowed_instance_types", instance_type)
        # An imported role puts every grant below into one policy of this stack, leaving the Foundation's untouched.
        self.role = iam.Role.from_role_arn(self, "Role", execution_role.role_arn)
        self.stack = Stack.of(self)
        allowed = {"ForAllValues:StringEquals": {"sagemaker:InstanceTypes": list(allowed_instance_types)}}
        labs = {"StringEquals": {f"aws:ResourceTag/{PREFIX_KEY}": prefix}}

        studio.grant_studio_user(self.role)
        self._allow(
            "NotebookCreateJobs",
            [kind.action("Create") for kind in JOB_KINDS],
            [self.arns(kind.arn_type) for kind in JOB_KINDS],
            # A job always names its instance type: Null=false keeps ForAllValues from passing without one.
            {**allowed, "Null": {"sagemaker:InstanceTypes": "false"}},
        )
        self._allow(
            "NotebookFollowJobs",
            [
                *(kind.action(verb) for kind in JOB_KINDS for verb in ("Describe", "Stop")),
                "sagemaker:ListTrainingJobsForHyperParameterTuningJob",
                # Estimator.attach (Day 11, 12) reads the training job's tags.
                "sagemaker:ListTags",
            ],
            [self.arns(kind.arn_type) for kind in JOB_KINDS],
        )
        self._allow("NotebookModels", [MODEL.action("Create"), MODEL.action("Describe")], [self.arns(MODEL.arn_type)])
        # Serverless configurations name no instance type: ForAllValues lets them through, as intended.
        self._allow(
            "NotebookEndpointConfigs",
            [ENDPOINT_CONFIG.action("Create")],
            [self.arns(ENDPOINT_CONFIG.arn_type)],
            allowed,
        )
        self._allow(
            "NotebookLabEndpoints",
            [ENDPOINT.action("Create")],
            [self.arns(ENDPOINT.arn_type), self.arns(ENDPOINT_CONFIG.arn_type)],
            {"StringEquals": {f"aws:RequestTag/{PREFIX_KEY}": prefix}},
        )
        self._allow(
            "NotebookDescribeServing",
            [ENDPOINT.action("Describe"), ENDPOINT_CONFIG.action("Describe")],
            [self.arns(ENDPOINT.arn_type), self.arns(ENDPOINT_CONFIG.arn_type)],
        )
        self._allow(
            "NotebookUseAndDeleteLabServing",
            [
                "sagemaker:InvokeEndpoint",
                ENDPOINT.action("Delete"),
                ENDPOINT_CONFIG.action("Delete"),
                MODEL.action("Delete"),
            ],
            [self.arns(ENDPOINT.arn_type), self.arns(ENDPOINT_CONFIG.arn_type), self.arns(MODEL.arn_type)],
            labs,
        )
        self._allow(
            "TagOnlyWhileCreating",
            ["sagemaker:AddTags"],
            [self.arns(kind.arn_type) for kind in CREATES],
            {"StringEquals": {"sagemaker:TaggingAction": [kind.operation("Create") for kind in CREATES]}},
        )
        self._allow("NotebookListings", [*LIST_ACTIONS, "s3:ListAllMyBuckets"], ["*"])
        self._allow("DayOneAiServices", list(AI_SERVICE_ACTIONS), ["*"])
        self._allow(
            "DayOneTranscribeIntoTheStudyBucket",
            ["transcribe:StartTranscriptionJob"],
            ["*"],
            {"StringEquals": {"transcribe:OutputBucketName": study_bucket.bucket_name}},
        )
        self._allow(
            "DayOneTranscriptionJobs",
            ["transcribe:GetTranscriptionJob", "transcribe:DeleteTranscriptionJob"],
            [self.stack.format_arn(service="transcribe", resource="transcription-job", resource_name="*")],
        )
        study_bucket.grant_read(self.role, study_bucket.output)
        study_bucket.grant_write(self.role, study_bucket.data_raw)
        log_group = self.stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name="/aws/sagemaker/*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        self._allow(
            "NotebookJobLogs", ["logs:GetLogEvents", "logs:FilterLogEvents"], [log_group, log_group + ":log-stream:*"]
        )
        self._acknowledge(studio, study_bucket)

    def arns(self, resource_type: str) -> str:
        """Every SageMaker resource of ``resource_type`` in this account and region."""
        return sagemaker_arn(resource_type, "*")

    def _allow(self, sid: str, actions: list[str], resources: list[str], conditions: dict | None = None) -> None:
        self.role.add_to_principal_policy(
            iam.PolicyStatement(sid=sid, actions=actions, resources=resources, conditions=conditions)
        )

    def _acknowledge(self, studio: StudioDomain, study_bucket: StudyBucket) -> None:
        policy = self.role.node.find_child("Policy")
        domain_id = self.stack.resolve(studio.domain_id)["Fn::GetAtt"][0]
        bucket_arn = study_bucket.bucket.bucket_arn
        if Stack.of(study_bucket) is not self.stack:
            # The finding names the cross-stack import; export_value gives it (the same export the reference makes).
            bucket_arn = Stack.of(study_bucket).export_value(bucket_arn)
        bucket_arn = self.stack.resolve(bucket_arn)
        log_group = SAGEMAKER_LOG_GROUP
        kinds = sorted({kind.arn_type for kind in (*JOB_KINDS, *CREATES, TUNING)})
        acknowledge(
            policy,
            (
                "AwsSolutions-IAM5[Resource::*]",
                "List*, s3:ListAllMyBuckets and Day 1's detect/translate/synthesize calls support no "
                "resource-level permission; Transcribe may write only into the study bucket (condition).",
            ),
            *(
                (
                    sagemaker_resource_finding(kind, f"<{domain_id}.DomainId>/*"),
                    f"Studio names each {kind} of this domain at run time; the scope is this domain's {kind}s only.",
                )
                for kind in ("app", "space")
            ),
            *(
                (
                    sagemaker_resource_finding(kind, "*"),
                    f"The SDK names each {kind} at run time (sagemaker-xgboost-..., kmeans-...); creates are "
                    "guarded by instance type and the lab's tag, deletes and invokes by the lab's tag.",
                )
                for kind in kinds
            ),
            (
                "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:transcribe:<AWS::Region>:<AWS::AccountId>:"
                "transcription-job/*]",
                "Day 1 names its transcription job at run time; reading and deleting transcription jobs bills nothing.",
            ),
            *(
                (
                    f"AwsSolutions-IAM5[Resource::{bucket_arn['Fn::ImportValue']}/{prefix}*]"
                    if isinstance(bucket_arn, dict) and "Fn::ImportValue" in bucket_arn
                    else f"AwsSolutions-IAM5[Resource::{prefix}*]",
                    f"Notebooks read and write objects with run-time names under {prefix} only.",
                )
                for prefix in (study_bucket.output, study_bucket.data_raw)
            ),
            (
                f"AwsSolutions-IAM5[Resource::{log_group}]",
                "SageMaker names each job's log group under /aws/sagemaker/ at run time.",
            ),
            (
                f"AwsSolutions-IAM5[Resource::{log_group}:log-stream:*]",
                "SageMaker creates one log stream per job instance at run time.",
            ),
        )
