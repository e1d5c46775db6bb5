"""Request building, with no AWS at all: names, tags, limits, and shapes valid for SageMaker's API model."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime

import botocore.session
import pytest
from botocore.validate import ParamValidator

from launcher import defaults, job_requests, names
from launcher.validation import validate
from tests.support.launcher import BUCKET, ROLE_ARN, SETTINGS, SKLEARN_IMAGE, XGBOOST_IMAGE

NOW = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
SAGEMAKER = botocore.session.get_session().get_service_model("sagemaker")
OPERATIONS = {
    "process": ("CreateProcessingJob", job_requests.processing_job),
    "train": ("CreateTrainingJob", job_requests.training_job),
    "tune": ("CreateHyperParameterTuningJob", job_requests.tuning_job),
}
TAGS = [
    {"Key": "project", "Value": "study-env"},
    {"Key": "study-env:prefix", "Value": "mls"},
    {"Key": "study-env:launched-by", "Value": "job-launcher"},
]


def build(event: dict) -> dict:
    request = validate(event, SETTINGS)
    operation, builder = OPERATIONS[request.action]
    body = builder(request, SETTINGS, names.job_name("mls", request.action, names.suffix(NOW, "abc")))
    assert_valid_shape(operation, body)
    return body


def assert_valid_shape(operation: str, body: dict) -> None:
    report = ParamValidator().validate(body, SAGEMAKER.operation_model(operation).input_shape)
    assert not report.has_errors(), report.generate_report()


@pytest.mark.parametrize("prefix", ["ab", "mls", "abcdefghij"])
@pytest.mark.parametrize("request_id", [None, "retry-me", "x" * 64])
@pytest.mark.parametrize("action", sorted(names.NAME_WORDS))
def test_job_names_fit_sagemaker_rules_for_every_prefix_length(prefix, request_id, action):
    name = names.job_name(prefix, action, names.suffix(NOW, "f00", request_id))
    kind = names.KINDS[action]
    assert name.startswith(prefix + "-")
    assert len(name) <= names.MAX_LENGTH[kind]
    assert names.SAGEMAKER_NAME_RE.match(name)
    assert names.kind_of(name, prefix) == kind
    shape = SAGEMAKER.shape_for({"tuning": "HyperParameterTuningJobName"}.get(kind, "TrainingJobName"))
    assert len(name) <= shape.metadata["max"] and re.fullmatch(shape.metadata["pattern"], name)


def test_a_request_id_always_names_the_same_job_and_a_timestamp_never_repeats_it():
    assert names.suffix(NOW, "aaa", "r1") == names.suffix(datetime.now(UTC), "bbb", "r1")
    assert names.suffix(NOW, "aaa", "r1") != names.suffix(NOW, "aaa", "r2")
    assert names.suffix(NOW, "aaa") == "250304050607-aaa"


def test_kind_of_tells_a_tuning_job_from_its_training_jobs():
    tuning = "mls-tune-250304050607-abc"
    assert names.kind_of(tuning, "mls") == "tuning"
    assert names.kind_of(tuning + "-007-1a2b3c4d", "mls") == "training"
    assert names.kind_of("mls-train-250304050607-abc", "lab") is None
    assert names.kind_of("mls-train-whatever", "mls") is None


def test_processing_job_runs_preprocessing_on_the_sklearn_image():
    body = build({"action": "process"})
    app = body["AppSpecification"]
    assert app["ImageUri"] == SKLEARN_IMAGE
    assert app["ContainerEntrypoint"] == ["python3", "/opt/ml/processing/input/code/preprocessing.py"]
    inputs = {i["InputName"]: i["S3Input"]["S3Uri"] for i in body["ProcessingInputs"]}
    assert inputs == {"raw": f"s3://{BUCKET}/data/raw/", "code": f"s3://{BUCKET}/code/scripts/"}
    outputs = {o["OutputName"]: o["S3Output"]["S3Uri"] for o in body["ProcessingOutputConfig"]["Outputs"]}
    assert outputs == {
        "train": f"s3://{BUCKET}/data/processed/train/",
        "validation": f"s3://{BUCKET}/data/processed/validation/",
        "test": f"s3://{BUCKET}/data/processed/test/",
        "test_labels": f"s3://{BUCKET}/data/processed/test_labels/",
    }
    assert body["StoppingCondition"] == {"MaxRuntimeInSeconds": 1800}
    assert body["ProcessingResources"] == {
        "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 5}
    }
    assert body["RoleArn"] == ROLE_ARN and body["Tags"] == TAGS


def test_training_job_is_builtin_xgboost_on_csv_channels_with_spot_by_default():
    body = build({"action": "train"})
    assert body["AlgorithmSpecification"] == {"TrainingImage": XGBOOST_IMAGE, "TrainingInputMode": "File"}
    channels = {c["ChannelName"]: c for c in body["InputDataConfig"]}
    assert sorted(channels) == ["train", "validation"]
    assert {c["ContentType"] for c in channels.values()} == {"text/csv"}
    assert channels["validation"]["DataSource"]["S3DataSource"]["S3Uri"] == f"s3://{BUCKET}/data/processed/validation/"
    assert body["OutputDataConfig"] == {"S3OutputPath": f"s3://{BUCKET}/models/training/"}
    assert body["EnableManagedSpotTraining"] is True
    assert body["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600, "MaxWaitTimeInSeconds": 7200}
    assert body["HyperParameters"]["objective"] == "binary:logistic"


def test_training_without_spot_has_no_max_wait():
    body = build({"action": "train", "use_spot": False, "max_runtime_seconds": 600, "instance_type": "ml.m5.xlarge"})
    assert body["EnableManagedSpotTraining"] is False
    assert body["StoppingCondition"] == {"MaxRuntimeInSeconds": 600}
    assert body["ResourceConfig"]["InstanceType"] == "ml.m5.xlarge"


def test_tuning_job_searches_the_plans_ranges_for_validation_auc():
    body = build({"action": "tune"})
    config = body["HyperParameterTuningJobConfig"]
    assert config["Strategy"] == "Bayesian"
    assert config["HyperParameterTuningJobObjective"] == {"Type": "Maximize", "MetricName": "validation:auc"}
    assert config["ResourceLimits"]["MaxNumberOfTrainingJobs"] == 20
    assert config["ResourceLimits"]["MaxParallelTrainingJobs"] == 4
    # 5 rounds of 4 parallel jobs, each allowed 3600 s plus as long again waiting for spot capacity.
    assert config["ResourceLimits"]["MaxRuntimeInSeconds"] == 5 * 7200
    ranges = config["ParameterRanges"]
    assert ranges["IntegerParameterRanges"] == [
        {"Name": "max_depth", "MinValue": "3", "MaxValue": "10", "ScalingType": "Auto"}
    ]
    assert [r["Name"] for r in ranges["ContinuousParameterRanges"]] == ["eta", "min_child_weight", "subsample"]
    static = body["TrainingJobDefinition"]["StaticHyperParameters"]
    assert static == {"objective": "binary:logistic", "num_round": "100", "eval_metric": "auc"}
    assert body["TrainingJobDefinition"]["EnableManagedSpotTraining"] is True


def test_grid_tuning_uses_categorical_values_and_no_early_stopping():
    body = build(
        {
            "action": "tune",
            "strategy": "Grid",
            "ranges": {"max_depth": {"values": [3, 6]}, "eta": {"values": [0.1, 0.3]}},
        }
    )
    config = body["HyperParameterTuningJobConfig"]
    assert config["ParameterRanges"]["CategoricalParameterRanges"] == [
        {"Name": "eta", "Values": ["0.1", "0.3"]},
        {"Name": "max_depth", "Values": ["3", "6"]},
    ]
    assert config["ResourceLimits"]["MaxNumberOfTrainingJobs"] == 4
    assert config["TrainingJobEarlyStoppingType"] == "Off"


def test_hyperband_grows_num_round_and_stops_jobs_itself():
    body = build({"action": "tune", "strategy": "Hyperband", "hyperparameters": {"num_round": 300}})
    config = body["HyperParameterTuningJobConfig"]
    assert config["StrategyConfig"] == {"HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 300}}
    assert config["TrainingJobEarlyStoppingType"] == "Off"


def test_random_strategy_stops_hopeless_jobs_early():
    config = build({"action": "tune", "strategy": "Random", "max_jobs": 6, "max_parallel_jobs": 3})[
        "HyperParameterTuningJobConfig"
    ]
    assert config["TrainingJobEarlyStoppingType"] == "Auto"
    assert config["ResourceLimits"]["MaxRuntimeInSeconds"] == 2 * 7200


def test_transform_scores_csv_lines_into_a_folder_per_job():
    request = validate({"action": "transform", "model_name": "my-model", "request_id": "r-1"}, SETTINGS)
    body = job_requests.transform_job(request, SETTINGS, "mls-xform-x", "my-model")
    assert_valid_shape("CreateTransformJob", body)
    assert body["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] == f"s3://{BUCKET}/data/processed/test/"
    assert body["TransformInput"]["ContentType"] == "text/csv"
    assert body["TransformInput"]["SplitType"] == "Line"
    assert body["TransformOutput"] == {
        "S3OutputPath": f"s3://{BUCKET}/output/predictions/mls-xform-x/",
        "Accept": "text/csv",
        "AssembleWith": "Line",
    }
    assert body["ModelClientConfig"]["InvocationsTimeoutInSeconds"] == defaults.MAX_RUNTIME_SECONDS["transform"]
    assert body["Tags"][-1] == {"Key": "study-env:request-id", "Value": "r-1"}


def test_model_is_served_by_the_image_that_trained_it():
    request = validate({"action": "transform", "training_job_name": "mls-train-1"}, SETTINGS)
    body = job_requests.model(
        request, SETTINGS, "mls-model-x", XGBOOST_IMAGE, f"s3://{BUCKET}/models/training/j/output/model.tar.gz"
    )
    assert_valid_shape("CreateModel", body)
    assert body["PrimaryContainer"]["Image"] == XGBOOST_IMAGE
    assert body["ExecutionRoleArn"] == ROLE_ARN


def test_console_links_point_at_the_job_in_its_region():
    assert job_requests.console_url("eu-west-1", "tuning", "mls-tune-x") == (
        "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/hyper-tuning-jobs/mls-tune-x"
    )


def test_processing_writes_the_requested_algorithms_format_from_its_dataset():
    body = build({"action": "process", "algorithm": "deepar"})
    assert body["AppSpecification"]["ContainerArguments"][-4:] == ["--algorithm", "deepar", "--format", "json-lines"]
    inputs = {i["InputName"]: i["S3Input"]["S3Uri"] for i in body["ProcessingInputs"]}
    assert inputs["raw"] == f"s3://{BUCKET}/data/raw/hourly-demand/"
    outputs = {o["OutputName"]: o["S3Output"]["S3Uri"] for o in body["ProcessingOutputConfig"]["Outputs"]}
    assert outputs["train"] == f"s3://{BUCKET}/data/processed/deepar/train/"
    assert build({"action": "process"})["AppSpecification"]["ContainerArguments"][-4:] == [
        "--algorithm",
        "xgboost",
        "--format",
        "csv",
    ]


def test_another_format_is_written_to_and_read_from_a_folder_of_its_own():
    process = build({"action": "process", "format": "parquet"})
    assert process["AppSpecification"]["ContainerArguments"][-2:] == ["--format", "parquet"]
    outputs = {o["OutputName"]: o["S3Output"]["S3Uri"] for o in process["ProcessingOutputConfig"]["Outputs"]}
    assert outputs["train"] == f"s3://{BUCKET}/data/processed/xgboost-parquet/train/"
    # The test split stays CSV: it is Batch Transform input, and XGBoost's inference reads no Parquet.
    assert outputs["test"] == f"s3://{BUCKET}/data/processed/xgboost-parquet/test/"
    train = build({"action": "train", "format": "parquet"})
    channels = {c["ChannelName"]: c for c in train["InputDataConfig"]}
    assert {name: c["ContentType"] for name, c in channels.items()} == {
        "train": "application/x-parquet",
        "validation": "application/x-parquet",
    }
    assert channels["train"]["DataSource"]["S3DataSource"]["S3Uri"] == outputs["train"]
    kmeans = build({"action": "train", "algorithm": "kmeans", "format": "recordio-protobuf"})
    assert {
        c["ChannelName"]: (c["ContentType"], c["DataSource"]["S3DataSource"]["S3Uri"])
        for c in kmeans["InputDataConfig"]
    } == {
        "train": ("application/x-recordio-protobuf", f"s3://{BUCKET}/data/processed/kmeans-recordio-protobuf/train/"),
        "test": (
            "application/x-recordio-protobuf",
            f"s3://{BUCKET}/data/processed/kmeans-recordio-protobuf/validation/",
        ),
    }


def test_a_tuning_jobs_trials_read_the_requested_format():
    body = build({"action": "tune", "algorithm": "linear-learner", "format": "recordio-protobuf"})
    channels = body["TrainingJobDefinition"]["InputDataConfig"]
    assert [(c["ChannelName"], c["ContentType"]) for c in channels] == [
        ("train", "application/x-recordio-protobuf"),
        ("validation", "application/x-recordio-protobuf"),
    ]
    assert channels[0]["DataSource"]["S3DataSource"]["S3Uri"].endswith("/linear-learner-recordio-protobuf/train/")


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (
            {"action": "process", "format": "libsvm"},
            "xgboost trains on one of csv, parquet, recordio-protobuf; not 'libsvm'",
        ),
        ({"action": "train", "format": "parket"}, "not 'parket' (did you mean 'parquet'?)"),
        (
            {"action": "train", "algorithm": "factorization-machines", "format": "csv"},
            "factorization-machines trains on recordio-protobuf only; not 'csv'",
        ),
        (
            {"action": "tune", "algorithm": "kmeans", "format": "parquet"},
            "kmeans trains on one of csv, recordio-protobuf; not 'parquet'",
        ),
        ({"action": "train", "format": ["csv"]}, "not ['csv']"),
    ],
)
def test_a_format_the_algorithm_does_not_read_is_refused_naming_the_field(event, message):
    from launcher.validation import RequestError

    with pytest.raises(RequestError) as raised:
        validate(event, SETTINGS)
    assert raised.value.field == "format"
    assert message in raised.value.message


def test_processing_for_an_image_algorithm_is_refused():
    from launcher.validation import RequestError, validate

    with pytest.raises(RequestError, match="writes no data for image-classification"):
        validate({"action": "process", "algorithm": "image-classification"}, SETTINGS)


def test_extra_channels_sit_beside_the_train_folder():
    settings = dataclasses.replace(
        SETTINGS, allowed_instance_types=("ml.g4dn.xlarge",), default_instance_type="ml.g4dn.xlarge"
    )
    request = validate(
        {
            "action": "train",
            "algorithm": "semantic-segmentation",
            "hyperparameters": {"num_classes": 3, "num_training_samples": 50},
        },
        settings,
    )
    body = job_requests.training_job(request, settings, "mls-train-x")
    assert {
        c["ChannelName"]: (c["DataSource"]["S3DataSource"]["S3Uri"], c["ContentType"]) for c in body["InputDataConfig"]
    } == {
        "train": (f"s3://{BUCKET}/data/processed/semantic-segmentation/train/", "image/jpeg"),
        "validation": (f"s3://{BUCKET}/data/processed/semantic-segmentation/validation/", "image/jpeg"),
        "train_annotation": (f"s3://{BUCKET}/data/processed/semantic-segmentation/train_annotation/", "image/png"),
        "validation_annotation": (
            f"s3://{BUCKET}/data/processed/semantic-segmentation/validation_annotation/",
            "image/png",
        ),
    }
