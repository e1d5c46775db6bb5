#!/usr/bin/env python3
"""Regenerate sample_data/breast_cancer.csv from scikit-learn's bundled copy (no download).

The study plan's first dataset: 569 rows, 30 numeric features and a binary ``target`` column, with a
header. Values are written with a fixed number of digits so the file is byte-identical on any machine.
Run: .venv/bin/python scripts/make_sample_dataset.py
"""

import csv
import os
import sys

from sklearn.datasets import load_breast_cancer

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sample_data", "breast_cancer.csv")


def main() -> int:
    data = load_breast_cancer()
    header = [name.replace(" ", "_") for name in data.feature_names] + ["target"]
    with open(OUT, "w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for row, label in zip(data.data, data.target, strict=True):
            writer.writerow([f"{v:.6g}" for v in row] + [int(label)])
    print(f"wrote {OUT}: {len(data.target)} rows, {len(header)} columns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
