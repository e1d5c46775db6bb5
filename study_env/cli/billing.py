"""What of the lab bills now, whoever made it: the launcher, a notebook in Studio, or Studio itself.

The lab's is what carries its ``study-env:prefix`` tag (the launcher and the SDK defaults file in
Studio put it on everything they create), whatever its name; Studio apps are the lab's domain's. Every
list call pages through to the end. Figures come from the lab's price table (``study_env.prices``:
us-east-1 on-demand, dated; elsewhere approximate).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from study_env import prices
from study_env.job_kinds import ENDPOINT, ENDPOINT_CONFIG, JOB_KINDS, SageMakerKind
from study_env.tags import CLOUDFORMATION_STACK_KEY, PREFIX_KEY

ACTIVE_JOB_STATES = ("InProgress", "Stopping")
# Studio app types that run on an instance of their own.
INSTANCE_APP_TYPES = ("JupyterLab", "CodeEditor", "KernelGateway", "RStudioServerPro", "Canvas")
# Where each job kind's instances are in its Describe answer, and the price table's use for it.
_JOB_RESOURCES: dict[str, tuple[str, str]] = {
    "training": ("ResourceConfig", "training"),
    "processing": ("ProcessingResources.ClusterConfig", "processing"),
    "transform": ("TransformResources", "transform"),
}


@dataclass(frozen=True)
class Billable:
    """One thing that bills while it exists or runs."""

    kind: str  # "endpoint", a job kind's label ("training job"), or "app"
    name: str
    status: str
    created: datetime
    instance_type: str = ""
    count: int = 1
    hourly_usd: float | None = None  # None: not by the hour (serverless) or not in the price table
    managed_by: str = ""  # a CloudFormation stack, which removes it itself
    delete_params: tuple[tuple[str, str], ...] = ()

    def hours(self, now: datetime) -> float:
        return max((now - self.created).total_seconds(), 0) / 3600

    def cost_so_far(self, now: datetime) -> float | None:
        return None if self.hourly_usd is None else self.hourly_usd * self.hours(now)


def _pages(sagemaker, method: str, key: str, **params) -> Iterator[dict]:
    for page in sagemaker.get_paginator(method).paginate(**params):
        yield from page.get(key, [])


def _tags(sagemaker, arn: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in _pages(sagemaker, "list_tags", "Tags", ResourceArn=arn)}


def _hourly(use: str, instance_type: str) -> float | None:
    try:
        return prices.hourly(use, instance_type)
    except KeyError:
        return None


def lab_endpoints(sagemaker, prefix: str) -> list[Billable]:
    found = []
    for summary in _pages(sagemaker, ENDPOINT.method("List"), ENDPOINT.list_key):
        tags = _tags(sagemaker, summary[ENDPOINT.arn_field])
        if tags.get(PREFIX_KEY) != prefix:
            continue
        name = summary[ENDPOINT.name_field]
        config_name = sagemaker.describe_endpoint(EndpointName=name)[ENDPOINT_CONFIG.name_field]
        variants = sagemaker.describe_endpoint_config(EndpointConfigName=config_name)["ProductionVariants"]
        itype = ",".join(sorted({v.get("InstanceType", "serverless") for v in variants}))
        count = sum(v.get("InitialInstanceCount", 1) for v in variants if v.get("InstanceType"))
        hourly: float | None = 0.0
        for variant in variants:
            rate = _hourly("hosting", variant["InstanceType"]) if variant.get("InstanceType") else None
            # Serverless bills per request, an unpriced type is unknown: no hourly figure for the endpoint.
            hourly = None if rate is None or hourly is None else hourly + rate * variant.get("InitialInstanceCount", 1)
        stack = tags.get(CLOUDFORMATION_STACK_KEY, "")
        found.append(
            Billable(
                ENDPOINT.key,
                name,
                summary[ENDPOINT.status_field],
                summary["CreationTime"],
                itype,
                count or 1,
                hourly,
                stack.split("/")[1] if stack.count("/") >= 2 else stack,
                ((ENDPOINT.name_field, name), (ENDPOINT_CONFIG.name_field, config_name)),
            )
        )
    return found


def _dig(described: dict, path: str) -> dict:
    for part in path.split("."):
        described = described.get(part, {})
    return described


def lab_jobs(sagemaker, prefix: str, states: Iterable[str] = ACTIVE_JOB_STATES) -> list[Billable]:
    found = []
    for kind in JOB_KINDS:
        for status in states:
            for summary in _pages(sagemaker, kind.method("List"), kind.list_key, StatusEquals=status):
                if _tags(sagemaker, summary[kind.arn_field]).get(PREFIX_KEY) != prefix:
                    continue
                found.append(_job(sagemaker, kind, summary, status))
    return found


def _job(sagemaker, kind: SageMakerKind, summary: dict, status: str) -> Billable:
    name = summary[kind.name_field]
    itype, count, hourly = "", 1, None
    if kind.key in _JOB_RESOURCES:
        path, use = _JOB_RESOURCES[kind.key]
        described = getattr(sagemaker, kind.method("Describe"))(**{kind.name_field: name})
        resources = _dig(described, path)
        itype, count = resources.get("InstanceType", ""), resources.get("InstanceCount", 1)
        rate = _hourly(use, itype)
        hourly = None if rate is None else rate * count
    # A tuning job bills through its training jobs, which are listed as training jobs.
    return Billable(kind.label, name, status, summary["CreationTime"], itype, count, hourly,
                    delete_params=((kind.name_field, name),))  # fmt: skip


def studio_apps(sagemaker, domain_id: str) -> list[Billable]:
    found = []
    for app in _pages(sagemaker, "list_apps", "Apps", DomainIdEquals=domain_id):
        if app.get("Status") != "InService" or app["AppType"] not in INSTANCE_APP_TYPES:
            continue
        itype = app.get("ResourceSpec", {}).get("InstanceType", "")
        owner = ("SpaceName", app["SpaceName"]) if app.get("SpaceName") else ("UserProfileName", app["UserProfileName"])
        found.append(
            Billable(
                "app",
                f"{app['AppType']} {app['AppName']} ({owner[1]})",
                app["Status"],
                app["CreationTime"],
                itype,
                1,
                _hourly("studio", itype),
                delete_params=(
                    ("DomainId", domain_id),
                    ("AppType", app["AppType"]),
                    ("AppName", app["AppName"]),
                    owner,
                ),
            )
        )
    return found


def what_bills(sagemaker, prefix: str, domain_id: str | None) -> list[Billable]:
    """Endpoints, running jobs and Studio apps of the lab, oldest first."""
    found = [*lab_endpoints(sagemaker, prefix), *lab_jobs(sagemaker, prefix)]
    if domain_id:
        found += studio_apps(sagemaker, domain_id)
    return sorted(found, key=lambda b: b.created)


def render(billables: list[Billable], now: datetime, width: int = 120) -> str:
    """A table of what bills, and one line of totals."""
    rows = [
        (
            b.kind,
            b.name + (f" (stack {b.managed_by})" if b.managed_by else ""),
            b.status,
            f"{b.count} x {b.instance_type}" if b.instance_type else "-",
            f"{b.hours(now):.1f} h",
            "per request" if b.hourly_usd is None and b.instance_type == "serverless" else _usd(b.hourly_usd),
            _usd(b.cost_so_far(now)),
        )
        for b in billables
    ]
    columns = ["what", "name", "status", "instances", "running for", "USD/hour", "so far"]
    text = table_text("what bills now", columns, rows, right=columns[4:], width=width)
    hourly = sum(b.hourly_usd or 0 for b in billables)
    so_far = sum(b.cost_so_far(now) or 0 for b in billables)
    return text + f"\nbills now: ${hourly:.3f} an hour (${hourly * 24:.2f} a day); so far: ${so_far:.2f}"


def table_text(
    title: str, columns: list[str], rows: Iterable[Iterable[str]], right: Iterable[str] = (), width: int = 120
) -> str:
    """A table drawn by rich as plain text (no colours), lines without trailing blanks."""
    table = Table(title=title, title_justify="left")
    on_the_right = set(right)
    for column in columns:
        table.add_column(column, justify="right" if column in on_the_right else "left")
    for row in rows:
        table.add_row(*row)
    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
    console.print(table)
    return "\n".join(line.rstrip() for line in console.file.getvalue().rstrip("\n").splitlines())  # type: ignore[attr-defined]


def _usd(value: float | None) -> str:
    return "-" if value is None else f"${value:.3f}"


def now_utc(clock: Callable[[], datetime] | None = None) -> datetime:
    return (clock or (lambda: datetime.now(UTC)))()


# --- what the lab's jobs have cost, from SageMaker's own figures ------------------------------------------


@dataclass(frozen=True)
class JobCost:
    kind: str
    name: str
    status: str
    instance_type: str
    count: int
    billable_seconds: float
    usd: float | None
    spot_saved_usd: float = 0.0


def _seconds(start, end) -> float:
    return (end - start).total_seconds() if start and end else 0.0


def job_costs(sagemaker, prefix: str, since: datetime | None = None) -> list[JobCost]:
    """Every job of the lab (by its tag) since ``since``: billed seconds times its instances' price.

    Training jobs bill ``BillableTimeInSeconds`` (managed spot: less than ``TrainingTimeInSeconds``; the
    difference is the saving shown); processing and transform jobs from start to end. A tuning job's
    training jobs are counted as training jobs (SageMaker gives them the tuning job's tags).
    """
    costs = []
    for kind in JOB_KINDS:
        if kind.key not in _JOB_RESOURCES:
            continue
        path, use = _JOB_RESOURCES[kind.key]
        filters = {"CreationTimeAfter": since} if since else {}
        for summary in _pages(sagemaker, kind.method("List"), kind.list_key, **filters):
            if _tags(sagemaker, summary[kind.arn_field]).get(PREFIX_KEY) != prefix:
                continue
            described = getattr(sagemaker, kind.method("Describe"))(**{kind.name_field: summary[kind.name_field]})
            resources = _dig(described, path)
            itype, count = resources.get("InstanceType", ""), resources.get("InstanceCount", 1)
            rate = _hourly(use, itype)
            saved = 0.0
            if kind.key == "training":
                billable = float(described.get("BillableTimeInSeconds") or 0)
                trained = float(described.get("TrainingTimeInSeconds") or billable)
                if rate is not None:
                    saved = max(trained - billable, 0) * count * rate / 3600
            elif kind.key == "processing":
                billable = _seconds(described.get("ProcessingStartTime"), described.get("ProcessingEndTime"))
            else:
                billable = _seconds(described.get("TransformStartTime"), described.get("TransformEndTime"))
            usd = None if rate is None else billable * count * rate / 3600
            costs.append(
                JobCost(
                    kind.label, summary[kind.name_field], summary[kind.status_field], itype, count, billable, usd, saved
                )
            )
    return costs


def render_job_costs(costs: list[JobCost], width: int = 120) -> str:
    rows = [
        (
            c.kind,
            c.name,
            c.status,
            f"{c.count} x {c.instance_type}" if c.instance_type else "-",
            f"{c.billable_seconds:.0f} s",
            _usd(c.usd),
            _usd(c.spot_saved_usd) if c.spot_saved_usd else "-",
        )
        for c in costs
    ]
    columns = ["job", "name", "status", "instances", "billed", "USD", "spot saved"]
    text = table_text("what the lab's jobs have cost", columns, rows, right=columns[4:], width=width)
    total = sum(c.usd or 0 for c in costs)
    saved = sum(c.spot_saved_usd for c in costs)
    return text + f"\njobs: ${total:.2f} in all ({len(costs)} jobs); managed spot saved ${saved:.2f}"
