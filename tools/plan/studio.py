"""The Studio a Day notebook runs in, played on the emulator lab: the learner's day, as the learner has it.

What Studio gives a notebook, and how the harness gives the same:

- **the kernel** "Python 3 (SageMaker SDK 2.x)": a kernelspec named as the lifecycle script names it,
  on ``.venv-sdk2`` (built by ``make`` from ``requirements-sdk2.txt``, the pins the lifecycle
  configuration installs; ``requirements-sdk2-harness.txt`` adds what the Studio image itself has);
- **the principal**: the lab's SageMaker execution role, with credentials from the emulator's
  ``sts:AssumeRole`` on the deployed role, marked as a Studio session (Studio tags what it creates) so
  the IAM enforcer checks every request it makes;
- **the home directory**: the notebooks copied from ``code/notebooks/`` by the lifecycle configuration's
  own ``sync_notebooks`` (as the execution role), and the SDK defaults file it writes, from the same
  ``sdk_defaults_document``;
- **Studio's metadata file** (``/opt/ml/metadata/resource-metadata.json``), which ``get_execution_role()``
  reads, written elsewhere and pointed to by an IPython startup file.

Workarounds that belong to the harness, not to the notebooks (the startup file): the SDK's polling
sleeps are cut short (the emulator finishes jobs at once), each run's short SDK names are dated a study
day apart (the SDK names tuning jobs to the minute; the Days run seconds apart here), SDK telemetry is
off (no network here), and plain tracebacks replace rich's so a failing cell says why. What the
emulator answers in place of a service (endpoint predictions, transform outputs, transcripts,
Translate) is in tools/sandbox/gaps.py.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from study_env.constructs.studio_lifecycle import sdk_defaults_document
from study_env.layout import CODE_NOTEBOOKS
from study_env.paths import ROOT
from study_env.plan import KERNEL_DISPLAY_NAME, KERNEL_NAME, Day
from study_env.tags import lab_tags

SDK2_PYTHON = os.path.join(ROOT, ".venv-sdk2", "bin", "python")
PRINCIPAL = "Studio execution role"
_STARTUP = '''"""The harness's Studio stand-ins (tools/plan/studio.py), loaded before any notebook cell."""
import os
import time
import types

import sagemaker.session

sagemaker.session.NOTEBOOK_METADATA_FILE = os.environ["STUDY_HARNESS_METADATA_FILE"]
# get_execution_role() outside Studio asks STS on a fixed regional endpoint; here it is the emulator.
sagemaker.session.sts_regional_endpoint = lambda region: os.environ["AWS_ENDPOINT_URL"]
# The emulator finishes jobs and endpoints at once: the SDK's waits need not sleep seconds between polls.
_real_sleep = time.sleep
_fast_time = types.ModuleType("fast_time")
_fast_time.__dict__.update(time.__dict__)
_fast_time.sleep = lambda seconds: _real_sleep(min(seconds, 0.01))
sagemaker.session.time = _fast_time
time.sleep = _fast_time.sleep
# The SDK names tuning jobs to the minute (sagemaker-xgboost-YYMMDD-HHMM). A learner's Days are days apart;
# here they run a few seconds apart, so each notebook run is dated as its own study day.
import sagemaker.utils

_study_day = int(os.environ["STUDY_HARNESS_RUN"])
sagemaker.utils.sagemaker_short_timestamp = lambda: time.strftime(
    "%y%m%d-%H%M", time.localtime(time.time() + _study_day * 86400)
)
# sagemaker imports rich, which replaces IPython's tracebacks with display outputs: put them back.
_shell = get_ipython()  # noqa: F821 - an IPython startup file
for _name in ("showtraceback", "_showtraceback", "showsyntaxerror"):
    _shell.__dict__.pop(_name, None)
'''


@dataclass
class NotebookRun:
    day: Day
    seconds: float
    error: str = ""
    refused: list[str] = field(default_factory=list)
    billing: list[str] = field(default_factory=list)
    executed_path: str = ""

    @property
    def ok(self) -> bool:
        return not (self.error or self.refused or self.billing)

    def line(self) -> str:
        if self.ok:
            return f"{self.day.day} {self.day.name}: ok in {self.seconds:.1f} s"
        problems = [self.error, *self.refused, *(f"still billing: {b}" for b in self.billing)]
        return f"{self.day.day} {self.day.name}: FAILED in {self.seconds:.1f} s: " + " | ".join(
            p for p in problems if p
        )


class Studio:
    """One Studio user's home and kernel on the emulator; :meth:`run` runs one notebook in it."""

    def __init__(self, emulator, outputs: dict[str, dict[str, str]], workdir: str, prefix: str = "mls") -> None:
        if not os.path.exists(SDK2_PYTHON):
            raise RuntimeError(f"no SDK 2.x kernel environment at {SDK2_PYTHON}: run `make setup-dev`")
        self.emulator = emulator
        self.workdir = workdir
        foundation = outputs[f"{prefix}-foundation"]
        studio = outputs.get(f"{prefix}-studio", {})
        self.bucket = foundation["BucketName"]
        self.role_arn = foundation["ExecutionRoleArn"]
        self.prefix = prefix
        self.home = os.path.join(workdir, "home")
        self.metadata = {
            "AppType": "JupyterLab",
            "DomainId": studio.get("DomainId", ""),
            "UserProfileName": studio.get("UserProfileName", ""),
            "SpaceName": "study",
            "ResourceName": "default",
            "ExecutionRoleArn": self.role_arn,
        }
        self.runs = 0  # notebook runs so far: each is dated one study day after the one before
        self._prepare()

    @property
    def notebook_dir(self) -> str:
        return os.path.join(self.home, "study-plan")

    def _prepare(self) -> None:
        start = start_script()
        os.makedirs(os.path.join(self.home, ".config", "sagemaker"), exist_ok=True)
        document = sdk_defaults_document(self.bucket, self.role_arn, lab_tags(self.prefix))
        # No network here: the SDK must not try to send its usage telemetry.
        document["SageMaker"]["PythonSDK"]["Modules"]["TelemetryOptOut"] = True
        with open(os.path.join(self.home, ".config", "sagemaker", "config.yaml"), "w") as fh:
            json.dump(document, fh, indent=1)
        as_role = self.emulator.iam.session(self.role_arn, PRINCIPAL, studio=True)
        self.copied = start.sync_notebooks(as_role.client("s3"), self.bucket, CODE_NOTEBOOKS, self.home)
        self.metadata_file = os.path.join(self.workdir, "resource-metadata.json")
        with open(self.metadata_file, "w") as fh:
            json.dump(self.metadata, fh)
        ipython = os.path.join(self.workdir, "ipython", "profile_default", "startup")
        os.makedirs(ipython, exist_ok=True)
        with open(os.path.join(ipython, "00-studio-harness.py"), "w") as fh:
            fh.write(_STARTUP)
        self.jupyter_path = os.path.join(self.workdir, "jupyter")
        spec_dir = os.path.join(self.jupyter_path, "kernels", KERNEL_NAME)
        os.makedirs(spec_dir, exist_ok=True)
        with open(os.path.join(spec_dir, "kernel.json"), "w") as fh:
            json.dump(
                {
                    "argv": [SDK2_PYTHON, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                    "display_name": KERNEL_DISPLAY_NAME,
                    "language": "python",
                },
                fh,
            )

    def _kernel_environment(self) -> dict[str, str]:
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON", "JUPYTER", "IPYTHON"))}
        environ.update(self.emulator.iam.assume(self.role_arn, PRINCIPAL, studio=True))
        environ.update(
            HOME=self.home,
            AWS_ENDPOINT_URL=self.emulator.endpoint_url,
            AWS_DEFAULT_REGION=self.emulator.environ["AWS_DEFAULT_REGION"],
            AWS_REGION=self.emulator.environ["AWS_DEFAULT_REGION"],
            IPYTHONDIR=os.path.join(self.workdir, "ipython"),
            JUPYTER_PATH=self.jupyter_path,
            STUDY_HARNESS_METADATA_FILE=self.metadata_file,
            STUDY_HARNESS_RUN=str(self.runs),
            SAGEMAKER_SUPPRESS_V2_WARNING="1",
        )
        return environ

    def run(self, day: Day, still_billing: Callable[[], list[str]], timeout: int = 300) -> NotebookRun:
        """Run ``day``'s notebook top to bottom as the learner would; note refusals and what still bills."""
        path = os.path.join(self.notebook_dir, os.path.basename(day.notebook))
        notebook = nbformat.read(path, as_version=4)
        refused_before = len(self.emulator.iam.tally.refused)
        started = time.monotonic()
        error = ""
        specs = KernelSpecManager(kernel_dirs=[os.path.join(self.jupyter_path, "kernels")])
        manager = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs)
        client = NotebookClient(
            notebook,
            km=manager,
            kernel_name=KERNEL_NAME,
            timeout=timeout,
            resources={"metadata": {"path": self.notebook_dir}},
        )
        self.runs += 1
        environ = self._kernel_environment()
        try:
            client.execute(env=environ)
        except CellExecutionError as err:
            error = f"{err.ename}: {err.evalue}"
        except Exception as err:  # noqa: BLE001 - a dead kernel or a timeout fails the run with its reason
            error = f"{type(err).__name__}: {err}"
        seconds = time.monotonic() - started
        executed = os.path.join(self.workdir, "executed", os.path.basename(day.notebook))
        os.makedirs(os.path.dirname(executed), exist_ok=True)
        nbformat.write(notebook, executed)
        refused = [v.line() for v in self.emulator.iam.tally.refused[refused_before:]]
        return NotebookRun(day, seconds, error, refused, still_billing(), executed)


def start_script():
    """The lifecycle configuration's start script (studio/jupyterlab_start.py), loaded by path: it is not a package."""
    name = "studio_jupyterlab_start"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, "studio", "jupyterlab_start.py"))
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
