"""The built-in algorithms the lab trains: their images (for synth and the execution role) and the
study plan's Day 5 table (for ``study algorithms``).

The launcher's own table of the same algorithms (hyperparameters, channels, metrics) is
``lambda/launcher/launcher/algorithms.py``: the Lambda asset cannot import this package.
``tests/unit/test_algorithms.py`` keeps the names, GPU flags and content types of the two equal.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache

from study_env.paths import LAMBDA_DIR

# What each algorithm's inference reads and writes lives in the launcher's table, the one place both
# sides of the asset boundary take it from (synth reads the file; it never imports the asset's code).
LAUNCHER_TABLE = os.path.join(LAMBDA_DIR, "launcher", "launcher", "algorithms.json")

# Image groups: the 1P algorithms live in per-region accounts other than XGBoost's, and not all in one.
# Each group is a pair of keys (<group>Account, <group>Registry) in the CfnMapping of study_env/images.py.
FIRST_PARTY = "firstParty"
FORECASTING = "forecasting"
LEGACY = "legacy"
IMAGE_GROUPS = (FIRST_PARTY, FORECASTING, LEGACY)
XGBOOST = "xgboost"
XGBOOST_REPOSITORY = "sagemaker-xgboost"


@dataclass(frozen=True)
class BuiltInAlgorithm:
    name: str
    problem: str
    input_formats: str
    instance_family: str
    notes: str
    # The SageMaker SDK's name for it in image_uris (also its ECR repository); None for XGBoost.
    repository: str | None = None
    group: str | None = None
    tag: str = "1"
    gpu_only: bool = False


ALGORITHMS: tuple[BuiltInAlgorithm, ...] = (
    BuiltInAlgorithm(
        XGBOOST,
        "classification, regression, ranking",
        "CSV (label first, no header), LibSVM, Parquet, RecordIO-protobuf",
        "CPU (m5, c5); GPU for large data",
        "gradient-boosted trees; tabular default; num_round required; eval_metric auc needs a binary: objective",
    ),
    BuiltInAlgorithm(
        "linear-learner",
        "binary/multiclass classification, regression",
        "RecordIO-protobuf (float32), CSV (label first)",
        "CPU or GPU",
        "normalizes features itself; predictor_type and feature_dim required; tunes towards F-beta, precision, recall",
        "linear-learner",
        FIRST_PARTY,
    ),
    BuiltInAlgorithm(
        "kmeans",
        "clustering (unsupervised)",
        "RecordIO-protobuf, CSV (no label)",
        "CPU recommended",
        "web-scale mini-batch k-means; k and feature_dim required; test:msd to minimize",
        "kmeans",
        FIRST_PARTY,
    ),
    BuiltInAlgorithm(
        "pca",
        "dimensionality reduction (unsupervised)",
        "RecordIO-protobuf, CSV (no label)",
        "CPU or GPU",
        "regular or randomized mode; num_components, feature_dim, mini_batch_size required; no tuning metric",
        "pca",
        FIRST_PARTY,
    ),
    BuiltInAlgorithm(
        "factorization-machines",
        "sparse classification, regression, recommendation",
        "RecordIO-protobuf (float32) only",
        "CPU (sparse); GPU for dense",
        "click-through and recommendations on sparse data; only binary_classifier or regressor",
        "factorization-machines",
        FIRST_PARTY,
    ),
    BuiltInAlgorithm(
        "randomcutforest",
        "anomaly detection (unsupervised)",
        "RecordIO-protobuf, CSV (no label; test channel labelled)",
        "CPU only",
        "anomaly score per point; train channel ShardedByS3Key; test:f1 with a labelled test channel",
        "randomcutforest",
        FIRST_PARTY,
    ),
    BuiltInAlgorithm(
        "knn",
        "classification, regression (index-based)",
        "RecordIO-protobuf, CSV (label first)",
        "CPU or GPU",
        "k, sample_size, predictor_type, feature_dim required; dimension reduction sign or fjlt",
        "knn",
        FIRST_PARTY,
    ),
    BuiltInAlgorithm(
        "ipinsights",
        "anomalous entity-IP pairs (unsupervised)",
        "CSV (entity, IPv4)",
        "CPU or GPU",
        "embeds entities and IPs; validation:discriminator_auc; num_entity_vectors about 2x the entities",
        "ipinsights",
        FIRST_PARTY,
    ),
    BuiltInAlgorithm(
        "deepar",
        "time-series forecasting",
        "JSON Lines (start, target), Parquet",
        "CPU for training small data; GPU for large",
        "one RNN over many related series; context_length, prediction_length, time_freq, epochs required",
        "forecasting-deepar",
        FORECASTING,
    ),
    BuiltInAlgorithm(
        "blazingtext",
        "text classification, word2vec",
        "text: one sentence per line; supervised: __label__<label> first",
        "CPU (supervised, c5) or GPU",
        "fastText-like; mode required (supervised, skipgram, cbow, batch_skipgram)",
        "blazingtext",
        LEGACY,
    ),
    BuiltInAlgorithm(
        "seq2seq",
        "translation, summarization",
        "RecordIO-protobuf (integer tokens) + vocab",
        "GPU only",
        "encoder-decoder with attention; GPU only",
        "seq2seq",
        LEGACY,
        gpu_only=True,
    ),
    BuiltInAlgorithm(
        "object-detection",
        "object detection (bounding boxes)",
        "RecordIO (MXNet) or images + JSON",
        "GPU only for training",
        "SSD on VGG or ResNet; validation:mAP",
        "object-detection",
        LEGACY,
        gpu_only=True,
    ),
    BuiltInAlgorithm(
        "image-classification",
        "image classification",
        "RecordIO (MXNet) or images + .lst",
        "GPU only for training",
        "ResNet; transfer learning with use_pretrained_model=1",
        "image-classification",
        LEGACY,
        gpu_only=True,
    ),
    BuiltInAlgorithm(
        "semantic-segmentation",
        "pixel-level segmentation",
        "images (JPEG) + annotations (PNG)",
        "GPU only for training",
        "FCN, PSP or DeepLab on ResNet; validation:mIOU",
        "semantic-segmentation",
        LEGACY,
        gpu_only=True,
    ),
)
BY_NAME = {a.name: a for a in ALGORITHMS}
# The ECR repositories of every algorithm but XGBoost (which study_env/images.py names itself).
REPOSITORIES = tuple(a.repository for a in ALGORITHMS if a.repository is not None)
CPU_ALGORITHMS = tuple(a.name for a in ALGORITHMS if not a.gpu_only)


@dataclass(frozen=True)
class Inference:
    """The content types an algorithm's model serves: a real-time call's and a Batch Transform's."""

    endpoint_type: str
    endpoint_accept: str
    batch_type: str
    batch_accept: str


@lru_cache(maxsize=1)
def _inference_table() -> dict[str, Inference]:
    with open(LAUNCHER_TABLE) as fh:
        table = json.load(fh)["algorithms"]
    return {
        name: Inference(entry["endpoint"][0], entry["endpoint"][1], entry["inference_type"], entry["accept"])
        for name, entry in table.items()
    }


def inference(name: str) -> Inference:
    """What a model of built-in algorithm ``name`` takes and returns."""
    return _inference_table()[name]


def algorithm_of_image(image: str) -> tuple[str, str] | None:
    """``(algorithm, tag)`` of a built-in algorithm's image URI (``.../kmeans:1``); None for any other image.

    XGBoost's tag is its version (``sagemaker-xgboost:1.7-1``), which its serving image must match.
    """
    repository_and_tag = image.rsplit("/", 1)[-1]
    repository, _, tag = repository_and_tag.partition(":")
    if repository == XGBOOST_REPOSITORY:
        return XGBOOST, tag
    for algorithm in ALGORITHMS:
        if algorithm.repository == repository:
            return algorithm.name, tag
    return None
