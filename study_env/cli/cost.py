"""``study cost``: what the lab bills now, what its jobs have cost this month, its storage; or (``--plan``) the plan.

``--plan`` is arithmetic over the lab's defaults and its price table (``study_env.prices``), Day by
Day as the notebooks run (``study_env.plan.DAY_USAGE``): it needs no AWS account or credentials.
"""

from __future__ import annotations

from collections.abc import Callable

from study_env import plan, prices
from study_env.cli import billing
from study_env.config import StudyConfig


def plan_table(width: int = 120) -> str:
    """The whole plan's estimate as a table, its assumptions, and one last line ``whole plan: $X.XX``."""
    rows, total = [], 0.0
    for day, items in plan.plan_estimate():
        usd = sum(cost for _, cost in items)
        total += usd
        rows.append((day.day, day.name, "; ".join(what for what, _ in items), f"${usd:.2f}"))
    title = f"the study plan with the lab's defaults (the plan says {plan.PLAN_SAYS})"
    table_text = billing.table_text(title, ["day", "notebook", "what bills", "USD"], rows, right=["USD"], width=width)
    table_prices = prices.prices()
    notes = [
        f"prices: {table_prices['region']} on-demand as of {table_prices['as_of']} (elsewhere approximate); "
        f"JupyterLab {plan.STUDIO_HOURS_PER_DAY:g} h a study day, each job {plan.JOB_HOURS * 60:.0f} min, "
        f"each endpoint {plan.ENDPOINT_HOURS * 60:.0f} min from deploy to delete, storage not counted (cents)",
        f"budget: ${StudyConfig().budget_usd} a month by default (context budget_usd)",
        f"whole plan: ${total:.2f}",
    ]
    return table_text + "\n" + "\n".join(notes)


def print_plan(out: Callable[[str], None]) -> int:
    for line in plan_table().splitlines():
        out(line)
    return 0


def cmd_cost(ctx, args) -> int:
    """What the lab's running things bill now and have cost since they started, next to the budget."""
    lab = ctx.lab
    billables = billing.what_bills(ctx.sagemaker, lab.prefix, lab.outputs.get("studio", {}).get("DomainId"))
    now = billing.now_utc(ctx.clock)
    for line in billing.render(billables, now).splitlines():
        ctx.out(line.rstrip())
    # This month's jobs: what the budget (a monthly one) compares against.
    month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for line in billing.render_job_costs(billing.job_costs(ctx.sagemaker, lab.prefix, since=month)).splitlines():
        ctx.out(line.rstrip())
    count, size = bucket_usage(ctx.session.client("s3"), lab.bucket)
    per_month = size / 1024**3 * prices.prices()["s3_standard_per_gb_month"]
    ctx.out(f"study bucket {lab.bucket}: {count} objects, {size / 1024**2:.1f} MB: ${per_month:.4f} a month")
    ctx.out(
        f"budget: ${StudyConfig().budget_usd} a month by default (context budget_usd); the whole plan's estimate: "
        "`study cost --plan`"
    )
    return 0


def bucket_usage(s3, bucket: str) -> tuple[int, int]:
    """Objects and bytes stored in ``bucket`` (every version: old ones bill too)."""
    count = size = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for version in page.get("Versions", []):
            count += 1
            size += version["Size"]
    return count, size
