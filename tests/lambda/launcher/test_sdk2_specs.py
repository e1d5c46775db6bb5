"""The launcher's specs of the 1P algorithms agree with SageMaker Python SDK 2.x's estimator declarations.

SDK 2.x lives in its own virtualenv (.venv-sdk2); tests/support/sdk2_hyperparameters.py reads its
``hp(...)`` declarations there and hands them over as JSON. Every name SDK 2.x declares is in the spec,
with the same type and the same bounds; what the SDK's docstrings call required is required here too.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from launcher.algorithms import ALGORITHMS
from launcher.specs import BOOLEAN, CATEGORICAL, CONTINUOUS, INTEGER, LIST

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SDK2_PYTHON = os.path.join(ROOT, ".venv-sdk2", "bin", "python")
SCRIPT = os.path.join(ROOT, "tests", "support", "sdk2_hyperparameters.py")
# SDK 2.x data type -> the spec kinds that carry it (a str without categories takes a number or a word).
KINDS = {"int": {INTEGER}, "float": {CONTINUOUS}, "bool": {BOOLEAN}, "list": {LIST}, "str": {CATEGORICAL}}


@pytest.fixture(scope="module")
def sdk2(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("sdk2") / "hyperparameters.json"
    result = subprocess.run([SDK2_PYTHON, SCRIPT, str(out)], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(out.read_text())


def test_sdk2_declares_the_seven_1p_estimators(sdk2):
    assert sorted(sdk2) == sorted(
        ["linear-learner", "kmeans", "pca", "factorization-machines", "randomcutforest", "knn", "ipinsights"]
    )
    assert {name: data["repo_name"] for name, data in sdk2.items()} == {name: name for name in sdk2}


@pytest.mark.parametrize(
    "algorithm", ["linear-learner", "kmeans", "pca", "factorization-machines", "randomcutforest", "knn", "ipinsights"]
)
def test_spec_matches_sdk2_declarations(sdk2, algorithm):
    spec = ALGORITHMS[algorithm]
    declared = {k: v for k, v in sdk2[algorithm]["hyperparameters"].items() if (algorithm, k) not in _NOT_TAKEN}
    assert set(declared) <= set(spec.hyperparameters), set(declared) - set(spec.hyperparameters)
    checked = 0
    for name, declaration in sorted(declared.items()):
        hp = spec.hyperparameters[name]
        validators = [v for v in declaration["validators"] if v[0] != "other"]
        categories = [v[1] for v in validators if v[0] == "isin"]
        if declaration["type"] == "str" and not categories:
            # "auto" or a number, in the SDK a plain string: the spec takes the number and the words.
            assert hp.words, name
            continue
        assert hp.kind in KINDS[declaration["type"]], (name, hp.kind, declaration["type"])
        if categories:
            assert sorted(hp.values) == categories[0], name
        for op, bound in validators:
            if op == "gt":
                assert (hp.low, hp.low_open) == (bound, True), (name, op, bound)
            elif op == "ge":
                assert (hp.low, hp.low_open) == (bound, False), (name, op, bound)
            elif op == "lt":
                assert (hp.high, hp.high_open) == (bound, True), (name, op, bound)
            elif op == "le":
                assert (hp.high, hp.high_open) == (bound, False), (name, op, bound)
            checked += 1
        if not any(op in ("gt", "ge") for op, _ in validators) and hp.numeric:
            assert hp.low is None or name in _BOUNDED_FROM_DOCS, (name, "a bound the SDK does not declare")
    assert checked > 0


# Declared by SDK 2.x's common base class, but not a hyperparameter the algorithm's page lists: IP
# Insights reads (entity, IP) pairs and has no feature dimension.
_NOT_TAKEN = {("ipinsights", "feature_dim")}
# Bounds that SageMaker's algorithm pages state and SDK 2.x leaves to a lambda validator.
_BOUNDED_FROM_DOCS = {"extra_components"}


@pytest.mark.parametrize(
    "algorithm", ["linear-learner", "kmeans", "pca", "factorization-machines", "randomcutforest", "knn", "ipinsights"]
)
def test_what_sdk2_calls_required_is_required(sdk2, algorithm):
    assert set(sdk2[algorithm]["required"]) <= set(ALGORITHMS[algorithm].required)
    # And the launcher fills every required one from the sample data, so a bare request runs.
    assert set(ALGORITHMS[algorithm].required) <= set(ALGORITHMS[algorithm].defaults)
