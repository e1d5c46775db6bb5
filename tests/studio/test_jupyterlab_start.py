"""JupyterLab's start (studio/jupyterlab_start.py): the SDK 2.x kernel built once, notebooks copied, edits kept."""

from __future__ import annotations

import os
import sys

import boto3
import pytest
from moto import mock_aws

from study_env.paths import ROOT
from tools.plan.studio import start_script

start = start_script()
BUCKET = "study-bucket"
PREFIX = "code/notebooks/"
PINS = os.path.join(ROOT, "requirements-sdk2.txt")


@pytest.fixture
def s3(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        client.put_object(Bucket=BUCKET, Key=PREFIX, Body=b"")  # the prefix's marker
        client.put_object(Bucket=BUCKET, Key=f"{PREFIX}day01.ipynb", Body=b"v1")
        client.put_object(Bucket=BUCKET, Key=f"{PREFIX}study_lab.py", Body=b"helpers")
        client.put_object(Bucket=BUCKET, Key=f"{PREFIX}.keep", Body=b"")
        yield client


def test_notebooks_are_copied_into_study_plan(s3, tmp_path):
    done = start.sync_notebooks(s3, BUCKET, PREFIX, str(tmp_path))
    assert sorted(os.listdir(tmp_path / "study-plan")) == ["day01.ipynb", "study_lab.py"]
    assert (tmp_path / "study-plan" / "day01.ipynb").read_bytes() == b"v1"
    assert done == ["copied day01.ipynb", "copied study_lab.py"]
    assert start.sync_notebooks(s3, BUCKET, PREFIX, str(tmp_path)) == ["notebooks: nothing new"]


def test_an_unedited_notebook_is_updated_in_place(s3, tmp_path):
    start.sync_notebooks(s3, BUCKET, PREFIX, str(tmp_path))
    s3.put_object(Bucket=BUCKET, Key=f"{PREFIX}day01.ipynb", Body=b"v2")
    assert start.sync_notebooks(s3, BUCKET, PREFIX, str(tmp_path)) == ["copied day01.ipynb"]
    assert (tmp_path / "study-plan" / "day01.ipynb").read_bytes() == b"v2"
    assert not (tmp_path / "study-plan" / "UPDATES.md").exists()


def test_an_edited_notebook_is_kept_and_the_update_goes_beside_it(s3, tmp_path):
    start.sync_notebooks(s3, BUCKET, PREFIX, str(tmp_path))
    mine = tmp_path / "study-plan" / "day01.ipynb"
    mine.write_bytes(b"my notes")
    s3.put_object(Bucket=BUCKET, Key=f"{PREFIX}day01.ipynb", Body=b"v2")
    assert start.sync_notebooks(s3, BUCKET, PREFIX, str(tmp_path)) == ["copied day01.ipynb as day01.updated.ipynb"]
    assert mine.read_bytes() == b"my notes"
    assert (tmp_path / "study-plan" / "day01.updated.ipynb").read_bytes() == b"v2"
    assert "day01.ipynb: a newer version is day01.updated.ipynb" in (tmp_path / "study-plan" / "UPDATES.md").read_text()
    # Next start: the learner's copy is still theirs, still kept.
    start.sync_notebooks(s3, BUCKET, PREFIX, str(tmp_path))
    assert mine.read_bytes() == b"my notes"


def test_an_edited_notebook_with_no_newer_version_is_left_alone(s3, tmp_path):
    start.sync_notebooks(s3, BUCKET, PREFIX, str(tmp_path))
    (tmp_path / "study-plan" / "day01.ipynb").write_bytes(b"my notes")
    start.sync_notebooks(s3, BUCKET, PREFIX, str(tmp_path))
    assert (tmp_path / "study-plan" / "day01.ipynb").read_bytes() == b"my notes"
    assert not (tmp_path / "study-plan" / "day01.updated.ipynb").exists()


class Recorder:
    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def __call__(self, command: list[str]) -> None:
        self.commands.append(command)
        if command[1:3] == ["-m", "venv"]:
            os.makedirs(command[-1])
        if command[1:3] == ["-m", "ipykernel"]:
            spec = os.path.join(os.environ["HOME"], ".local", "share", "jupyter", "kernels", start.KERNEL_NAME)
            os.makedirs(spec, exist_ok=True)
            with open(os.path.join(spec, "kernel.json"), "w") as fh:
                fh.write("{}")


def test_the_kernel_is_built_once_in_home_and_never_in_the_images_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    run = Recorder()
    said = start.ensure_kernel(str(tmp_path), PINS, run=run)
    assert said.startswith(f"kernel {start.KERNEL_NAME}: built for Python 3.")
    venv = str(tmp_path / ".study-lab" / "sdk2")
    venv_python = os.path.join(venv, "bin", "python")
    assert run.commands[0] == [sys.executable, "-m", "venv", "--system-site-packages", venv]
    # pip runs only in the virtualenv: the image's own environment is never touched.
    assert run.commands[1][:3] == [venv_python, "-m", "pip"] and run.commands[1][-2:] == ["-r", PINS]
    assert run.commands[2][:5] == [venv_python, "-m", "ipykernel", "install", "--user"]
    assert "Python 3 (SageMaker SDK 2.x)" in run.commands[2]
    assert start.ensure_kernel(str(tmp_path), PINS, run=run) == f"kernel {start.KERNEL_NAME}: up to date"
    assert len(run.commands) == 3


def test_the_kernel_is_rebuilt_when_the_pins_or_the_images_python_change(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    run = Recorder()
    start.ensure_kernel(str(tmp_path), PINS, run=run)
    pins = tmp_path / "pins.txt"
    with open(PINS) as fh:
        pins.write_text(fh.read() + "extra==1.0\n")
    assert "built" in start.ensure_kernel(str(tmp_path), str(pins), run=run)
    assert start.kernel_key("3.12.1", "a") != start.kernel_key("3.11.9", "a")


def test_the_pins_are_sagemaker_2_and_ipykernel():
    with open(PINS) as fh:
        pins = [line.split("==") for line in fh.read().splitlines() if line and not line.startswith("#")]
    assert {name for name, _ in pins} == {"sagemaker", "ipykernel"}
    assert dict(pins)["sagemaker"].startswith("2.")
