"""The PR workflow: valid against GitHub's workflow schema, and runs what a developer runs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from tests.support.synthesis import ROOT

WORKFLOW = os.path.join(ROOT, ".github", "workflows", "ci.yml")


def validate(path: str) -> subprocess.CompletedProcess:
    command = [
        os.path.join(os.path.dirname(sys.executable), "check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
        path,
    ]
    return subprocess.run(command, capture_output=True, text=True)


@pytest.fixture(scope="module")
def workflow() -> dict:
    with open(WORKFLOW) as fh:
        return yaml.safe_load(fh)


@pytest.mark.slow
def test_workflow_passes_the_schema_and_a_broken_one_does_not(tmp_path):
    result = validate(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text("on: pull_request\njobs:\n  test:\n    steps:\n      - run: make test\n")  # no runs-on
    assert validate(str(broken)).returncode != 0


def test_runs_on_pull_requests_the_two_make_commands(workflow):
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as True
    steps = workflow["jobs"]["test"]["steps"]
    assert [s["run"] for s in steps if "run" in s] == ["make test", "make synth"]


def test_caches_the_virtualenv_and_npm_keyed_on_their_lock_files(workflow):
    caches = {
        s["with"]["path"]: s["with"]["key"]
        for s in workflow["jobs"]["test"]["steps"]
        if s.get("uses", "").startswith("actions/cache@")
    }
    assert "hashFiles('requirements.txt', 'requirements-dev.txt')" in caches[".venv"]
    assert "hashFiles('package-lock.json')" in caches["~/.npm"]


def test_virtualenv_cache_is_keyed_on_the_exact_python_setup_python_installed(workflow):
    steps = workflow["jobs"]["test"]["steps"]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    venv_key = next(s["with"]["key"] for s in steps if s.get("with", {}).get("path") == ".venv")
    assert f"${{{{ steps.{setup['id']}.outputs.python-version }}}}" in venv_key
