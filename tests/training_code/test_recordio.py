"""The lab's RecordIO-protobuf writer writes what SDK 2.x's write_numpy_to_dense_tensor writes."""

from __future__ import annotations

import glob
import io
import os

import numpy as np
import pytest

from study_env.paths import TRAINING_CODE_DIR
from tests.support import recordio_reader

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "recordio")
CASES = sorted(os.path.basename(p).removesuffix(".rec") for p in glob.glob(os.path.join(FIXTURES, "*.rec")))


@pytest.fixture(scope="module")
def recordio():
    import importlib.util

    spec = importlib.util.spec_from_file_location("lab_recordio", os.path.join(TRAINING_CODE_DIR, "recordio.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load(case: str) -> tuple[np.ndarray, np.ndarray | None, bytes]:
    with np.load(os.path.join(FIXTURES, case + ".npz")) as arrays:
        array = arrays["array"]
        labels = arrays.get("labels", None)
    with open(os.path.join(FIXTURES, case + ".rec"), "rb") as fh:
        return array, labels, fh.read()


def test_every_dtype_sdk2_writes_has_a_fixture():
    assert len(CASES) == 7
    dtypes = {load(case)[0].dtype for case in CASES}
    assert dtypes == {np.dtype("float32"), np.dtype("float64"), np.dtype(int)}


@pytest.mark.parametrize("case", CASES)
def test_bytes_equal_sdk2s(recordio, case):
    array, labels, expected = load(case)
    assert recordio.encode_dense(array, labels) == expected
    buffer = io.BytesIO()
    recordio.write_dense(buffer, array, labels)
    assert buffer.getvalue() == expected


@pytest.mark.parametrize("case", CASES)
def test_an_independent_reader_decodes_the_rows_and_labels(recordio, case):
    array, labels, _ = load(case)
    records = recordio_reader.frames(recordio.encode_dense(array, labels))
    assert len(records) == len(array)
    kinds = {"float32": "float32", "float64": "float64", "int64": "int32"}
    for index, record in enumerate(records):
        decoded = recordio_reader.decode(record)
        kind, values = decoded["features"]["values"]
        assert kind == kinds[array.dtype.name]
        np.testing.assert_array_equal(np.array(values, dtype=array.dtype), array[index])
        if labels is None:
            assert decoded["label"] == {}
        else:
            label_kind, label = decoded["label"]["values"]
            assert label_kind == kinds[labels.dtype.name]
            assert label == [labels[index].item()]


def test_the_fast_path_and_the_row_by_row_path_agree(recordio):
    rng = np.random.default_rng(7)
    array = rng.normal(size=(50, 30)).astype("float32")
    labels = rng.integers(0, 2, 50).astype("float32")
    row_by_row = b"".join(recordio.encode_dense(array[i : i + 1], labels[i : i + 1]) for i in range(50))
    assert recordio.encode_dense(array, labels) == row_by_row


@pytest.mark.parametrize(
    ("array", "labels", "message"),
    [
        (np.zeros(3, dtype="float32"), None, "must be a matrix"),
        (np.zeros((2, 2), dtype="float16"), None, "dtype float16"),
        (np.zeros((2, 2), dtype="float32"), np.zeros((2, 1), dtype="float32"), "must be a vector"),
        (np.zeros((2, 3), dtype="float32"), np.zeros(5, dtype="float32"), "do not fit"),
    ],
)
def test_bad_arrays_are_refused(recordio, array, labels, message):
    with pytest.raises(ValueError, match=message):
        recordio.encode_dense(array, labels)
