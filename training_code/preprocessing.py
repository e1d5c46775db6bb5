"""Preprocessing for the study plan's XGBoost run (SageMaker Processing, scikit-learn image).

Reads every CSV in the input directory (a header row and a ``target`` column), splits the rows into
train / validation / test (stratified on the label, fixed seed), fits a StandardScaler on the train
rows only and applies it to all three, then writes what the next jobs read:

    <output>/train/train.csv               label first, no header (XGBoost's CSV format)
    <output>/validation/validation.csv     label first, no header
    <output>/test/test.csv                 features only, no header (Batch Transform input)
    <output>/test_labels/test_labels.csv   the test labels, one per line, same order (evaluation)

Container paths are the defaults; ``--input-dir``/``--output-dir`` make it run anywhere:

    python preprocessing.py --input-dir sample_data --output-dir /tmp/processed
"""

from __future__ import annotations

import argparse
import glob
import os
import sys

import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

TARGET = "target"
OUTPUTS = ("train", "validation", "test", "test_labels")
DEFAULT_INPUT_DIR = "/opt/ml/processing/input/data"
DEFAULT_OUTPUT_DIR = "/opt/ml/processing/output"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input-dir", default=DEFAULT_INPUT_DIR)
    parser.add_argument("--output-dir", default=DEFAULT_OUTPUT_DIR)
    parser.add_argument("--validation-fraction", type=float, default=0.15)
    parser.add_argument("--test-fraction", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
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


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    data = read_raw(args.input_dir)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = split(
        data, args.validation_fraction, args.test_fraction, args.seed
    )
    # Fit on train only: statistics of validation or test rows must not leak into training.
    scaler = StandardScaler().fit(x_train)

    def scaled(frame):
        return pd.DataFrame(scaler.transform(frame), columns=frame.columns, index=frame.index)

    out = args.output_dir
    write_csv(pd.concat([y_train, scaled(x_train)], axis=1), os.path.join(out, "train"), "train.csv")
    write_csv(pd.concat([y_val, scaled(x_val)], axis=1), os.path.join(out, "validation"), "validation.csv")
    write_csv(scaled(x_test), os.path.join(out, "test"), "test.csv")
    write_csv(y_test.to_frame(), os.path.join(out, "test_labels"), "test_labels.csv")
    print(f"rows: train {len(x_train)}, validation {len(x_val)}, test {len(x_test)}; features {x_train.shape[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
