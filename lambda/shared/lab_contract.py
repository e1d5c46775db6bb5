"""What the lab's Lambda functions agree on: SageMaker's job kinds and the lab's tag keys.

Bundled into each function asset that needs it (the launcher, the cleanup), next to its handler. The
CDK side's table is ``study_env/job_kinds.py``; ``tests/lambda/test_contract.py`` keeps the two equal
and checks every operation and field name against botocore's SageMaker model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PROJECT_TAG = ("project", "study-env")
PREFIX_TAG_KEY = "study-env:prefix"
CLOUDFORMATION_STACK_TAG_KEY = "aws:cloudformation:stack-id"


@dataclass(frozen=True)
class Kind:
    """A SageMaker resource kind; its operations and response keys follow from ``stem``."""

    key: str
    stem: str
    summaries_key: str
    max_name_length: int = 63
    end_time_field: str = ""
    console_path: str = ""

    @property
    def label(self) -> str:
        return f"{self.key} job" if self.end_time_field else self.key

    def method(self, verb: str) -> str:
        """boto3's method for ``verb``: ``method("List")`` of TrainingJob is ``list_training_jobs``."""
        operation = verb + self.stem + ("s" if verb == "List" else "")
        return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()

    def field(self, suffix: str) -> str:
        """A response key: ``field("Name")`` of TrainingJob is ``TrainingJobName``."""
        return self.stem + suffix


PROCESSING = Kind("processing", "ProcessingJob", "ProcessingJobSummaries", 63, "ProcessingEndTime", "processing-jobs")
TRAINING = Kind("training", "TrainingJob", "TrainingJobSummaries", 63, "TrainingEndTime", "jobs")
TUNING = Kind(
    "tuning",
    "HyperParameterTuningJob",
    "HyperParameterTuningJobSummaries",
    32,
    "HyperParameterTuningEndTime",
    "hyper-tuning-jobs",
)
TRANSFORM = Kind("transform", "TransformJob", "TransformJobSummaries", 63, "TransformEndTime", "transform-jobs")
JOBS = {kind.key: kind for kind in (PROCESSING, TRAINING, TUNING, TRANSFORM)}
# Stopping a tuning job stops the training jobs it started: tuning first.
STOP_ORDER = (TUNING, TRAINING, PROCESSING, TRANSFORM)
MODEL = Kind("model", "Model", "Models", console_path="models")
ENDPOINT = Kind("endpoint", "Endpoint", "Endpoints")
ENDPOINT_CONFIG = Kind("endpoint-config", "EndpointConfig", "EndpointConfigs")
# What may bill or clutter after the jobs are stopped: an endpoint before its configuration, both before the model.
DELETE_ORDER = (ENDPOINT, ENDPOINT_CONFIG, MODEL)
