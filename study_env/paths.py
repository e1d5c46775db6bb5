"""Folders of the repository that the stacks package as assets."""

from __future__ import annotations

import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE_DATA_DIR = os.path.join(ROOT, "sample_data")
TRAINING_CODE_DIR = os.path.join(ROOT, "training_code")
PREPARED_DATA_DIR = os.path.join(ROOT, "prepared_data")
NOTEBOOKS_DIR = os.path.join(ROOT, "notebooks")
LAMBDA_DIR = os.path.join(ROOT, "lambda")
# Modules bundled into several function assets (LabFunction shared_modules).
LAMBDA_SHARED_DIR = os.path.join(LAMBDA_DIR, "shared")
