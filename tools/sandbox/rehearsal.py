"""The rehearsal cycle: emulator up, real CDK CLI bootstrap and deploy, use the lab, destroy, inventory.

Every stack of the app takes part (the cloud assembly ``cdk deploy --all`` writes is read back), so a
stack added to ``study_env/app.py`` is rehearsed without changes here.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import boto3

from study_env.config import destroy_context_args
from study_env.paths import ROOT
from tools.assembly import CloudAssembly
from tools.iam.enforcer import Enforcer, Tally
from tools.iam.simulator import Simulator
from tools.sandbox import gaps, inventory

ACCOUNT = "123456789012"  # moto's account
REGION = "us-east-1"
BOOTSTRAP_STACK = "CDKToolkit"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "sandbox",
    "AWS_SECRET_ACCESS_KEY": "sandbox",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}
# Never let a rehearsal pick up a real profile, session or pinned account.
CLEARED_VARIABLES = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "CDK_DEFAULT_ACCOUNT",
    "CDK_DEFAULT_REGION",
)


class RehearsalError(RuntimeError):
    """A step of the rehearsal failed; the message says which and why."""


@dataclass
class Emulator:
    """A moto server in this process, the environment that points every AWS client at it, and its IAM."""

    endpoint_url: str
    environ: dict[str, str]
    iam: Enforcer

    def session(self) -> boto3.Session:
        """The learner's own session: an administrator of the account, not checked by the enforcer."""
        return boto3.Session(
            aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            region_name=REGION,
        )


class _Server:
    """moto's WSGI application behind the IAM enforcer, served on a free localhost port (threaded)."""

    def __init__(self, enforcer_for: Callable[[Callable], Enforcer]) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        self.enforcer = enforcer_for(gaps.ServiceStandIns(DomainDispatcherApplication(create_backend_app)))
        self._server = make_server("localhost", 0, self.enforcer, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()


@contextlib.contextmanager
def running_emulator(*, enforce_iam: bool = True) -> Iterator[Emulator]:
    """Start moto on a free localhost port behind the IAM enforcer; point this process's AWS environment at it."""
    from moto.core.config import default_user_config
    from moto.moto_api._internal.models import moto_api_backend

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # moto's backends live in this process: an earlier emulator's resources (another test's) must not show
    # up in this one's lab, and this one's must not outlive it.
    moto_api_backend.reset()
    stack = contextlib.ExitStack()
    stack.callback(moto_api_backend.reset)
    stack.enter_context(gaps.patch_emulator())
    # Without Docker, moto would try to run Lambda code (custom resources) and log a failure each time.
    stack.callback(default_user_config["lambda"].__setitem__, "use_docker", default_user_config["lambda"]["use_docker"])
    default_user_config["lambda"]["use_docker"] = False
    simulator = stack.enter_context(Simulator())
    server = _Server(
        lambda app: Enforcer(
            app,
            simulator,
            admin_access_key=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            account=ACCOUNT,
            resource_policies=gaps.PLACEHOLDERS.resource_policies.get,
            resource_tags=gaps.sagemaker_resource_tags,
        )
    )
    server.enforcer.enabled = enforce_iam
    server.start()
    stack.callback(server.stop)
    # localhost, not 127.0.0.1: the CDK CLI builds virtual-host S3 addresses from the endpoint's host.
    endpoint_url = f"http://localhost:{server.port}"
    overrides = dict(FAKE_CREDENTIALS, AWS_ENDPOINT_URL=endpoint_url)
    saved = {k: os.environ.get(k) for k in (*overrides, *CLEARED_VARIABLES)}
    os.environ.update(overrides)
    for key in CLEARED_VARIABLES:
        os.environ.pop(key, None)
    try:
        emulator = Emulator(endpoint_url=endpoint_url, environ=dict(os.environ), iam=server.enforcer)
        server.enforcer.connect(emulator.session())
        yield emulator
    finally:
        stack.close()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass
class CdkCli:
    """The project's pinned CDK CLI, run as a user would, against the emulator."""

    emulator: Emulator
    outdir: str
    log_path: str
    project_dir: str = ROOT

    def run(self, *args: str) -> float:
        """Run one command, its output appended to the log; raise with the log's end on failure."""
        started = time.monotonic()
        result = self._call(args, capture=False)
        if result.returncode != 0:
            with open(self.log_path) as log:
                tail = "".join(log.readlines()[-25:])
            raise RehearsalError(
                f"`cdk {' '.join(args)}` failed (exit {result.returncode}); end of {self.log_path}:\n{tail}"
            )
        return time.monotonic() - started

    def list_stacks(self, *args: str) -> list[str]:
        """`cdk ls` with extra arguments (e.g. context): the stack names the app would have."""
        result = self._call(("ls", *args), capture=True)
        if result.returncode != 0:
            raise RehearsalError(f"`cdk ls {' '.join(args)}` failed (exit {result.returncode})")
        return [
            line.split(" (")[-1].rstrip(")") if " (" in line else line
            for line in result.stdout.splitlines()
            if line.strip()
        ]

    def _call(self, args: tuple[str, ...], capture: bool) -> subprocess.CompletedProcess:
        env = dict(self.emulator.environ)
        bin_dir = os.path.join(self.project_dir, ".venv", "bin")
        env["PATH"] = (
            bin_dir
            + os.pathsep
            + os.path.join(self.project_dir, "node_modules", ".bin")
            + os.pathsep
            + env.get("PATH", "")
        )
        env.update(
            JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
            CDK_DISABLE_VERSION_CHECK="true",
            CDK_CLI_NOTICES="false",
        )
        command = [
            os.path.join(self.project_dir, "node_modules", ".bin", "cdk"),
            *args,
            "--no-notices",
            "--output",
            self.outdir,
        ]
        with open(self.log_path, "a") as log:
            log.write(f"\n$ cdk {' '.join(args)}\n")
            log.flush()
            if capture:
                return subprocess.run(
                    command, cwd=self.project_dir, env=env, stdout=subprocess.PIPE, stderr=log, text=True
                )
            return subprocess.run(command, cwd=self.project_dir, env=env, stdout=log, stderr=subprocess.STDOUT)


LabUser = Callable[[Emulator, CdkCli, CloudAssembly, dict[str, dict[str, str]]], list[str]]


@dataclass
class RehearsalResult:
    stacks: list[str]
    outputs: dict[str, dict[str, str]]
    skipped_types: dict[str, int]
    stand_ins: list[str]
    lab_report: list[str]
    leftovers: inventory.Inventory
    timings: dict[str, float] = field(default_factory=dict)
    iam: Tally = field(default_factory=Tally)
    iam_summary: str = ""
    principals: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Nothing left after destroy, and no request of a lab principal denied or unchecked."""
        return not self.leftovers and not self.iam.refused


def stack_outputs(session, stack_name: str) -> dict[str, str]:
    stack = session.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []}


def check_outputs(assembly: CloudAssembly, outputs: dict[str, dict[str, str]]) -> None:
    """Every Output each template declares must be there after deploy, with a value."""
    missing = [
        f"{stack.stack_name}.{key}"
        for stack in assembly.stacks
        for key in stack.outputs
        if not outputs.get(stack.stack_name, {}).get(key)
    ]
    if missing:
        raise RehearsalError("stack outputs missing after deploy: " + ", ".join(missing))


def remove_bootstrap(session) -> list[str]:
    """Delete CDKToolkit and what it retains (its staging bucket and image repository)."""
    cfn, s3, ecr = session.client("cloudformation"), session.client("s3"), session.client("ecr")
    retained = gaps.physical_ids(session, BOOTSTRAP_STACK)
    cfn.delete_stack(StackName=BOOTSTRAP_STACK)
    done = [f"deleted stack {BOOTSTRAP_STACK}"]
    bucket = retained.get("StagingBucket")
    if bucket and bucket in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        removed = gaps.empty_bucket(s3, bucket)
        s3.delete_bucket(Bucket=bucket)
        done.append(f"deleted retained bucket {bucket} ({removed} asset objects)")
    repository = retained.get("ContainerAssetsRepository")
    if repository and repository in {r["repositoryName"] for r in ecr.describe_repositories().get("repositories", [])}:
        ecr.delete_repository(repositoryName=repository, force=True)
        done.append(f"deleted retained repository {repository}")
    return done


def rehearse(
    use_lab: LabUser | None = None,
    *,
    workdir: str,
    project_dir: str = ROOT,
    say: Callable[[str], None] = print,
    enforce_iam: bool = True,
) -> RehearsalResult:
    """Run the whole cycle; raise :class:`RehearsalError` on a failed step. Leftovers are in the result."""
    os.makedirs(workdir, exist_ok=True)
    outdir = os.path.join(workdir, "cdk.out")
    log_path = os.path.join(workdir, "cdk.log")
    open(log_path, "w").close()
    timings: dict[str, float] = {}
    with running_emulator(enforce_iam=enforce_iam) as emulator:
        session = emulator.session()
        baseline = inventory.take(session)
        cdk = CdkCli(emulator, outdir=outdir, log_path=log_path, project_dir=project_dir)
        say(f"emulator: moto at {emulator.endpoint_url}; CDK CLI output in {log_path}")
        say(gaps.describe_gaps())

        timings["bootstrap"] = cdk.run("bootstrap", f"aws://{ACCOUNT}/{REGION}")
        timings["deploy"] = cdk.run("deploy", "--all", "--require-approval", "never")
        assembly = CloudAssembly(outdir)
        names = [s.stack_name for s in assembly.stacks]
        say(f"deployed {len(names)} stacks in {timings['deploy']:.1f} s: {', '.join(names)}")
        stand_ins = gaps.after_deploy(session, assembly, ACCOUNT, REGION)
        outputs = {name: stack_outputs(session, name) for name in names}
        check_outputs(assembly, outputs)
        for name in names:
            say(f"  {name} outputs: " + (", ".join(f"{k}={v}" for k, v in sorted(outputs[name].items())) or "(none)"))
        skipped = dict(sorted(gaps.PLACEHOLDERS.seen.items()))
        say(
            "not checked (skipped by the emulator, placeholders stood in): "
            + (", ".join(f"{t} x{n}" for t, n in skipped.items()) or "none")
        )

        lab_report: list[str] = []
        if use_lab is not None:
            started = time.monotonic()
            lab_report = use_lab(emulator, cdk, assembly, outputs)
            for line in lab_report:
                say(f"use: {line}")
            timings["use"] = time.monotonic() - started

        stand_ins += gaps.before_destroy(emulator, assembly)
        for line in stand_ins:
            say(f"stand-in: {line}")
        # Exactly what `make destroy` runs (its context puts the optional serving stack into the app).
        timings["destroy"] = cdk.run("destroy", "--all", *destroy_context_args(), "--force")
        for line in remove_bootstrap(session):
            say(f"cleanup: {line}")
        left = inventory.leftovers(baseline, inventory.take(session))
        say(inventory.render(left, "inventory after destroy (beyond the emulator's own defaults):"))
        for verdict in emulator.iam.tally.refused:
            say(verdict.line())
        say(emulator.iam.summary() if enforce_iam else "iam: not enforced (--no-iam)")
    return RehearsalResult(
        stacks=names,
        outputs=outputs,
        skipped_types=skipped,
        stand_ins=stand_ins,
        lab_report=lab_report,
        leftovers=left,
        timings=timings,
        iam=emulator.iam.tally,
        iam_summary=emulator.iam.summary(),
        principals=[p.name for p in emulator.iam.principals],
    )
