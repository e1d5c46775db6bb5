"""The study CLI's entry point: parse, find the lab, run one command, print errors as one line."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import boto3
from botocore.exceptions import ClientError, NoCredentialsError

from study_env.cli.algorithms import OFFLINE_COMMANDS
from study_env.cli.commands import (
    client_error_message,
    cmd_cleanup,
    cmd_invoke,
    cmd_jobs,
    cmd_start,
    cmd_status,
)
from study_env.cli.context import Context
from study_env.cli.cost import cmd_cost, print_plan
from study_env.cli.lab import Lab, LabError, LambdaTransport, Transport, find_lab, no_credentials
from study_env.cli.parser import build_parser
from study_env.cli.pipeline import cmd_pipeline
from study_env.cli.serving import CdkServing, ServingDeployer

COMMANDS = {
    "status": cmd_status,
    "jobs": cmd_jobs,
    "process": cmd_start,
    "train": cmd_start,
    "tune": cmd_start,
    "transform": cmd_start,
    "invoke": cmd_invoke,
    "pipeline": cmd_pipeline,
    "cleanup": cmd_cleanup,
    "cost": cmd_cost,
}


def run(
    argv: list[str],
    *,
    session=None,
    transport_factory: Callable[[Lab], Transport] | None = None,
    serving: Callable[[Lab, Any], ServingDeployer] | None = None,
    out: Callable[[str], None] = print,
    poll_seconds: float = 15.0,
) -> int:
    """Parse ``argv`` and run the command; ``LabError`` propagates (``main`` prints it)."""
    args = build_parser().parse_args(argv)
    if args.command == "cost" and args.plan:
        return print_plan(out)  # arithmetic only: no account, no credentials
    if args.command in OFFLINE_COMMANDS:
        return OFFLINE_COMMANDS[args.command](args, out)
    session = session or boto3.Session(region_name=args.region)
    if session.region_name is None:
        raise LabError("no AWS region configured: run `aws configure` or pass --region")
    lab = find_lab(session, args.prefix)
    ctx = Context(
        session=session,
        lab=lab,
        transport_factory=transport_factory or (lambda lab: LambdaTransport(session, lab.launcher_function)),
        out=out,
        timeout_seconds=args.timeout_minutes * 60,
        poll_seconds=poll_seconds,
    )
    ctx.serving = (serving or CdkServing)(lab, session)
    try:
        return COMMANDS[args.command](ctx, args)
    except NoCredentialsError:
        raise no_credentials() from None


def main(argv: list[str] | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except LabError as err:
        print(f"study: {err}", file=sys.stderr)
        return 1
    except ClientError as err:
        print(f"study: {err.operation_name} failed: {client_error_message(err)}", file=sys.stderr)
        return 1
