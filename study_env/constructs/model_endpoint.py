"""A SageMaker endpoint for a built-in algorithm's model in the study bucket: serverless, instance or async."""

from __future__ import annotations

from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from study_env import layout
from study_env.algorithms import BY_NAME, XGBOOST, inference
from study_env.config import (
    ENDPOINT_MODES,
    SERVERLESS_CONCURRENCY_RANGE,
    SERVERLESS_MEMORY_CHOICES,
    XGBOOST_VERSIONS,
    EndpointMode,
)
from study_env.constructs.execution_role import SageMakerExecutionRole
from study_env.constructs.study_bucket import StudyBucket
from study_env.images import SageMakerImages
from study_env.naming import ENDPOINT_INSTANCE_TYPE, SAGEMAKER_NAME

ASYNC_OUTPUT_PREFIX = layout.OUTPUT_PREDICTIONS + "async/"
ASYNC_FAILURE_PREFIX = layout.OUTPUT_PREDICTIONS + "async-failures/"
DATA_CAPTURE_PREFIX = layout.OUTPUT + "data-capture/"
VARIANT_NAME = "AllTraffic"
# The file an example call sends, by the content type the algorithm's endpoint reads.
REQUEST_FILES = {"text/csv": "row.csv", "application/json": "request.json"}
IMAGE_REQUEST_FILE = "image.jpg"
# ... and the file its answer lands in, by the accept type.
RESPONSE_FILES = {"text/csv": "prediction.txt", "image/png": "prediction.png"}
JSON_RESPONSE_FILE = "prediction.json"


class ModelEndpoint(Construct):
    """The SageMaker Model (a built-in algorithm's inference image), an endpoint configuration and the endpoint.

    Modes: ``serverless`` (billed per request; memory and max concurrency), ``instance`` (one
    ``instance_type`` instance, billed per hour) and ``async`` (one instance; results land in
    ``output/predictions/async/``). Data capture is off unless ``capture_percent`` is set (not on
    serverless, which does not support it); captures land in ``output/data-capture/``.

    The model and configuration are left for CloudFormation to name, so a new model or mode replaces
    them without a name clash; the endpoint keeps ``endpoint_name`` and is updated in place.

    :param study_bucket: where the model artifact is (and async results and captures go).
    :param execution_role: the role the model and endpoint run as.
    :param model_data_key: the model artifact's key in the study bucket (``models/.../model.tar.gz``).
    :param endpoint_name: the endpoint's name (kept across updates).
    :param algorithm: the built-in algorithm that trained the model (``study_env.algorithms``): its image
        serves it and its content types are the example call's. Default: ``xgboost``.
    :param xgboost_version: the built-in XGBoost image serving an XGBoost model. Default: ``1.7-1``.
    :param mode: ``serverless``, ``instance`` or ``async``. Default: ``serverless``.
    :param serverless_memory_mb: serverless memory, 1024-6144 in steps of 1024. Default: 2048.
    :param serverless_max_concurrency: serverless concurrent invocations, 1-200. Default: 5.
    :param instance_type: the instance of ``instance`` and ``async`` modes (not ml.t3). Default: ``ml.m5.large``.
    :param capture_percent: percent of requests captured to ``output/data-capture/`` (0: off; not
        serverless). Default: 0.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        study_bucket: StudyBucket,
        execution_role: SageMakerExecutionRole,
        model_data_key: str,
        endpoint_name: str,
        algorithm: str = XGBOOST,
        xgboost_version: str = "1.7-1",
        mode: EndpointMode = "serverless",
        serverless_memory_mb: int = 2048,
        serverless_max_concurrency: int = 5,
        instance_type: str = "ml.m5.large",
        capture_percent: int = 0,
    ) -> None:
        super().__init__(scope, id)
        _check(
            model_data_key.startswith(layout.MODELS)
            and model_data_key.endswith(".tar.gz")
            and ".." not in model_data_key.split("/"),
            "model_data_key",
            model_data_key,
            "must be a key under models/ ending in .tar.gz",
        )
        SAGEMAKER_NAME.check("ModelEndpoint", "endpoint_name", endpoint_name)
        _check(algorithm in BY_NAME, "algorithm", algorithm, "must be one of " + ", ".join(BY_NAME))
        _check(
            xgboost_version in XGBOOST_VERSIONS,
            "xgboost_version",
            xgboost_version,
            "must be one of " + ", ".join(XGBOOST_VERSIONS),
        )
        _check(mode in ENDPOINT_MODES, "mode", mode, "must be one of " + ", ".join(ENDPOINT_MODES))
        _check(
            serverless_memory_mb in SERVERLESS_MEMORY_CHOICES,
            "serverless_memory_mb",
            serverless_memory_mb,
            "must be one of " + ", ".join(map(str, SERVERLESS_MEMORY_CHOICES)),
        )
        low, high = SERVERLESS_CONCURRENCY_RANGE
        _check(
            low <= serverless_max_concurrency <= high,
            "serverless_max_concurrency",
            serverless_max_concurrency,
            f"must be between {low} and {high}",
        )
        ENDPOINT_INSTANCE_TYPE.check("ModelEndpoint", "instance_type", instance_type)
        _check(0 <= capture_percent <= 100, "capture_percent", capture_percent, "must be between 0 (off) and 100")
        _check(
            not (capture_percent and mode == "serverless"),
            "capture_percent",
            capture_percent,
            "serverless endpoints do not support data capture; use mode instance or async",
        )

        self.mode = mode
        self.algorithm = algorithm
        served = inference(algorithm)
        self.content_type: str = served.endpoint_type
        self.accept: str = served.endpoint_accept
        self.model_data_key = model_data_key
        images = SageMakerImages(self)
        image = images.xgboost_uri(xgboost_version) if algorithm == XGBOOST else images.algorithm_uri(algorithm)
        self.model_data_url = study_bucket.s3_uri() + model_data_key
        self.model = sagemaker.CfnModel(
            self,
            "Model",
            execution_role_arn=execution_role.role_arn,
            primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
                image=image, model_data_url=self.model_data_url
            ),
        )
        if mode == "serverless":
            variant = sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                model_name=self.model.attr_model_name,
                variant_name=VARIANT_NAME,
                serverless_config=sagemaker.CfnEndpointConfig.ServerlessConfigProperty(
                    memory_size_in_mb=serverless_memory_mb, max_concurrency=serverless_max_concurrency
                ),
            )
        else:
            variant = sagemaker.CfnEndpointConfig.ProductionVariantProperty(
                model_name=self.model.attr_model_name,
                variant_name=VARIANT_NAME,
                initial_instance_count=1,
                initial_variant_weight=1,
                instance_type=instance_type,
            )
        async_config = None
        if mode == "async":
            async_config = sagemaker.CfnEndpointConfig.AsyncInferenceConfigProperty(
                output_config=sagemaker.CfnEndpointConfig.AsyncInferenceOutputConfigProperty(
                    s3_output_path=study_bucket.s3_uri(ASYNC_OUTPUT_PREFIX),
                    s3_failure_path=study_bucket.s3_uri(ASYNC_FAILURE_PREFIX),
                )
            )
        capture = None
        if capture_percent:
            capture = sagemaker.CfnEndpointConfig.DataCaptureConfigProperty(
                initial_sampling_percentage=capture_percent,
                destination_s3_uri=study_bucket.s3_uri(DATA_CAPTURE_PREFIX),
                capture_options=[
                    sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode="Input"),
                    sagemaker.CfnEndpointConfig.CaptureOptionProperty(capture_mode="Output"),
                ],
            )
        self.endpoint_config = sagemaker.CfnEndpointConfig(
            self,
            "Config",
            production_variants=[variant],
            async_inference_config=async_config,
            data_capture_config=capture,
        )
        self.endpoint = sagemaker.CfnEndpoint(
            self,
            "Endpoint",
            endpoint_name=endpoint_name,
            endpoint_config_name=self.endpoint_config.attr_endpoint_config_name,
        )

    @property
    def endpoint_name(self) -> str:
        return self.endpoint.attr_endpoint_name

    @property
    def endpoint_arn(self) -> str:
        # Ref of AWS::SageMaker::Endpoint is its ARN.
        return self.endpoint.ref

    @property
    def request_file(self) -> str:
        """The file the example call sends: ``row.csv``, ``request.json`` or ``image.jpg``."""
        return REQUEST_FILES.get(self.content_type, IMAGE_REQUEST_FILE)

    @property
    def invoke_command(self) -> str:
        """An AWS CLI call for this endpoint, in its algorithm's content types.

        In async mode the request is read from the study bucket, spelled ``BUCKET`` (a stack output
        that re-exported the bucket name would chain exports between stacks).
        """
        types = f"--content-type {self.content_type} --accept {self.accept}"
        if self.mode == "async":
            return (
                f"aws sagemaker-runtime invoke-endpoint-async --endpoint-name {self.endpoint_name} {types} "
                f"--input-location s3://BUCKET/{layout.DATA_PROCESSED}test/{self.request_file}"
            )
        return (
            f"aws sagemaker-runtime invoke-endpoint --endpoint-name {self.endpoint_name} {types} "
            f"--body fileb://{self.request_file} {RESPONSE_FILES.get(self.accept, JSON_RESPONSE_FILE)}"
        )

    def grant_invoke(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` call this endpoint (synchronously, or asynchronously in async mode)."""
        actions = ["sagemaker:InvokeEndpointAsync"] if self.mode == "async" else ["sagemaker:InvokeEndpoint"]
        return iam.Grant.add_to_principal(grantee=grantee, actions=actions, resource_arns=[self.endpoint_arn])


def _check(ok: bool, prop: str, value, rule: str) -> None:
    if not ok:
        raise ValueError(f"ModelEndpoint {prop}={value!r}: {rule}")
