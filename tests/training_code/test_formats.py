"""Day 8: the processing script writes each algorithm's input format, run as the Processing job runs it.

Each case copies the algorithm's default raw dataset (data/raw/ as the bucket seeds it, from
sample_data/) into the container's input directory, runs preprocessing.py with ``--algorithm`` in a
subprocess with the container's paths laid out under a temporary root, and reads the outputs back.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from launcher import defaults  # noqa: E402  (isort: after the path is set)
from launcher.algorithms import ALGORITHMS  # noqa: E402
from study_env.paths import SAMPLE_DATA_DIR, TRAINING_CODE_DIR
from tests.support import recordio_reader
from tests.support.launcher import SETTINGS  # noqa: F401  (puts lambda/launcher on sys.path)

SCRIPT = os.path.join(TRAINING_CODE_DIR, defaults.PREPROCESSING_SCRIPT)


def process(root, algorithm: str, *extra: str) -> str:
    input_dir, output_dir = root / "input", root / "output"
    source = os.path.join(SAMPLE_DATA_DIR, defaults.RAW_DATASETS.get(algorithm, ""))
    if algorithm in defaults.RAW_DATASETS:
        shutil.copytree(source, input_dir)
    else:
        input_dir.mkdir(parents=True)
        shutil.copy(os.path.join(SAMPLE_DATA_DIR, "breast_cancer.csv"), input_dir)
    # The scripts folder as the job gets it: preprocessing.py with recordio.py beside it.
    code = root / "code"
    shutil.copytree(TRAINING_CODE_DIR, code, ignore=shutil.ignore_patterns("__pycache__"))
    result = subprocess.run(
        [sys.executable, str(code / "preprocessing.py"), "--input-dir", str(input_dir), "--output-dir", str(output_dir)]
        + ["--algorithm", algorithm, *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return str(output_dir)


def lines(output_dir: str, split: str, name: str) -> list[str]:
    with open(os.path.join(output_dir, split, name)) as fh:
        return fh.read().splitlines()


def csv(output_dir: str, split: str) -> np.ndarray:
    return np.loadtxt(os.path.join(output_dir, split, f"{split}.csv"), delimiter=",", ndmin=2)


def test_the_script_takes_every_cpu_algorithm():
    import importlib.util

    spec = importlib.util.spec_from_file_location("lab_preprocessing", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert sorted(module.ALGORITHMS) == sorted(n for n, a in ALGORITHMS.items() if not a.gpu_only)
    assert ALGORITHMS["deepar"].defaults["prediction_length"] == module.PREDICTION_LENGTH
    # What the launcher asks for with `format` is what the script can write, default first.
    assert {n: a.formats for n, a in ALGORITHMS.items() if not a.gpu_only} == module.FORMATS


@pytest.mark.parametrize(("algorithm", "label_first"), [("linear-learner", True), ("knn", True), ("kmeans", False)])
def test_tabular_csv_with_or_without_the_label(tmp_path, algorithm, label_first):
    out = process(tmp_path, algorithm)
    train, validation = csv(out, "train"), csv(out, "validation")
    columns = ALGORITHMS[algorithm].defaults["feature_dim"] + (1 if label_first else 0)
    assert train.shape == (397, columns) and validation.shape == (86, columns)
    if label_first:
        assert set(np.unique(train[:, 0])) == {0.0, 1.0}


def test_factorization_machines_reads_recordio_protobuf_of_the_same_rows(tmp_path):
    out = process(tmp_path / "fm", "factorization-machines")
    reference = csv(process(tmp_path / "csv", "linear-learner"), "train")
    with open(os.path.join(out, "train", "train.rec"), "rb") as fh:
        records = [recordio_reader.decode(r) for r in recordio_reader.frames(fh.read())]
    assert len(records) == len(reference) == 397
    features = np.array([r["features"]["values"][1] for r in records])
    labels = np.array([r["label"]["values"][1][0] for r in records])
    assert {r["features"]["values"][0] for r in records} == {"float32"}
    np.testing.assert_allclose(features, reference[:, 1:].astype("float32"), rtol=1e-6)
    np.testing.assert_array_equal(labels, reference[:, 0])
    assert os.path.exists(os.path.join(out, "validation", "validation.rec"))


def test_random_cut_forest_trains_unlabelled_and_scores_a_labelled_test_channel(tmp_path):
    out = process(tmp_path, "randomcutforest")
    train, validation = csv(out, "train"), csv(out, "validation")
    assert train.shape == (700, 2) and validation.shape == (150, 3)
    assert set(np.unique(validation[:, 0])) == {0.0, 1.0}
    assert ALGORITHMS["randomcutforest"].defaults["feature_dim"] == train.shape[1]


def test_ip_insights_gets_entity_ip_pairs(tmp_path):
    out = process(tmp_path, "ipinsights")
    train = lines(out, "train", "train.csv")
    assert len(train) == 1400
    entity, ip = train[0].split(",")
    assert entity.startswith("user") and len(ip.split(".")) == 4


def test_deepar_gets_json_lines_with_the_test_points_held_out_of_train(tmp_path):
    out = process(tmp_path, "deepar")
    train = [json.loads(line) for line in lines(out, "train", "train.json")]
    test = [json.loads(line) for line in lines(out, "validation", "validation.json")]
    horizon = ALGORITHMS["deepar"].defaults["prediction_length"]
    assert len(train) == len(test) == 8
    for short, full in zip(train, test, strict=True):
        assert full["target"][:-horizon] == short["target"] and full["start"] == short["start"]


def test_blazingtext_gets_labelled_lines_and_json_test_requests(tmp_path):
    out = process(tmp_path, "blazingtext")
    train = lines(out, "train", "train.txt")
    assert len(train) == 280 and all(line.startswith(("__label__positive ", "__label__negative ")) for line in train)
    requests = [json.loads(line) for line in lines(out, "test", "test.jsonl")]
    labels = lines(out, "test_labels", "test_labels.txt")
    assert len(requests) == len(labels) == 60 and set(requests[0]) == {"source"}


def records(output_dir: str, split: str) -> list[dict]:
    with open(os.path.join(output_dir, split, f"{split}.rec"), "rb") as fh:
        return [recordio_reader.decode(r) for r in recordio_reader.frames(fh.read())]


def test_xgboost_parquet_holds_the_csv_rows_label_first_as_the_container_reads_it(tmp_path):
    import pyarrow.parquet as pq

    out = process(tmp_path / "parquet", "xgboost", "--format", "parquet")
    reference = process(tmp_path / "csv", "xgboost")
    for split in ("train", "validation"):
        assert os.listdir(os.path.join(out, split)) == [f"{split}.parquet"]
        # As the XGBoost container does: the channel folder as one table, column 0 the label.
        table = pq.read_table(os.path.join(out, split))
        data = table.to_pandas().to_numpy()
        expected = csv(reference, split)
        assert table.column_names[0] == "target" and data.shape == expected.shape
        np.testing.assert_array_equal(data[:, 0], expected[:, 0])
        np.testing.assert_allclose(data[:, 1:], expected[:, 1:], rtol=1e-12)
    # Batch Transform input stays CSV in every format.
    np.testing.assert_array_equal(csv(out, "test"), csv(reference, "test"))


@pytest.mark.parametrize(("algorithm", "labelled"), [("xgboost", True), ("knn", True), ("kmeans", False)])
def test_recordio_protobuf_for_a_csv_algorithm_keeps_its_rows_and_its_label_rule(tmp_path, algorithm, labelled):
    out = process(tmp_path / "rec", algorithm, "--format", "recordio-protobuf")
    reference = csv(process(tmp_path / "csv", algorithm), "train")
    train = records(out, "train")
    assert len(train) == len(reference) == 397
    features = np.array([r["features"]["values"][1] for r in train])
    if labelled:
        assert [r["label"]["values"][1][0] for r in train] == list(reference[:, 0])
        reference = reference[:, 1:]
    else:
        assert all(r["label"] == {} for r in train)
    np.testing.assert_allclose(features, reference.astype("float32"), rtol=1e-6)


def test_random_cut_forest_in_recordio_labels_only_its_test_channel(tmp_path):
    out = process(tmp_path, "randomcutforest", "--format", "recordio-protobuf")
    train, validation = records(out, "train"), records(out, "validation")
    assert len(train) == 700 and all(r["label"] == {} for r in train)
    assert len(validation) == 150 and {r["label"]["values"][1][0] for r in validation} == {0.0, 1.0}


@pytest.mark.parametrize(
    ("algorithm", "fmt"), [("kmeans", "parquet"), ("factorization-machines", "csv"), ("xgboost", "libsvm")]
)
def test_a_format_the_algorithm_does_not_train_on_fails_before_writing_anything(tmp_path, algorithm, fmt):
    output_dir = tmp_path / "output"
    result = subprocess.run(
        [sys.executable, SCRIPT, "--input-dir", SAMPLE_DATA_DIR, "--output-dir", str(output_dir)]
        + ["--algorithm", algorithm, "--format", fmt],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"--format {fmt!r}: {algorithm} trains on" in result.stderr
    assert not output_dir.exists()
