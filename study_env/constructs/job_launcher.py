"""The job launcher: a Lambda function that starts the lab's SageMaker jobs from a JSON request."""

from __future__ import annotations

from collections.abc import Sequence

import jsii
from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from study_env.arns import sagemaker_arn
from study_env.config import XGBOOST_VERSIONS
from study_env.constructs.execution_role import SageMakerExecutionRole
from study_env.constructs.lab_function import LabFunction
from study_env.constructs.study_bucket import StudyBucket
from study_env.images import SageMakerImages
from study_env.job_kinds import JOB_KINDS, MODEL, TRANSFORM
from study_env.nag import acknowledge, sagemaker_resource_finding
from study_env.naming import INSTANCE_TYPE, LAB_PREFIX

# The asset folder under lambda/, and what of lambda/shared/ it bundles.
LAUNCHER_FOLDER = "launcher"
SHARED_MODULES = ("lab_contract",)
# CreateTransformJob is granted on its own, with a condition on the model.
CREATE_JOB_ACTIONS = {kind.arn_type: kind.action("Create") for kind in JOB_KINDS if kind is not TRANSFORM}
DESCRIBE_ACTIONS = (*(kind.action("Describe") for kind in JOB_KINDS), MODEL.action("Describe"))
# Listing the lab's jobs (the launcher's list action; the lab cleanup's too). IAM scopes no List* call.
LIST_ACTIONS = tuple(kind.action("List") for kind in JOB_KINDS)
# The creates whose Tags the launcher sends: sagemaker:TaggingAction names the API operation.
TAGGING_ACTIONS = tuple(
    action.split(":", 1)[1] for action in (*(kind.action("Create") for kind in JOB_KINDS), MODEL.action("Create"))
)


@jsii.implements(iam.IGrantable)
class JobLauncher(Construct):
    """A Lambda function (with its own least-privilege role) that starts, describes and lists the
    lab's Processing, Training, Tuning and Batch Transform jobs. The request contract is in the README
    ("Job launcher").

    :param study_bucket: where every job reads and writes (its name goes to the function).
    :param execution_role: the role the jobs run as; the launcher may pass it to SageMaker only.
    :param prefix: every job and model name starts with ``<prefix>-``; IAM allows no other names.
    :param xgboost_version: the built-in XGBoost image version for training and tuning. Default: ``1.7-1``.
    :param allowed_instance_types: the only instance types a request may ask for (cost guard, checked by
        the function and enforced by its role's create permissions). Default: ``ml.m5.large`` only.
    :param default_instance_type: used when a request names none; one of ``allowed_instance_types``.
        Default: ``ml.m5.large``.
    :param memory_size: MB for the function (it only makes API calls), 128-1024. Default: 256.
    :param timeout: the function's time limit, 3-120 s; a transform from a tuning job makes five calls.
        Default: 30 seconds.
    :param log_retention: how long the function's logs are kept. Default: one week.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        study_bucket: StudyBucket,
        execution_role: SageMakerExecutionRole,
        prefix: str,
        xgboost_version: str = "1.7-1",
        allowed_instance_types: Sequence[str] = ("ml.m5.large",),
        default_instance_type: str = "ml.m5.large",
        memory_size: int = 256,
        timeout: Duration = Duration.seconds(30),
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_WEEK,
    ) -> None:
        super().__init__(scope, id)
        LAB_PREFIX.check("JobLauncher", "prefix", prefix)
        if xgboost_version not in XGBOOST_VERSIONS:
            raise ValueError(
                f"JobLauncher xgboost_version={xgboost_version!r}: must be one of {', '.join(XGBOOST_VERSIONS)}"
            )
        allowed = tuple(allowed_instance_types)
        if not allowed:
            raise ValueError("JobLauncher allowed_instance_types=(): name at least one instance type")
        for instance_type in allowed:
            INSTANCE_TYPE.check("JobLauncher", "allowed_instance_types", instance_type)
        if default_instance_type not in allowed:
            raise ValueError(
                f"JobLauncher default_instance_type={default_instance_type!r}: must be one of allowed_instance_types"
            )
        if not 128 <= memory_size <= 1024:
            raise ValueError(
                f"JobLauncher memory_size={memory_size!r}: must be 128-1024 MB (the function only calls APIs)"
            )
        if not 3 <= timeout.to_seconds() <= 120:
            raise ValueError("JobLauncher timeout: must be 3-120 seconds")
        self.prefix = prefix
        self.allowed_instance_types = allowed

        images = SageMakerImages(self)
        self.lab_function = LabFunction(
            self,
            "Function",
            folder=LAUNCHER_FOLDER,
            handler="handler.handler",
            description="Starts the study lab's SageMaker Processing, Training, Tuning and Batch Transform jobs",
            timeout=timeout,
            log_retention=log_retention,
            memory_size=memory_size,
            shared_modules=SHARED_MODULES,
            environment={
                "STUDY_BUCKET": study_bucket.bucket_name,
                "EXECUTION_ROLE_ARN": execution_role.role_arn,
                "JOB_PREFIX": prefix,
                "XGBOOST_IMAGE_URI": images.xgboost_uri(xgboost_version),
                "SKLEARN_IMAGE_URI": images.sklearn_processing_uri(),
                "ALGORITHM_IMAGES": images.algorithm_images_json(),
                "ALLOWED_INSTANCE_TYPES": ",".join(allowed),
                "DEFAULT_INSTANCE_TYPE": default_instance_type,
            },
        )
        self.function = self.lab_function.function
        self.role = self.lab_function.role
        self.log_group = self.lab_function.log_group
        self._grant_sagemaker()
        execution_role.grant_pass_role(self.role)
        self._acknowledge()

    def sagemaker_arns(self, *resources: str) -> list[str]:
        """ARNs of the lab's SageMaker resources of the given types (names starting with the prefix)."""
        return [sagemaker_arn(resource, f"{self.prefix}-*") for resource in resources]

    def _grant_sagemaker(self) -> None:
        # Cost guard: every instance type a create request names must be allowed.
        allowed_types = {"ForAllValues:StringEquals": {"sagemaker:InstanceTypes": list(self.allowed_instance_types)}}
        model_arns = self.sagemaker_arns(MODEL.arn_type)
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="CreateLabJobs",
                actions=list(CREATE_JOB_ACTIONS.values()),
                resources=self.sagemaker_arns(*CREATE_JOB_ACTIONS),
                conditions=allowed_types,
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(sid="CreateLabModels", actions=["sagemaker:CreateModel"], resources=model_arns)
        )
        lab_resources = [*self.sagemaker_arns(*(kind.arn_type for kind in JOB_KINDS)), *model_arns]
        self.role.add_to_policy(
            iam.PolicyStatement(sid="DescribeLabJobs", actions=list(DESCRIBE_ACTIONS), resources=lab_resources)
        )
        # Tags only as part of the launcher's own creates: a bare AddTags could mark any mls-* model as
        # the lab's, and the lab cleanup deletes what carries that tag.
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="TagOnCreateOnly",
                actions=["sagemaker:AddTags"],
                resources=lab_resources,
                conditions={"StringEquals": {"sagemaker:TaggingAction": list(TAGGING_ACTIONS)}},
            )
        )
        # Transforms only with the lab's own models; a model CloudFormation names (the Serving stack's)
        # is added by BatchTransform.grant_transform.
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="TransformWithLabModels",
                actions=["sagemaker:CreateTransformJob"],
                resources=self.sagemaker_arns(TRANSFORM.arn_type),
                conditions={"ArnLike": {"sagemaker:ModelArn": model_arns}, **allowed_types},
            )
        )
        self.role.add_to_policy(iam.PolicyStatement(sid="ListJobs", actions=list(LIST_ACTIONS), resources=["*"]))

    def _acknowledge(self) -> None:
        policy = self.role.node.find_child("DefaultPolicy")
        acknowledge(
            policy,
            (
                "AwsSolutions-IAM5[Resource::*]",
                "SageMaker's List*Jobs calls support no resource-level permission; the launcher filters results by "
                "its prefix.",
            ),
            *(
                (
                    sagemaker_resource_finding(r, f"{self.prefix}-*"),
                    "Job and model names are chosen per request; every one starts with the lab's prefix.",
                )
                for r in (*(kind.arn_type for kind in JOB_KINDS), MODEL.arn_type)
            ),
        )

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The function's role: grants to the launcher (e.g. ``BatchTransform.grant_transform``) go there."""
        return self.role

    @property
    def function_name(self) -> str:
        return self.function.function_name

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` send the launcher requests."""
        return self.function.grant_invoke(grantee)
