"""Run the Day notebooks, in the plan's order, on a deployed emulator lab (the rehearsal's ``use_lab``)."""

from __future__ import annotations

import os
from collections.abc import Sequence

from study_env.job_kinds import ENDPOINT, JOB_KINDS
from study_env.plan import DAYS, Day
from tools.plan.studio import NotebookRun, Studio


def still_billing(sagemaker) -> list[str]:
    """What bills by the hour in the emulator now, whoever made it: endpoints and jobs in progress."""
    found = [f"endpoint {e[ENDPOINT.name_field]}" for e in sagemaker.list_endpoints()[ENDPOINT.list_key]]
    for kind in JOB_KINDS:
        summaries = getattr(sagemaker, kind.method("List"))(StatusEquals="InProgress")[kind.list_key]
        found += [f"{kind.label} {s[kind.name_field]}" for s in summaries]
    return found


def run_plan(
    emulator, outputs: dict[str, dict[str, str]], workdir: str, days: Sequence[Day] = DAYS
) -> list[NotebookRun]:
    studio = Studio(emulator, outputs, os.path.join(workdir, "studio"))
    admin = emulator.session().client("sagemaker")
    return [studio.run(day, lambda: still_billing(admin)) for day in days]
