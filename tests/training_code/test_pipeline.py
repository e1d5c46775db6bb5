"""The study plan's pipeline, locally: preprocessing.py as the Processing job runs it, then real
XGBoost trained the way the built-in algorithm is (label-first header-less CSV, the launcher's default
hyperparameters), then Batch Transform's input scored line by line."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import xgboost
from sklearn.metrics import roc_auc_score

from launcher import defaults  # noqa: E402  (isort: after the path is set)
from launcher.algorithms import XGBOOST  # noqa: E402
from launcher.validation import validate  # noqa: E402
from study_env.paths import PREPARED_DATA_DIR, SAMPLE_DATA_DIR, TRAINING_CODE_DIR
from tests.support.launcher import SETTINGS  # puts lambda/launcher on sys.path, as in Lambda

SCRIPT = os.path.join(TRAINING_CODE_DIR, defaults.PREPROCESSING_SCRIPT)
FEATURES = 30


def run_preprocessing(root) -> tuple[str, str]:
    """The container's directory contract under ``root``: input/data in, output/<split>/ out."""
    input_dir = root / "opt/ml/processing/input/data"
    output_dir = root / "opt/ml/processing/output"
    input_dir.mkdir(parents=True)
    shutil.copy(os.path.join(SAMPLE_DATA_DIR, "breast_cancer.csv"), input_dir)
    result = subprocess.run(
        [sys.executable, SCRIPT, "--input-dir", str(input_dir), "--output-dir", str(output_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return str(output_dir), result.stdout


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    output_dir, stdout = run_preprocessing(tmp_path_factory.mktemp("container"))
    return output_dir, stdout


def load(output_dir: str, split: str) -> np.ndarray:
    return np.loadtxt(os.path.join(output_dir, split, f"{split}.csv"), delimiter=",", ndmin=2)


def test_writes_the_four_outputs_the_launcher_uploads(processed):
    output_dir, stdout = processed
    assert sorted(os.listdir(output_dir)) == sorted(defaults.PROCESSING_OUTPUTS)
    assert "rows: train 397, validation 86, test 86; features 30" in stdout


def test_splits_are_label_first_headerless_and_stratified(processed):
    output_dir, _ = processed
    train, validation = load(output_dir, "train"), load(output_dir, "validation")
    test, labels = load(output_dir, "test"), load(output_dir, "test_labels")
    assert train.shape == (397, 1 + FEATURES) and validation.shape == (86, 1 + FEATURES)
    assert test.shape == (86, FEATURES) and labels.shape == (86, 1)
    for label_column in (train[:, 0], validation[:, 0], labels[:, 0]):
        assert set(np.unique(label_column)) == {0.0, 1.0}
        # The dataset is 62.7 % benign; stratification keeps each split within a point of that.
        assert abs(label_column.mean() - 0.627) < 0.01


def test_scaler_is_fitted_on_train_rows_only(processed):
    output_dir, _ = processed
    train_features, validation_features = load(output_dir, "train")[:, 1:], load(output_dir, "validation")[:, 1:]
    np.testing.assert_allclose(train_features.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(train_features.std(axis=0), 1, atol=1e-9)
    # Fitted on validation rows too, their means would be near 0 as well.
    assert np.abs(validation_features.mean(axis=0)).max() > 0.05


def test_same_input_gives_the_same_files(processed, tmp_path):
    first, _ = processed
    second, _ = run_preprocessing(tmp_path)
    for split in defaults.PROCESSING_OUTPUTS:
        assert filecmp.cmp(
            os.path.join(first, split, f"{split}.csv"), os.path.join(second, split, f"{split}.csv"), shallow=False
        )


def test_the_seeded_splits_are_what_the_processing_job_writes(processed):
    # prepared_data/ is seeded as data/{train,validation,test}/ for the Days that come before Processing.
    output_dir, _ = processed
    for split in ("train", "validation", "test"):
        assert os.listdir(os.path.join(PREPARED_DATA_DIR, split)) == [f"{split}.csv"]
        assert filecmp.cmp(
            os.path.join(output_dir, split, f"{split}.csv"),
            os.path.join(PREPARED_DATA_DIR, split, f"{split}.csv"),
            shallow=False,
        ), f"prepared_data/{split} is stale: run scripts/make_prepared_data.py"


def test_xgboost_with_the_launchers_defaults_reaches_the_plans_auc_and_scores_every_line(processed):
    output_dir, _ = processed
    # Exactly what a default "train" request sends to SageMaker (strings, as the API carries them).
    hyperparameters = validate({"action": "train"}, SETTINGS).hyperparameters
    assert {k: str(v) for k, v in XGBOOST.defaults.items()} == hyperparameters
    params = {k: v for k, v in hyperparameters.items() if k != "num_round"}
    train, validation = load(output_dir, "train"), load(output_dir, "validation")
    dtrain = xgboost.DMatrix(train[:, 1:], label=train[:, 0])
    dvalidation = xgboost.DMatrix(validation[:, 1:], label=validation[:, 0])
    booster = xgboost.train(
        params,
        dtrain,
        num_boost_round=int(hyperparameters["num_round"]),
        evals=[(dvalidation, "validation")],
        verbose_eval=False,
    )

    auc = roc_auc_score(validation[:, 0], booster.predict(dvalidation))
    assert auc >= 0.97, auc

    # Batch Transform splits the input by line and assembles one prediction per line.
    with open(os.path.join(output_dir, "test", "test.csv")) as fh:
        lines = fh.read().splitlines()
    rows = np.array([[float(x) for x in line.split(",")] for line in lines])
    predictions = booster.predict(xgboost.DMatrix(rows))
    output = "\n".join(repr(float(p)) for p in predictions) + "\n"
    assert len(output.splitlines()) == len(lines) == 86
    assert all(0.0 <= float(p) <= 1.0 for p in output.splitlines())
    labels = load(output_dir, "test_labels")[:, 0]
    assert roc_auc_score(labels, predictions) >= 0.95


def test_raw_data_without_a_target_column_is_refused(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "data.csv").write_text("a,b\n1,2\n")
    result = subprocess.run(
        [sys.executable, SCRIPT, "--input-dir", str(tmp_path / "in"), "--output-dir", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "no 'target' column" in result.stderr
    assert not (tmp_path / "out").exists()
