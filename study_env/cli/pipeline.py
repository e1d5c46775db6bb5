"""Day 13-14 of the plan in one command: process, train, tune, transform (and an endpoint), with a summary."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from study_env.cli.commands import invoke_endpoint, read_rows, start_job
from study_env.cli.context import Context
from study_env.cli.lab import ACTION_KINDS, LabError
from study_env.cli.serving import ServingDeployer
from study_env.job_kinds import ENDPOINT, SageMakerKind


@dataclass
class Step:
    name: str
    resource: str
    status: str
    seconds: float
    note: str = ""


def best_training_job(tuning: dict, fallback: str) -> tuple[str, str]:
    best = (tuning.get("BestTrainingJob") or {}).get("TrainingJobName")
    if best:
        return best, "best of the tuning job"
    return fallback, "tuning named no best job; using the training step's job"


def run_pipeline(ctx: Context, args) -> list[Step]:
    steps: list[Step] = []

    def timed(name: str, kind: SageMakerKind, action: Callable[[], dict]) -> dict:
        """Run one step; record it (what it made, its final status, how long it took)."""
        started = time.monotonic()
        ctx.out(f"[{len(steps) + 1}] {name}")
        try:
            result = action()
        except LabError:
            steps.append(Step(name, "", "FAILED", time.monotonic() - started))
            raise
        steps.append(
            Step(
                name, result.get(kind.name_field, ""), result.get(kind.status_field, "done"), time.monotonic() - started
            )
        )
        return result

    def job(action: str, request: dict) -> Callable[[], dict]:
        return lambda: start_job(ctx, action, {"action": action, **request}, wait=True)

    try:
        timed("process", ACTION_KINDS["process"], job("process", {}))
        training = timed("train", ACTION_KINDS["train"], job("train", {}))
        tuning = timed(
            "tune",
            ACTION_KINDS["tune"],
            job("tune", {"max_jobs": args.max_jobs, "max_parallel_jobs": args.max_parallel_jobs}),
        )
        best, why = best_training_job(tuning, training["TrainingJobName"])
        steps[-1].note = f"best training job {best} ({why})"
        timed("transform", ACTION_KINDS["transform"], job("transform", {"training_job_name": best}))
        if args.endpoint:
            if ctx.serving is None:
                raise LabError("pipeline --endpoint needs a way to deploy the serving stack")
            run_endpoint_steps(ctx, ctx.serving, args, best, timed, steps)
    finally:
        ctx.out(render_summary(steps))
    return steps


def run_endpoint_steps(ctx: Context, serving: ServingDeployer, args, model_job: str, timed, steps: list[Step]) -> None:
    holder: dict[str, str] = {}

    def deploy() -> dict:
        holder["endpoint"] = serving.deploy(model_job)
        return ctx.wait(ENDPOINT, holder["endpoint"])

    try:
        timed("endpoint", ENDPOINT, deploy)
        rows = read_rows(args) if (args.rows_file or args.row) else None
        if rows is None:
            steps.append(Step("invoke", holder["endpoint"], "skipped", 0.0, "no --row/--rows-file given"))
        else:
            started = time.monotonic()
            predictions = invoke_endpoint(ctx, holder["endpoint"], rows).strip().splitlines()
            steps.append(
                Step(
                    "invoke",
                    holder["endpoint"],
                    "done",
                    time.monotonic() - started,
                    f"{len(predictions)} predictions: {', '.join(predictions[:3])}",
                )
            )
    finally:
        started = time.monotonic()
        serving.remove()
        steps.append(
            Step(
                "delete endpoint",
                holder.get("endpoint", ctx.lab.stack_name("serving")),
                "done",
                time.monotonic() - started,
                "serving stack destroyed",
            )
        )


def render_summary(steps: list[Step]) -> str:
    lines = ["pipeline summary:"]
    for i, step in enumerate(steps, 1):
        lines.append(
            f"  {i}. {step.name:<16} {step.status:<10} {step.seconds:7.1f} s  {step.resource}"
            + (f"  ({step.note})" if step.note else "")
        )
    if not steps:
        lines.append("  (no step ran)")
    return "\n".join(lines)


def cmd_pipeline(ctx: Context, args) -> int:
    run_pipeline(ctx, args)
    return 0
