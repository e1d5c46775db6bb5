#!/usr/bin/env python3
"""`make bench`: performance as ratios measured in one run, never as timed tests.

synth: `cdk synth` of this app vs an empty CDK app, same CLI, Node and Python, alternating runs.
launcher import: a cold import of the launcher's handler module vs a bare `import boto3`, each in a
fresh interpreter; the handler from a copy of its asset folder without bytecode, as Lambda has it.
launcher asset: the zipped size of lambda/launcher/ as CDK packages it (without __pycache__).
sandbox: the whole rehearsal with IAM enforced vs with the enforcer off, alternating runs.
suite: one `pytest -n 2` of the whole suite (the Day notebooks included) vs the empty app's synth
measured above (target: 30x).
Prints both medians and the ratio with its target; exits 1 when a ratio misses its target.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
CDK = os.path.join(ROOT, "node_modules", ".bin", "cdk")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
IMPORT_RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "21"))
SANDBOX_RUNS = int(os.environ.get("BENCH_SANDBOX_RUNS", "2"))
ASSET_LIMIT_BYTES = 50 * 1024


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    env["CDK_DISABLE_VERSION_CHECK"] = "true"
    for key in ("CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION", "AWS_PROFILE"):
        env.pop(key, None)
    return env


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def alternate(a: Callable[[], float], b: Callable[[], float], runs: int, warm: bool = True) -> tuple[float, float]:
    """Median of ``runs`` timings of each, interleaved so drift on the machine hits both alike."""
    if warm:  # warm file caches for both before measuring
        a()
        b()
    ta, tb = [], []
    for _ in range(runs):
        ta.append(a())
        tb.append(b())
    return statistics.median(ta), statistics.median(tb)


def report(name: str, ours: float, base: float, base_name: str, target: float) -> bool:
    ratio = ours / base
    ok = ratio <= target
    print(
        f"{name}: ours {ours:.3f}s, {base_name} {base:.3f}s, ratio {ratio:.2f} (target <= {target}) "
        f"{'OK' if ok else 'MISSED'}"
    )
    return ok


# The empty app's median synth time, once bench_synth has measured it (the suite's yardstick).
EMPTY_SYNTH: list[float] = []


def bench_synth() -> bool:
    env = _env()
    out = tempfile.mkdtemp(prefix="bench-synth-")
    try:

        def synth(app_cmd: str | None, sub: str) -> Callable[[], float]:
            cmd = [CDK, "synth", "--quiet", "--no-notices", "-o", os.path.join(out, sub)]
            if app_cmd:
                cmd += ["--app", app_cmd]
            return lambda: _time(cmd, env)

        empty_app = f"{sys.executable} {os.path.join('scripts', 'empty_app.py')}"
        ours, base = alternate(synth(None, "ours"), synth(empty_app, "empty"), RUNS)
        EMPTY_SYNTH.append(base)
        return report("cdk synth", ours, base, "empty app", 1.5)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _import_time(statement: str, path: str | None) -> Callable[[], float]:
    """Seconds a fresh interpreter spends in ``statement`` (interpreter start-up excluded)."""
    code = (
        "import sys, time\n"
        "sys.dont_write_bytecode = True\n"
        + (f"sys.path.insert(0, {path!r})\n" if path else "")
        + f"start = time.perf_counter()\n{statement}\nprint(time.perf_counter() - start)\n"
    )

    def run() -> float:
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=_env(), check=True, capture_output=True, text=True
        )
        return float(out.stdout.strip().splitlines()[-1])

    return run


def bench_launcher_import() -> bool:
    work = tempfile.mkdtemp(prefix="bench-launcher-")
    try:
        asset = _staged_launcher(work)
        ours, base = alternate(_import_time("import handler", asset), _import_time("import boto3", None), IMPORT_RUNS)
        return report("launcher cold import", ours, base, "bare import boto3", 1.2)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _staged_launcher(work: str) -> str:
    """The launcher's asset as JobLauncher stages it (its folder plus the shared modules it bundles)."""
    sys.path.insert(0, ROOT)
    from study_env.constructs.job_launcher import LAUNCHER_FOLDER, SHARED_MODULES
    from study_env.constructs.lab_function import stage_asset
    from study_env.paths import LAMBDA_DIR

    return stage_asset(os.path.join(LAMBDA_DIR, LAUNCHER_FOLDER), SHARED_MODULES, os.path.join(work, "launcher"))


def bench_launcher_asset() -> bool:
    """The asset zipped as CDK does (deflate), staged as JobLauncher stages it."""
    work = tempfile.mkdtemp(prefix="bench-asset-")
    try:
        asset = _staged_launcher(work)
        archive = os.path.join(work, "launcher.zip")
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for root, _dirs, files in os.walk(asset):
                for name in sorted(files):
                    path = os.path.join(root, name)
                    zf.write(path, os.path.relpath(path, asset))
        size = os.path.getsize(archive)
        ok = size < ASSET_LIMIT_BYTES
        print(
            f"launcher asset: {size / 1024:.1f} KB zipped (target < {ASSET_LIMIT_BYTES // 1024} KB) "
            f"{'OK' if ok else 'MISSED'}"
        )
        return ok
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_sandbox_iam() -> bool:
    """`make sandbox` with IAM enforced vs the same rehearsal with the enforcer off (--no-iam)."""
    work = tempfile.mkdtemp(prefix="bench-sandbox-")
    env = _env()
    env["PYTHONPATH"] = ROOT

    def sandbox(*flags: str) -> Callable[[], float]:
        return lambda: _time([sys.executable, "-m", "tools.sandbox", "--workdir", work, *flags], env)

    try:
        # A rehearsal takes about a minute: no warm-up runs, the first pair warms the caches for both.
        ours, base = alternate(sandbox(), sandbox("--no-iam"), SANDBOX_RUNS, warm=False)
        return report("make sandbox with IAM enforced", ours, base, "without (--no-iam)", 1.2)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_suite() -> bool:
    """The whole test suite, as `make test` runs it, against the empty app's synth time from bench_synth."""
    if not EMPTY_SYNTH:
        bench_synth()
    env = _env()
    seconds = _time([sys.executable, "-m", "pytest", "-q", "-n", "2"], env)
    return report("make test (pytest -n 2)", seconds, EMPTY_SYNTH[-1], "empty app synth", 30)


SDK2_PYTHON = os.path.join(ROOT, ".venv-sdk2", "bin", "python")
# Run by SDK 2.x's Python: both writers on the same arrays, interleaved, the same bytes checked.
_RECORDIO_BENCH = """
import importlib.util, io, os, statistics, sys, time
import numpy as np
os.environ["SAGEMAKER_SUPPRESS_V2_WARNING"] = "1"
from sagemaker.amazon.common import write_numpy_to_dense_tensor
spec = importlib.util.spec_from_file_location("lab_recordio", sys.argv[1])
lab = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lab)
rng = np.random.default_rng(0)
array = rng.normal(size=(100_000, 30)).astype("float32")
labels = rng.integers(0, 2, 100_000).astype("float32")
def timed(write):
    buffer = io.BytesIO()
    start = time.perf_counter()
    write(buffer, array, labels)
    return time.perf_counter() - start, buffer.getvalue()
ours, sdk, same = [], [], True
for _ in range(int(sys.argv[2])):
    t, a = timed(lab.write_dense)
    ours.append(t)
    t, b = timed(write_numpy_to_dense_tensor)
    sdk.append(t)
    same = same and a == b
print(statistics.median(ours), statistics.median(sdk), same)
"""


def bench_recordio() -> bool:
    """The lab's RecordIO-protobuf writer against SDK 2.x's on 100,000 x 30 float32 rows, one process."""
    script = os.path.join(ROOT, "training_code", "recordio.py")
    result = subprocess.run(
        [SDK2_PYTHON, "-c", _RECORDIO_BENCH, script, str(RUNS)], capture_output=True, text=True, check=True
    )
    ours, sdk, same = result.stdout.split()[-3:]
    if same != "True":
        print("recordio writer: the bytes differ from SDK 2.x's MISSED")
        return False
    # At least half SDK 2.x's speed: at most twice its time.
    return report("recordio writer, 100,000 x 30 float32", float(ours), float(sdk), "SDK 2.x", 2.0)


BENCHES: list[Callable[[], bool]] = [
    bench_synth,
    bench_launcher_import,
    bench_launcher_asset,
    bench_recordio,
    bench_sandbox_iam,
    bench_suite,
]


def main() -> int:
    results = [bench() for bench in BENCHES]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
