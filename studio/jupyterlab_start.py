"""The study lab's JupyterLab start, run in the background by its lifecycle configuration (image Python, boto3).

1. **The SageMaker Python SDK 2.x kernel.** Studio's images ship SDK 3.x, which the study plan's code does
   not run on. A virtualenv in the persistent home (``~/.study-lab/sdk2``), with the image's packages
   visible (``--system-site-packages``) and the pinned SDK 2.x installed over them, registered as the
   kernel "Python 3 (SageMaker SDK 2.x)". Built once, and again only when the image's Python or the
   pins change; the image's own environment is never touched.
2. **The Day notebooks.** Copied from the study bucket (``code/notebooks/``) into ``~/study-plan/``.
   A notebook the learner has edited is never overwritten: a newer version goes beside it
   (``<name>.updated.ipynb``) and ``~/study-plan/UPDATES.md`` says so.

Run as ``python3 jupyterlab_start.py --bucket B --prefix code/notebooks/ --requirements FILE``; what it
did goes to stdout (the lifecycle script keeps it in ``~/.study-lab/start.log``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from typing import Any

KERNEL_NAME = "study-sdk2"
KERNEL_DISPLAY_NAME = "Python 3 (SageMaker SDK 2.x)"
STATE_DIR = ".study-lab"
NOTEBOOK_DIR = "study-plan"
Run = Callable[[list[str]], Any]


def _run(command: list[str]) -> Any:
    return subprocess.run(command, check=True)


def kernel_key(python_version: str, requirements: str) -> str:
    """What the kernel was built from: the image's Python and the pins."""
    return hashlib.sha256(f"{python_version}\n{requirements}".encode()).hexdigest()[:16]


def ensure_kernel(home: str, requirements_path: str, *, python: str = sys.executable, run: Run = _run) -> str:
    """Build the SDK 2.x kernel if it is missing or out of date; return what was done."""
    venv = os.path.join(home, STATE_DIR, "sdk2")
    stamp = os.path.join(venv, ".built-from")
    with open(requirements_path) as fh:
        requirements = fh.read()
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version)"], capture_output=True, text=True, check=True
    ).stdout.strip()
    key = kernel_key(version, requirements)
    kernel_json = os.path.join(home, ".local", "share", "jupyter", "kernels", KERNEL_NAME, "kernel.json")
    if os.path.exists(stamp) and os.path.exists(kernel_json):
        with open(stamp) as fh:
            if fh.read().strip() == key:
                return f"kernel {KERNEL_NAME}: up to date"
    shutil.rmtree(venv, ignore_errors=True)
    run([python, "-m", "venv", "--system-site-packages", venv])
    venv_python = os.path.join(venv, "bin", "python")
    run([venv_python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements_path])
    run(
        [
            venv_python,
            "-m",
            "ipykernel",
            "install",
            "--user",
            "--name",
            KERNEL_NAME,
            "--display-name",
            KERNEL_DISPLAY_NAME,
            "--env",
            "SAGEMAKER_SUPPRESS_V2_WARNING",
            "1",
        ]
    )
    with open(stamp, "w") as fh:
        fh.write(key)
    return f"kernel {KERNEL_NAME}: built for Python {version.split()[0]}"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sync_notebooks(s3: Any, bucket: str, prefix: str, home: str) -> list[str]:
    """Copy the lab's notebooks (and their files) into ``~/study-plan/`` without losing the learner's edits."""
    target = os.path.join(home, NOTEBOOK_DIR)
    manifest_path = os.path.join(home, STATE_DIR, "notebooks.json")
    os.makedirs(target, exist_ok=True)
    try:
        with open(manifest_path) as fh:
            manifest: dict[str, str] = json.load(fh)
    except (OSError, ValueError):
        manifest = {}
    done, updates = [], []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            name = item["Key"][len(prefix) :]
            if not name or "/" in name or name.startswith("."):
                continue
            data = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            path = os.path.join(target, name)
            if os.path.exists(path):
                with open(path, "rb") as fh:
                    current = _digest(fh.read())
                if current == _digest(data):
                    manifest[name] = current
                    continue
                if manifest.get(name) == _digest(data):
                    continue  # edited by the learner, and the lab has nothing newer than what they started from
                if current != manifest.get(name):
                    # The learner changed it: theirs stays, ours goes beside it.
                    stem, ext = os.path.splitext(name)
                    path = os.path.join(target, f"{stem}.updated{ext}")
                    updates.append(f"- {name}: a newer version is {os.path.basename(path)}; yours is kept as it is.")
            with open(path, "wb") as fh:
                fh.write(data)
            if not path.endswith(f".updated{os.path.splitext(name)[1]}"):
                manifest[name] = _digest(data)
            done.append(f"copied {name}" + (f" as {os.path.basename(path)}" if os.path.basename(path) != name else ""))
    os.makedirs(os.path.dirname(manifest_path), exist_ok=True)
    with open(manifest_path, "w") as fh:
        json.dump(manifest, fh, indent=1, sort_keys=True)
    if updates:
        with open(os.path.join(target, "UPDATES.md"), "w") as fh:
            fh.write(
                "# Notebook updates\n\nThe lab has newer versions of notebooks you edited:\n\n"
                + "\n".join(updates)
                + "\n"
            )
    return done or ["notebooks: nothing new"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--requirements", required=True)
    args = parser.parse_args(argv)
    home = os.environ.get("HOME") or "/home/sagemaker-user"
    import boto3

    for line in sync_notebooks(boto3.client("s3"), args.bucket, args.prefix, home):
        print(line, flush=True)
    print(ensure_kernel(home, args.requirements), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
