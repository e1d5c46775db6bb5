"""``python -m tools.sandbox``: the local rehearsal (``make sandbox``). Exit 1 if anything is left."""

from __future__ import annotations

import argparse
import os
import sys

from study_env.cli.lab import LabError
from study_env.paths import ROOT
from tools.sandbox.lab_use import use_lab
from tools.sandbox.rehearsal import RehearsalError, rehearse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.sandbox", description=__doc__)
    parser.add_argument("--workdir", default=os.path.join(ROOT, ".sandbox"), help="where the CDK output and log go")
    parser.add_argument(
        "--no-iam",
        dest="iam",
        action="store_false",
        help="do not enforce IAM (only to measure what enforcing it costs: make bench)",
    )
    args = parser.parse_args(argv)
    try:
        result = rehearse(use_lab, workdir=args.workdir, enforce_iam=args.iam)
    except (RehearsalError, LabError) as err:
        print(f"sandbox: {err}", file=sys.stderr)
        return 1
    timings = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in result.timings.items())
    if result.leftovers:
        print(f"sandbox: FAILED, resources left after destroy ({timings})", file=sys.stderr)
        return 1
    if result.iam.refused:
        print(f"sandbox: FAILED, {result.iam_summary} ({timings})", file=sys.stderr)
        return 1
    print(f"sandbox: OK, {len(result.stacks)} stacks deployed, used and destroyed, nothing left ({timings})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
