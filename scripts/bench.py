#!/usr/bin/env python3
"""`make bench`: performance as ratios measured in one run, never as timed tests.

synth: `cdk synth` of this app vs an empty CDK app, same CLI, Node and Python, alternating runs.
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
from typing import Callable

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
CDK = os.path.join(ROOT, "node_modules", ".bin", "cdk")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


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


def alternate(a: Callable[[], float], b: Callable[[], float], runs: int) -> tuple[float, float]:
    """Median of ``runs`` timings of each, interleaved so drift on the machine hits both alike."""
    a()  # warm file caches for both before measuring
    b()
    ta, tb = [], []
    for _ in range(runs):
        ta.append(a())
        tb.append(b())
    return statistics.median(ta), statistics.median(tb)


def report(name: str, ours: float, base: float, base_name: str, target: float) -> bool:
    ratio = ours / base
    ok = ratio <= target
    print(f"{name}: ours {ours:.3f}s, {base_name} {base:.3f}s, ratio {ratio:.2f} (target <= {target}) {'OK' if ok else 'MISSED'}")
    return ok


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
        return report("cdk synth", ours, base, "empty app", 1.5)
    finally:
        shutil.rmtree(out, ignore_errors=True)


BENCHES: list[Callable[[], bool]] = [bench_synth]


def main() -> int:
    results = [bench() for bench in BENCHES]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
