"""The study plan's notebooks: one per Day, in the plan's order, and what ships with them to Studio.

Each notebook's source is a Jupytext percent file ``notebooks/<name>.py`` (reviewable text); the
``notebooks/<name>.ipynb`` beside it is built from it (``make notebooks``; a test keeps the two in
sync, with no stored outputs). The ``.ipynb`` files, ``notebooks/study_lab.py`` (helpers the
notebooks import) and the price table land in ``code/notebooks/`` of the study bucket, and JupyterLab's
start copies them into ``~/study-plan/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final

from study_env import prices
from study_env.paths import NOTEBOOKS_DIR

KERNEL_NAME: Final = "study-sdk2"
KERNEL_DISPLAY_NAME: Final = "Python 3 (SageMaker SDK 2.x)"
PRICES_FILE: Final = prices.PRICES_FILE
HELPER_MODULE: Final = os.path.join(NOTEBOOKS_DIR, "study_lab.py")


@dataclass(frozen=True)
class Day:
    day: str
    name: str
    title: str
    bills: bool  # whether it starts something that bills (and so must clean up after itself)

    @property
    def source(self) -> str:
        return os.path.join(NOTEBOOKS_DIR, f"{self.name}.py")

    @property
    def notebook(self) -> str:
        return os.path.join(NOTEBOOKS_DIR, f"{self.name}.ipynb")


DAYS: Final = (
    Day("Day 1", "day01_ai_services", "AWS ML 서비스 전체 조망", bills=True),
    Day("Day 2", "day02_sagemaker_tour", "SageMaker 아키텍처 이해", bills=False),
    Day("Day 3", "day03_studio", "SageMaker Studio 설정 + 첫 노트북", bills=False),
    Day("Day 4", "day04_s3_iam", "S3 + IAM for ML", bills=False),
    Day("Day 5", "day05_builtin_algorithms", "SageMaker Built-in 알고리즘 개요", bills=True),
    Day("Day 6-7", "day06_07_xgboost", "첫 ML 파이프라인 (XGBoost)", bills=True),
    Day("Day 8", "day08_data_formats", "데이터 형식 (RecordIO, CSV, Protobuf)", bills=False),
    Day("Day 9", "day09_processing", "SageMaker Processing", bills=True),
    Day("Day 10", "day10_tuning", "하이퍼파라미터 튜닝", bills=True),
    Day("Day 11", "day11_endpoints", "모델 배포 (Endpoint)", bills=True),
    Day("Day 12", "day12_batch_transform", "Batch Transform", bills=True),
    Day("Day 13-14", "day13_14_end_to_end", "End-to-End ML 파이프라인", bills=True),
    Day("Quiz", "quiz", "1-2주차 퀴즈", bills=False),
)


def shipped_files() -> list[str]:
    """What lands in ``code/notebooks/``: the built notebooks, their helper module and the price table."""
    return [*(day.notebook for day in DAYS), HELPER_MODULE, PRICES_FILE]


# --- what the plan costs, Day by Day, with the lab's defaults (``study cost --plan``) ------------------

# JupyterLab (the domain's default, ml.t3.medium) open this long per study day; idle shutdown ends the rest.
STUDIO_HOURS_PER_DAY: Final = 2.0
# What one short job on the lab's sample data bills, start-up included (SageMaker bills by the second).
JOB_HOURS: Final = 5 / 60
# An instance endpoint from deploy() to delete (it bills while it is created, used and deleted).
ENDPOINT_HOURS: Final = 15 / 60
# The plan's own estimate of a study day.
PLAN_SAYS: Final = "$2-5 a day"


@dataclass(frozen=True)
class Usage:
    """One billed use on a Day: ``count`` x ``hours`` of ``instance_type`` for ``use`` (the price table's)."""

    what: str
    use: str
    instance_type: str
    hours: float
    count: int = 1

    def usd(self) -> float:
        return prices.hourly(self.use, self.instance_type) * self.hours * self.count


@dataclass(frozen=True)
class Requests:
    """Pay-per-request calls (Day 1's AI services): ``units`` of the price table's ``ai_services`` ``rate``."""

    what: str
    rate: str
    units: float

    def usd(self) -> float:
        return prices.prices()["ai_services"][self.rate] * self.units


def _training(n: int = 1, what: str = "training job") -> Usage:
    return Usage(what, "training", "ml.m5.large", JOB_HOURS, n)


# How many study days each entry of DAYS spans (Day 6-7 and Day 13-14 are two).
STUDY_DAYS: Final = {"day06_07_xgboost": 2, "day13_14_end_to_end": 2}
# What each Day's notebook makes, as the notebooks make it (instance types and counts from their code).
DAY_USAGE: Final[dict[str, tuple[Usage | Requests, ...]]] = {
    "day01_ai_services": (
        Requests("Comprehend (4 requests of 1 unit)", "comprehend_per_unit", 4),
        Requests("Translate (~400 characters)", "translate_per_character", 400),
        Requests("Polly (~200 characters)", "polly_per_character", 200),
        Requests("Transcribe (the 15 s minimum)", "transcribe_per_minute", 0.25),
        Requests("Rekognition (2 calls)", "rekognition_per_image", 2),
        Requests("Textract (1 page)", "textract_per_page", 1),
    ),
    "day05_builtin_algorithms": (_training(2, "Linear Learner and K-Means training jobs"),),
    "day06_07_xgboost": (_training(),),
    "day09_processing": (Usage("processing job", "processing", "ml.m5.xlarge", JOB_HOURS),),
    "day10_tuning": (_training(20, "tuning: 20 training jobs"),),
    "day11_endpoints": (
        _training(1, "training job (when Day 6-7 left none)"),
        Usage("real-time endpoint", "hosting", "ml.m5.large", ENDPOINT_HOURS),
    ),
    "day12_batch_transform": (Usage("transform job", "transform", "ml.m5.large", JOB_HOURS),),
    "day13_14_end_to_end": (
        Usage("processing job", "processing", "ml.m5.xlarge", JOB_HOURS),
        _training(1 + 5, "training job and 5 tuning jobs"),
        Usage("real-time endpoint", "hosting", "ml.m5.large", ENDPOINT_HOURS),
    ),
}


def day_estimate(day: Day) -> list[tuple[str, float]]:
    """``(what, USD)`` for one Day: JupyterLab's hours, then what its notebook makes."""
    days = STUDY_DAYS.get(day.name, 1)
    studio = Usage(
        f"JupyterLab {days * STUDIO_HOURS_PER_DAY:g} h", "studio", "ml.t3.medium", STUDIO_HOURS_PER_DAY, days
    )
    return [(use.what, use.usd()) for use in (studio, *DAY_USAGE.get(day.name, ()))]


def plan_estimate() -> list[tuple[Day, list[tuple[str, float]]]]:
    return [(day, day_estimate(day)) for day in DAYS]
