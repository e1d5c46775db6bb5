"""The launcher as the tests run it: its asset folder on sys.path (as in Lambda), and its settings.

Importing this module makes ``import launcher`` (and ``lab_contract``) work as they do in Lambda.
"""

from __future__ import annotations

import json
from types import ModuleType

from study_env.algorithms import ALGORITHMS
from tools import lambda_assets

LAUNCHER_DIR = lambda_assets.add_to_path("launcher")

from launcher.settings import Settings  # noqa: E402

REGION = "us-east-1"
BUCKET = "mls-study-bucket"
ROLE_ARN = "arn:aws:iam::123456789012:role/mls-execution-role"
XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
ALLOWED = ("ml.t3.medium", "ml.m5.large", "ml.m5.xlarge")
# Every algorithm's image as the construct passes them (us-east-1's accounts; test_images.py checks the map).
_GROUP_ACCOUNTS = {"firstParty": "382416733822", "forecasting": "522234722520", "legacy": "811284229777"}
ALGORITHM_IMAGES = {
    a.name: f"{_GROUP_ACCOUNTS[a.group]}.dkr.ecr.{REGION}.amazonaws.com/{a.repository}:{a.tag}"
    for a in ALGORITHMS
    if a.group is not None
}

SETTINGS = Settings(
    bucket=BUCKET,
    role_arn=ROLE_ARN,
    prefix="mls",
    xgboost_image=XGBOOST_IMAGE,
    sklearn_image=SKLEARN_IMAGE,
    allowed_instance_types=ALLOWED,
    default_instance_type="ml.m5.large",
    region=REGION,
    algorithm_images=ALGORITHM_IMAGES,
)
ENVIRONMENT = {
    "STUDY_BUCKET": BUCKET,
    "EXECUTION_ROLE_ARN": ROLE_ARN,
    "JOB_PREFIX": "mls",
    "XGBOOST_IMAGE_URI": XGBOOST_IMAGE,
    "SKLEARN_IMAGE_URI": SKLEARN_IMAGE,
    "ALGORITHM_IMAGES": json.dumps(ALGORITHM_IMAGES),
    "ALLOWED_INSTANCE_TYPES": ",".join(ALLOWED),
    "DEFAULT_INSTANCE_TYPE": "ml.m5.large",
    "AWS_REGION": REGION,
}


def load_handler_module() -> ModuleType:
    """lambda/launcher/handler.py, freshly loaded as in a new Lambda container (no cached client)."""
    return lambda_assets.load("launcher", "handler", name="launcher_handler", fresh=True)
