#!/usr/bin/env python3
"""Regenerate prepared_data/: the sample dataset split as training_code/preprocessing.py splits it.

The study plan's own code trains on data/train/ and data/validation/ and scores data/test/ (Day 6-7,
12) before it has run a Processing job (Day 9), so the bucket is seeded with these splits there.
They are exactly what the Processing job writes (same script, same seed): a test keeps them so.
Run: .venv/bin/python scripts/make_prepared_data.py
"""

import os
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "training_code"))

import preprocessing  # noqa: E402

OUT = os.path.join(ROOT, "prepared_data")
SPLITS = ("train", "validation", "test")


def main() -> int:
    with tempfile.TemporaryDirectory() as work:
        preprocessing.main(["--input-dir", os.path.join(ROOT, "sample_data"), "--output-dir", work])
        shutil.rmtree(OUT, ignore_errors=True)
        for split in SPLITS:
            shutil.copytree(os.path.join(work, split), os.path.join(OUT, split))
    print(f"wrote {OUT}: {', '.join(SPLITS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
