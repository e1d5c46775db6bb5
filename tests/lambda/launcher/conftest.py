"""Fixtures of the launcher tests: its settings and a moto-backed SageMaker client."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from tests.support.launcher import REGION, SETTINGS, Settings


@pytest.fixture
def settings() -> Settings:
    return SETTINGS


@pytest.fixture
def sagemaker():
    """A moto-backed SageMaker client: botocore validates every request shape against the real API model."""
    with mock_aws():
        yield boto3.client("sagemaker", region_name=REGION)
