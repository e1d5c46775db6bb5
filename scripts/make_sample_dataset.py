#!/usr/bin/env python3
"""Regenerate the lab's sample datasets under sample_data/ (no download; fixed seeds, byte-stable).

- ``breast_cancer.csv``: the study plan's first dataset, from scikit-learn's bundled copy: 569 rows,
  30 numeric features and a binary ``target`` column, with a header (XGBoost, Linear Learner,
  K-Means, PCA, Factorization Machines, k-NN).
- ``sensor-anomalies/readings.csv``: 2-feature sensor points with planted anomalies (``target`` 1)
  for Random Cut Forest.
- ``login-events/logins.csv``: (user, IPv4) pairs, each user mostly on its own subnets, for IP
  Insights.
- ``hourly-demand/series.json``: JSON Lines of hourly time series with a daily cycle, for DeepAR.
- ``product-reviews/reviews.txt``: a labelled text corpus, ``__label__<label> <text>`` per line,
  for BlazingText's supervised mode.

Each lands in the study bucket under ``data/raw/`` (one folder per dataset). The launcher's defaults
of required hyperparameters follow these shapes (tests/unit/test_sample_data.py checks them).
Run: .venv/bin/python scripts/make_sample_dataset.py
"""

import csv
import json
import os
import sys

import numpy as np
from sklearn.datasets import load_breast_cancer

SAMPLE_DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sample_data")
SENSOR_POINTS, SENSOR_ANOMALIES = 1000, 20
USERS, LOGINS = 50, 2000
SERIES, SERIES_DAYS = 8, 21
REVIEWS = 400
START = "2026-01-01 00:00:00"


def _path(*parts: str) -> str:
    path = os.path.join(SAMPLE_DATA, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def breast_cancer() -> str:
    data = load_breast_cancer()
    header = [name.replace(" ", "_") for name in data.feature_names] + ["target"]
    out = _path("breast_cancer.csv")
    with open(out, "w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for row, label in zip(data.data, data.target, strict=True):
            writer.writerow([f"{v:.6g}" for v in row] + [int(label)])
    return f"{out}: {len(data.target)} rows, {len(header)} columns"


def sensor_anomalies() -> str:
    rng = np.random.default_rng(5)
    normal = rng.normal(loc=(20.0, 50.0), scale=(1.5, 4.0), size=(SENSOR_POINTS - SENSOR_ANOMALIES, 2))
    angle = rng.uniform(0, 2 * np.pi, SENSOR_ANOMALIES)
    anomalies = np.column_stack([20 + 9 * np.cos(angle), 50 + 30 * np.sin(angle)])
    points = np.vstack([normal, anomalies])
    labels = np.r_[np.zeros(len(normal), int), np.ones(SENSOR_ANOMALIES, int)]
    order = rng.permutation(len(points))
    out = _path("sensor-anomalies", "readings.csv")
    with open(out, "w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["temperature", "humidity", "target"])
        for index in order:
            writer.writerow([f"{points[index, 0]:.3f}", f"{points[index, 1]:.3f}", labels[index]])
    return f"{out}: {len(points)} rows, {SENSOR_ANOMALIES} anomalies"


def login_events() -> str:
    rng = np.random.default_rng(7)
    subnets = rng.integers(1, 223, size=(USERS, 2, 3))
    out = _path("login-events", "logins.csv")
    with open(out, "w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["user", "ip"])
        for _ in range(LOGINS):
            user = int(rng.integers(USERS))
            # Mostly one of the user's two home subnets; now and then anywhere.
            prefix = subnets[user, int(rng.integers(2))] if rng.random() < 0.95 else rng.integers(1, 223, 3)
            writer.writerow([f"user{user:03d}", ".".join(str(int(p)) for p in prefix) + f".{rng.integers(1, 255)}"])
    return f"{out}: {LOGINS} logins of {USERS} users"


def hourly_demand() -> str:
    rng = np.random.default_rng(11)
    hours = np.arange(24 * SERIES_DAYS)
    out = _path("hourly-demand", "series.json")
    with open(out, "w") as fh:
        for series in range(SERIES):
            level, amplitude = rng.uniform(20, 80), rng.uniform(5, 20)
            values = level + amplitude * np.sin(2 * np.pi * (hours % 24) / 24) + rng.normal(0, 2, len(hours))
            record = {"start": START, "target": [round(float(v), 2) for v in values], "cat": [series]}
            fh.write(json.dumps(record) + "\n")
    return f"{out}: {SERIES} series of {len(hours)} hours"


_REVIEW_WORDS = {
    "positive": ["great", "love", "excellent", "works", "fast", "recommend", "sturdy", "happy", "perfect", "easy"],
    "negative": ["broken", "slow", "refund", "poor", "disappointed", "cheap", "stopped", "worst", "late", "flimsy"],
}
_NEUTRAL = ["the", "it", "product", "arrived", "battery", "screen", "box", "after", "a", "week", "and", "is"]


def product_reviews() -> str:
    rng = np.random.default_rng(17)
    out = _path("product-reviews", "reviews.txt")
    with open(out, "w") as fh:
        for _ in range(REVIEWS):
            label = "positive" if rng.random() < 0.5 else "negative"
            words = list(rng.choice(_REVIEW_WORDS[label], 3)) + list(rng.choice(_NEUTRAL, 5))
            rng.shuffle(words)
            fh.write(f"__label__{label} " + " ".join(words) + "\n")
    return f"{out}: {REVIEWS} reviews"


def main() -> int:
    for make in (breast_cancer, sensor_anomalies, login_events, hourly_demand, product_reviews):
        print("wrote " + make())
    return 0


if __name__ == "__main__":
    sys.exit(main())
