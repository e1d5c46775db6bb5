"""The built-in algorithms the launcher trains and tunes: one :class:`Algorithm` each.

The table itself is data, ``algorithms.json`` beside this module: facts carried over from SageMaker's
per-algorithm hyperparameter and tuning pages, the XGBoost container's own validation
(``algorithm_mode/hyperparameter_validation.py`` in aws/sagemaker-xgboost-container) and SDK 2.x's
estimator declarations (``tests/lambda/launcher/test_sdk2_specs.py`` compares them). JSON, not Python
literals, because Lambda compiles every module of the asset at a cold start and parsing the table is
ten times cheaper than compiling it. The defaults of required hyperparameters fit the lab's sample data
(``tests/unit/test_sample_data.py`` checks them against the files). Images are not here: the construct
passes them (``ALGORITHM_IMAGES``), from ``study_env/algorithms.py``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from launcher.specs import BOOLEAN, Hp

CSV = "text/csv"
# The GPU families the GPU-only algorithms train on (their pages list p2, p3, g4dn and g5).
GPU_FAMILIES = ("ml.p2.", "ml.p3.", "ml.g4dn.", "ml.g5.")
# us-east-1 on-demand training prices of the GPU types, per hour: study_env/data/prices.json's figures
# (tests/lambda/launcher/test_algorithms.py keeps the two equal); the asset cannot read study_env/.
GPU_TRAINING_PRICES = {"ml.g4dn.xlarge": 0.736, "ml.g5.xlarge": 1.408, "ml.p3.2xlarge": 3.825}

Rule = Callable[[Mapping[str, str]], str | None]


class Channel(NamedTuple):
    name: str
    # Where its data is: the request's train_prefix or validation_prefix, or beside_train (the folder
    # named after the channel next to train_prefix: Seq2Seq's vocab, Semantic Segmentation's annotations).
    source: str
    content_type: str
    distribution: str = "FullyReplicated"


class Metric(NamedTuple):
    """A tuning objective: its direction and, if any, the hyperparameter value that makes the job emit it."""

    direction: str
    needs: str | None = None
    values: tuple[str, ...] = ()


class Algorithm(NamedTuple):
    name: str
    title: str
    hyperparameters: Mapping[str, Hp]
    required: tuple[str, ...]
    defaults: Mapping[str, str | int | float]
    channels: tuple[Channel, ...]
    metrics: Mapping[str, Metric] = {}
    objective: str | None = None
    ranges: Mapping[str, Mapping[str, object]] = {}
    rules: tuple[Rule, ...] = ()
    gpu_only: bool = False
    # The hyperparameter Hyperband grows as its training resource (None: Hyperband is refused).
    hyperband_resource: str | None = None
    # What its inference accepts and returns for a Batch Transform.
    inference_type: str = CSV
    accept: str = CSV
    # The format the channels' content types are, and the others it trains on: format -> content type.
    format: str = "csv"
    other_formats: Mapping[str, str] = {}

    @property
    def formats(self) -> tuple[str, ...]:
        return (self.format, *self.other_formats)


def requires(name: str, values: tuple[str, ...], when: str, when_values: tuple[str, ...] | None = None) -> Rule:
    """A rule: if ``when`` is set (to one of ``when_values``), ``name`` must be set (to one of ``values``)."""

    def rule(hps: Mapping[str, str]) -> str | None:
        if when not in hps or (when_values is not None and hps[when] not in when_values):
            return None
        condition = f"{when}={hps[when]!r}" if when_values is not None else f"{when} is set"
        if name not in hps:
            return f"{name} is required when {condition}"
        if values and hps[name] not in values:
            return f"{condition} needs {name} to be one of {', '.join(values)}, not {hps[name]!r}"
        return None

    return rule


def less_than(small: str, large: str, *, or_equal: bool = False) -> Rule:
    def rule(hps: Mapping[str, str]) -> str | None:
        try:
            a, b = float(hps[small]), float(hps[large])
        except (KeyError, ValueError):
            return None
        if a < b or (or_equal and a == b):
            return None
        return f"{small} ({hps[small]}) must be {'at most' if or_equal else 'less than'} {large} ({hps[large]})"

    return rule


def _xgboost_eval_metric(hps: Mapping[str, str]) -> str | None:
    # The container's own dependency check: auc only ranks, aft-nloglik only survival:aft.
    metrics = [m.strip().split("@")[0] for m in hps.get("eval_metric", "").split(",") if m.strip()]
    objective = hps.get("objective", "reg:squarederror")
    if "auc" in metrics and not objective.startswith(("binary:", "rank:")):
        return f"eval_metric 'auc' needs a binary: or rank: objective, not {objective!r}"
    if "aft-nloglik" in metrics and objective != "survival:aft":
        return f"eval_metric 'aft-nloglik' needs objective 'survival:aft', not {objective!r}"
    return None


def _multiclass_num_classes(hps: Mapping[str, str]) -> str | None:
    # SDK 2.x admits num_classes from 1; the algorithm's page requires 3 or more for multiclass.
    if hps.get("predictor_type") != "multiclass_classifier" or not hps.get("num_classes", "").isdigit():
        return None
    if int(hps["num_classes"]) < 3:
        return f"predictor_type 'multiclass_classifier' needs num_classes of at least 3, not {hps['num_classes']}"
    return None


# The rules algorithms.json names: a generic one with its arguments, or a named check of its own.
RULES: dict[str, Callable[..., Rule]] = {
    "requires": lambda name, values, when, when_values: requires(
        name, tuple(values), when, None if when_values is None else tuple(when_values)
    ),
    "less_than": lambda small, large, or_equal: less_than(small, large, or_equal=or_equal),
    "xgboost_eval_metric": lambda: _xgboost_eval_metric,
    "multiclass_num_classes": lambda: _multiclass_num_classes,
}
TABLE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "algorithms.json")


def _hp(entry: dict[str, Any]) -> Hp:
    values = ("true", "false") if entry["kind"] == BOOLEAN else tuple(entry.get("values", ()))
    return Hp(
        entry["kind"],
        entry.get("low"),
        entry.get("high"),
        entry.get("low_open", False),
        entry.get("high_open", False),
        values,
        tuple(entry.get("words", ())),
        entry.get("tunable", False),
    )


def _algorithm(name: str, entry: dict[str, Any]) -> Algorithm:
    return Algorithm(
        name=name,
        title=entry["title"],
        hyperparameters={key: _hp(value) for key, value in entry["hyperparameters"].items()},
        required=tuple(entry["required"]),
        defaults=entry["defaults"],
        channels=tuple(Channel(*channel) for channel in entry["channels"]),
        metrics={key: Metric(d, needs, tuple(values)) for key, (d, needs, values) in entry["metrics"].items()},
        objective=entry["objective"],
        ranges=entry["ranges"],
        rules=tuple(RULES[rule[0]](*rule[1:]) for rule in entry["rules"]),
        gpu_only=entry["gpu_only"],
        hyperband_resource=entry["hyperband_resource"],
        inference_type=entry["inference_type"],
        accept=entry["accept"],
        format=entry["format"],
        other_formats=entry["other_formats"],
    )


def load(path: str = TABLE_FILE) -> dict[str, Algorithm]:
    with open(path) as fh:
        table = json.load(fh)["algorithms"]
    return {name: _algorithm(name, entry) for name, entry in table.items()}


ALGORITHMS: dict[str, Algorithm] = load()
XGBOOST = ALGORITHMS["xgboost"]
DEFAULT = XGBOOST.name
