"""Preprocessing for the study plan's training runs (SageMaker Processing, scikit-learn image).

For a tabular algorithm (the default, XGBoost) it reads every CSV in the input directory (a header row
and a ``target`` column), splits the rows into train / validation / test (stratified on the label,
fixed seed), fits a StandardScaler on the train rows only and applies it to all three, then writes
what the next jobs read:

    <output>/train/train.csv               label first, no header (XGBoost's CSV format)
    <output>/validation/validation.csv     label first, no header
    <output>/test/test.csv                 features only, no header (Batch Transform input)
    <output>/test_labels/test_labels.csv   the test labels, one per line, same order (evaluation)

``--algorithm`` writes the same four folders in the format that algorithm reads (Day 8):

    xgboost, linear-learner, knn    CSV, label first
    kmeans, pca                     CSV without the label (text/csv;label_size=0)
    factorization-machines          RecordIO-protobuf, float32 features and labels (recordio.py)
    randomcutforest                 train: CSV without the label; validation: label first
    ipinsights                      CSV of (entity, IPv4) pairs, no header
    deepar                          JSON Lines: train without the last prediction_length points,
                                    validation (the test channel) whole, test the truncated series
    blazingtext                     "__label__<label> <text>" lines; test: JSON Lines {"source": ...}

``--format`` picks another format the algorithm trains on, for the train and validation splits
(``test/`` stays CSV: it is Batch Transform input):

    parquet              XGBoost: label first, one column per feature (application/x-parquet)
    recordio-protobuf    XGBoost, Linear Learner, k-NN (with the label), K-Means, PCA (without),
                         Random Cut Forest (train without, validation with)

Container paths are the defaults; ``--input-dir``/``--output-dir`` make it run anywhere:

    python preprocessing.py --input-dir sample_data --output-dir /tmp/processed
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

TARGET = "target"
OUTPUTS = ("train", "validation", "test", "test_labels")
DEFAULT_INPUT_DIR = "/opt/ml/processing/input/data"
DEFAULT_OUTPUT_DIR = "/opt/ml/processing/output"
TABULAR = ("xgboost", "linear-learner", "knn", "kmeans", "pca", "factorization-machines", "randomcutforest")
ALGORITHMS = (*TABULAR, "ipinsights", "deepar", "blazingtext")
# Tabular algorithms that read features only (unsupervised).
UNLABELLED = ("kmeans", "pca")
# The formats each algorithm trains on, its default first (the launcher's algorithms.json has the same;
# tests/training_code/test_formats.py keeps the two equal: the script runs in a container, not the Lambda).
FORMATS = {
    "xgboost": ("csv", "parquet", "recordio-protobuf"),
    **{name: ("csv", "recordio-protobuf") for name in ("linear-learner", "knn", "kmeans", "pca", "randomcutforest")},
    "factorization-machines": ("recordio-protobuf",),
    "ipinsights": ("csv",),
    "deepar": ("json-lines",),
    "blazingtext": ("text",),
}
# DeepAR's prediction_length for the sample series (the launcher's default).
PREDICTION_LENGTH = 24


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input-dir", default=DEFAULT_INPUT_DIR)
    parser.add_argument("--output-dir", default=DEFAULT_OUTPUT_DIR)
    parser.add_argument("--validation-fraction", type=float, default=0.15)
    parser.add_argument("--test-fraction", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--algorithm", choices=ALGORITHMS, default="xgboost")
    parser.add_argument("--format", help="one the algorithm trains on (default: its first, see FORMATS)")
    args = parser.parse_args(argv)
    formats = FORMATS[args.algorithm]
    args.format = args.format or formats[0]
    if args.format not in formats:
        parser.error(f"--format {args.format!r}: {args.algorithm} trains on {', '.join(formats)}")
    for name in ("validation_fraction", "test_fraction"):
        if not 0 < getattr(args, name) < 0.5:
            parser.error(f"--{name.replace('_', '-')} must be between 0 and 0.5")
    return args


def read_raw(input_dir):
    paths = sorted(glob.glob(os.path.join(input_dir, "*.csv")))
    if not paths:
        raise SystemExit(f"no .csv file in {input_dir}")
    frames = []
    for path in paths:
        frame = pd.read_csv(path)
        if TARGET not in frame.columns:
            raise SystemExit(f"{path}: no {TARGET!r} column (columns: {', '.join(frame.columns)})")
        frames.append(frame)
    data = pd.concat(frames, ignore_index=True)
    if data.isnull().values.any():
        raise SystemExit("the raw data has missing values; fill or drop them before training")
    return data


def split(data, validation_fraction, test_fraction, seed):
    """Stratified train/validation/test split; fractions are of the whole dataset."""
    labels = data[TARGET].astype(int)
    features = data.drop(columns=[TARGET])
    x_rest, x_test, y_rest, y_test = train_test_split(
        features, labels, test_size=test_fraction, stratify=labels, random_state=seed
    )
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest, y_rest, test_size=validation_fraction / (1 - test_fraction), stratify=y_rest, random_state=seed
    )
    return (x_train, y_train), (x_val, y_val), (x_test, y_test)


def write_csv(frame, directory, name):
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    frame.to_csv(path, header=False, index=False)
    return path


def write_lines(lines, directory, name):
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    with open(path, "w") as fh:
        fh.writelines(line + "\n" for line in lines)
    return path


def _three_way(items, args):
    """Shuffle (fixed seed) and cut into train / validation / test by the requested fractions."""
    order = np.random.default_rng(args.seed).permutation(len(items))
    n_test = max(1, round(len(items) * args.test_fraction))
    n_val = max(1, round(len(items) * args.validation_fraction))
    picked = [items[i] for i in order]
    return picked[n_test + n_val :], picked[n_test : n_test + n_val], picked[:n_test]


def _input_files(input_dir, pattern):
    paths = sorted(glob.glob(os.path.join(input_dir, "**", pattern), recursive=True))
    if not paths:
        raise SystemExit(f"no {pattern} file in {input_dir}")
    return paths


def ipinsights(args):
    lines = []
    for path in _input_files(args.input_dir, "*.csv"):
        frame = pd.read_csv(path, dtype=str)
        if frame.shape[1] != 2:
            raise SystemExit(f"{path}: IP Insights reads two columns (entity, IPv4), not {frame.shape[1]}")
        lines += [f"{entity},{ip}" for entity, ip in frame.itertuples(index=False)]
    train, validation, test = _three_way(lines, args)
    out = args.output_dir
    write_lines(train, os.path.join(out, "train"), "train.csv")
    write_lines(validation, os.path.join(out, "validation"), "validation.csv")
    write_lines(test, os.path.join(out, "test"), "test.csv")
    os.makedirs(os.path.join(out, "test_labels"), exist_ok=True)
    print(f"rows: train {len(train)}, validation {len(validation)}, test {len(test)}")
    return 0


def deepar(args):
    series = []
    for path in _input_files(args.input_dir, "*.json"):
        with open(path) as fh:
            series += [json.loads(line) for line in fh if line.strip()]
    short = [s["start"] for s in series if len(s["target"]) <= 2 * PREDICTION_LENGTH]
    if short:
        raise SystemExit(f"{len(short)} series are too short for prediction_length {PREDICTION_LENGTH}")
    # DeepAR's train channel must not see the points its test channel scores.
    truncated = [{**s, "target": s["target"][:-PREDICTION_LENGTH]} for s in series]
    out = args.output_dir
    write_lines([json.dumps(s) for s in truncated], os.path.join(out, "train"), "train.json")
    write_lines([json.dumps(s) for s in series], os.path.join(out, "validation"), "validation.json")
    write_lines([json.dumps(s) for s in truncated], os.path.join(out, "test"), "test.json")
    write_lines(
        [json.dumps(s["target"][-PREDICTION_LENGTH:]) for s in series],
        os.path.join(out, "test_labels"),
        "test_labels.json",
    )
    print(f"series: {len(series)}, prediction_length {PREDICTION_LENGTH}")
    return 0


def blazingtext(args):
    lines = []
    for path in _input_files(args.input_dir, "*.txt"):
        with open(path) as fh:
            lines += [line.strip() for line in fh if line.startswith("__label__")]
    train, validation, test = _three_way(lines, args)
    out = args.output_dir
    write_lines(train, os.path.join(out, "train"), "train.txt")
    write_lines(validation, os.path.join(out, "validation"), "validation.txt")
    texts = [line.split(" ", 1) for line in test]
    write_lines([json.dumps({"source": text}) for _, text in texts], os.path.join(out, "test"), "test.jsonl")
    write_lines([label for label, _ in texts], os.path.join(out, "test_labels"), "test_labels.txt")
    print(f"lines: train {len(train)}, validation {len(validation)}, test {len(test)}")
    return 0


def write_recordio(features, labels, directory, name):
    # recordio.py sits beside this script in code/scripts/ (the job downloads the whole folder).
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import recordio

    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    with open(path, "wb") as fh:
        labels = None if labels is None else labels.to_numpy(dtype="float32")
        recordio.write_dense(fh, features.to_numpy(dtype="float32"), labels)
    return path


def write_parquet(frame, directory, name):
    # pyarrow is in the scikit-learn image (14.0.1 in 1.2-1); XGBoost reads column 0 as the label.
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    frame.to_parquet(path, engine="pyarrow", index=False)
    return path


def write_splits(algorithm, fmt, splits, out):
    """The train and validation splits in ``fmt`` as ``algorithm`` reads it (label first by default)."""
    for name, (features, labels) in splits.items():
        directory = os.path.join(out, name)
        unlabelled = algorithm in UNLABELLED or (algorithm == "randomcutforest" and name == "train")
        if fmt == "recordio-protobuf":
            write_recordio(features, None if unlabelled else labels, directory, f"{name}.rec")
        elif fmt == "parquet":
            write_parquet(pd.concat([labels, features], axis=1), directory, f"{name}.parquet")
        elif unlabelled:
            write_csv(features, directory, f"{name}.csv")
        else:
            write_csv(pd.concat([labels, features], axis=1), directory, f"{name}.csv")


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    special = {"ipinsights": ipinsights, "deepar": deepar, "blazingtext": blazingtext}
    if args.algorithm in special:
        return special[args.algorithm](args)
    data = read_raw(args.input_dir)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = split(
        data, args.validation_fraction, args.test_fraction, args.seed
    )
    # Fit on train only: statistics of validation or test rows must not leak into training.
    scaler = StandardScaler().fit(x_train)

    def scaled(frame):
        return pd.DataFrame(scaler.transform(frame), columns=frame.columns, index=frame.index)

    out = args.output_dir
    write_splits(
        args.algorithm, args.format, {"train": (scaled(x_train), y_train), "validation": (scaled(x_val), y_val)}, out
    )
    write_csv(scaled(x_test), os.path.join(out, "test"), "test.csv")
    write_csv(y_test.to_frame(), os.path.join(out, "test_labels"), "test_labels.csv")
    print(f"rows: train {len(x_train)}, validation {len(x_val)}, test {len(x_test)}; features {x_train.shape[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
