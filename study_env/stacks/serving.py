"""Serving stack: an endpoint for the model named in context, its Batch Transform model, and a time-to-live."""

from __future__ import annotations

from aws_cdk import CfnOutput
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from constructs import Construct

from study_env.config import StudyConfig
from study_env.constructs.batch_transform import BatchTransform
from study_env.constructs.model_endpoint import ModelEndpoint
from study_env.constructs.stack_time_to_live import StackTimeToLive
from study_env.stacks.lab_stack import LabStack

# What the example call's request file holds, by the content type the endpoint reads.
REQUESTS = {
    "text/csv": "one line of comma-separated features, no label",
    "application/json": 'one JSON request in the algorithm\'s format (docs/serving.md), e.g. {"instances": [...]}',
}


class ServingStack(LabStack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StudyConfig,
        launcher_role_arn: str | None = None,
        alerts_topic: sns.ITopic | None = None,
        **kwargs,
    ) -> None:
        model_key = config.served_model_key
        if model_key is None:
            raise ValueError("ServingStack: context names no model (training_job_name or model_key)")
        super().__init__(scope, id, config=config, **kwargs)
        self.endpoint = ModelEndpoint(
            self,
            "ModelEndpoint",
            study_bucket=self.study_bucket,
            execution_role=self.execution_role,
            model_data_key=model_key,
            endpoint_name=f"{self.config.prefix}-endpoint",
            algorithm=self.config.algorithm,
            xgboost_version=self.config.xgboost_version,
            mode=self.config.endpoint_mode,
            serverless_memory_mb=self.config.serverless_memory_mb,
            serverless_max_concurrency=self.config.serverless_max_concurrency,
            instance_type=self.config.endpoint_instance_type,
        )
        self.batch_transform = BatchTransform(
            self,
            "BatchTransform",
            model=self.endpoint.model,
            job_name_prefix=self.config.prefix,
            allowed_instance_types=self.config.allowed_instance_types,
        )
        if launcher_role_arn is not None:
            # Imported, so the grant's policy lives (and is deleted) with this stack, not the Jobs stack.
            launcher_role = iam.Role.from_role_arn(self, "LauncherRole", launcher_role_arn)
            self.batch_transform.grant_transform(launcher_role)
        self.time_to_live = None
        expires_at = (
            f"never (endpoint_ttl_hours=0): npx cdk destroy {self.stack_name} --exclusively with the same -c "
            "context removes it"
        )
        if self.config.endpoint_ttl_hours:
            self.time_to_live = StackTimeToLive(
                self,
                "TimeToLive",
                hours=self.config.endpoint_ttl_hours,
                restart_on=[self.endpoint.endpoint_config.attr_endpoint_config_name],
                alert_topic=alerts_topic,
            )
            expires_at = self.time_to_live.expires_at
            CfnOutput(
                self,
                "ExpiryRoleArn",
                value=self.time_to_live.execution_role_arn,
                description="The role the scheduled DeleteStack hands CloudFormation (the bootstrap cfn-exec role); "
                "if it is missing the expiry fails and the alerts topic is told",
            )

        CfnOutput(
            self, "EndpointName", value=self.endpoint.endpoint_name, description=f"{self.config.endpoint_mode} endpoint"
        )
        holds = REQUESTS.get(self.endpoint.content_type, "one image")
        request = f"Example call; {self.endpoint.request_file} holds {holds}"
        if self.config.endpoint_mode == "async":
            request += f", uploaded to BUCKET (the BucketName output of {self.config.stack_name('foundation')})"
        CfnOutput(self, "InvokeCommand", value=self.endpoint.invoke_command, description=request)
        CfnOutput(
            self,
            "ContentType",
            value=self.endpoint.content_type,
            description=f"What the {self.config.algorithm} endpoint reads (study invoke sends it)",
        )
        CfnOutput(
            self,
            "Accept",
            value=self.endpoint.accept,
            description=f"What the {self.config.algorithm} endpoint is asked to answer in (study invoke asks for it)",
        )
        CfnOutput(self, "ExpiresAt", value=expires_at, description="UTC time this stack deletes itself")
        CfnOutput(
            self,
            "ModelData",
            value=self.endpoint.model_data_key,
            description="The model artifact served, in the study bucket",
        )
        CfnOutput(
            self,
            "TransformModelName",
            value=self.batch_transform.model_name,
            description="model_name for the launcher's transform action",
        )
        CfnOutput(
            self,
            "TransformInput",
            value=self.batch_transform.input_prefix,
            description="The launcher's default input_prefix for a transform, in the study bucket",
        )
        CfnOutput(
            self,
            "TransformOutput",
            value=self.batch_transform.output_prefix,
            description="The launcher's default output_prefix for a transform; each job writes into <this><job "
            "name>/ in the study bucket",
        )
