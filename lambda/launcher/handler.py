"""Lambda entry point of the job launcher: ``handler(event, context)``.

Thin on purpose: settings from the environment, a SageMaker client created on first use and kept
for the warm container, and everything else in the pure ``launcher`` package.
"""

from __future__ import annotations

import os
from typing import Any

import boto3

from launcher.service import handle
from launcher.settings import Settings

_client = None


def sagemaker_client():
    """The SageMaker client, created once per container (honours AWS_ENDPOINT_URL, e.g. a moto server)."""
    global _client
    if _client is None:
        _client = boto3.client("sagemaker")
    return _client


def handler(event: Any, context: Any) -> dict[str, Any]:
    return handle(event, Settings.from_environ(os.environ), sagemaker_client)
