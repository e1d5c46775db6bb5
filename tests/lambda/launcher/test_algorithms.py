"""Each built-in algorithm's hyperparameters are checked as the algorithm checks them, before any call."""

from __future__ import annotations

import dataclasses
import json

import pytest

from launcher.algorithms import ALGORITHMS, GPU_FAMILIES, GPU_TRAINING_PRICES
from launcher.service import INVALID_REQUEST, handle
from launcher.validation import validate
from study_env import algorithms as study_algorithms
from study_env.plan import PRICES_FILE
from tests.support.launcher import SETTINGS

CPU = sorted(name for name, a in ALGORITHMS.items() if not a.gpu_only)
GPU = sorted(name for name, a in ALGORITHMS.items() if a.gpu_only)


def refused(event: dict, settings=SETTINGS) -> dict:
    """The error of a refused request, after checking it reached no SageMaker client."""
    created = []
    response = handle(event, settings, lambda: created.append(True))
    assert response["ok"] is False, response
    assert response["error"]["code"] == INVALID_REQUEST
    assert created == [], "a refused request must not even create the client"
    return response["error"]


# The examples: each started a billed job that failed in the XGBoost container.
@pytest.mark.parametrize(
    ("hyperparameters", "fragment"),
    [
        ({"eta": 5}, "eta: must be a number in [0, 1], not '5'"),
        ({"eta": -0.1}, "eta: must be a number in [0, 1], not '-0.1'"),
        ({"max_depth": -1}, "max_depth: must be a whole number >= 0, not '-1'"),
        ({"max_depth": "abc"}, "max_depth: must be a whole number >= 0, not 'abc'"),
        ({"max_depth": 2.5}, "max_depth: must be a whole number >= 0, not '2.5'"),
        ({"num_round": 0}, "num_round: must be a whole number >= 1, not '0'"),
        ({"subsample": 0}, "subsample: must be a number in (0, 1], not '0'"),
        ({"objective": "reg:squarederror"}, "eval_metric 'auc' needs a binary: or rank: objective"),
        ({"objective": "multi:softmax", "eval_metric": "merror"}, "num_class is required when objective="),
        ({"objective": "binary:logistc"}, "must be one of binary:logistic"),
        ({"eval_metric": "auc,rmsee"}, "not 'rmsee'"),
        ({"etaa": 0.1}, "'etaa' is not a hyperparameter of xgboost (did you mean 'eta'?)"),
        ({"monotone_constraints": "(1,0)", "tree_method": "approx"}, "needs tree_method to be one of exact, hist"),
    ],
)
def test_xgboost_values_its_container_rejects_are_refused(hyperparameters, fragment):
    error = refused({"action": "train", "hyperparameters": hyperparameters})
    assert error["field"] == "hyperparameters"
    assert fragment in error["message"]


def test_xgboost_multiclass_with_num_class_is_accepted():
    request = validate(
        {
            "action": "train",
            "hyperparameters": {"objective": "multi:softprob", "num_class": 3, "eval_metric": "mlogloss"},
        },
        SETTINGS,
    )
    assert request.hyperparameters["num_class"] == "3"


# algorithm: (hyperparameters, fragment) per kind of bad input.
BAD = {
    "linear-learner": {
        "out of range": ({"momentum": 1}, "momentum: must be a number in [0, 1) or 'auto', not '1'"),
        "wrong type": ({"epochs": "many"}, "epochs: must be a whole number > 0"),
        "bad category": ({"predictor_type": "classifier"}, "must be one of binary_classifier"),
        "unknown name": ({"learning_rat": 0.1}, "(did you mean 'learning_rate'?)"),
        "dependency": ({"predictor_type": "multiclass_classifier"}, "num_classes is required"),
        "impossible loss": ({"loss": "softmax_loss"}, "needs predictor_type to be one of multiclass_classifier"),
    },
    "kmeans": {
        "out of range": ({"k": 1}, "k: must be a whole number > 1, not '1'"),
        "wrong type": ({"k": "two"}, "k: must be a whole number > 1"),
        "bad list": ({"eval_metrics": "msd,mse"}, "a comma-separated list of msd, ssd, not 'mse'"),
        "unknown name": ({"init_metod": "random"}, "(did you mean 'init_method'?)"),
    },
    "pca": {
        "out of range": ({"num_components": 0}, "num_components: must be a whole number > 0"),
        "wrong type": ({"subtract_mean": "yes"}, "must be true or false"),
        "unknown name": ({"num_component": 3}, "(did you mean 'num_components'?)"),
        "dependency": ({"num_components": 31}, "num_components (31) must be at most feature_dim (30)"),
    },
    "factorization-machines": {
        "out of range": ({"factors_lr": -1}, "factors_lr: must be a number >= 0"),
        "bad category": ({"predictor_type": "multiclass_classifier"}, "must be one of binary_classifier, regressor"),
        "unknown name": ({"num_factor": 4}, "(did you mean 'num_factors'?)"),
    },
    "randomcutforest": {
        "out of range": ({"num_trees": 49}, "num_trees: must be a whole number in [50, 1000], not '49'"),
        "too many samples": ({"num_samples_per_tree": 4096}, "[1, 2048]"),
        "unknown name": ({"num_tree": 100}, "(did you mean 'num_trees'?)"),
    },
    "knn": {
        "out of range": ({"k": 0}, "k: must be a whole number >= 1"),
        "bad category": ({"index_metric": "l2"}, "must be one of COSINE, INNER_PRODUCT, L2, not 'l2'"),
        "dependency": ({"dimension_reduction_type": "sign"}, "dimension_reduction_target is required"),
        "impossible target": (
            {"dimension_reduction_type": "sign", "dimension_reduction_target": 30},
            "dimension_reduction_target (30) must be less than feature_dim (30)",
        ),
    },
    "ipinsights": {
        "out of range": ({"vector_dim": 2}, "vector_dim: must be a whole number in [4, 4096], not '2'"),
        "wrong type": ({"learning_rate": "fast"}, "learning_rate: must be a number in [1e-06, 10]"),
        "unknown name": ({"vector_dims": 8}, "(did you mean 'vector_dim'?)"),
    },
    "deepar": {
        "out of range": ({"dropout_rate": 1.5}, "dropout_rate: must be a number in [0, 1]"),
        "bad category": ({"likelihood": "poisson"}, "must be one of gaussian"),
        "bad frequency": ({"time_freq": "hourly"}, "must be one of min, 5min"),
        "unknown name": ({"prediction_lenght": 12}, "(did you mean 'prediction_length'?)"),
    },
    "blazingtext": {
        "bad category": ({"mode": "classify"}, "must be one of supervised, skipgram"),
        "out of range": ({"vector_dim": 0}, "vector_dim: must be a whole number > 0"),
        "dependency": ({"mode": "skipgram", "word_ngrams": 2}, "word_ngrams is set needs mode to be one of supervised"),
        "unknown name": ({"epoch": 5}, "(did you mean 'epochs'?)"),
    },
}
CASES = sorted((algorithm, case) for algorithm, cases in BAD.items() for case in cases)


@pytest.mark.parametrize(("algorithm", "case"), CASES)
def test_bad_hyperparameters_are_refused_per_algorithm(algorithm, case):
    hyperparameters, fragment = BAD[algorithm][case]
    error = refused({"action": "train", "algorithm": algorithm, "hyperparameters": hyperparameters})
    assert error["field"] == "hyperparameters"
    assert fragment in error["message"]


def test_every_cpu_algorithm_has_bad_input_cases():
    assert sorted(BAD) == sorted(set(CPU) - {"xgboost"})


@pytest.mark.parametrize("algorithm", CPU)
def test_a_missing_required_hyperparameter_is_named(algorithm, monkeypatch):
    spec = ALGORITHMS[algorithm]
    required = spec.required[0]
    without = spec._replace(defaults={k: v for k, v in spec.defaults.items() if k != required})
    monkeypatch.setitem(ALGORITHMS, algorithm, without)
    error = refused({"action": "train", "algorithm": algorithm})
    assert error["field"] == "hyperparameters"
    assert f"{required} is required by {algorithm}" in error["message"]


@pytest.mark.parametrize("algorithm", CPU)
def test_each_algorithms_defaults_pass_its_own_spec(algorithm):
    spec = ALGORITHMS[algorithm]
    request = validate({"action": "train", "algorithm": algorithm}, SETTINGS)
    assert set(spec.required) <= set(request.hyperparameters)
    assert request.hyperparameters == {k: str(v) for k, v in spec.defaults.items()}
    for name, hp in spec.hyperparameters.items():
        if hp.kind == "integer":
            assert hp.parse("1.5") is None, name


@pytest.mark.parametrize("algorithm", [a for a in CPU if ALGORITHMS[a].objective])
def test_each_algorithm_tunes_towards_its_objective_with_its_default_ranges(algorithm):
    spec = ALGORITHMS[algorithm]
    request = validate({"action": "tune", "algorithm": algorithm}, SETTINGS)
    assert request.objective_metric == spec.objective
    assert request.objective_type == spec.metrics[spec.objective].direction
    assert set(request.ranges) == set(spec.ranges)
    assert all(spec.hyperparameters[name].tunable for name in request.ranges)


@pytest.mark.parametrize(
    ("event", "field", "fragment"),
    [
        (
            {"algorithm": "xgboost", "ranges": {"eta": {"min": 0.1, "max": 2}}},
            "ranges.eta",
            "max 2 is outside what the algorithm takes: a number in [0, 1]",
        ),
        (
            {"algorithm": "xgboost", "ranges": {"subsample": {"min": 0, "max": 1}}},
            "ranges.subsample",
            "min 0 is outside what the algorithm takes: a number in (0, 1]",
        ),
        (
            {"algorithm": "randomcutforest", "ranges": {"num_trees": {"min": 10, "max": 100}}},
            "ranges.num_trees",
            "min 10 is outside",
        ),
        (
            {"algorithm": "kmeans", "ranges": {"init_method": {"values": ["random", "kmeans+"]}}},
            "ranges.init_method",
            "not 'kmeans+'",
        ),
        ({"algorithm": "kmeans", "ranges": {"k": {"min": 2, "max": 5}}}, "ranges.k", "kmeans cannot tune k"),
        (
            {"algorithm": "knn", "ranges": {"sample_siz": {"min": 2, "max": 5}}},
            "ranges",
            "(did you mean 'sample_size'?)",
        ),
        (
            {"algorithm": "kmeans", "ranges": {"init_method": {"min": 1, "max": 2}}},
            "ranges.init_method",
            'tune it with {"values": [...]}',
        ),
        ({"algorithm": "pca"}, "algorithm", "pca emits no objective metric"),
        ({"algorithm": "kmeans", "objective_metric": "test:mse"}, "objective_metric", "test:msd, test:ssd"),
        (
            {"algorithm": "knn", "objective_metric": "test:mse"},
            "hyperparameters",
            "predictor_type must be one of regressor: the tuning objective is test:mse",
        ),
        (
            {"algorithm": "xgboost", "objective_metric": "validation:rmse"},
            "hyperparameters",
            "eval_metric must include 'rmse'",
        ),
        ({"algorithm": "kmeans", "strategy": "Hyperband"}, "strategy", "for xgboost only, not kmeans"),
        ({"algorithm": "k-means"}, "algorithm", "did you mean 'kmeans'?"),
    ],
)
def test_tuning_requests_outside_the_spec_are_refused(event, field, fragment):
    error = refused({"action": "tune", **event})
    assert error["field"] == field
    assert fragment in error["message"]


def test_tuning_on_another_metric_takes_its_direction():
    request = validate(
        {
            "action": "tune",
            "hyperparameters": {"eval_metric": "rmse", "objective": "reg:squarederror"},
            "objective_metric": "validation:rmse",
        },
        SETTINGS,
    )
    assert (request.objective_metric, request.objective_type) == ("validation:rmse", "Minimize")


@pytest.mark.parametrize("algorithm", GPU)
def test_gpu_only_algorithms_are_refused_without_a_gpu_type_naming_the_cheapest(algorithm):
    error = refused({"action": "train", "algorithm": algorithm})
    assert error["field"] == "algorithm"
    assert f"{algorithm} trains on GPU instances only" in error["message"]
    assert "the cheapest suitable is ml.g4dn.xlarge at $0.736/hour" in error["message"]


def test_a_gpu_only_algorithm_runs_on_an_allowed_gpu_type_only():
    settings = dataclasses.replace(
        SETTINGS, allowed_instance_types=(*SETTINGS.allowed_instance_types, "ml.g4dn.xlarge")
    )
    error = refused({"action": "train", "algorithm": "image-classification"}, settings)
    assert (error["field"], error["message"]) == (
        "instance_type",
        "image-classification trains on GPU instances only: use one of ml.g4dn.xlarge",
    )
    request = validate(
        {
            "action": "train",
            "algorithm": "image-classification",
            "instance_type": "ml.g4dn.xlarge",
            "hyperparameters": {"num_classes": 2, "num_training_samples": 100},
        },
        settings,
    )
    assert request.algorithm == "image-classification"


def test_gpu_prices_are_the_price_tables():
    with open(PRICES_FILE) as fh:
        training = json.load(fh)["per_instance_hour"]["training"]
    assert {t: p for t, p in training.items() if t.startswith(GPU_FAMILIES)} == GPU_TRAINING_PRICES


def test_the_cdk_side_table_names_the_same_algorithms():
    assert [a.name for a in study_algorithms.ALGORITHMS] == list(ALGORITHMS)
    assert {a.name for a in study_algorithms.ALGORITHMS if a.gpu_only} == set(GPU)
    assert set(SETTINGS.algorithm_images) == set(ALGORITHMS) - {"xgboost"}


def test_blazingtext_batch_transform_reads_and_writes_json_lines():
    # SageMaker's BlazingText page: "For batch transform, they both need to be application/jsonlines"
    # (content type and accept must be equal); application/json is for endpoints only.
    spec = ALGORITHMS["blazingtext"]
    assert (spec.inference_type, spec.accept) == ("application/jsonlines", "application/jsonlines")
