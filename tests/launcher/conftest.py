"""The launcher's asset folder on sys.path (as in Lambda), settings, and SageMaker clients to hand it."""

from __future__ import annotations

import importlib.util
import os
import sys

import boto3
import pytest
from moto import mock_aws

from study_env.paths import LAMBDA_DIR

LAUNCHER_DIR = os.path.join(LAMBDA_DIR, "launcher")
if LAUNCHER_DIR not in sys.path:
    sys.path.insert(0, LAUNCHER_DIR)

from launcher.settings import Settings  # noqa: E402

REGION = "us-east-1"
BUCKET = "mls-study-bucket"
ROLE_ARN = "arn:aws:iam::123456789012:role/mls-execution-role"
XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
ALLOWED = ("ml.t3.medium", "ml.m5.large", "ml.m5.xlarge")

SETTINGS = Settings(
    bucket=BUCKET,
    role_arn=ROLE_ARN,
    prefix="mls",
    xgboost_image=XGBOOST_IMAGE,
    sklearn_image=SKLEARN_IMAGE,
    allowed_instance_types=ALLOWED,
    default_instance_type="ml.m5.large",
    region=REGION,
)
ENVIRONMENT = {
    "STUDY_BUCKET": BUCKET,
    "EXECUTION_ROLE_ARN": ROLE_ARN,
    "JOB_PREFIX": "mls",
    "XGBOOST_IMAGE_URI": XGBOOST_IMAGE,
    "SKLEARN_IMAGE_URI": SKLEARN_IMAGE,
    "ALLOWED_INSTANCE_TYPES": ",".join(ALLOWED),
    "DEFAULT_INSTANCE_TYPE": "ml.m5.large",
    "AWS_REGION": REGION,
}


def load_handler_module():
    """lambda/launcher/handler.py under its own module name (other Lambda folders have a handler.py too)."""
    spec = importlib.util.spec_from_file_location("launcher_handler", os.path.join(LAUNCHER_DIR, "handler.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def settings() -> Settings:
    return SETTINGS


@pytest.fixture
def sagemaker():
    """A moto-backed SageMaker client: botocore validates every request shape against the real API model."""
    with mock_aws():
        yield boto3.client("sagemaker", region_name=REGION)
