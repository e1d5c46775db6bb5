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
