"""Every function asset of the lab imports on its own, as Lambda loads it: nothing but the asset on the path."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from study_env.paths import LAMBDA_DIR
from tools import lambda_assets


def _our_folders() -> dict[str, set[str]]:
    """lambda/<folder> -> its top-level .py files."""
    return {
        folder: {name for name in os.listdir(os.path.join(LAMBDA_DIR, folder)) if name.endswith(".py")}
        for folder in lambda_assets.asset_folders()
    }


def _functions(synthesis, stacks):
    """(stack, logical id, asset folder, handler module) of each function whose code is one of ours."""
    folders = _our_folders()
    found = []
    for stack in stacks:
        for logical_id, resource in synthesis.resources(stack, "AWS::Lambda::Function").items():
            key = resource["Properties"].get("Code", {}).get("S3Key")
            if not isinstance(key, str):
                continue
            asset = os.path.join(synthesis.outdir, "asset." + key.removesuffix(".zip"))
            files = set(os.listdir(asset)) if os.path.isdir(asset) else set()
            matching = [folder for folder, names in folders.items() if names <= files]
            if matching:
                found.append((stack, logical_id, asset, resource["Properties"]["Handler"].split(".")[0], matching[0]))
    return found


@pytest.fixture(scope="module")
def functions(synth, serving_synth):
    return _functions(synth, ["foundation", "studio", "jobs"]) + _functions(serving_synth, ["serving"])


def test_each_of_our_folders_is_deployed(functions):
    assert {folder for *_, folder in functions} == set(_our_folders())


def test_every_handler_imports_from_its_asset_alone(functions):
    for stack, logical_id, asset, module, _folder in functions:
        # -I: no PYTHONPATH, no current directory; the asset folder alone is added, as Lambda's /var/task.
        code = f"import sys; sys.path.insert(0, '.'); import {module}"
        result = subprocess.run(
            [sys.executable, "-I", "-c", code],
            cwd=asset,
            capture_output=True,
            text=True,
            timeout=60,
            env={"PATH": os.environ["PATH"], "PYTHONDONTWRITEBYTECODE": "1"},
        )
        assert result.returncode == 0, f"{stack}/{logical_id} ({module}): {result.stderr}"
