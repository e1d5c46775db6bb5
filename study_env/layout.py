"""The study bucket's layout: the one place these key prefixes are spelled out.

Every other module takes prefixes from here (or from ``StudyBucket``'s attributes), so a change of
layout is one edit. Each prefix ends with ``/`` and is relative to the bucket root.
"""

from __future__ import annotations

from typing import Final

DATA: Final = "data/"
DATA_RAW: Final = "data/raw/"
DATA_PROCESSED: Final = "data/processed/"
DATA_FEATURES: Final = "data/features/"
# The prepared splits where the study plan's own code looks for them (Day 6-7, 12).
DATA_TRAIN: Final = "data/train/"
DATA_VALIDATION: Final = "data/validation/"
DATA_TEST: Final = "data/test/"
MODELS: Final = "models/"
MODELS_TRAINING: Final = "models/training/"
MODELS_ARTIFACTS: Final = "models/artifacts/"
CODE: Final = "code/"
CODE_SCRIPTS: Final = "code/scripts/"
# The Day notebooks; JupyterLab's start copies them into ~/study-plan/.
CODE_NOTEBOOKS: Final = "code/notebooks/"
OUTPUT: Final = "output/"
OUTPUT_PREDICTIONS: Final = "output/predictions/"
OUTPUT_REPORTS: Final = "output/reports/"

# The leaf prefixes the study plan uses; each gets a marker object so the console shows the layout.
LEAVES: Final = (
    DATA_RAW,
    DATA_PROCESSED,
    DATA_FEATURES,
    DATA_TRAIN,
    DATA_VALIDATION,
    DATA_TEST,
    MODELS_TRAINING,
    MODELS_ARTIFACTS,
    CODE_SCRIPTS,
    CODE_NOTEBOOKS,
    OUTPUT_PREDICTIONS,
    OUTPUT_REPORTS,
)
TOP_LEVEL: Final = (DATA, MODELS, CODE, OUTPUT)

SAMPLE_DATASET_KEY: Final = DATA_RAW + "breast_cancer.csv"
MARKER_NAME: Final = ".keep"


def check_prefix(prefix: str) -> str:
    """Return ``prefix`` if it is a relative key prefix ending in ``/``; raise ``ValueError`` otherwise."""
    if (
        not isinstance(prefix, str)
        or not prefix.endswith("/")
        or prefix.startswith("/")
        or "//" in prefix
        or ".." in prefix.split("/")
        or "*" in prefix
    ):
        raise ValueError(f"prefix {prefix!r}: must be a relative key prefix ending in '/', without '..' or '*'")
    return prefix


def training_model_key(training_job_name: str) -> str:
    """Where SageMaker puts the model of a training job whose output path is ``models/training/``."""
    if not training_job_name or "/" in training_job_name:
        raise ValueError(f"training job name {training_job_name!r}: must be a non-empty name without '/'")
    return f"{MODELS_TRAINING}{training_job_name}/output/model.tar.gz"
