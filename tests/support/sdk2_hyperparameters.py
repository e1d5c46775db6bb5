"""Run by .venv-sdk2's Python: SDK 2.x's hyperparameter declarations of the 1P estimators, as JSON.

The JSON goes into the file named by the first argument.

For each estimator: every ``hp(...)`` (its data type and its validators as ``[op, bound]``, op one of
gt, ge, lt, le, isin, or ``other`` for a lambda) and the hyperparameters its constructor's docstring marks "Required.".
tests/lambda/launcher/test_sdk2_specs.py compares them with the launcher's algorithm specs.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import re
import sys

os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")

from sagemaker.amazon.amazon_estimator import AmazonAlgorithmEstimatorBase  # noqa: E402
from sagemaker.amazon.hyperparameter import Hyperparameter  # noqa: E402

ESTIMATORS = {
    "linear-learner": ("linear_learner", "LinearLearner"),
    "kmeans": ("kmeans", "KMeans"),
    "pca": ("pca", "PCA"),
    "factorization-machines": ("factorization_machines", "FactorizationMachines"),
    "randomcutforest": ("randomcutforest", "RandomCutForest"),
    "knn": ("knn", "KNN"),
    "ipinsights": ("ipinsights", "IPInsights"),
}
# Constructor arguments every estimator takes that are not hyperparameters.
_NOT_HYPERPARAMETERS = {"self", "role", "instance_count", "instance_type", "kwargs"}
_REQUIRED_RE = re.compile(r"^\s*(\w+) \([^)]*\): Required\.", re.MULTILINE)


def _validator(function) -> list:
    op = function.__qualname__.split(".", 1)[0]
    cells = [c.cell_contents for c in function.__closure__ or ()]
    if op in ("gt", "ge", "lt", "le") and cells:
        return [op, cells[0]]
    if op == "isin" and cells:
        return [op, sorted(cells[0])]
    return ["other", None]


def declarations() -> dict:
    out = {}
    for algorithm, (module, name) in ESTIMATORS.items():
        cls = getattr(importlib.import_module("sagemaker.amazon." + module), name)
        hps = {}
        for klass in reversed(cls.__mro__):
            for value in vars(klass).values():
                if isinstance(value, Hyperparameter):
                    hps[value.name] = {
                        "type": getattr(value.data_type, "__name__", str(value.data_type)),
                        "validators": [_validator(f) for f in value.validation],
                    }
        # Every argument defaults to None in 2.x; its docstring says which ones are "Required.".
        documented = set(_REQUIRED_RE.findall(inspect.getdoc(cls.__init__) or ""))
        required = sorted(documented & set(hps) - _NOT_HYPERPARAMETERS)
        out[algorithm] = {"repo_name": cls.repo_name, "hyperparameters": hps, "required": required}
    assert issubclass(cls, AmazonAlgorithmEstimatorBase)
    return out


if __name__ == "__main__":
    # A file, not stdout: the SDK prints its config notices to stdout on import.
    with open(sys.argv[1], "w") as fh:
        json.dump(declarations(), fh, indent=1, sort_keys=True)
