"""The launcher's validated requests: one type per action, every default applied.

``validation.validate`` makes them from JSON; ``job_requests`` turns a job request into the SageMaker
API call; ``service`` dispatches on the type. Each type holds exactly the fields its action takes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class NumericRange:
    min: int | float
    max: int | float
    integer: bool


@dataclass(frozen=True)
class CategoricalRange:
    values: tuple[str, ...]


Range = NumericRange | CategoricalRange


@dataclass(frozen=True, kw_only=True)
class JobRequest:
    """What every request that starts a job has."""

    action: ClassVar[str]
    kind: ClassVar[str]
    request_id: str | None = None
    instance_type: str
    instance_count: int = 1
    max_runtime_seconds: int


@dataclass(frozen=True, kw_only=True)
class ProcessRequest(JobRequest):
    action: ClassVar[str] = "process"
    kind: ClassVar[str] = "processing"
    input_prefix: str
    output_prefix: str
    # The algorithm whose input formats the processing script writes, and in which of them.
    algorithm: str = "xgboost"
    format: str = "csv"


@dataclass(frozen=True, kw_only=True)
class TrainRequest(JobRequest):
    action: ClassVar[str] = "train"
    kind: ClassVar[str] = "training"
    algorithm: str = "xgboost"
    # The format of the channels' data: one of the algorithm's formats.
    format: str = "csv"
    hyperparameters: dict[str, str] = field(default_factory=dict)
    use_spot: bool
    train_prefix: str
    validation_prefix: str
    output_prefix: str


@dataclass(frozen=True, kw_only=True)
class TuneRequest(TrainRequest):
    """A tuning job's request; ``hyperparameters`` are the static ones (the tuned ones are in ``ranges``)."""

    action: ClassVar[str] = "tune"
    kind: ClassVar[str] = "tuning"
    strategy: str
    objective_metric: str
    objective_type: str
    ranges: dict[str, Range]
    max_jobs: int
    max_parallel_jobs: int


@dataclass(frozen=True, kw_only=True)
class TransformRequest(JobRequest):
    """A transform of exactly one of: a model, a training job's model, a tuning job's best model."""

    action: ClassVar[str] = "transform"
    kind: ClassVar[str] = "transform"
    model_name: str | None = None
    training_job_name: str | None = None
    tuning_job_name: str | None = None
    input_prefix: str
    output_prefix: str


@dataclass(frozen=True)
class DescribeRequest:
    action: ClassVar[str] = "describe"
    job_name: str


@dataclass(frozen=True)
class ListRequest:
    action: ClassVar[str] = "list"


Request = ProcessRequest | TrainRequest | TuneRequest | TransformRequest | DescribeRequest | ListRequest
