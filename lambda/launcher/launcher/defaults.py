"""The study plan's defaults and the lab's limits: a request field left out takes its value here."""

from __future__ import annotations

# The study bucket's layout (study_env/layout.py; a unit test keeps the two equal).
DATA_RAW = "data/raw/"
DATA_PROCESSED = "data/processed/"
MODELS_TRAINING = "models/training/"
OUTPUT_PREDICTIONS = "output/predictions/"
CODE_SCRIPTS = "code/scripts/"
# What the execution role may read and write: a job pointed anywhere else fails with AccessDenied
# after it has started (and billed), so the launcher refuses it up front.
READABLE_PREFIXES = ("data/", "code/", "models/")
WRITABLE_PREFIXES = ("data/processed/", "data/features/", "models/", "output/")

PREPROCESSING_SCRIPT = "preprocessing.py"
# Output folders of preprocessing.py, each uploaded to <output_prefix><name>/.
PROCESSING_OUTPUTS = ("train", "validation", "test", "test_labels")


def processed_prefix(algorithm: str, other_format: str | None = None) -> str:
    """Where ``process`` writes for ``algorithm`` and where its training reads by default.

    XGBoost's splits stay at the top of data/processed/ (the study plan's paths); every other
    algorithm, and every format other than an algorithm's first, has a folder of its own
    (``kmeans/``, ``xgboost-parquet/``): a channel reads every file under its prefix with one content
    type, so two formats must never share one.
    """
    if other_format is not None:
        return f"{DATA_PROCESSED}{algorithm}-{other_format}/"
    return DATA_PROCESSED if algorithm == ALGORITHM else f"{DATA_PROCESSED}{algorithm}/"


TRANSFORM_INPUT_PREFIX = DATA_PROCESSED + "test/"
CSV = "text/csv"

# The algorithm of a train, tune or process request that names none; the algorithms' own defaults
# (hyperparameters, tuning ranges and objective) are in algorithms.py.
ALGORITHM = "xgboost"
# The sample dataset a process request reads by default, per algorithm (one folder each under
# data/raw/, from sample_data/; tests/unit/test_sample_data.py checks the folders exist). The others
# read the breast-cancer CSV at the top of data/raw/.
RAW_DATASETS = {
    "randomcutforest": "sensor-anomalies/",
    "ipinsights": "login-events/",
    "deepar": "hourly-demand/",
    "blazingtext": "product-reviews/",
}
STRATEGIES = ("Bayesian", "Random", "Hyperband", "Grid")
STRATEGY = "Bayesian"
# Hyperband needs a training "resource" to grow; for XGBoost that is the number of boosting rounds.
HYPERBAND_RESOURCE = "num_round"
HYPERBAND_MAX_RESOURCE = 20000
MAX_JOBS = 20
MAX_PARALLEL_JOBS = 4

# Cost guards.
MAX_JOBS_LIMIT = 50
MAX_PARALLEL_JOBS_LIMIT = 10
INSTANCE_COUNT_LIMIT = 4
RUNTIME_LIMITS = {"process": (60, 86400), "train": (60, 86400), "tune": (60, 86400), "transform": (1, 3600)}
# SageMaker's floor for a tuning job's own MaxRuntimeInSeconds (its ResourceLimits), not a lab choice.
TUNING_MIN_RUNTIME_SECONDS = 120
MAX_RUNTIME_SECONDS = {"process": 1800, "train": 3600, "tune": 3600, "transform": 600}
# A spot job may wait for capacity as long as it may run.
SPOT_WAIT_FACTOR = 2
USE_SPOT = True
VOLUME_SIZE_GB = 5
TRANSFORM_MAX_PAYLOAD_MB = 6
TRANSFORM_INVOCATION_RETRIES = 1
# Instance families SageMaker does not offer for a job type (its TransformInstanceType enum has no t3).
UNSUPPORTED_INSTANCE_FAMILIES = {"transform": ("ml.t2.", "ml.t3.")}

# The project and prefix tags are lab_contract's; these two are the launcher's own.
TAG_LAUNCHER = ("study-env:launched-by", "job-launcher")
TAG_REQUEST_ID_KEY = "study-env:request-id"
