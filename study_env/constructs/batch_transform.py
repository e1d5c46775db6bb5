"""What a Batch Transform of one model needs: the model, where the launcher reads and writes, and who may run it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct, IConstruct

from study_env import layout
from study_env.arns import sagemaker_arn
from study_env.nag import acknowledge, sagemaker_resource_finding
from study_env.naming import INSTANCE_TYPE, LAB_PREFIX

# The launcher's defaults for a transform request's input_prefix and output_prefix
# (lambda/launcher/launcher/defaults.py; tests/launcher/test_contract.py keeps them equal).
LAUNCHER_INPUT_PREFIX = layout.DATA_PROCESSED + "test/"
LAUNCHER_OUTPUT_PREFIX = layout.OUTPUT_PREDICTIONS


class BatchTransform(Construct):
    """A SageMaker Model prepared for Batch Transform by the job launcher.

    The transform job itself is started by the launcher (its ``transform`` action with this
    ``model_name``); by default it reads :data:`LAUNCHER_INPUT_PREFIX` and writes into
    ``<LAUNCHER_OUTPUT_PREFIX><job name>/`` in the study bucket. :meth:`grant_transform` lets the
    launcher's role create transform jobs named ``<job_name_prefix>-*`` for this model only, on the
    allowed instance types.

    :param model: the SageMaker model to transform with (e.g. ``ModelEndpoint.model``).
    :param job_name_prefix: transform job names start with ``<job_name_prefix>-``.
    :param allowed_instance_types: the only instance types a transform job may use.
    :param input_prefix: what a transform of this model reads (under ``data/``, which the model's role
        reads). Default: the launcher's, ``data/processed/test/``.
    :param output_prefix: where its results go (under ``output/``, which the model's role writes).
        Default: the launcher's, ``output/predictions/``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        model: sagemaker.CfnModel,
        job_name_prefix: str,
        allowed_instance_types: Sequence[str],
        input_prefix: str = LAUNCHER_INPUT_PREFIX,
        output_prefix: str = LAUNCHER_OUTPUT_PREFIX,
    ) -> None:
        super().__init__(scope, id)
        LAB_PREFIX.check("BatchTransform", "job_name_prefix", job_name_prefix)
        if not allowed_instance_types:
            raise ValueError("BatchTransform allowed_instance_types: name at least one instance type")
        for instance_type in allowed_instance_types:
            INSTANCE_TYPE.check("BatchTransform", "allowed_instance_types", instance_type)
        for prop, prefix, root in (
            ("input_prefix", input_prefix, layout.DATA),
            ("output_prefix", output_prefix, layout.OUTPUT),
        ):
            try:
                layout.check_prefix(prefix)
            except ValueError as err:
                raise ValueError(f"BatchTransform {err}") from None
            if not prefix.startswith(root):
                raise ValueError(
                    f"BatchTransform {prop}={prefix!r}: must be under {root} (what the execution role may use)"
                )
        self.input_prefix, self.output_prefix = input_prefix, output_prefix
        self.model = model
        self.job_name_prefix = job_name_prefix
        self.allowed_instance_types = tuple(allowed_instance_types)

    @property
    def model_name(self) -> str:
        return self.model.attr_model_name

    @property
    def model_arn(self) -> str:
        # Ref of AWS::SageMaker::Model is its ARN.
        return self.model.ref

    @property
    def transform_job_arns(self) -> str:
        return sagemaker_arn("transform-job", f"{self.job_name_prefix}-*")

    def grant_transform(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read this model and start transform jobs of it only, on allowed instance types.

        The grantee must already be allowed to tag the jobs it creates (``sagemaker:AddTags`` on
        ``transform-job/<job_name_prefix>-*`` with ``sagemaker:TaggingAction`` ``CreateTransformJob``), as
        the job launcher is: the grant adds no tagging.
        """
        # The launcher reads the model's image to send what its algorithm reads.
        iam.Grant.add_to_principal(grantee=grantee, actions=["sagemaker:DescribeModel"], resource_arns=[self.model_arn])
        grant = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["sagemaker:CreateTransformJob"],
            resource_arns=[self.transform_job_arns],
            conditions={
                "ArnEquals": {"sagemaker:ModelArn": self.model_arn},
                "ForAllValues:StringEquals": {"sagemaker:InstanceTypes": list(self.allowed_instance_types)},
            },
        )
        # An imported role is a jsii proxy, not a Construct subclass, but it has a node.
        if getattr(grantee, "node", None) is not None:
            acknowledge(
                cast(IConstruct, grantee),
                (
                    sagemaker_resource_finding("transform-job", f"{self.job_name_prefix}-*"),
                    "Transform job names are chosen per request; each starts with the lab's prefix and may use only "
                    "this model.",
                ),
            )
        return grant
