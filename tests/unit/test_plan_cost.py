"""The whole plan's estimate (study cost --plan): hand-computed figures, and the cost page's table equal to it."""

from __future__ import annotations

import os
import re

import pytest

from study_env.paths import ROOT
from study_env.plan import DAYS, day_estimate, plan_estimate


def _day(name: str):
    (day,) = [d for d in DAYS if d.name == name]
    return day


@pytest.mark.parametrize(
    "name,expected",
    [
        # 2 h of ml.t3.medium ($0.05/h) and 20 training jobs of 5 min on ml.m5.large ($0.115/h).
        ("day10_tuning", 2 * 0.05 + 20 * 5 / 60 * 0.115),
        # Two study days of JupyterLab, one 5-minute training job.
        ("day06_07_xgboost", 4 * 0.05 + 5 / 60 * 0.115),
        # A 5-minute training job and a 15-minute ml.m5.large endpoint ($0.115/h).
        ("day11_endpoints", 2 * 0.05 + 5 / 60 * 0.115 + 15 / 60 * 0.115),
        # Comprehend 4 x $0.0001, Translate 400 x $0.000015, Polly 200 x $0.000004, Transcribe 0.25 min x $0.024,
        # Rekognition 2 x $0.001, Textract 1 x $0.0015.
        ("day01_ai_services", 0.1 + 0.0004 + 0.006 + 0.0008 + 0.006 + 0.002 + 0.0015),
        ("quiz", 0.1),
    ],
)
def test_a_days_estimate_is_the_arithmetic_of_its_usage(name, expected):
    assert sum(usd for _, usd in day_estimate(_day(name))) == pytest.approx(expected)


def test_every_day_is_estimated_and_the_whole_plan_is_about_two_dollars():
    estimate = plan_estimate()
    assert [day for day, _ in estimate] == list(DAYS)
    total = sum(usd for _, items in estimate for _, usd in items)
    assert 1.5 < total < 2.5


def test_the_cost_page_shows_what_the_command_computes():
    with open(os.path.join(ROOT, "docs", "cost.md")) as fh:
        page = fh.read()
    rows = dict(re.findall(r"^\| ([^|]+?) \|[^|]*\| \*{0,2}([0-9.]+)(?: each)?\*{0,2} \|$", page, re.MULTILINE))
    totals = {day.day: sum(usd for _, usd in items) for day, items in plan_estimate()}
    for label, shown in rows.items():
        if label == "**whole plan**":
            assert shown == f"{sum(totals.values()):.2f}"
            continue
        for day in label.split(", "):
            key = day if day.startswith(("Day", "Quiz")) else f"Day {day}"
            assert shown == f"{totals[key]:.2f}", label
    assert "**whole plan**" in rows and len(rows) == 10
