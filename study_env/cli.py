"""The study CLI: run the study plan's jobs on the deployed lab, watch them, and clean up.

    python -m study_env.cli status            # what is deployed, what is running, what bills
    python -m study_env.cli train --wait      # one launcher request, then follow the job
    python -m study_env.cli pipeline          # Day 13-14: process, train, tune, transform, endpoint
    python -m study_env.cli cleanup           # stop the lab's running jobs, delete its endpoints

(also installed as the ``study`` command by ``pip install -e .``). The lab is found from stack
outputs; requests go to the launcher function (see README, "Study CLI").
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

import boto3
from botocore.exceptions import ClientError, NoCredentialsError

from study_env.lab import (
    ENDPOINT_OUTPUT,
    JOB_KINDS,
    MODEL_DATA_OUTPUT,
    Lab,
    LabError,
    LambdaTransport,
    Transport,
    find_lab,
    launch,
    no_credentials,
    wait_for,
)
from study_env.paths import ROOT

DEFAULT_TIMEOUT_MINUTES = 120
ACTIVE_JOB_STATES = ("InProgress", "Stopping")


class ServingDeployer(Protocol):
    """Creates and removes the serving stack for one trained model; returns the endpoint name."""

    def deploy(self, training_job_name: str) -> str: ...

    def remove(self) -> None: ...


class CdkServing:
    """The Serving stack through the project's CDK CLI, as `make deploy` would do it, for this lab and region."""

    def __init__(self, lab: Lab, session, run: Callable[..., None] | None = None) -> None:
        self.lab = lab
        self.session = session
        self._run = run or (lambda *args: _run_cdk(*args, region=session.region_name))
        # The serving stack exists in the app only with a model in context, for destroy as for deploy.
        self._context: list[str] = []

    def deploy(self, training_job_name: str) -> str:
        stack = self.lab.stack_name("serving")
        self._context = ["-c", f"prefix={self.lab.prefix}", "-c", f"training_job_name={training_job_name}"]
        self._run("deploy", stack, *self._context, "--require-approval", "never")
        self.lab.outputs.update(find_lab(self.session, self.lab.prefix).outputs)
        return self.lab.endpoint_name

    def remove(self) -> None:
        stack = self.lab.stack_name("serving")
        self._run("destroy", stack, *self._context, "--force")
        if _stack_exists(self.session, stack):
            raise LabError(f"`cdk destroy {stack}` left the stack in place; delete it in the CloudFormation console")
        self.lab.outputs.pop("serving", None)


def _stack_exists(session, stack_name: str) -> bool:
    try:
        stacks = session.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as err:
        if "does not exist" in str(err):
            return False
        raise
    return any(s.get("StackStatus") != "DELETE_COMPLETE" for s in stacks)


def _run_cdk(*args: str, region: str | None) -> None:
    env = dict(os.environ, PATH=os.path.join(ROOT, ".venv", "bin") + os.pathsep + os.environ.get("PATH", ""))
    if region:
        # The stacks go where the CLI found the lab (--region), not wherever the AWS profile points.
        env.update(AWS_REGION=region, AWS_DEFAULT_REGION=region)
    result = subprocess.run([os.path.join(ROOT, "node_modules", ".bin", "cdk"), *args, "--no-notices"], cwd=ROOT, env=env)
    if result.returncode != 0:
        raise LabError(f"`cdk {' '.join(args)}` failed (exit {result.returncode})")


@dataclass
class Context:
    """What every command needs: the session, the lab, how to reach the launcher, where to print."""

    session: Any
    lab: Lab
    transport_factory: Callable[[Lab], Transport]
    out: Callable[[str], None] = print
    timeout_seconds: float = DEFAULT_TIMEOUT_MINUTES * 60
    poll_seconds: float = 15.0
    serving: ServingDeployer | None = None
    _transport: Transport | None = field(default=None, repr=False)

    @property
    def transport(self) -> Transport:
        if self._transport is None:
            self._transport = self.transport_factory(self.lab)
        return self._transport

    @property
    def sagemaker(self):
        return self.session.client("sagemaker")

    def wait(self, kind: str, name: str) -> dict:
        return wait_for(
            self.sagemaker, kind, name, timeout_seconds=self.timeout_seconds, poll_seconds=self.poll_seconds, progress=self.out
        )


# --- requests ---------------------------------------------------------------------------------------

def _parse_assignments(pairs: list[str] | None, option: str) -> dict[str, Any]:
    """``key=value`` pairs; values are JSON when they parse as JSON (numbers, lists), else strings."""
    result: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise LabError(f"{option} {pair!r}: expected key=value")
        try:
            result[key] = json.loads(raw)
        except json.JSONDecodeError:
            result[key] = raw
    return result


def build_request(action: str, args: argparse.Namespace) -> dict[str, Any]:
    """The launcher request for ``action`` from the command's options (only what was given)."""
    request: dict[str, Any] = {"action": action}
    for option in ("instance_type", "max_runtime_seconds", "request_id", "strategy", "max_jobs",
                   "max_parallel_jobs", "model_name", "training_job_name", "tuning_job_name"):
        value = getattr(args, option, None)
        if value is not None:
            request[option] = value
    if getattr(args, "spot", None) is not None:
        request["use_spot"] = args.spot
    hyperparameters = _parse_assignments(getattr(args, "hyperparameter", None), "--hyperparameter")
    if hyperparameters:
        request["hyperparameters"] = {k: str(v) for k, v in hyperparameters.items()}
    request.update(_parse_assignments(getattr(args, "field", None), "--field"))
    return request


def start_job(ctx: Context, action: str, request: dict[str, Any], wait: bool) -> dict[str, Any]:
    response = launch(ctx.transport, request)
    ctx.out(f"{action}: started {response.get('job_name')}" + (f"  {response['console_url']}" if response.get("console_url") else ""))
    if wait:
        return ctx.wait(action, response["job_name"])
    return response


# --- commands ---------------------------------------------------------------------------------------

def cmd_status(ctx: Context, args) -> int:
    lab = ctx.lab
    for part in ("foundation", "jobs", "serving"):
        outputs = lab.outputs.get(part)
        if outputs is None:
            ctx.out(f"{lab.stack_name(part)}: not deployed")
            continue
        ctx.out(f"{lab.stack_name(part)}: deployed")
        for key, value in sorted(outputs.items()):
            ctx.out(f"  {key}: {value}")
    running = active_jobs(ctx)
    ctx.out(f"running jobs: {len(running)}" + "".join(f"\n  {kind} {name}" for kind, name in running))
    endpoints = lab_endpoints(ctx)
    ctx.out(f"endpoints (bill while they exist): {len(endpoints)}" + "".join(f"\n  {n} {s}" for n, s in endpoints))
    return 0


def _summaries(ctx: Context, kind: str, **filters) -> list[dict]:
    job = JOB_KINDS[kind]
    sagemaker = ctx.sagemaker
    return getattr(sagemaker, job.list_operation)(NameContains=ctx.lab.name_prefix, MaxResults=100, **filters).get(job.list_key, [])


def active_jobs(ctx: Context, states: tuple[str, ...] = ACTIVE_JOB_STATES) -> list[tuple[str, str]]:
    found = []
    for kind in ("process", "train", "tune", "transform"):
        job = JOB_KINDS[kind]
        for status in states:
            for summary in _summaries(ctx, kind, StatusEquals=status):
                if ctx.lab.owns(summary[job.name_param]):
                    found.append((kind, summary[job.name_param]))
    return found


def lab_endpoints(ctx: Context) -> list[tuple[str, str]]:
    return [
        (e["EndpointName"], e["EndpointStatus"])
        for e in _summaries(ctx, "endpoint")
        if ctx.lab.owns(e["EndpointName"])
    ]


def cmd_jobs(ctx: Context, args) -> int:
    rows = []
    for kind in ("process", "train", "tune", "transform"):
        job = JOB_KINDS[kind]
        for summary in _summaries(ctx, kind):
            if ctx.lab.owns(summary[job.name_param]):
                rows.append((summary["CreationTime"], job.label, summary[job.name_param], summary[job.status_field]))
    rows.sort(reverse=True)
    if not rows:
        ctx.out(f"no jobs of lab {ctx.lab.prefix!r} yet: start one with `python -m study_env.cli process`")
    for created, label, name, status in rows[: args.limit]:
        ctx.out(f"{created:%Y-%m-%d %H:%M}  {label:<10} {status:<10} {name}")
    return 0


def cmd_start(ctx: Context, args) -> int:
    result = start_job(ctx, args.command, build_request(args.command, args), args.wait)
    if args.wait:
        ctx.out(f"{args.command}: {result[JOB_KINDS[args.command].status_field]}")
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
        raise LabError("invoke: give rows with --row 'v1,v2,...' (repeatable) or --rows-file FILE (CSV, no header, no label)")
    if not body.strip():
        raise LabError("invoke: no rows to send")
    return body.strip() + "\n"


def invoke_endpoint(ctx: Context, endpoint: str, body: str) -> str:
    runtime = ctx.session.client("sagemaker-runtime")
    try:
        response = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv", Accept="text/csv", Body=body.encode())
    except ClientError as err:
        raise LabError(f"endpoint {endpoint}: {err.response['Error'].get('Message', err)}") from None
    return response["Body"].read().decode()


def cmd_invoke(ctx: Context, args) -> int:
    endpoint = args.endpoint or ctx.lab.endpoint_name
    ctx.out(invoke_endpoint(ctx, endpoint, read_rows(args)).strip())
    return 0


def cmd_cleanup(ctx: Context, args) -> int:
    """Stop what bills by the hour: the lab's running jobs and its endpoints (stacks stay)."""
    sagemaker = ctx.sagemaker
    stoppers = {
        "process": ("stop_processing_job", "ProcessingJobName"),
        "train": ("stop_training_job", "TrainingJobName"),
        "tune": ("stop_hyper_parameter_tuning_job", "HyperParameterTuningJobName"),
        "transform": ("stop_transform_job", "TransformJobName"),
    }
    # A Stopping job is already on its way out; SageMaker rejects a second stop with ValidationException.
    actions = [(f"stop {JOB_KINDS[kind].label} job {name}", stoppers[kind], name)
               for kind, name in active_jobs(ctx, states=("InProgress",))]
    serving = ctx.lab.outputs.get("serving", {})
    for name, _status in lab_endpoints(ctx):
        if name == serving.get(ENDPOINT_OUTPUT):
            ctx.out(f"endpoint {name} belongs to stack {ctx.lab.stack_name('serving')}: remove it with "
                    f"`{serving_destroy_command(ctx.lab)}`")
            continue
        actions.append((f"delete endpoint {name}", ("delete_endpoint", "EndpointName"), name))
    if not actions:
        ctx.out("nothing running and no endpoint: nothing bills by the hour")
        return 0
    failed = 0
    for description, (operation, param), name in actions:
        if args.dry_run:
            ctx.out(f"would {description}")
            continue
        try:
            getattr(sagemaker, operation)(**{param: name})
        except ClientError as err:
            failed += 1
            ctx.out(f"could not {description}: {client_error_message(err)}")
            continue
        ctx.out(description)
    return 1 if failed else 0


def serving_destroy_command(lab: Lab) -> str:
    """`cdk destroy` of the serving stack with the context it needs to exist in the app at all."""
    stack = lab.stack_name("serving")
    # A serving stack deployed before it had the ModelData output: cleanup still goes on.
    model_key = lab.outputs.get("serving", {}).get(MODEL_DATA_OUTPUT, "<models/... key it serves>")
    return f"npx cdk destroy {stack} -c prefix={lab.prefix} -c model_key={model_key}"


def client_error_message(err: ClientError) -> str:
    error = err.response.get("Error", {})
    return f"{error.get('Code', 'ClientError')}: {error.get('Message', err)}"


# --- the Day 13-14 pipeline --------------------------------------------------------------------------

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

    def timed(name: str, resource: str, action: Callable[[], dict], note: str = "") -> dict:
        started = time.monotonic()
        ctx.out(f"[{len(steps) + 1}] {name}")
        try:
            result = action()
        except LabError:
            steps.append(Step(name, resource, "FAILED", time.monotonic() - started, note))
            raise
        status = result.get(JOB_KINDS[name].status_field, "done") if name in JOB_KINDS else "done"
        steps.append(Step(name, result.get(JOB_KINDS[name].name_param, resource) if name in JOB_KINDS else resource,
                          status, time.monotonic() - started, note))
        return result

    try:
        timed("process", "", lambda: start_job(ctx, "process", {"action": "process"}, wait=True))
        training = timed("train", "", lambda: start_job(ctx, "train", {"action": "train"}, wait=True))
        tune_request = {"action": "tune", "max_jobs": args.max_jobs, "max_parallel_jobs": args.max_parallel_jobs}
        tuning = timed("tune", "", lambda: start_job(ctx, "tune", tune_request, wait=True))
        best, why = best_training_job(tuning, training["TrainingJobName"])
        steps[-1].note = f"best training job {best} ({why})"
        timed("transform", "", lambda: start_job(ctx, "transform", {"action": "transform", "training_job_name": best}, wait=True))
        if args.endpoint:
            if ctx.serving is None:
                raise LabError("pipeline --endpoint needs a way to deploy the serving stack")
            run_endpoint_steps(ctx, args, best, timed, steps)
    finally:
        ctx.out(render_summary(steps))
    return steps


def run_endpoint_steps(ctx: Context, args, model_job: str, timed, steps: list[Step]) -> None:
    holder: dict[str, str] = {}

    def deploy() -> dict:
        holder["endpoint"] = ctx.serving.deploy(model_job)
        return ctx.wait("endpoint", holder["endpoint"])

    try:
        timed("endpoint", "", deploy)
        steps[-1].resource = holder["endpoint"]
        rows = read_rows(args) if (args.rows_file or args.row) else None
        if rows is None:
            steps.append(Step("invoke", holder["endpoint"], "skipped", 0.0, "no --row/--rows-file given"))
        else:
            started = time.monotonic()
            predictions = invoke_endpoint(ctx, holder["endpoint"], rows).strip().splitlines()
            steps.append(Step("invoke", holder["endpoint"], "done", time.monotonic() - started,
                              f"{len(predictions)} predictions: {', '.join(predictions[:3])}"))
    finally:
        started = time.monotonic()
        ctx.serving.remove()
        steps.append(Step("delete endpoint", holder.get("endpoint", ctx.lab.stack_name("serving")), "done",
                          time.monotonic() - started, "serving stack destroyed"))


def render_summary(steps: list[Step]) -> str:
    lines = ["pipeline summary:"]
    for i, step in enumerate(steps, 1):
        lines.append(f"  {i}. {step.name:<16} {step.status:<10} {step.seconds:7.1f} s  {step.resource}"
                     + (f"  ({step.note})" if step.note else ""))
    if not steps:
        lines.append("  (no step ran)")
    return "\n".join(lines)


def cmd_pipeline(ctx: Context, args) -> int:
    run_pipeline(ctx, args)
    return 0


# --- argument parsing --------------------------------------------------------------------------------

def _job_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--instance-type", dest="instance_type", help="one of the lab's allowed_instance_types")
    parser.add_argument("--max-runtime-seconds", dest="max_runtime_seconds", type=int)
    parser.add_argument("--request-id", dest="request_id", help="a retry with the same id returns the same job")
    parser.add_argument("--field", action="append", metavar="KEY=VALUE",
                        help="any other launcher request field (JSON value), e.g. --field input_prefix=data/raw/")
    parser.add_argument("--wait", action="store_true", help="follow the job until it ends")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="study", description="Run the study plan on your deployed lab.")
    parser.add_argument("--prefix", default="mls", help="the lab's prefix (context 'prefix'; default mls)")
    parser.add_argument("--region", help="AWS region (default: your AWS configuration)")
    parser.add_argument("--timeout-minutes", type=float, default=DEFAULT_TIMEOUT_MINUTES,
                        help="how long to wait for one job (default %(default)s)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("status", help="stacks, outputs, running jobs and endpoints")
    jobs = sub.add_parser("jobs", help="the lab's recent jobs with status")
    jobs.add_argument("--limit", type=int, default=20)

    process = sub.add_parser("process", help="Processing: data/raw/ -> data/processed/")
    _job_options(process)
    train = sub.add_parser("train", help="Training: built-in XGBoost on data/processed/")
    _job_options(train)
    train.add_argument("--hyperparameter", action="append", metavar="NAME=VALUE", help="e.g. --hyperparameter max_depth=6")
    train.add_argument("--spot", action=argparse.BooleanOptionalAction, default=None, help="managed spot training")
    tune = sub.add_parser("tune", help="Hyperparameter tuning over the plan's ranges")
    _job_options(tune)
    tune.add_argument("--strategy", choices=("Bayesian", "Random", "Hyperband", "Grid"))
    tune.add_argument("--max-jobs", dest="max_jobs", type=int)
    tune.add_argument("--max-parallel-jobs", dest="max_parallel_jobs", type=int)
    transform = sub.add_parser("transform", help="Batch Transform of data/processed/test/")
    _job_options(transform)
    source = transform.add_mutually_exclusive_group(required=True)
    source.add_argument("--model-name", dest="model_name")
    source.add_argument("--training-job-name", dest="training_job_name")
    source.add_argument("--tuning-job-name", dest="tuning_job_name")

    invoke = sub.add_parser("invoke", help="send CSV rows to the endpoint")
    _rows_options(invoke)
    invoke.add_argument("--endpoint", help="default: the serving stack's endpoint")

    pipeline = sub.add_parser("pipeline", help="Day 13-14: process, train, tune, transform (, endpoint, invoke, delete)")
    pipeline.add_argument("--max-jobs", dest="max_jobs", type=int, default=4, help="tuning jobs in total (default 4)")
    pipeline.add_argument("--max-parallel-jobs", dest="max_parallel_jobs", type=int, default=2)
    pipeline.add_argument("--endpoint", action="store_true",
                          help="also deploy the best model (serving stack), invoke it and destroy it again")
    _rows_options(pipeline)

    cleanup = sub.add_parser("cleanup", help="stop the lab's running jobs and delete its endpoints")
    cleanup.add_argument("--dry-run", action="store_true", help="only say what would be stopped or deleted")
    return parser


def _rows_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--row", action="append", help="one CSV row of features (no label)")
    parser.add_argument("--rows-file", dest="rows_file", help="a CSV file of rows (no header, no label)")


COMMANDS = {
    "status": cmd_status, "jobs": cmd_jobs, "process": cmd_start, "train": cmd_start, "tune": cmd_start,
    "transform": cmd_start, "invoke": cmd_invoke, "pipeline": cmd_pipeline, "cleanup": cmd_cleanup,
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


if __name__ == "__main__":
    sys.exit(main())
