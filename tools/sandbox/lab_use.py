"""Using the rehearsed lab as a student would: the study CLI's pipeline, with the launcher in-process as its role.

Before the pipeline, the launcher's environment is checked against what the stacks created: every
role ARN and bucket it names exists and its JOB_PREFIX is the lab's prefix. Its permissions are what
the IAM enforcer checks on each request it then makes, with its function role's credentials.
"""

from __future__ import annotations

import csv
import os
import tempfile

from study_env import cli
from study_env.cli.lab import find_lab
from study_env.cli.serving import CdkServing
from study_env.paths import SAMPLE_DATA_DIR
from tools.assembly import CloudAssembly
from tools.sandbox.forgotten import forget_and_reap
from tools.sandbox.in_process import InProcessTransport
from tools.sandbox.rehearsal import CdkCli, Emulator, RehearsalError

PREFIX = "mls"
INVOKE_ROWS = 3


def launcher_wiring_problems(session, function_name: str, bucket: str, prefix: str) -> list[str]:
    """What does not line up between the deployed launcher's environment and the stacks of lab ``prefix``.

    Its permissions are not read here: every request it makes is checked against its role by the IAM
    enforcer (tools/iam), which is how AWS would find out.
    """
    lam, iam, s3 = session.client("lambda"), session.client("iam"), session.client("s3")
    config = lam.get_function_configuration(FunctionName=function_name)
    variables = config.get("Environment", {}).get("Variables", {})
    buckets = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    problems = []
    if bucket not in variables.values():
        problems.append(f"launcher environment does not name the study bucket {bucket}: {sorted(variables)}")
    job_prefix = variables.get("JOB_PREFIX")
    if job_prefix != prefix:
        problems.append(f"launcher environment JOB_PREFIX={job_prefix}: the lab prefix is {prefix}")
    for key, value in sorted(variables.items()):
        if value.startswith("arn:aws:iam::") and ":role/" in value:
            try:
                iam.get_role(RoleName=value.split("/")[-1])
            except iam.exceptions.NoSuchEntityException:
                problems.append(f"launcher environment {key}={value}: no such role")
        elif value.startswith(f"{prefix}-") and "bucket" in key.lower() and value not in buckets:
            problems.append(f"launcher environment {key}={value}: no such bucket")
    return problems


def sample_rows(count: int) -> str:
    """The first ``count`` feature rows of the sample dataset (no header, no label), as CSV."""
    with open(os.path.join(SAMPLE_DATA_DIR, "breast_cancer.csv")) as fh:
        rows = list(csv.DictReader(fh))[:count]
    return "".join(",".join(v for k, v in row.items() if k != "target") + "\n" for row in rows)


LEFT_RUNNING_MODEL_KEY = "models/artifacts/left-running/model.tar.gz"


def use_lab(emulator: Emulator, cdk: CdkCli, assembly: CloudAssembly, outputs: dict[str, dict[str, str]]) -> list[str]:
    session = emulator.session()
    lab = find_lab(session, PREFIX)
    if "jobs" not in lab.outputs:
        raise RehearsalError(
            f"stack {lab.stack_name('jobs')} was not deployed: the rehearsal has no launcher to send requests to"
        )
    problems = launcher_wiring_problems(session, lab.launcher_function, lab.bucket, lab.prefix)
    if problems:
        raise RehearsalError("launcher does not line up with the stacks:\n  " + "\n  ".join(problems))
    report = [f"launcher {lab.launcher_function}: its environment lines up with the stacks"]

    argv = ["--prefix", PREFIX, "--timeout-minutes", "1", "pipeline", "--max-jobs", "2", "--max-parallel-jobs", "1"]
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as rows:
        rows.write(sample_rows(INVOKE_ROWS))
    argv += ["--endpoint", "--rows-file", rows.name]
    try:
        cli.run(
            argv,
            session=session,
            transport_factory=lambda lab: InProcessTransport.from_deployed(
                session, lab.launcher_function, assume=lambda role: emulator.iam.assume(role, "job launcher")
            ),
            serving=lambda lab, session: CdkServing(lab, session, run=cdk.run),
            out=report.append,
            poll_seconds=0,
        )
    finally:
        os.unlink(rows.name)
    # A user who forgets the endpoint: it stays deployed, and the final `destroy --all` (with
    # `make destroy`'s context) must remove it before the stacks it imports from.
    cdk.run(
        "deploy",
        lab.stack_name("serving"),
        "-c",
        f"prefix={PREFIX}",
        "-c",
        f"model_key={LEFT_RUNNING_MODEL_KEY}",
        "--require-approval",
        "never",
    )
    report.append(
        f"left {lab.stack_name('serving')} deployed (model_key={LEFT_RUNNING_MODEL_KEY}) for destroy --all to remove"
    )
    # A learner's forgotten notebook endpoints: the reaper deletes one, make destroy the other.
    report += forget_and_reap(emulator, outputs)
    return report
