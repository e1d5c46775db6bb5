"""Using the rehearsed lab as a student would: the study CLI's pipeline, with the launcher in-process.

Before the pipeline, the launcher's wiring is checked against what the stacks created: every role
ARN and bucket its environment names exists, its JOB_PREFIX is the lab's prefix, and its role may pass
the execution role to SageMaker and create each kind of job and model it is asked for under that prefix.
"""

from __future__ import annotations

import csv
import fnmatch
import json
import os
import tempfile
from urllib.parse import unquote

from study_env import cli
from study_env.cli.lab import find_lab
from study_env.cli.serving import CdkServing
from study_env.job_kinds import JOB_KINDS, MODEL
from study_env.paths import SAMPLE_DATA_DIR
from tools.assembly import CloudAssembly
from tools.sandbox.in_process import InProcessTransport
from tools.sandbox.rehearsal import CdkCli, Emulator, RehearsalError

PREFIX = "mls"
INVOKE_ROWS = 3


# What the launcher creates, by the ARN resource word of what it names (the JobLauncher's grants).
LAUNCHER_CREATE_ACTIONS = tuple((kind.action("Create"), kind.arn_type) for kind in (*JOB_KINDS, MODEL))


def launcher_wiring_problems(
    session, function_name: str, bucket: str, execution_role_arn: str, prefix: str
) -> list[str]:
    """What does not line up between the deployed launcher function and the stacks' resources of lab ``prefix``."""
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
    role_arn = config["Role"]
    statements = _role_policy_statements(iam, role_arn.split("/")[-1])
    if not _allows(statements, "iam:PassRole", execution_role_arn):
        problems.append(f"launcher role {role_arn} may not iam:PassRole the execution role {execution_role_arn}")
    # The names the function will choose: its own JOB_PREFIX (the lab's when it has none).
    partition, _, region, account = config["FunctionArn"].split(":")[1:5]
    for action, resource_type in LAUNCHER_CREATE_ACTIONS:
        arn = f"arn:{partition}:sagemaker:{region}:{account}:{resource_type}/{job_prefix or prefix}-x"
        if not _allows(statements, action, arn):
            problems.append(f"launcher role {role_arn} may not {action} on {arn}")
    return problems


def _role_policy_statements(iam, role_name: str) -> list[dict]:
    """The statements of the role's inline and attached policies."""
    documents = [
        iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
        for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]
    ]
    for attached in iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]:
        policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        version = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"])
        documents.append(version["PolicyVersion"]["Document"])
    statements = []
    for document in documents:
        if isinstance(document, str):
            document = json.loads(unquote(document))
        statements.extend(_as_list(document.get("Statement")))
    return statements


def _allows(statements: list[dict], action: str, resource: str) -> bool:
    """Whether an Allow statement names ``action`` on ``resource`` (wildcards as IAM reads them;
    conditions are not evaluated)."""
    return any(
        statement.get("Effect") == "Allow"
        # IAM action names are case-insensitive; resource ARNs are not.
        and any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in _as_list(statement.get("Action")))
        and any(fnmatch.fnmatchcase(resource, r) for r in _as_list(statement.get("Resource")))
        for statement in statements
    )


def _as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


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
    problems = launcher_wiring_problems(session, lab.launcher_function, lab.bucket, lab.execution_role_arn, lab.prefix)
    if problems:
        raise RehearsalError("launcher does not line up with the stacks:\n  " + "\n  ".join(problems))
    report = [f"launcher {lab.launcher_function}: environment, PassRole and create permissions line up with the stacks"]

    argv = ["--prefix", PREFIX, "--timeout-minutes", "1", "pipeline", "--max-jobs", "2", "--max-parallel-jobs", "1"]
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as rows:
        rows.write(sample_rows(INVOKE_ROWS))
    argv += ["--endpoint", "--rows-file", rows.name]
    try:
        cli.run(
            argv,
            session=session,
            transport_factory=lambda lab: InProcessTransport.from_deployed(session, lab.launcher_function),
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
    return report
