"""``python -m tools.plan`` (``make plan``): the Day notebooks on the emulator lab, as the learner runs them in Studio.

Deploys the lab on the emulator (the rehearsal), runs every notebook top to bottom in the SDK 2.x kernel
as the execution role with IAM enforced, and destroys the lab. Exit 1 if a notebook fails, a request is
denied or unknown, something still bills after a notebook, or anything is left after destroy.
"""

from __future__ import annotations

import argparse
import os
import sys

from study_env.cli.lab import LabError
from study_env.paths import ROOT
from study_env.plan import DAYS
from tools.plan.run import run_plan
from tools.sandbox.rehearsal import RehearsalError, rehearse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.plan", description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", default=os.path.join(ROOT, ".plan"), help="where executed notebooks and logs go")
    parser.add_argument("--day", action="append", help="only these notebooks (names, e.g. day06_07_xgboost)")
    args = parser.parse_args(argv)
    days = [day for day in DAYS if not args.day or day.name in args.day]
    runs = []

    def use_lab(emulator, cdk, assembly, outputs):
        runs.extend(run_plan(emulator, outputs, args.workdir, days))
        return [run.line() for run in runs]

    try:
        result = rehearse(use_lab, workdir=args.workdir)
    except (RehearsalError, LabError) as err:
        print(f"plan: {err}", file=sys.stderr)
        return 1
    failed = [run for run in runs if not run.ok]
    print(
        f"plan: {len(runs) - len(failed)} of {len(runs)} notebooks ran clean; executed copies in "
        f"{os.path.join(args.workdir, 'studio', 'executed')}"
    )
    return 1 if failed or not result.clean else 0


if __name__ == "__main__":
    sys.exit(main())
