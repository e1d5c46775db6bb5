"""The study CLI's commands: status, jobs, one launcher request, invoke, cleanup.

Each ``cmd_*`` takes the :class:`~study_env.cli.context.Context` and the parsed arguments and returns the
exit code; ``study_env.cli.entry`` dispatches to them.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from study_env.cli import billing
from study_env.cli.context import Context
from study_env.cli.lab import ACTION_KINDS, STACK_PARTS, LabError, launch
from study_env.cli.serving import serving_destroy_command
from study_env.job_kinds import ENDPOINT, ENDPOINT_CONFIG, JOB_KINDS, SageMakerKind


def _parse_assignments(pairs: list[str] | None, option: str, *, as_json: bool = True) -> dict[str, Any]:
    """``key=value`` pairs; with ``as_json`` values are JSON when they parse as JSON (numbers, lists), else
    strings; without it every value is the string as typed."""
    result: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise LabError(f"{option} {pair!r}: expected key=value")
        if not as_json:
            result[key] = raw
            continue
        try:
            result[key] = json.loads(raw)
        except json.JSONDecodeError:
            result[key] = raw
    return result


def build_request(action: str, args: argparse.Namespace) -> dict[str, Any]:
    """The launcher request for ``action`` from the command's options (only what was given)."""
    request: dict[str, Any] = {"action": action}
    for option in (
        "algorithm",
        "format",
        "objective_metric",
        "instance_type",
        "max_runtime_seconds",
        "request_id",
        "strategy",
        "max_jobs",
        "max_parallel_jobs",
        "model_name",
        "training_job_name",
        "tuning_job_name",
    ):
        value = getattr(args, option, None)
        if value is not None:
            request[option] = value
    if getattr(args, "spot", None) is not None:
        request["use_spot"] = args.spot
    # SageMaker takes hyperparameters as strings: pass each as typed (a JSON round trip through str()
    # would turn true into "True" and 1e3 into "1000.0").
    hyperparameters = _parse_assignments(getattr(args, "hyperparameter", None), "--hyperparameter", as_json=False)
    if hyperparameters:
        request["hyperparameters"] = hyperparameters
    request.update(_parse_assignments(getattr(args, "field", None), "--field"))
    return request


def start_job(ctx: Context, action: str, request: dict[str, Any], wait: bool) -> dict[str, Any]:
    response = launch(ctx.transport, request)
    ctx.out(
        f"{action}: started {response.get('job_name')}"
        + (f"  {response['console_url']}" if response.get("console_url") else "")
    )
    if wait:
        return ctx.wait(ACTION_KINDS[action], response["job_name"])
    return response


def cmd_status(ctx: Context, args) -> int:
    lab = ctx.lab
    for part in STACK_PARTS:
        outputs = lab.outputs.get(part)
        if outputs is None:
            ctx.out(f"{lab.stack_name(part)}: not deployed")
            continue
        ctx.out(f"{lab.stack_name(part)}: deployed")
        for key, value in sorted(outputs.items()):
            ctx.out(f"  {key}: {value}")
    billables = billing.what_bills(ctx.sagemaker, lab.prefix, lab.outputs.get("studio", {}).get("DomainId"))
    for line in billing.render(billables, billing.now_utc(ctx.clock)).splitlines():
        ctx.out(line.rstrip())
    return 0


def _summaries(ctx: Context, kind: SageMakerKind, **filters) -> list[dict]:
    summaries = []
    for page in ctx.sagemaker.get_paginator(kind.method("List")).paginate(NameContains=ctx.lab.name_prefix, **filters):
        summaries += [s for s in page.get(kind.list_key, []) if ctx.lab.owns(s[kind.name_field])]
    return summaries


def cmd_jobs(ctx: Context, args) -> int:
    rows = []
    for kind in JOB_KINDS:
        for summary in _summaries(ctx, kind):
            rows.append((summary["CreationTime"], kind.key, summary[kind.name_field], summary[kind.status_field]))
    rows.sort(reverse=True)
    if not rows:
        ctx.out(f"no jobs of lab {ctx.lab.prefix!r} yet: start one with `python -m study_env.cli process`")
        return 0
    shown = [(f"{created:%Y-%m-%d %H:%M}", label, status, name) for created, label, name, status in rows[: args.limit]]
    title = f"the {len(shown)} latest jobs of lab {ctx.lab.prefix!r}"
    for line in billing.table_text(title, ["started", "kind", "status", "name"], shown).splitlines():
        ctx.out(line)
    return 0


def cmd_start(ctx: Context, args) -> int:
    result = start_job(ctx, args.command, build_request(args.command, args), args.wait)
    if args.wait:
        ctx.out(f"{args.command}: {result[ACTION_KINDS[args.command].status_field]}")
    else:
        ctx.out(json.dumps(result, indent=2, default=str))
    return 0


def read_rows(args) -> str:
    if args.rows_file:
        with open(args.rows_file) as fh:
            body = fh.read()
    elif args.row:
        body = "\n".join(args.row)
    else:
        raise LabError(
            "invoke: give rows with --row 'v1,v2,...' (repeatable) or --rows-file FILE (CSV, no header, no label)"
        )
    if not body.strip():
        raise LabError("invoke: no rows to send")
    return body.strip() + "\n"


def invoke_endpoint(ctx: Context, endpoint: str, body: str) -> str:
    runtime = ctx.session.client("sagemaker-runtime")
    content_type, accept = ctx.lab.endpoint_types(endpoint)
    try:
        response = runtime.invoke_endpoint(
            EndpointName=endpoint, ContentType=content_type, Accept=accept, Body=body.encode()
        )
    except ClientError as err:
        raise LabError(f"endpoint {endpoint}: {err.response['Error'].get('Message', err)}") from None
    return response["Body"].read().decode()


def cmd_invoke(ctx: Context, args) -> int:
    endpoint = args.endpoint or ctx.lab.endpoint_name
    ctx.out(invoke_endpoint(ctx, endpoint, read_rows(args)).strip())
    return 0


def cmd_cleanup(ctx: Context, args) -> int:
    """Stop what bills by the hour, whoever made it: the lab's running jobs, endpoints and Studio apps."""
    sagemaker = ctx.sagemaker
    actions: list[tuple[str, Callable[..., Any], dict[str, str]]] = []
    domain_id = ctx.lab.outputs.get("studio", {}).get("DomainId")
    for item in billing.what_bills(sagemaker, ctx.lab.prefix, domain_id):
        params = dict(item.delete_params)
        if item.kind == ENDPOINT.key:
            if item.managed_by:
                ctx.out(
                    f"endpoint {item.name} belongs to stack {item.managed_by}: {_stack_removal(ctx, item.managed_by)}"
                )
                continue
            actions.append(
                (f"delete endpoint {item.name}", sagemaker.delete_endpoint, {ENDPOINT.name_field: item.name})
            )
            config = params.get(ENDPOINT_CONFIG.name_field)
            if config:
                actions.append(
                    (
                        f"delete endpoint config {config}",
                        sagemaker.delete_endpoint_config,
                        {ENDPOINT_CONFIG.name_field: config},
                    )
                )
        elif item.kind == "app":
            actions.append((f"delete Studio app {item.name}", sagemaker.delete_app, params))
        elif item.status == "InProgress":  # a Stopping job is already on its way out; a second stop is refused
            kind = next(k for k in JOB_KINDS if k.label == item.kind)
            actions.append((f"stop {item.kind} {item.name}", getattr(sagemaker, kind.method("Stop")), params))
    if not actions:
        ctx.out("nothing of the lab runs and no endpoint: nothing bills by the hour")
        return 0
    failed = 0
    for description, call, params in actions:
        if args.dry_run:
            ctx.out(f"would {description}")
            continue
        try:
            call(**params)
        except ClientError as err:
            failed += 1
            ctx.out(f"could not {description}: {client_error_message(err)}")
            continue
        ctx.out(description)
    return 1 if failed else 0


def _stack_removal(ctx: Context, stack: str) -> str:
    if stack == ctx.lab.stack_name("serving"):
        return f"remove it with `{serving_destroy_command(ctx.lab)}`"
    return "its stack removes it"


def client_error_message(err: ClientError) -> str:
    error = err.response.get("Error", {})
    return f"{error.get('Code', 'ClientError')}: {error.get('Message', err)}"
