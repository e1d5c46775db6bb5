"""SageMaker's job kinds as the lab uses them: the one table of API, IAM, ARN and event names.

Every construct, the study CLI and the developer tools read these names from here. SageMaker spells
each kind's operations, response keys and IAM actions from one stem (``TrainingJob`` gives
``CreateTrainingJob``, ``TrainingJobName``, ``sagemaker:StopTrainingJob`` ...); what does not follow
the stem (end-time field, EventBridge detail-type, name length limit) is written out per kind.

The Lambda functions cannot import this package; ``lambda/shared/lab_contract.py`` is their table,
and ``tests/lambda/test_contract.py`` keeps the two equal and checks every name against botocore.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final


def snake(stem: str) -> str:
    """``HyperParameterTuningJob`` -> ``hyper_parameter_tuning_job`` (boto3's method names)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", stem).lower()


@dataclass(frozen=True)
class SageMakerKind:
    """One kind of SageMaker resource, by the stem SageMaker builds its names from."""

    key: str
    stem: str
    arn_type: str
    list_key: str

    @property
    def label(self) -> str:
        """How messages name one: ``model``, ``endpoint config``."""
        return self.key.replace("-", " ")

    @property
    def name_field(self) -> str:
        return f"{self.stem}Name"

    @property
    def arn_field(self) -> str:
        return f"{self.stem}Arn"

    @property
    def status_field(self) -> str:
        return f"{self.stem}Status"

    def operation(self, verb: str) -> str:
        """The API operation, e.g. ``operation("Describe")`` -> ``DescribeTrainingJob``."""
        return f"{verb}{self.stem}s" if verb == "List" else f"{verb}{self.stem}"

    def method(self, verb: str) -> str:
        """The boto3 client method, e.g. ``method("Stop")`` -> ``stop_training_job``."""
        return snake(self.operation(verb))

    def action(self, verb: str) -> str:
        """The IAM action, e.g. ``action("Create")`` -> ``sagemaker:CreateTrainingJob``."""
        return f"sagemaker:{self.operation(verb)}"

    def cli_command(self, verb: str) -> str:
        """The AWS CLI subcommand, e.g. ``describe-training-job``."""
        return self.method(verb).replace("_", "-")

    @property
    def cli_name_option(self) -> str:
        return "--" + snake(self.name_field).replace("_", "-")


@dataclass(frozen=True)
class JobKind(SageMakerKind):
    """A kind of SageMaker job: it runs, bills while it runs, ends in a final state and can be stopped."""

    end_time_field: str
    detail_type: str
    max_name_length: int
    console_path: str

    @property
    def label(self) -> str:
        """How messages name one: ``training job``, ``tuning job``."""
        return f"{self.key} job"


PROCESSING: Final = JobKind(
    "processing",
    "ProcessingJob",
    "processing-job",
    "ProcessingJobSummaries",
    "ProcessingEndTime",
    "SageMaker Processing Job State Change",
    63,
    "processing-jobs",
)
TRAINING: Final = JobKind(
    "training",
    "TrainingJob",
    "training-job",
    "TrainingJobSummaries",
    "TrainingEndTime",
    "SageMaker Training Job State Change",
    63,
    "jobs",
)
TUNING: Final = JobKind(
    "tuning",
    "HyperParameterTuningJob",
    "hyper-parameter-tuning-job",
    "HyperParameterTuningJobSummaries",
    "HyperParameterTuningEndTime",
    "SageMaker HyperParameter Tuning Job State Change",
    32,
    "hyper-tuning-jobs",
)
TRANSFORM: Final = JobKind(
    "transform",
    "TransformJob",
    "transform-job",
    "TransformJobSummaries",
    "TransformEndTime",
    "SageMaker Transform Job State Change",
    63,
    "transform-jobs",
)
# The order the lab creates them in (Day 9, 6-7, 10, 12).
JOB_KINDS: Final = (PROCESSING, TRAINING, TUNING, TRANSFORM)
# The order to stop them in: a tuning job stops the training jobs it started.
STOP_ORDER: Final = (TUNING, TRAINING, PROCESSING, TRANSFORM)

MODEL: Final = SageMakerKind("model", "Model", "model", "Models")
ENDPOINT_CONFIG: Final = SageMakerKind("endpoint-config", "EndpointConfig", "endpoint-config", "EndpointConfigs")
ENDPOINT: Final = SageMakerKind("endpoint", "Endpoint", "endpoint", "Endpoints")

FINAL_JOB_STATES: Final = ("Completed", "Failed", "Stopped")


def job_kind(key: str) -> JobKind:
    for kind in JOB_KINDS:
        if kind.key == key:
            return kind
    raise KeyError(f"no SageMaker job kind {key!r}: one of {', '.join(k.key for k in JOB_KINDS)}")


# What the lab cleanup deletes after stopping the jobs: an endpoint before its configuration, both before the model.
DELETE_ORDER: Final = (ENDPOINT, ENDPOINT_CONFIG, MODEL)
