#!/usr/bin/env python3
"""Write the RecordIO-protobuf fixtures with SageMaker Python SDK 2.x (run once, results committed).

For each case: its arrays (``<case>.npz``) and what SDK 2.x's ``write_numpy_to_dense_tensor`` wrote for
them (``<case>.rec``), under tests/training_code/fixtures/recordio/. tests/training_code/test_recordio.py
checks that training_code/recordio.py writes the same bytes and decodes them with its own reader.
Run: .venv-sdk2/bin/python scripts/make_recordio_fixtures.py
"""

import io
import os
import sys

import numpy as np

os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
from sagemaker.amazon.common import write_numpy_to_dense_tensor  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "training_code", "fixtures", "recordio")


def cases() -> dict:
    rng = np.random.default_rng(13)
    return {
        "float32_labelled": (rng.normal(size=(6, 4)).astype("float32"), rng.integers(0, 2, 6).astype("float32")),
        "float32_unlabelled": (rng.normal(size=(5, 3)).astype("float32"), None),
        "float64_labelled": (rng.normal(size=(4, 5)), rng.normal(size=4)),
        "int_labelled": (rng.integers(-300, 300, size=(4, 3)), rng.integers(-2, 5, 4)),
        "float32_features_int_labels": (rng.uniform(size=(3, 2)).astype("float32"), np.array([0, 1, 200])),
        "float32_one_column": (np.array([[1.5], [-0.0], [np.inf]], dtype="float32"), None),
        "float32_wide": (rng.normal(size=(2, 40)).astype("float32"), np.array([1.0, 0.0], dtype="float32")),
    }


def main() -> int:
    os.makedirs(OUT, exist_ok=True)
    for name, (array, labels) in cases().items():
        buffer = io.BytesIO()
        write_numpy_to_dense_tensor(buffer, array, labels)
        with open(os.path.join(OUT, name + ".rec"), "wb") as fh:
            fh.write(buffer.getvalue())
        arrays = {"array": array} if labels is None else {"array": array, "labels": labels}
        np.savez(os.path.join(OUT, name + ".npz"), **arrays)
        print(f"{name}: {array.shape} {array.dtype}, {len(buffer.getvalue())} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
