"""The installable package is the product only: the CDK app and the study CLI, no tools, tests or rehearsal."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

from study_env.paths import ROOT

SKIP = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "cdk.out", ".sandbox", "build", "*.egg-info", "__pycache__"
)


def test_the_wheel_holds_study_env_only(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=SKIP)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = os.listdir(tmp_path / "dist")
    names = zipfile.ZipFile(tmp_path / "dist" / wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"study_env", wheel.split("-")[0] + "-" + wheel.split("-")[1] + ".dist-info"}
    assert "study_env/cli/entry.py" in names and "study_env/app.py" in names
    assert "study_env/data/sagemaker_images.json" in names
    assert not any("sandbox" in name or "moto" in name for name in names)
