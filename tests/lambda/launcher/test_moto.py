"""Every action against moto's SageMaker (botocore validates each request against the real API model)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from launcher.algorithms import ALGORITHMS
from launcher.service import JOB_NOT_READY, handle
from tests.support.launcher import (
    BUCKET,
    ENVIRONMENT,
    ROLE_ARN,
    SETTINGS,
    SKLEARN_IMAGE,
    XGBOOST_IMAGE,
    load_handler_module,
)

LAB_TAGS = {"project": "study-env", "study-env:prefix": "mls", "study-env:launched-by": "job-launcher"}


def run(client, event: dict) -> dict:
    response = handle(event, SETTINGS, lambda: client)
    json.dumps(response)  # what Lambda returns must serialize
    return response


def served_model(client, name: str, algorithm: str = "xgboost") -> str:
    """A model made outside the launcher (as the serving stack makes one), of ``algorithm``'s image."""
    client.create_model(
        ModelName=name,
        ExecutionRoleArn=ROLE_ARN,
        PrimaryContainer={"Image": SETTINGS.image(algorithm), "ModelDataUrl": f"s3://{BUCKET}/models/m/model.tar.gz"},
    )
    return name


def tags_of(client, arn: str) -> dict:
    return {t["Key"]: t["Value"] for t in client.list_tags(ResourceArn=arn)["Tags"]}


def test_process_creates_the_processing_job(sagemaker):
    response = run(sagemaker, {"action": "process"})
    assert response["ok"] is True, response
    job = sagemaker.describe_processing_job(ProcessingJobName=response["job_name"])
    assert job["ProcessingJobArn"] == response["arn"]
    assert job["AppSpecification"]["ImageUri"] == SKLEARN_IMAGE
    assert job["RoleArn"] == ROLE_ARN
    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 1800}
    assert {i["InputName"]: (i["S3Input"]["S3Uri"], i["S3Input"]["LocalPath"]) for i in job["ProcessingInputs"]} == {
        "raw": (f"s3://{BUCKET}/data/raw/", "/opt/ml/processing/input/data"),
        "code": (f"s3://{BUCKET}/code/scripts/", "/opt/ml/processing/input/code"),
    }
    # moto's describe_processing_job drops ProcessingResources: test_requests checks the instance in the request.
    assert [o["S3Output"]["S3Uri"] for o in job["ProcessingOutputConfig"]["Outputs"]] == [
        f"s3://{BUCKET}/data/processed/{name}/" for name in ("train", "validation", "test", "test_labels")
    ]
    assert LAB_TAGS.items() <= tags_of(sagemaker, response["arn"]).items()


def test_train_creates_the_training_job_with_overrides(sagemaker):
    response = run(sagemaker, {"action": "train", "hyperparameters": {"max_depth": 3}, "instance_type": "ml.m5.xlarge"})
    assert response["ok"] is True, response
    assert response["console_url"].endswith("#/jobs/" + response["job_name"])
    job = sagemaker.describe_training_job(TrainingJobName=response["job_name"])
    assert job["AlgorithmSpecification"]["TrainingImage"] == XGBOOST_IMAGE
    assert job["RoleArn"] == ROLE_ARN
    assert [c["ChannelName"] for c in job["InputDataConfig"]] == ["train", "validation"]
    assert {c["ContentType"] for c in job["InputDataConfig"]} == {"text/csv"}
    assert job["HyperParameters"] == {
        "max_depth": "3",
        "eta": "0.2",
        "objective": "binary:logistic",
        "num_round": "100",
        "eval_metric": "auc",
    }
    assert job["ResourceConfig"]["InstanceType"] == "ml.m5.xlarge"
    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}
    assert job["EnableManagedSpotTraining"] is True
    assert job["OutputDataConfig"]["S3OutputPath"] == f"s3://{BUCKET}/models/training/"
    assert LAB_TAGS.items() <= tags_of(sagemaker, response["arn"]).items()


CHANNELS = {"train": f"s3://{BUCKET}/data/processed/train/", "validation": f"s3://{BUCKET}/data/processed/validation/"}
PLAN_RANGES = {
    "IntegerParameterRanges": [{"Name": "max_depth", "MinValue": "3", "MaxValue": "10", "ScalingType": "Auto"}],
    "ContinuousParameterRanges": [
        {"Name": "eta", "MinValue": "0.01", "MaxValue": "0.3", "ScalingType": "Auto"},
        {"Name": "min_child_weight", "MinValue": "1", "MaxValue": "10", "ScalingType": "Auto"},
        {"Name": "subsample", "MinValue": "0.5", "MaxValue": "1.0", "ScalingType": "Auto"},
    ],
    "CategoricalParameterRanges": [],
}
# The plan's fixed hyperparameters once its tuned ones (max_depth, eta) are taken out.
PLAN_STATIC = {"objective": "binary:logistic", "num_round": "100", "eval_metric": "auc"}
SPOT_STOPPING = {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}


# Each case: the request, then what SageMaker must hold: ResourceLimits, ParameterRanges,
# StaticHyperParameters, and each training job's StoppingCondition.
@pytest.mark.parametrize(
    "event, limits, ranges, static, stopping",
    [
        (
            {"action": "tune"},
            # 20 jobs, 4 at a time: 5 rounds of 3600 s plus as long again waiting for spot.
            {"MaxNumberOfTrainingJobs": 20, "MaxParallelTrainingJobs": 4, "MaxRuntimeInSeconds": 5 * 7200},
            PLAN_RANGES,
            PLAN_STATIC,
            SPOT_STOPPING,
        ),
        (
            {"action": "tune", "strategy": "Random", "max_jobs": 5, "max_parallel_jobs": 5},
            {"MaxNumberOfTrainingJobs": 5, "MaxParallelTrainingJobs": 5, "MaxRuntimeInSeconds": 7200},
            PLAN_RANGES,
            PLAN_STATIC,
            SPOT_STOPPING,
        ),
        (
            {"action": "tune", "strategy": "Hyperband"},
            {"MaxNumberOfTrainingJobs": 20, "MaxParallelTrainingJobs": 4, "MaxRuntimeInSeconds": 5 * 7200},
            PLAN_RANGES,
            PLAN_STATIC,
            SPOT_STOPPING,
        ),
        (
            {"action": "tune", "strategy": "Grid", "ranges": {"max_depth": {"values": [3, 5, 7]}}, "use_spot": False},
            # Grid runs its 3 combinations in one round, and without spot there is no wait.
            {"MaxNumberOfTrainingJobs": 3, "MaxParallelTrainingJobs": 3, "MaxRuntimeInSeconds": 3600},
            {
                "IntegerParameterRanges": [],
                "ContinuousParameterRanges": [],
                "CategoricalParameterRanges": [{"Name": "max_depth", "Values": ["3", "5", "7"]}],
            },
            {"eta": "0.2", **PLAN_STATIC},
            {"MaxRuntimeInSeconds": 3600},
        ),
    ],
    ids=["bayesian", "random", "hyperband", "grid"],
)
def test_tune_creates_the_tuning_job(sagemaker, event, limits, ranges, static, stopping):
    response = run(sagemaker, event)
    assert response["ok"] is True, response
    assert len(response["job_name"]) <= 32
    job = sagemaker.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=response["job_name"])
    config = job["HyperParameterTuningJobConfig"]
    assert config["Strategy"] == event.get("strategy", "Bayesian")
    assert config["HyperParameterTuningJobObjective"] == {"Type": "Maximize", "MetricName": "validation:auc"}
    assert config["ResourceLimits"] == limits
    assert config["ParameterRanges"] == ranges
    definition = job["TrainingJobDefinition"]
    assert definition["AlgorithmSpecification"]["TrainingImage"] == XGBOOST_IMAGE
    assert definition["RoleArn"] == ROLE_ARN
    assert {
        c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"] for c in definition["InputDataConfig"]
    } == CHANNELS
    assert {c["ContentType"] for c in definition["InputDataConfig"]} == {"text/csv"}
    assert definition["StaticHyperParameters"] == static
    assert definition["StoppingCondition"] == stopping
    assert definition["EnableManagedSpotTraining"] is event.get("use_spot", True)
    assert definition["OutputDataConfig"]["S3OutputPath"] == f"s3://{BUCKET}/models/training/"
    assert definition["ResourceConfig"]["InstanceType"] == "ml.m5.large"
    assert LAB_TAGS.items() <= tags_of(sagemaker, response["arn"]).items()


def test_transform_from_a_model_name(sagemaker):
    response = run(sagemaker, {"action": "transform", "model_name": served_model(sagemaker, "my-model")})
    assert response["ok"] is True, response
    job = sagemaker.describe_transform_job(TransformJobName=response["job_name"])
    assert job["ModelName"] == "my-model"
    assert job["TransformInput"]["SplitType"] == "Line"
    assert job["TransformInput"]["ContentType"] == "text/csv"
    assert job["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] == f"s3://{BUCKET}/data/processed/test/"
    assert job["TransformOutput"]["S3OutputPath"] == f"s3://{BUCKET}/output/predictions/{response['job_name']}/"
    assert job["TransformResources"] == {"InstanceType": "ml.m5.large", "InstanceCount": 1}
    assert LAB_TAGS.items() <= tags_of(sagemaker, response["arn"]).items()


def test_transform_from_a_training_job_creates_the_model_from_its_artifact(sagemaker):
    trained = run(sagemaker, {"action": "train"})
    response = run(sagemaker, {"action": "transform", "training_job_name": trained["job_name"]})
    assert response["ok"] is True, response
    assert response["model_created"] is True
    model = sagemaker.describe_model(ModelName=response["model_name"])
    artifact = sagemaker.describe_training_job(TrainingJobName=trained["job_name"])["ModelArtifacts"][
        "S3ModelArtifacts"
    ]
    assert model["PrimaryContainer"]["ModelDataUrl"] == artifact
    assert model["PrimaryContainer"]["Image"] == XGBOOST_IMAGE
    assert model["ExecutionRoleArn"] == ROLE_ARN
    assert (
        sagemaker.describe_transform_job(TransformJobName=response["job_name"])["ModelName"] == response["model_name"]
    )


def test_transform_from_a_tuning_job_uses_its_best_training_job():
    client = _stubbed_client()
    with Stubber(client) as stub:
        stub.add_response(
            "describe_hyper_parameter_tuning_job",
            _tuning_description("mls-tune-250101000000-abc", best="mls-tune-250101000000-abc-003-0a1b2c3d"),
            {"HyperParameterTuningJobName": "mls-tune-250101000000-abc"},
        )
        stub.add_response(
            "describe_training_job",
            _training_description("mls-tune-250101000000-abc-003-0a1b2c3d"),
            {"TrainingJobName": "mls-tune-250101000000-abc-003-0a1b2c3d"},
        )
        stub.add_client_error("describe_model", "ValidationException", "Could not find model")
        stub.add_response("create_model", {"ModelArn": "arn:aws:sagemaker:us-east-1:123456789012:model/m"})
        stub.add_response(
            "create_transform_job", {"TransformJobArn": "arn:aws:sagemaker:us-east-1:123456789012:transform-job/t"}
        )
        response = run(client, {"action": "transform", "tuning_job_name": "mls-tune-250101000000-abc"})
        stub.assert_no_pending_responses()
    assert response["ok"] is True, response
    assert response["training_job_name"] == "mls-tune-250101000000-abc-003-0a1b2c3d"


def test_transform_from_an_unfinished_training_job_is_refused_before_any_model_is_made():
    client = _stubbed_client()
    with Stubber(client) as stub:
        stub.add_response("describe_training_job", _training_description("mls-train-1", status="InProgress"))
        response = run(client, {"action": "transform", "training_job_name": "mls-train-1"})
        stub.assert_no_pending_responses()
    assert response["error"] == {
        "field": "training_job_name",
        "code": JOB_NOT_READY,
        "message": "training job mls-train-1 is InProgress; a transform needs a Completed one",
    }


def test_transform_from_a_missing_training_job_reports_sagemakers_error(sagemaker):
    response = run(sagemaker, {"action": "transform", "training_job_name": "mls-train-250101000000-abc"})
    assert response["ok"] is False
    assert response["error"]["field"] == "training_job_name"
    assert response["error"]["code"] == "ValidationException"
    assert "Could not find" in response["error"]["message"]


@pytest.mark.parametrize("code", ["ResourceLimitExceeded", "ThrottlingException"])
def test_sagemaker_api_errors_come_back_with_their_code_and_message(code):
    client = _stubbed_client()
    with Stubber(client) as stub:
        stub.add_client_error("create_training_job", code, f"{code} happened")
        response = run(client, {"action": "train"})
    assert response == {"ok": False, "error": {"field": None, "code": code, "message": f"{code} happened"}}


def test_a_transform_of_a_missing_model_reports_sagemakers_code_and_message_and_starts_nothing():
    client = _stubbed_client()
    message = 'Could not find model "arn:aws:sagemaker:us-east-1:123456789012:model/gone-model".'
    with Stubber(client) as stub:
        stub.add_client_error(
            "describe_model", "ValidationException", message, expected_params={"ModelName": "gone-model"}
        )
        response = run(client, {"action": "transform", "model_name": "gone-model"})
        stub.assert_no_pending_responses()
    assert response == {
        "ok": False,
        "error": {"field": "model_name", "code": "ValidationException", "message": message},
    }


@pytest.mark.parametrize("algorithm", ["kmeans", "deepar", "factorization-machines"])
def test_transform_of_a_named_model_sends_what_its_images_algorithm_reads(sagemaker, algorithm):
    name = served_model(sagemaker, f"serving-{algorithm}", algorithm)
    response = run(sagemaker, {"action": "transform", "model_name": name})
    assert response["ok"] is True, response
    assert response["algorithm"] == algorithm
    job = sagemaker.describe_transform_job(TransformJobName=response["job_name"])
    assert job["ModelName"] == name
    assert job["TransformInput"]["ContentType"] == ALGORITHMS[algorithm].inference_type
    assert job["TransformOutput"]["Accept"] == ALGORITHMS[algorithm].accept


def test_a_retried_request_id_returns_the_same_job(sagemaker):
    first = run(sagemaker, {"action": "train", "request_id": "day7-first-run"})
    again = run(sagemaker, {"action": "train", "request_id": "day7-first-run"})
    other = run(sagemaker, {"action": "train", "request_id": "day7-second-run"})
    assert first["existing"] is False and again["existing"] is True
    assert (again["job_name"], again["arn"]) == (first["job_name"], first["arn"])
    assert other["job_name"] != first["job_name"]
    names = [s["TrainingJobName"] for s in sagemaker.list_training_jobs()["TrainingJobSummaries"]]
    assert sorted(names) == sorted([first["job_name"], other["job_name"]])
    assert tags_of(sagemaker, first["arn"])["study-env:request-id"] == "day7-first-run"


@pytest.mark.parametrize("action", ["process", "tune"])
def test_request_id_is_idempotent_for_other_job_types(sagemaker, action):
    first = run(sagemaker, {"action": action, "request_id": "same"})
    again = run(sagemaker, {"action": action, "request_id": "same"})
    assert again["existing"] is True and again["arn"] == first["arn"]


def test_a_retry_racing_its_twin_returns_the_twins_job():
    client = _stubbed_client()
    arn = "arn:aws:sagemaker:us-east-1:123456789012:training-job/x"
    with Stubber(client) as stub:
        stub.add_client_error("describe_training_job", "ValidationException", "Requested resource not found.")
        stub.add_client_error("create_training_job", "ResourceInUse", "Job name already exists")
        stub.add_response("describe_training_job", _training_description("x", arn=arn))
        response = run(client, {"action": "train", "request_id": "twin"})
    assert response["ok"] is True and response["existing"] is True and response["arn"] == arn


def test_describe_reports_status_and_details_of_each_kind(sagemaker):
    started = {a: run(sagemaker, {"action": a}) for a in ("process", "train", "tune")}
    started["transform"] = run(sagemaker, {"action": "transform", "model_name": served_model(sagemaker, "m")})
    for response in started.values():
        described = run(sagemaker, {"action": "describe", "job_name": response["job_name"]})
        assert described["ok"] is True, described
        assert (described["kind"], described["arn"]) == (response["kind"], response["arn"])
        assert described["status"] and described["created"]
    train = run(sagemaker, {"action": "describe", "job_name": started["train"]["job_name"]})
    assert train["model_artifacts"].startswith(f"s3://{BUCKET}/models/training/")
    process = run(sagemaker, {"action": "describe", "job_name": started["process"]["job_name"]})
    assert process["outputs"]["test"] == f"s3://{BUCKET}/data/processed/test/"


def test_describe_of_a_missing_job_names_the_field(sagemaker):
    response = run(sagemaker, {"action": "describe", "job_name": "mls-train-250101000000-abc"})
    assert response["ok"] is False and response["error"]["field"] == "job_name"


def test_list_shows_only_the_labs_jobs_of_each_kind(sagemaker):
    mine = run(sagemaker, {"action": "train"})
    tuned = run(sagemaker, {"action": "tune"})
    sagemaker.create_training_job(
        TrainingJobName="someone-elses-mls-job",
        AlgorithmSpecification={"TrainingImage": XGBOOST_IMAGE, "TrainingInputMode": "File"},
        RoleArn=ROLE_ARN,
        OutputDataConfig={"S3OutputPath": "s3://elsewhere/"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 60},
    )
    response = run(sagemaker, {"action": "list"})
    assert response["ok"] is True
    assert sorted(response["jobs"]) == ["processing", "training", "transform", "tuning"]
    assert [j["job_name"] for j in response["jobs"]["training"]] == [mine["job_name"]]
    assert [j["job_name"] for j in response["jobs"]["tuning"]] == [tuned["job_name"]]
    assert response["jobs"]["training"][0]["status"]


def test_the_lambda_handler_reads_its_settings_from_the_environment(sagemaker, monkeypatch):
    for key, value in ENVIRONMENT.items():
        monkeypatch.setenv(key, value)
    module = load_handler_module()
    response = module.handler({"action": "train", "request_id": "from-the-handler"}, None)
    assert response["ok"] is True, response
    job = sagemaker.describe_training_job(TrainingJobName=response["job_name"])
    assert job["RoleArn"] == ROLE_ARN
    assert module.handler({"action": "trian"}, None)["error"]["field"] == "action"


def test_the_handler_refuses_to_run_without_its_settings(monkeypatch):
    from launcher.settings import SettingsError

    for key in ENVIRONMENT:
        monkeypatch.delenv(key, raising=False)
    module = load_handler_module()
    with pytest.raises(SettingsError, match="STUDY_BUCKET"):
        module.handler({"action": "list"}, None)


def _stubbed_client():
    return boto3.client("sagemaker", region_name="us-east-1")


def _training_description(name: str, status: str = "Completed", arn: str | None = None) -> dict:
    return {
        "TrainingJobName": name,
        "TrainingJobArn": arn or f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{name}",
        "TrainingJobStatus": status,
        "SecondaryStatus": status,
        "ModelArtifacts": {"S3ModelArtifacts": f"s3://{BUCKET}/models/training/{name}/output/model.tar.gz"},
        "AlgorithmSpecification": {"TrainingImage": XGBOOST_IMAGE, "TrainingInputMode": "File"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "CreationTime": datetime(2025, 1, 1, tzinfo=UTC),
    }


def _tuning_description(name: str, best: str) -> dict:
    return {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/{name}",
        "HyperParameterTuningJobConfig": {"Strategy": "Bayesian", "ResourceLimits": {"MaxParallelTrainingJobs": 4}},
        "HyperParameterTuningJobStatus": "Completed",
        "CreationTime": datetime(2025, 1, 1, tzinfo=UTC),
        "TrainingJobStatusCounters": {},
        "ObjectiveStatusCounters": {},
        "BestTrainingJob": {
            "TrainingJobName": best,
            "TrainingJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{best}",
            "CreationTime": datetime(2025, 1, 1, tzinfo=UTC),
            "TrainingJobStatus": "Completed",
            "TunedHyperParameters": {"eta": "0.1"},
        },
    }


CPU_ALGORITHMS = sorted(name for name, a in ALGORITHMS.items() if not a.gpu_only)


def _channels_of(input_config: list[dict]) -> list[tuple[str, str, str, str]]:
    return [
        (
            c["ChannelName"],
            c["ContentType"],
            c["DataSource"]["S3DataSource"]["S3Uri"],
            c["DataSource"]["S3DataSource"]["S3DataDistributionType"],
        )
        for c in input_config
    ]


def _expected_channels(algorithm: str) -> list[tuple[str, str, str, str]]:
    folder = "data/processed/" + ("" if algorithm == "xgboost" else algorithm + "/")
    prefixes = {"train_prefix": folder + "train/", "validation_prefix": folder + "validation/"}
    return [
        (c.name, c.content_type, f"s3://{BUCKET}/{prefixes[c.source]}", c.distribution)
        for c in ALGORITHMS[algorithm].channels
    ]


@pytest.mark.parametrize("algorithm", CPU_ALGORITHMS)
def test_train_runs_each_algorithm_on_its_image_channels_and_hyperparameters(sagemaker, algorithm):
    response = run(sagemaker, {"action": "train", "algorithm": algorithm, "use_spot": False})
    assert response["ok"] is True, response
    job = sagemaker.describe_training_job(TrainingJobName=response["job_name"])
    assert job["AlgorithmSpecification"]["TrainingImage"] == SETTINGS.image(algorithm)
    assert _channels_of(job["InputDataConfig"]) == _expected_channels(algorithm)
    assert job["HyperParameters"] == {k: str(v) for k, v in ALGORITHMS[algorithm].defaults.items()}
    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600}


@pytest.mark.parametrize("algorithm", [a for a in CPU_ALGORITHMS if ALGORITHMS[a].objective])
def test_tune_runs_each_algorithm_towards_its_objective(sagemaker, algorithm):
    spec = ALGORITHMS[algorithm]
    response = run(sagemaker, {"action": "tune", "algorithm": algorithm, "max_jobs": 4})
    assert response["ok"] is True, response
    job = sagemaker.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=response["job_name"])
    config = job["HyperParameterTuningJobConfig"]
    assert config["HyperParameterTuningJobObjective"] == {
        "Type": spec.metrics[spec.objective].direction,
        "MetricName": spec.objective,
    }
    definition = job["TrainingJobDefinition"]
    assert definition["AlgorithmSpecification"]["TrainingImage"] == SETTINGS.image(algorithm)
    assert _channels_of(definition["InputDataConfig"]) == _expected_channels(algorithm)
    tuned = {r["Name"] for kind in config["ParameterRanges"].values() for r in kind}
    assert tuned == set(spec.ranges)
    assert not tuned & set(definition["StaticHyperParameters"])
    # Spot by default: each training job may wait as long again for capacity.
    assert definition["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}


@pytest.mark.parametrize("algorithm", ["kmeans", "deepar", "blazingtext"])
def test_transform_from_another_algorithms_job_uses_its_image_and_inference_types(sagemaker, algorithm):
    trained = run(sagemaker, {"action": "train", "algorithm": algorithm})
    response = run(sagemaker, {"action": "transform", "training_job_name": trained["job_name"]})
    assert response["ok"] is True, response
    assert response["algorithm"] == algorithm
    model = sagemaker.describe_model(ModelName=response["model_name"])
    assert model["PrimaryContainer"]["Image"] == SETTINGS.image(algorithm)
    job = sagemaker.describe_transform_job(TransformJobName=response["job_name"])
    assert job["TransformInput"]["ContentType"] == ALGORITHMS[algorithm].inference_type
    assert job["TransformOutput"]["Accept"] == ALGORITHMS[algorithm].accept
