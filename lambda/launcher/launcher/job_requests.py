"""SageMaker API requests built from a validated request: plain dicts, no AWS calls."""

from __future__ import annotations

from typing import Any

import lab_contract
from launcher import defaults as d
from launcher.algorithms import ALGORITHMS
from launcher.requests import (
    CategoricalRange,
    JobRequest,
    ProcessRequest,
    Range,
    TrainRequest,
    TransformRequest,
    TuneRequest,
)
from launcher.settings import Settings
from launcher.validation import job_time_limit, tuning_runtime_limit

PROCESSING_ROOT = "/opt/ml/processing"
PROCESSING_INPUT = f"{PROCESSING_ROOT}/input/data"
PROCESSING_CODE = f"{PROCESSING_ROOT}/input/code"
PROCESSING_OUTPUT = f"{PROCESSING_ROOT}/output"
CONSOLE_PATHS = {kind.key: kind.console_path for kind in (*lab_contract.JOBS.values(), lab_contract.MODEL)}


def s3_uri(settings: Settings, prefix: str) -> str:
    return f"s3://{settings.bucket}/{prefix}"


def tags(settings: Settings, request: JobRequest) -> list[dict[str, str]]:
    """Tags that mark a resource as the lab's (the cleanup and the cost report find it by them)."""
    pairs = [lab_contract.PROJECT_TAG, (lab_contract.PREFIX_TAG_KEY, settings.prefix), d.TAG_LAUNCHER]
    if request.request_id is not None:
        pairs.append((d.TAG_REQUEST_ID_KEY, request.request_id))
    return [{"Key": key, "Value": value} for key, value in pairs]


def console_url(region: str, kind: str, name: str) -> str:
    return f"https://{region}.console.aws.amazon.com/sagemaker/home?region={region}#/{CONSOLE_PATHS[kind]}/{name}"


def processing_job(request: ProcessRequest, settings: Settings, name: str) -> dict[str, Any]:
    """``CreateProcessingJob``: preprocessing.py on the scikit-learn image, raw data in, the splits out in the
    format the request's algorithm reads (the job gets the whole scripts folder: recordio.py too)."""
    script_dir = s3_uri(settings, d.CODE_SCRIPTS)
    return {
        "ProcessingJobName": name,
        "RoleArn": settings.role_arn,
        "AppSpecification": {
            "ImageUri": settings.sklearn_image,
            "ContainerEntrypoint": ["python3", f"{PROCESSING_CODE}/{d.PREPROCESSING_SCRIPT}"],
            "ContainerArguments": [
                "--input-dir",
                PROCESSING_INPUT,
                "--output-dir",
                PROCESSING_OUTPUT,
                "--algorithm",
                request.algorithm,
                "--format",
                request.format,
            ],
        },
        "ProcessingInputs": [
            _processing_input("raw", s3_uri(settings, request.input_prefix), PROCESSING_INPUT),
            _processing_input("code", script_dir, PROCESSING_CODE),
        ],
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": output,
                    "S3Output": {
                        "S3Uri": s3_uri(settings, f"{request.output_prefix}{output}/"),
                        "LocalPath": f"{PROCESSING_OUTPUT}/{output}",
                        "S3UploadMode": "EndOfJob",
                    },
                }
                for output in d.PROCESSING_OUTPUTS
            ]
        },
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": request.instance_count,
                "InstanceType": request.instance_type,
                "VolumeSizeInGB": d.VOLUME_SIZE_GB,
            }
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": request.max_runtime_seconds},
        "Tags": tags(settings, request),
    }


def _processing_input(name: str, uri: str, local_path: str) -> dict[str, Any]:
    return {
        "InputName": name,
        "S3Input": {"S3Uri": uri, "LocalPath": local_path, "S3DataType": "S3Prefix", "S3InputMode": "File"},
    }


def _channel_prefix(request: TrainRequest, source: str, channel: str) -> str:
    if source == "beside_train":
        # A folder next to the train channel's: channels never nest, or one would read the other's files.
        return request.train_prefix.rstrip("/").rpartition("/")[0] + f"/{channel}/"
    return str(getattr(request, source))


def _channels(request: TrainRequest, settings: Settings) -> list[dict[str, Any]]:
    """The channels the algorithm reads, each with the content type it requires of them (in the request's
    format: another format than the algorithm's first gives every channel that format's content type)."""
    algorithm = ALGORITHMS[request.algorithm]
    other_type = algorithm.other_formats.get(request.format)
    return [
        {
            "ChannelName": channel.name,
            "DataSource": {
                "S3DataSource": {
                    "S3DataType": "S3Prefix",
                    "S3Uri": s3_uri(settings, _channel_prefix(request, channel.source, channel.name)),
                    "S3DataDistributionType": channel.distribution,
                }
            },
            "ContentType": other_type or channel.content_type,
            "CompressionType": "None",
        }
        for channel in algorithm.channels
    ]


def _stopping_condition(request: TrainRequest) -> dict[str, int]:
    condition = {"MaxRuntimeInSeconds": request.max_runtime_seconds}
    if request.use_spot:
        condition["MaxWaitTimeInSeconds"] = job_time_limit(request)
    return condition


def _training_definition(request: TrainRequest, settings: Settings) -> dict[str, Any]:
    """What a training job and a tuning job's training jobs have in common."""
    return {
        "AlgorithmSpecification": {
            "TrainingImage": settings.image(request.algorithm),
            "TrainingInputMode": "File",
        },
        "RoleArn": settings.role_arn,
        "InputDataConfig": _channels(request, settings),
        "OutputDataConfig": {"S3OutputPath": s3_uri(settings, request.output_prefix)},
        "ResourceConfig": {
            "InstanceType": request.instance_type,
            "InstanceCount": request.instance_count,
            "VolumeSizeInGB": d.VOLUME_SIZE_GB,
        },
        "StoppingCondition": _stopping_condition(request),
        "EnableManagedSpotTraining": request.use_spot,
    }


def training_job(request: TrainRequest, settings: Settings, name: str) -> dict[str, Any]:
    """``CreateTrainingJob``: the request's built-in algorithm on the channels it reads."""
    return {
        "TrainingJobName": name,
        "HyperParameters": dict(request.hyperparameters),
        **_training_definition(request, settings),
        "Tags": tags(settings, request),
    }


def tuning_job(request: TuneRequest, settings: Settings, name: str) -> dict[str, Any]:
    """``CreateHyperParameterTuningJob`` over the request's ranges, towards the algorithm's objective metric."""
    config: dict[str, Any] = {
        "Strategy": request.strategy,
        "HyperParameterTuningJobObjective": {"Type": request.objective_type, "MetricName": request.objective_metric},
        "ResourceLimits": {
            "MaxNumberOfTrainingJobs": request.max_jobs,
            "MaxParallelTrainingJobs": request.max_parallel_jobs,
            "MaxRuntimeInSeconds": tuning_runtime_limit(request),
        },
        "ParameterRanges": parameter_ranges(request.ranges),
        # Hyperband stops jobs itself and requires Off; Grid runs every combination to the end.
        "TrainingJobEarlyStoppingType": "Auto" if request.strategy in ("Bayesian", "Random") else "Off",
    }
    if request.strategy == "Hyperband":
        config["StrategyConfig"] = {
            "HyperbandStrategyConfig": {
                "MinResource": 1,
                "MaxResource": int(request.hyperparameters[d.HYPERBAND_RESOURCE]),
            }
        }
    definition = _training_definition(request, settings)
    definition["StaticHyperParameters"] = dict(request.hyperparameters)
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": config,
        "TrainingJobDefinition": definition,
        "Tags": tags(settings, request),
    }


def parameter_ranges(ranges: dict[str, Range]) -> dict[str, list[dict[str, Any]]]:
    result: dict[str, list[dict[str, Any]]] = {
        "IntegerParameterRanges": [],
        "ContinuousParameterRanges": [],
        "CategoricalParameterRanges": [],
    }
    for name in sorted(ranges):
        spec = ranges[name]
        if isinstance(spec, CategoricalRange):
            result["CategoricalParameterRanges"].append({"Name": name, "Values": list(spec.values)})
        else:
            key = "IntegerParameterRanges" if spec.integer else "ContinuousParameterRanges"
            result[key].append(
                {"Name": name, "MinValue": str(spec.min), "MaxValue": str(spec.max), "ScalingType": "Auto"}
            )
    return result


def model(request: JobRequest, settings: Settings, name: str, image: str, model_data_url: str) -> dict[str, Any]:
    """``CreateModel`` from a training job's artifact, served by the image that trained it."""
    return {
        "ModelName": name,
        "ExecutionRoleArn": settings.role_arn,
        "PrimaryContainer": {"Image": image, "ModelDataUrl": model_data_url},
        "Tags": tags(settings, request),
    }


def transform_job(
    request: TransformRequest, settings: Settings, name: str, model_name: str, algorithm: str | None = None
) -> dict[str, Any]:
    """``CreateTransformJob``: score every line under the input prefix, one prediction per line, in the
    content types the model's algorithm serves (CSV in and out for XGBoost and for a model named as is).

    Batch Transform has no job-level runtime limit in SageMaker's API; ``max_runtime_seconds``
    bounds each invocation instead, and the job ends when its input is scored.
    """
    spec = ALGORITHMS.get(algorithm or d.ALGORITHM, ALGORITHMS[d.ALGORITHM])
    return {
        "TransformJobName": name,
        "ModelName": model_name,
        "ModelClientConfig": {
            "InvocationsTimeoutInSeconds": request.max_runtime_seconds,
            "InvocationsMaxRetries": d.TRANSFORM_INVOCATION_RETRIES,
        },
        "MaxPayloadInMB": d.TRANSFORM_MAX_PAYLOAD_MB,
        "BatchStrategy": "MultiRecord",
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": s3_uri(settings, request.input_prefix)}},
            "ContentType": spec.inference_type,
            "CompressionType": "None",
            "SplitType": "Line",
        },
        # One folder per job, so a second run never mixes its predictions with the first's.
        "TransformOutput": {
            "S3OutputPath": s3_uri(settings, f"{request.output_prefix}{name}/"),
            "Accept": spec.accept,
            "AssembleWith": "Line",
        },
        "TransformResources": {"InstanceType": request.instance_type, "InstanceCount": request.instance_count},
        "Tags": tags(settings, request),
    }
