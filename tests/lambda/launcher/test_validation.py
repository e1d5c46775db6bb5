"""Bad requests: each is refused with the field it concerns and why, before anything reaches AWS."""

from __future__ import annotations

import pytest

from launcher import defaults
from launcher.service import INVALID_REQUEST, handle
from launcher.validation import FIELDS, tuning_runtime_limit, validate
from tests.support.launcher import BUCKET, SETTINGS

GRID = {"max_depth": {"values": [3, 5]}, "eta": {"values": [0.1, 0.2, 0.3]}}

# name: (request, field, a fragment of the message)
BAD_REQUESTS = {
    "not an object": (["train"], None, "must be a JSON object, not an array"),
    "null": (None, None, "not null"),
    "a string": ("train", None, "not a string"),
    "no action": ({}, "action", "missing"),
    "unknown action": ({"action": "deploy"}, "action", "must be one of process, train"),
    "action near-miss": ({"action": "trian"}, "action", "did you mean 'train'?"),
    "action not a string": ({"action": 3}, "action", "not 3"),
    "unknown field near-miss": (
        {"action": "train", "hyperparamters": {}},
        "hyperparamters",
        "did you mean 'hyperparameters'?",
    ),
    "unknown field": ({"action": "train", "colour": "red"}, "colour", "unknown field"),
    "field of another action": ({"action": "train", "ranges": {}}, "ranges", "not used by action 'train'"),
    "list takes nothing": ({"action": "list", "job_name": "x"}, "job_name", "not used by action 'list'"),
    "process does not spot": ({"action": "process", "use_spot": True}, "use_spot", "not used by action 'process'"),
    "instance type outside allow-list": (
        {"action": "train", "instance_type": "ml.p4d.24xlarge"},
        "instance_type",
        "allowed instance types",
    ),
    "instance type not a string": ({"action": "train", "instance_type": 5}, "instance_type", "not 5"),
    "t3 for transform": (
        {"action": "transform", "model_name": "m", "instance_type": "ml.t3.medium"},
        "instance_type",
        "does not offer ml.t3.medium for transform",
    ),
    "instance count zero": ({"action": "train", "instance_count": 0}, "instance_count", "from 1 to 4"),
    "instance count boolean": ({"action": "train", "instance_count": True}, "instance_count", "whole number"),
    "instance count float": ({"action": "train", "instance_count": 1.5}, "instance_count", "whole number"),
    "processing on two instances": ({"action": "process", "instance_count": 2}, "instance_count", "from 1 to 1"),
    "runtime too long": ({"action": "train", "max_runtime_seconds": 86401}, "max_runtime_seconds", "from 60 to 86400"),
    "runtime as string": ({"action": "train", "max_runtime_seconds": "3600"}, "max_runtime_seconds", "whole number"),
    "transform invocation limit": (
        {"action": "transform", "model_name": "m", "max_runtime_seconds": 3601},
        "max_runtime_seconds",
        "from 1 to 3600",
    ),
    "use_spot as string": ({"action": "train", "use_spot": "yes"}, "use_spot", "true or false"),
    "other bucket": (
        {"action": "train", "train_prefix": "s3://someone-else/data/"},
        "train_prefix",
        "must be in the study bucket",
    ),
    "s3 url to elsewhere in a key": (
        {"action": "train", "train_prefix": "data/https://evil.example/"},
        "train_prefix",
        "not another URL",
    ),
    "parent segment": ({"action": "process", "input_prefix": "data/../secrets/"}, "input_prefix", "'..'"),
    "absolute path": ({"action": "process", "input_prefix": "/etc/passwd"}, "input_prefix", "no leading '/'"),
    "empty prefix": ({"action": "process", "output_prefix": ""}, "output_prefix", "must not be empty"),
    "bucket root only": ({"action": "process", "input_prefix": f"s3://{BUCKET}/"}, "input_prefix", "must not be empty"),
    "double slash": ({"action": "process", "input_prefix": "data//raw/"}, "input_prefix", "'//'"),
    "wildcard": ({"action": "process", "input_prefix": "data/*"}, "input_prefix", "letters, digits"),
    "prefix not a string": ({"action": "process", "input_prefix": ["data/"]}, "input_prefix", "key prefix"),
    "output where the role cannot write": (
        {"action": "train", "output_prefix": "data/raw/"},
        "output_prefix",
        "may write",
    ),
    "input where the role cannot read": (
        {"action": "transform", "model_name": "m", "input_prefix": "output/x/"},
        "input_prefix",
        "may read",
    ),
    "hyperparameters not an object": ({"action": "train", "hyperparameters": [1]}, "hyperparameters", "not an array"),
    "hyperparameter value nested": (
        {"action": "train", "hyperparameters": {"eta": {"v": 1}}},
        "hyperparameters",
        "eta: must be a string, number",
    ),
    "hyperparameter null": ({"action": "train", "hyperparameters": {"eta": None}}, "hyperparameters", "not null"),
    "hyperparameter empty": (
        {"action": "train", "hyperparameters": {"eta": ""}},
        "hyperparameters",
        "eta: must be 1-2500",
    ),
    "hyperparameter bad name": ({"action": "train", "hyperparameters": {"e ta": 1}}, "hyperparameters", "name 'e ta'"),
    "hyperparameter infinite": (
        {"action": "train", "hyperparameters": {"eta": float("inf")}},
        "hyperparameters",
        "eta: must be a string, number",
    ),
    "ranges empty": ({"action": "tune", "ranges": {}}, "ranges", "non-empty object"),
    "range key typo": (
        {"action": "tune", "ranges": {"eta": {"min": 0.1, "mx": 0.2}}},
        "ranges.eta",
        "did you mean 'max'?",
    ),
    "range both kinds": (
        {"action": "tune", "ranges": {"eta": {"min": 0.1, "max": 0.2, "values": [1]}}},
        "ranges.eta",
        '{"values": [...]}',
    ),
    "range min above max": (
        {"action": "tune", "ranges": {"eta": {"min": 0.3, "max": 0.1}}},
        "ranges.eta",
        "min (0.3) must be less than max (0.1)",
    ),
    "integer range with fraction": (
        {"action": "tune", "ranges": {"max_depth": {"min": 2.5, "max": 8}}},
        "ranges.max_depth",
        "min must be a whole number",
    ),
    "range bound a string": (
        {"action": "tune", "ranges": {"eta": {"min": "0.1", "max": 0.3}}},
        "ranges.eta",
        "min must be a number",
    ),
    "categories empty": ({"action": "tune", "ranges": {"max_depth": {"values": []}}}, "ranges.max_depth", "1-30"),
    "categories repeated": (
        {"action": "tune", "ranges": {"max_depth": {"values": [4, 4]}}},
        "ranges.max_depth",
        "distinct",
    ),
    "tuned and fixed": (
        {"action": "tune", "hyperparameters": {"eta": 0.1}},
        "hyperparameters",
        "'eta' is also in ranges",
    ),
    "objective not emitted": (
        {"action": "tune", "hyperparameters": {"eval_metric": "logloss"}},
        "hyperparameters",
        "must include 'auc'",
    ),
    "unknown strategy": ({"action": "tune", "strategy": "Bayesain"}, "strategy", "did you mean 'Bayesian'?"),
    "grid with default numeric ranges": ({"action": "tune", "strategy": "Grid"}, "strategy", "categorical values only"),
    "grid with a numeric range": (
        {"action": "tune", "strategy": "Grid", "ranges": {**GRID, "subsample": {"min": 0.5, "max": 1}}},
        "ranges",
        "subsample is a min/max range",
    ),
    "grid with the wrong max_jobs": (
        {"action": "tune", "strategy": "Grid", "ranges": GRID, "max_jobs": 20},
        "max_jobs",
        "set it to 6",
    ),
    "grid too large": (
        {
            "action": "tune",
            "strategy": "Grid",
            "ranges": {"max_depth": {"values": list(range(8))}, "num_round": {"values": list(range(1, 9))}},
        },
        "ranges",
        "64 training jobs",
    ),
    "hyperband tuning its resource": (
        {"action": "tune", "strategy": "Hyperband", "ranges": {"num_round": {"min": 10, "max": 100}}},
        "ranges",
        "do not tune it",
    ),
    "hyperband without whole rounds": (
        {"action": "tune", "strategy": "Hyperband", "hyperparameters": {"num_round": "many"}},
        "hyperparameters",
        "whole number",
    ),
    "too many jobs": ({"action": "tune", "max_jobs": 51}, "max_jobs", "from 1 to 50"),
    "tuning job shorter than SageMaker allows": (
        {"action": "tune", "max_runtime_seconds": 60, "use_spot": False, "max_jobs": 1},
        "max_runtime_seconds",
        "MaxRuntimeInSeconds to be at least 120; 1 round(s) of training jobs limited to 60 s each give 60 s: "
        "set max_runtime_seconds to at least 120",
    ),
    "more parallel than total": (
        {"action": "tune", "max_jobs": 3, "max_parallel_jobs": 4},
        "max_parallel_jobs",
        "more than the total number of jobs (3)",
    ),
    "transform with no model": ({"action": "transform"}, "model_name", "exactly one of"),
    "transform with two models": (
        {"action": "transform", "model_name": "m", "training_job_name": "mls-train-x"},
        "training_job_name",
        "exactly one of",
    ),
    "transform from someone else's job": (
        {"action": "transform", "training_job_name": "their-job"},
        "training_job_name",
        "one of the lab's jobs",
    ),
    "model name with underscore": ({"action": "transform", "model_name": "my_model"}, "model_name", "SageMaker name"),
    "tuning job name too long": (
        {"action": "transform", "tuning_job_name": "mls-" + "a" * 29},
        "tuning_job_name",
        "1-32",
    ),
    "describe without a name": ({"action": "describe"}, "job_name", "missing"),
    "describe someone else's job": (
        {"action": "describe", "job_name": "prod-train-1"},
        "job_name",
        "one of the lab's jobs",
    ),
    "algorithm not a string": ({"action": "train", "algorithm": ["kmeans"]}, "algorithm", "not ['kmeans']"),
    "algorithm near-miss": ({"action": "tune", "algorithm": "linear_learner"}, "algorithm", "'linear-learner'?"),
    "objective not a string": (
        {"action": "tune", "objective_metric": {"name": "auc"}},
        "objective_metric",
        "xgboost can be tuned on validation:auc",
    ),
    "objective of another algorithm": (
        {"action": "tune", "objective_metric": "test:msd"},
        "objective_metric",
        "not 'test:msd'",
    ),
    "request id with spaces": ({"action": "train", "request_id": "my request"}, "request_id", "1-64"),
    "request id too long": ({"action": "train", "request_id": "x" * 65}, "request_id", "1-64"),
}


@pytest.mark.parametrize("name", sorted(BAD_REQUESTS))
def test_bad_request_is_refused_naming_the_field_and_starts_nothing(name):
    event, field, fragment = BAD_REQUESTS[name]

    def no_client():
        raise AssertionError("a rejected request must not create a SageMaker client")

    response = handle(event, SETTINGS, no_client)
    assert response["ok"] is False
    assert response["error"]["field"] == field
    assert response["error"]["code"] == INVALID_REQUEST
    assert fragment in response["error"]["message"]


def test_every_request_field_is_accepted_by_some_action():
    # The issue's field list, spelled exactly; the README documents each.
    issue_fields = {
        "action",
        "algorithm",
        "format",
        "hyperparameters",
        "ranges",
        "objective_metric",
        "strategy",
        "max_jobs",
        "max_parallel_jobs",
        "instance_type",
        "instance_count",
        "max_runtime_seconds",
        "use_spot",
        "input_prefix",
        "output_prefix",
        "train_prefix",
        "validation_prefix",
        "model_name",
        "training_job_name",
        "tuning_job_name",
        "job_name",
        "request_id",
    }
    assert issue_fields == FIELDS


@pytest.mark.parametrize(
    "given, expected",
    [
        ("data/processed/train", "data/processed/train/"),
        (f"s3://{BUCKET}/data/processed/train/", "data/processed/train/"),
        (f"S3://{BUCKET}/models/training", "models/training/"),
    ],
)
def test_prefixes_are_normalized_to_keys_in_the_study_bucket(given, expected):
    assert validate({"action": "train", "train_prefix": given}, SETTINGS).train_prefix == expected


def test_strategy_is_matched_without_regard_to_case():
    assert validate({"action": "tune", "strategy": "random"}, SETTINGS).strategy == "Random"


def test_tuning_parallelism_default_never_exceeds_the_total():
    request = validate({"action": "tune", "max_jobs": 2}, SETTINGS)
    assert (request.max_jobs, request.max_parallel_jobs) == (2, 2)


@pytest.mark.parametrize(
    "event",
    [
        {"action": "tune", "max_runtime_seconds": 60, "use_spot": True, "max_jobs": 1},
        {"action": "tune", "max_runtime_seconds": 60, "use_spot": False, "max_jobs": 2, "max_parallel_jobs": 1},
        {"action": "tune", "max_runtime_seconds": 120, "use_spot": False, "max_jobs": 1},
    ],
    ids=["spot-wait-doubles-it", "two-rounds", "one-round-at-the-floor"],
)
def test_a_tuning_job_at_sagemakers_minimum_runtime_is_accepted(event):
    assert tuning_runtime_limit(validate(event, SETTINGS)) == 120


def test_grid_runs_every_combination():
    request = validate({"action": "tune", "strategy": "Grid", "ranges": GRID}, SETTINGS)
    assert request.max_jobs == 6
    assert request.max_parallel_jobs == defaults.MAX_PARALLEL_JOBS


def test_defaults_fill_every_field_from_the_study_plan():
    request = validate({"action": "train"}, SETTINGS)
    assert request.instance_type == SETTINGS.default_instance_type
    assert request.use_spot is True
    assert request.max_runtime_seconds == defaults.MAX_RUNTIME_SECONDS["train"]
    assert request.hyperparameters == {
        "max_depth": "5",
        "eta": "0.2",
        "objective": "binary:logistic",
        "num_round": "100",
        "eval_metric": "auc",
    }
    assert (request.train_prefix, request.validation_prefix, request.output_prefix) == (
        "data/processed/train/",
        "data/processed/validation/",
        "models/training/",
    )


def test_hyperparameters_override_defaults_and_become_strings():
    request = validate(
        {"action": "train", "hyperparameters": {"eta": 0.05, "num_round": 50, "save_model_on_termination": "true"}},
        SETTINGS,
    )
    assert request.hyperparameters["eta"] == "0.05"
    assert request.hyperparameters["num_round"] == "50"
    assert request.hyperparameters["save_model_on_termination"] == "true"
    assert request.hyperparameters["max_depth"] == "5"
