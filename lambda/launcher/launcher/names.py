"""Job names: ``<prefix>-<kind>-<suffix>``, within SageMaker's length and character rules.

The suffix is 16 characters, so that even a 10-character prefix leaves a tuning job name within
SageMaker's 32: a UTC timestamp plus 3 random hex digits, or, for a request with a ``request_id``,
``r`` plus 15 hex digits of its SHA-256, so that a retried request names (and finds) the same job.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

import lab_contract
from launcher.requests import ProcessRequest, TrainRequest, TransformRequest, TuneRequest

# action -> the word in the job name; kind -> the SageMaker job type (for describe/list).
NAME_WORDS = {"process": "proc", "train": "train", "tune": "tune", "transform": "xform"}
KINDS = {t.action: t.kind for t in (ProcessRequest, TrainRequest, TuneRequest, TransformRequest)}
MODEL_WORD = "model"
SUFFIX_LENGTH = 16
SUFFIX_RE = r"(?:\d{12}-[0-9a-f]{3}|r[0-9a-f]{15})"
# SageMaker names a tuning job's training jobs <tuning job name>-<3 digits>-<8 hex>.
TUNING_CHILD_RE = r"-\d{3}-[0-9a-f]{8}"
# SageMaker's pattern for every job and model name.
SAGEMAKER_NAME_RE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
MAX_LENGTH = {kind.key: kind.max_name_length for kind in (*lab_contract.JOBS.values(), lab_contract.MODEL)}


def suffix(now: datetime, random_hex: str, request_id: str | None = None) -> str:
    if request_id is not None:
        return "r" + hashlib.sha256(request_id.encode("utf-8")).hexdigest()[: SUFFIX_LENGTH - 1]
    return now.strftime("%y%m%d%H%M%S") + "-" + random_hex[:3]


def job_name(prefix: str, action: str, name_suffix: str) -> str:
    return f"{prefix}-{NAME_WORDS[action]}-{name_suffix}"


def model_name(prefix: str, name_suffix: str) -> str:
    return f"{prefix}-{MODEL_WORD}-{name_suffix}"


def kind_of(name: str, prefix: str) -> str | None:
    """The SageMaker job type of one of the lab's job names, or ``None`` if it is not one."""
    p = re.escape(prefix)
    for action, word in NAME_WORDS.items():
        if re.fullmatch(f"{p}-{word}-{SUFFIX_RE}", name):
            return KINDS[action]
    if re.fullmatch(f"{p}-{NAME_WORDS['tune']}-{SUFFIX_RE}{TUNING_CHILD_RE}", name):
        return KINDS["train"]
    return None


def is_labs(name: str, prefix: str) -> bool:
    """Whether ``name`` carries the lab's prefix (the launcher's IAM policy covers only those)."""
    return name.startswith(prefix + "-")
