"""The built-in algorithms the launcher trains and tunes: one :class:`Algorithm` each.

Facts carried over from SageMaker's per-algorithm hyperparameter and tuning pages, the XGBoost
container's own validation (``algorithm_mode/hyperparameter_validation.py`` in
aws/sagemaker-xgboost-container) and SDK 2.x's estimator declarations (``tests/lambda/launcher/
test_sdk2_specs.py`` compares them). The defaults of required hyperparameters fit the lab's sample data
(``scripts/make_sample_dataset.py``; ``tests/unit/test_sample_data.py`` checks them against the files).
Images are not here: the construct passes them (``ALGORITHM_IMAGES``), from ``study_env/algorithms.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from launcher.specs import Hp, boolean, choice, continuous, integer, items, text

MAXIMIZE, MINIMIZE = "Maximize", "Minimize"
CSV = "text/csv"
CSV_NO_LABEL = "text/csv;label_size=0"
CSV_LABEL = "text/csv;label_size=1"
RECORDIO = "application/x-recordio-protobuf"
JSON_LINES = "application/json"
TEXT_PLAIN = "text/plain"
IMAGE_RECORDIO = "application/x-recordio"
# Where a channel's data comes from: the request's train_prefix or validation_prefix.
TRAIN, VALIDATION = "train_prefix", "validation_prefix"
# The GPU families the GPU-only algorithms train on (their pages list p2, p3, g4dn and g5).
GPU_FAMILIES = ("ml.p2.", "ml.p3.", "ml.g4dn.", "ml.g5.")
# us-east-1 on-demand training prices of the GPU types, per hour: study_env/data/prices.json's figures
# (tests/lambda/launcher/test_algorithms.py keeps the two equal); the asset cannot read study_env/.
GPU_TRAINING_PRICES = {"ml.g4dn.xlarge": 0.736, "ml.g5.xlarge": 1.408, "ml.p3.2xlarge": 3.825}

Rule = Callable[[Mapping[str, str]], "str | None"]


@dataclass(frozen=True)
class Channel:
    name: str
    source: str
    content_type: str
    distribution: str = "FullyReplicated"


@dataclass(frozen=True)
class Metric:
    """A tuning objective: its direction and, if any, the hyperparameter value that makes the job emit it."""

    direction: str
    needs: str | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Algorithm:
    name: str
    title: str
    hyperparameters: Mapping[str, Hp]
    required: tuple[str, ...]
    defaults: Mapping[str, str | int | float]
    channels: tuple[Channel, ...]
    metrics: Mapping[str, Metric] = field(default_factory=dict)
    objective: str | None = None
    ranges: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    gpu_only: bool = False
    # The hyperparameter Hyperband grows as its training resource (None: Hyperband is refused).
    hyperband_resource: str | None = None
    # What its inference accepts and returns for a Batch Transform.
    inference_type: str = CSV
    accept: str = CSV


def requires(name: str, values: tuple[str, ...], when: str, when_values: tuple[str, ...] | None = None) -> Rule:
    """A rule: if ``when`` is set (to one of ``when_values``), ``name`` must be set (to one of ``values``)."""

    def rule(hps: Mapping[str, str]) -> str | None:
        if when not in hps or (when_values is not None and hps[when] not in when_values):
            return None
        condition = f"{when}={hps[when]!r}" if when_values is not None else f"{when} is set"
        if name not in hps:
            return f"{name} is required when {condition}"
        if values and hps[name] not in values:
            return f"{condition} needs {name} to be one of {', '.join(values)}, not {hps[name]!r}"
        return None

    return rule


def less_than(small: str, large: str, *, or_equal: bool = False) -> Rule:
    def rule(hps: Mapping[str, str]) -> str | None:
        try:
            a, b = float(hps[small]), float(hps[large])
        except (KeyError, ValueError):
            return None
        if a < b or (or_equal and a == b):
            return None
        return f"{small} ({hps[small]}) must be {'at most' if or_equal else 'less than'} {large} ({hps[large]})"

    return rule


def _xgboost_metric_rule(hps: Mapping[str, str]) -> str | None:
    metrics = [m.strip().split("@")[0] for m in hps.get("eval_metric", "").split(",") if m.strip()]
    objective = hps.get("objective", "reg:squarederror")
    if "auc" in metrics and not objective.startswith(("binary:", "rank:")):
        return f"eval_metric 'auc' needs a binary: or rank: objective, not {objective!r}"
    if "aft-nloglik" in metrics and objective != "survival:aft":
        return f"eval_metric 'aft-nloglik' needs objective 'survival:aft', not {objective!r}"
    return None


_XGB_METRICS_MAX = ("auc", "aucpr", "map", "ndcg", "accuracy", "f1")
_XGB_METRICS_MIN = (
    "rmse",
    "rmsle",
    "mae",
    "mape",
    "mse",
    "logloss",
    "error",
    "merror",
    "mlogloss",
    "poisson-nloglik",
    "gamma-nloglik",
    "gamma-deviance",
    "tweedie-nloglik",
    "cox-nloglik",
    "aft-nloglik",
    "mphe",
)
_XGB_OBJECTIVES = (
    "binary:logistic",
    "binary:logitraw",
    "binary:hinge",
    "count:poisson",
    "multi:softmax",
    "multi:softprob",
    "rank:pairwise",
    "rank:ndcg",
    "rank:map",
    "reg:linear",
    "reg:squarederror",
    "reg:logistic",
    "reg:gamma",
    "reg:pseudohubererror",
    "reg:squaredlogerror",
    "reg:tweedie",
    "reg:absoluteerror",
    "survival:aft",
    "survival:cox",
)

XGBOOST = Algorithm(
    name="xgboost",
    title="XGBoost",
    hyperparameters={
        "num_round": integer(1, tunable=True),
        "eta": continuous(0, 1, tunable=True),
        "gamma": continuous(0, tunable=True),
        "max_depth": integer(0, tunable=True),
        "min_child_weight": continuous(0, tunable=True),
        "max_delta_step": continuous(0, tunable=True),
        "subsample": continuous(0, 1, low_open=True, tunable=True),
        "colsample_bytree": continuous(0, 1, low_open=True, tunable=True),
        "colsample_bylevel": continuous(0, 1, low_open=True, tunable=True),
        "colsample_bynode": continuous(0, 1, low_open=True, tunable=True),
        "lambda": continuous(0, tunable=True),
        "alpha": continuous(0, tunable=True),
        "booster": choice("gbtree", "gblinear", "dart"),
        "tree_method": choice("auto", "exact", "approx", "hist", "gpu_hist"),
        "sketch_eps": continuous(0, 1, low_open=True, high_open=True),
        "scale_pos_weight": continuous(0, low_open=True),
        "grow_policy": choice("depthwise", "lossguide"),
        "max_leaves": integer(0),
        "max_bin": integer(0),
        "sampling_method": choice("uniform", "gradient_based"),
        "rate_drop": continuous(0, 1),
        "skip_drop": continuous(0, 1),
        "one_drop": integer(0, 1),
        "sample_type": choice("uniform", "weighted"),
        "normalize_type": choice("tree", "forest"),
        "tweedie_variance_power": continuous(1, 2, low_open=True, high_open=True),
        "objective": choice(*_XGB_OBJECTIVES),
        "num_class": integer(2),
        "base_score": continuous(0),
        "eval_metric": items(*_XGB_METRICS_MAX, *_XGB_METRICS_MIN),
        "early_stopping_rounds": integer(1),
        "csv_weights": integer(0, 1),
        "verbosity": integer(0, 3),
        "nthread": integer(1),
        "seed": integer(-(2**31), 2**31 - 1, low_open=True, high_open=True),
        "num_parallel_tree": integer(1),
        "monotone_constraints": text(),
        "interaction_constraints": text(),
        "save_model_on_termination": choice("true", "false"),
    },
    required=("num_round",),
    defaults={"max_depth": 5, "eta": 0.2, "objective": "binary:logistic", "num_round": 100, "eval_metric": "auc"},
    channels=(Channel("train", TRAIN, CSV), Channel("validation", VALIDATION, CSV)),
    metrics={
        **{f"validation:{m}": Metric(MAXIMIZE, "eval_metric", (m,)) for m in _XGB_METRICS_MAX},
        **{f"validation:{m}": Metric(MINIMIZE, "eval_metric", (m,)) for m in _XGB_METRICS_MIN},
    },
    objective="validation:auc",
    ranges={
        "eta": {"min": 0.01, "max": 0.3},
        "max_depth": {"min": 3, "max": 10},
        "min_child_weight": {"min": 1, "max": 10},
        "subsample": {"min": 0.5, "max": 1.0},
    },
    rules=(
        requires("num_class", (), "objective", ("multi:softmax", "multi:softprob")),
        _xgboost_metric_rule,
        requires("tree_method", ("exact", "hist"), "monotone_constraints"),
        requires("tree_method", ("exact", "hist", "approx"), "interaction_constraints"),
    ),
    hyperband_resource="num_round",
)

_LL_BINARY = ("binary_classifier",)
_LL_MULTI = ("multiclass_classifier",)
_LL_REGRESSOR = ("regressor",)

LINEAR_LEARNER = Algorithm(
    name="linear-learner",
    title="Linear Learner",
    hyperparameters={
        "feature_dim": integer(0, low_open=True, words=("auto",)),
        "predictor_type": choice(*_LL_BINARY, *_LL_MULTI, *_LL_REGRESSOR),
        "num_classes": integer(0, 1000000, low_open=True),
        "mini_batch_size": integer(0, low_open=True, tunable=True),
        "epochs": integer(0, low_open=True),
        "binary_classifier_model_selection_criteria": choice(
            "accuracy",
            "f1",
            "f_beta",
            "precision_at_target_recall",
            "recall_at_target_precision",
            "cross_entropy_loss",
            "loss_function",
        ),
        "target_recall": continuous(0, 1, low_open=True, high_open=True),
        "target_precision": continuous(0, 1, low_open=True, high_open=True),
        "positive_example_weight_mult": continuous(0, low_open=True, words=("auto", "balanced"), tunable=True),
        "use_bias": boolean(tunable=True),
        "num_models": integer(0, low_open=True, words=("auto",)),
        "num_calibration_samples": integer(0, low_open=True),
        "init_method": choice("uniform", "normal"),
        "init_scale": continuous(0, low_open=True),
        "init_sigma": continuous(0, low_open=True),
        "init_bias": continuous(),
        "optimizer": choice("sgd", "adam", "rmsprop", "auto"),
        "loss": choice(
            "logistic",
            "squared_loss",
            "absolute_loss",
            "hinge_loss",
            "eps_insensitive_squared_loss",
            "eps_insensitive_absolute_loss",
            "quantile_loss",
            "huber_loss",
            "softmax_loss",
            "auto",
        ),
        "wd": continuous(0, words=("auto",), tunable=True),
        "l1": continuous(0, words=("auto",), tunable=True),
        "momentum": continuous(0, 1, high_open=True, words=("auto",), tunable=True),
        "learning_rate": continuous(0, low_open=True, words=("auto",), tunable=True),
        "beta_1": continuous(0, 1, high_open=True, words=("auto",), tunable=True),
        "beta_2": continuous(0, 1, high_open=True, words=("auto",), tunable=True),
        "bias_lr_mult": continuous(0, low_open=True, words=("auto",)),
        "bias_wd_mult": continuous(0, words=("auto",)),
        "use_lr_scheduler": boolean(tunable=True),
        "lr_scheduler_step": integer(0, low_open=True, words=("auto",), tunable=True),
        "lr_scheduler_factor": continuous(0, 1, low_open=True, high_open=True, words=("auto",), tunable=True),
        "lr_scheduler_minimum_lr": continuous(0, low_open=True, words=("auto",), tunable=True),
        "normalize_data": boolean(),
        "normalize_label": boolean(),
        "unbias_data": boolean(),
        "unbias_label": boolean(),
        "num_point_for_scaler": integer(0, low_open=True),
        "margin": continuous(0),
        "quantile": continuous(0, 1, low_open=True, high_open=True),
        "loss_insensitivity": continuous(0, low_open=True),
        "huber_delta": continuous(0),
        "early_stopping_patience": integer(0, low_open=True),
        "early_stopping_tolerance": continuous(0, low_open=True),
        "accuracy_top_k": integer(0, 1000000, low_open=True),
        "f_beta": continuous(0, low_open=True),
        "balance_multiclass_weights": boolean(),
    },
    required=("feature_dim", "predictor_type"),
    defaults={"feature_dim": 30, "predictor_type": "binary_classifier", "mini_batch_size": 100, "epochs": 15},
    channels=(Channel("train", TRAIN, CSV), Channel("validation", VALIDATION, CSV)),
    metrics={
        "validation:binary_classification_accuracy": Metric(MAXIMIZE, "predictor_type", _LL_BINARY),
        "validation:binary_f_beta": Metric(MAXIMIZE, "predictor_type", _LL_BINARY),
        "validation:precision": Metric(MAXIMIZE, "predictor_type", _LL_BINARY),
        "validation:recall": Metric(MAXIMIZE, "predictor_type", _LL_BINARY),
        "validation:roc_auc_score": Metric(MAXIMIZE, "predictor_type", _LL_BINARY),
        "validation:multiclass_accuracy": Metric(MAXIMIZE, "predictor_type", _LL_MULTI),
        "validation:multiclass_top_k_accuracy": Metric(MAXIMIZE, "predictor_type", _LL_MULTI),
        "validation:macro_f_beta": Metric(MAXIMIZE, "predictor_type", _LL_MULTI),
        "validation:absolute_loss": Metric(MINIMIZE, "predictor_type", _LL_REGRESSOR),
        "validation:mse": Metric(MINIMIZE, "predictor_type", _LL_REGRESSOR),
        "validation:rmse": Metric(MINIMIZE, "predictor_type", _LL_REGRESSOR),
        "validation:objective_loss": Metric(MINIMIZE),
    },
    objective="validation:binary_f_beta",
    ranges={"learning_rate": {"min": 0.0001, "max": 0.5}, "wd": {"min": 0.0000001, "max": 1}},
    rules=(
        requires("num_classes", (), "predictor_type", _LL_MULTI),
        lambda hps: (
            f"predictor_type 'multiclass_classifier' needs num_classes of at least 3, not {hps['num_classes']}"
            if hps.get("predictor_type") == "multiclass_classifier"
            and hps.get("num_classes", "3").isdigit()
            and int(hps.get("num_classes", "3")) < 3
            else None
        ),
        requires("predictor_type", _LL_BINARY, "loss", ("logistic", "hinge_loss")),
        requires("predictor_type", _LL_MULTI, "loss", ("softmax_loss",)),
        requires(
            "predictor_type",
            _LL_REGRESSOR,
            "loss",
            (
                "squared_loss",
                "absolute_loss",
                "eps_insensitive_squared_loss",
                "eps_insensitive_absolute_loss",
                "quantile_loss",
                "huber_loss",
            ),
        ),
        requires("target_recall", (), "binary_classifier_model_selection_criteria", ("precision_at_target_recall",)),
        requires("target_precision", (), "binary_classifier_model_selection_criteria", ("recall_at_target_precision",)),
    ),
)

KMEANS = Algorithm(
    name="kmeans",
    title="K-Means",
    hyperparameters={
        "feature_dim": integer(0, low_open=True),
        "k": integer(1, low_open=True),
        "mini_batch_size": integer(0, low_open=True, tunable=True),
        "epochs": integer(0, low_open=True),
        "init_method": choice("random", "kmeans++", tunable=True),
        "local_lloyd_max_iter": integer(0, low_open=True),
        "local_lloyd_tol": continuous(0, 1),
        "local_lloyd_num_trials": integer(0, low_open=True, words=("auto",)),
        "local_lloyd_init_method": choice("random", "kmeans++"),
        "half_life_time_size": integer(0),
        "extra_center_factor": integer(0, low_open=True, words=("auto",), tunable=True),
        "eval_metrics": items("msd", "ssd"),
    },
    required=("feature_dim", "k"),
    defaults={"feature_dim": 30, "k": 2},
    channels=(Channel("train", TRAIN, CSV_NO_LABEL), Channel("test", VALIDATION, CSV_NO_LABEL)),
    metrics={"test:msd": Metric(MINIMIZE), "test:ssd": Metric(MINIMIZE)},
    objective="test:msd",
    ranges={"mini_batch_size": {"min": 50, "max": 200}, "extra_center_factor": {"min": 2, "max": 10}},
    inference_type=CSV,
    accept="application/jsonlines",
)

PCA = Algorithm(
    name="pca",
    title="PCA",
    hyperparameters={
        "feature_dim": integer(0, low_open=True),
        "num_components": integer(0, low_open=True),
        "mini_batch_size": integer(0, low_open=True),
        "algorithm_mode": choice("regular", "randomized"),
        "subtract_mean": boolean(),
        "extra_components": integer(-1),
    },
    required=("feature_dim", "num_components", "mini_batch_size"),
    defaults={"feature_dim": 30, "num_components": 5, "mini_batch_size": 100},
    channels=(Channel("train", TRAIN, CSV_NO_LABEL),),
    rules=(less_than("num_components", "feature_dim", or_equal=True),),
    accept="application/jsonlines",
)

_FM_BINARY = ("binary_classifier",)
FACTORIZATION_MACHINES = Algorithm(
    name="factorization-machines",
    title="Factorization Machines",
    hyperparameters={
        "feature_dim": integer(0, low_open=True),
        "num_factors": integer(0, low_open=True),
        "predictor_type": choice("binary_classifier", "regressor"),
        "mini_batch_size": integer(0, low_open=True, tunable=True),
        "epochs": integer(0, low_open=True, tunable=True),
        "clip_gradient": continuous(),
        "eps": continuous(),
        "rescale_grad": continuous(),
        **{
            f"{part}_{what}": continuous(0, tunable=True)
            for part in ("bias", "linear", "factors")
            for what in ("lr", "wd", "init_scale", "init_sigma")
        },
        **{f"{part}_init_value": continuous(tunable=True) for part in ("bias", "linear", "factors")},
        **{f"{part}_init_method": choice("normal", "uniform", "constant") for part in ("bias", "linear", "factors")},
    },
    required=("feature_dim", "num_factors", "predictor_type"),
    defaults={"feature_dim": 30, "num_factors": 8, "predictor_type": "binary_classifier", "epochs": 20},
    channels=(Channel("train", TRAIN, RECORDIO), Channel("test", VALIDATION, RECORDIO)),
    metrics={
        "test:binary_classification_accuracy": Metric(MAXIMIZE, "predictor_type", _FM_BINARY),
        "test:binary_classification_cross_entropy": Metric(MINIMIZE, "predictor_type", _FM_BINARY),
        "test:binary_f_beta": Metric(MAXIMIZE, "predictor_type", _FM_BINARY),
        "test:rmse": Metric(MINIMIZE, "predictor_type", ("regressor",)),
    },
    objective="test:binary_classification_accuracy",
    ranges={"factors_lr": {"min": 0.001, "max": 0.1}, "factors_wd": {"min": 0.00001, "max": 1}},
    inference_type="application/json",
    accept="application/jsonlines",
)

RANDOM_CUT_FOREST = Algorithm(
    name="randomcutforest",
    title="Random Cut Forest",
    hyperparameters={
        "feature_dim": integer(1, 10000),
        "num_trees": integer(50, 1000, tunable=True),
        "num_samples_per_tree": integer(1, 2048, tunable=True),
        "mini_batch_size": integer(0, low_open=True),
        "eval_metrics": items("accuracy", "precision_recall_fscore"),
    },
    required=("feature_dim",),
    defaults={"feature_dim": 2},
    # Its train channel must be sharded by key; a labelled test channel yields test:f1.
    channels=(
        Channel("train", TRAIN, CSV_NO_LABEL, "ShardedByS3Key"),
        Channel("test", VALIDATION, CSV_LABEL),
    ),
    metrics={"test:f1": Metric(MAXIMIZE)},
    objective="test:f1",
    ranges={"num_trees": {"min": 50, "max": 200}, "num_samples_per_tree": {"min": 64, "max": 512}},
    accept="application/jsonlines",
)

KNN = Algorithm(
    name="knn",
    title="k-NN",
    hyperparameters={
        "feature_dim": integer(0, low_open=True),
        "k": integer(1, tunable=True),
        "sample_size": integer(1, tunable=True),
        "predictor_type": choice("classifier", "regressor"),
        "mini_batch_size": integer(0, low_open=True),
        "dimension_reduction_type": choice("sign", "fjlt"),
        "dimension_reduction_target": integer(1),
        "index_type": choice("faiss.Flat", "faiss.IVFFlat", "faiss.IVFPQ"),
        "index_metric": choice("COSINE", "INNER_PRODUCT", "L2"),
        "faiss_index_ivf_nlists": integer(0, low_open=True, words=("auto",)),
        "faiss_index_pq_m": integer(1),
    },
    required=("feature_dim", "k", "sample_size", "predictor_type"),
    defaults={"feature_dim": 30, "k": 5, "sample_size": 300, "predictor_type": "classifier"},
    channels=(Channel("train", TRAIN, CSV_LABEL), Channel("test", VALIDATION, CSV_LABEL)),
    metrics={
        "test:accuracy": Metric(MAXIMIZE, "predictor_type", ("classifier",)),
        "test:mse": Metric(MINIMIZE, "predictor_type", ("regressor",)),
    },
    objective="test:accuracy",
    ranges={"k": {"min": 1, "max": 10}, "sample_size": {"min": 100, "max": 300}},
    rules=(
        requires("dimension_reduction_target", (), "dimension_reduction_type"),
        less_than("dimension_reduction_target", "feature_dim"),
    ),
    accept="application/jsonlines",
)

IP_INSIGHTS = Algorithm(
    name="ipinsights",
    title="IP Insights",
    hyperparameters={
        "num_entity_vectors": integer(1, 250000000, tunable=True),
        "vector_dim": integer(4, 4096, tunable=True),
        "batch_metrics_publish_interval": integer(1),
        "epochs": integer(1, tunable=True),
        "learning_rate": continuous(1e-6, 10.0, tunable=True),
        "mini_batch_size": integer(0, low_open=True, tunable=True),
        "num_ip_encoder_layers": integer(0, 100),
        "random_negative_sampling_rate": integer(0, 500, tunable=True),
        "shuffled_negative_sampling_rate": integer(0, 500, tunable=True),
        "weight_decay": continuous(0.0, 10.0, tunable=True),
    },
    required=("num_entity_vectors", "vector_dim"),
    # The sample has 50 entities; the algorithm's page advises twice the number of unique entities.
    defaults={"num_entity_vectors": 100, "vector_dim": 16, "epochs": 5},
    channels=(Channel("train", TRAIN, CSV), Channel("validation", VALIDATION, CSV)),
    metrics={"validation:discriminator_auc": Metric(MAXIMIZE)},
    objective="validation:discriminator_auc",
    ranges={"vector_dim": {"min": 8, "max": 64}, "learning_rate": {"min": 0.001, "max": 0.1}},
    accept="application/json",
)

DEEPAR = Algorithm(
    name="deepar",
    title="DeepAR Forecasting",
    hyperparameters={
        "context_length": integer(0, low_open=True, tunable=True),
        "prediction_length": integer(0, low_open=True),
        "time_freq": choice("min", "5min", "15min", "30min", "H", "2H", "6H", "12H", "D", "W", "M"),
        "epochs": integer(0, low_open=True, tunable=True),
        "cardinality": text(),
        "dropout_rate": continuous(0, 1, tunable=True),
        "early_stopping_patience": integer(0, low_open=True),
        "embedding_dimension": integer(0, low_open=True, tunable=True),
        "learning_rate": continuous(0, low_open=True, tunable=True),
        "likelihood": choice("gaussian", "beta", "negative-binomial", "student-T", "deterministic-L1", tunable=True),
        "mini_batch_size": integer(0, low_open=True, tunable=True),
        "num_cells": integer(0, low_open=True, tunable=True),
        "num_dynamic_feat": integer(0, words=("auto", "ignore")),
        "num_eval_samples": integer(0, low_open=True),
        "num_layers": integer(0, low_open=True, tunable=True),
        "test_quantiles": text(),
    },
    required=("context_length", "prediction_length", "time_freq", "epochs"),
    defaults={"context_length": 24, "prediction_length": 24, "time_freq": "H", "epochs": 20},
    channels=(Channel("train", TRAIN, JSON_LINES), Channel("test", VALIDATION, JSON_LINES)),
    metrics={
        "test:RMSE": Metric(MINIMIZE),
        "test:mean_wQuantileLoss": Metric(MINIMIZE),
        "train:final_loss": Metric(MINIMIZE),
    },
    objective="test:RMSE",
    ranges={"context_length": {"min": 12, "max": 48}, "learning_rate": {"min": 0.0001, "max": 0.01}},
    inference_type="application/jsonlines",
    accept="application/jsonlines",
)

_BT_SUPERVISED = ("supervised",)
BLAZINGTEXT = Algorithm(
    name="blazingtext",
    title="BlazingText",
    hyperparameters={
        "mode": choice("supervised", "skipgram", "cbow", "batch_skipgram"),
        "epochs": integer(0, low_open=True, tunable=True),
        "learning_rate": continuous(0, low_open=True, tunable=True),
        "min_count": integer(0, tunable=True),
        "vector_dim": integer(0, low_open=True, tunable=True),
        "window_size": integer(0, low_open=True, tunable=True),
        "word_ngrams": integer(0, low_open=True, tunable=True),
        "buckets": integer(0, low_open=True, tunable=True),
        "early_stopping": boolean(),
        "patience": integer(0, low_open=True),
        "min_epochs": integer(0, low_open=True),
        "negative_samples": integer(0, low_open=True, tunable=True),
        "sampling_threshold": continuous(0, low_open=True, tunable=True),
        "subwords": boolean(),
        "batch_size": integer(0, low_open=True, tunable=True),
        "evaluation": boolean(),
        "min_char": integer(0, low_open=True),
        "max_char": integer(0, low_open=True),
    },
    required=("mode",),
    defaults={"mode": "supervised", "epochs": 10},
    channels=(Channel("train", TRAIN, TEXT_PLAIN), Channel("validation", VALIDATION, TEXT_PLAIN)),
    metrics={
        "validation:accuracy": Metric(MAXIMIZE, "mode", _BT_SUPERVISED),
        "train:mean_rho": Metric(MAXIMIZE, "mode", ("skipgram", "cbow", "batch_skipgram")),
    },
    objective="validation:accuracy",
    ranges={"learning_rate": {"min": 0.005, "max": 0.05}, "word_ngrams": {"min": 1, "max": 3}},
    rules=(
        requires("mode", _BT_SUPERVISED, "word_ngrams"),
        requires("mode", _BT_SUPERVISED, "early_stopping"),
        less_than("min_char", "max_char", or_equal=True),
    ),
    inference_type="application/json",
    accept="application/json",
)

_IMAGE_COMMON = {
    "num_classes": integer(1, low_open=True),
    "num_training_samples": integer(0, low_open=True),
    "epochs": integer(0, low_open=True, tunable=True),
    "learning_rate": continuous(0, 1, low_open=True, tunable=True),
    "mini_batch_size": integer(0, low_open=True, tunable=True),
    "optimizer": choice("sgd", "adam", "rmsprop", "nag", "adadelta", tunable=True),
    "momentum": continuous(0, 1, tunable=True),
    "weight_decay": continuous(0, 1, tunable=True),
    "use_pretrained_model": integer(0, 1),
}
IMAGE_CLASSIFICATION = Algorithm(
    name="image-classification",
    title="Image Classification",
    hyperparameters={
        **_IMAGE_COMMON,
        "image_shape": text(),
        "num_layers": choice("18", "34", "50", "101", "152", "200"),
        "augmentation_type": choice("crop", "crop_color", "crop_color_transform"),
    },
    required=("num_classes", "num_training_samples"),
    defaults={},
    channels=(Channel("train", TRAIN, IMAGE_RECORDIO), Channel("validation", VALIDATION, IMAGE_RECORDIO)),
    metrics={"validation:accuracy": Metric(MAXIMIZE)},
    objective="validation:accuracy",
    gpu_only=True,
    inference_type="application/x-image",
    accept="application/json",
)
OBJECT_DETECTION = Algorithm(
    name="object-detection",
    title="Object Detection",
    hyperparameters={
        **_IMAGE_COMMON,
        "base_network": choice("vgg-16", "resnet-50"),
        "image_shape": integer(0, low_open=True),
        "label_width": integer(0, low_open=True),
    },
    required=("num_classes", "num_training_samples"),
    defaults={},
    channels=(Channel("train", TRAIN, IMAGE_RECORDIO), Channel("validation", VALIDATION, IMAGE_RECORDIO)),
    metrics={"validation:mAP": Metric(MAXIMIZE)},
    objective="validation:mAP",
    gpu_only=True,
    inference_type="image/jpeg",
    accept="application/json",
)
SEMANTIC_SEGMENTATION = Algorithm(
    name="semantic-segmentation",
    title="Semantic Segmentation",
    hyperparameters={
        **_IMAGE_COMMON,
        "algorithm": choice("fcn", "psp", "deeplab"),
        "backbone": choice("resnet-50", "resnet-101"),
        "crop_size": integer(0, low_open=True),
    },
    required=("num_classes", "num_training_samples"),
    defaults={},
    channels=(Channel("train", TRAIN, IMAGE_RECORDIO), Channel("validation", VALIDATION, IMAGE_RECORDIO)),
    metrics={"validation:mIOU": Metric(MAXIMIZE), "validation:pixel_accuracy": Metric(MAXIMIZE)},
    objective="validation:mIOU",
    gpu_only=True,
    inference_type="image/jpeg",
    accept="image/png",
)
SEQ2SEQ = Algorithm(
    name="seq2seq",
    title="Sequence-to-Sequence",
    hyperparameters={
        "batch_size": integer(0, low_open=True, tunable=True),
        "max_num_epochs": integer(0, low_open=True),
        "learning_rate": continuous(0, low_open=True, tunable=True),
        "num_layers_encoder": integer(1, 20, tunable=True),
        "num_layers_decoder": integer(1, 20, tunable=True),
        "rnn_num_hidden": integer(0, low_open=True, tunable=True),
        "max_seq_len_source": integer(0, low_open=True),
        "max_seq_len_target": integer(0, low_open=True),
        "optimizer_type": choice("adam", "sgd", "rmsprop"),
    },
    required=(),
    defaults={},
    channels=(
        Channel("train", TRAIN, RECORDIO),
        Channel("validation", VALIDATION, RECORDIO),
        Channel("vocab", TRAIN, TEXT_PLAIN),
    ),
    metrics={"validation:bleu": Metric(MAXIMIZE), "validation:perplexity": Metric(MINIMIZE)},
    objective="validation:bleu",
    gpu_only=True,
    inference_type="application/json",
    accept="application/json",
)

ALGORITHMS: dict[str, Algorithm] = {
    a.name: a
    for a in (
        XGBOOST,
        LINEAR_LEARNER,
        KMEANS,
        PCA,
        FACTORIZATION_MACHINES,
        RANDOM_CUT_FOREST,
        KNN,
        IP_INSIGHTS,
        DEEPAR,
        BLAZINGTEXT,
        SEQ2SEQ,
        OBJECT_DETECTION,
        IMAGE_CLASSIFICATION,
        SEMANTIC_SEGMENTATION,
    )
}
DEFAULT = XGBOOST.name
