"""A Python Lambda of the lab: code from ``lambda/<folder>/``, its own role, a log group that goes with the stack."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence

import jsii
from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from study_env.paths import LAMBDA_DIR, LAMBDA_SHARED_DIR


@jsii.implements(iam.IGrantable)
class LabFunction(Construct):
    """A small arm64 Python Lambda whose role may only write its own log group, until granted more.

    No AWS-managed policy: the role gets ``logs:CreateLogStream``/``PutLogEvents`` on the function's
    log group (kept a week, deleted with the stack) and whatever :meth:`add_to_role_policy` adds.

    :param folder: asset folder under ``lambda/`` (standard library and boto3 only).
    :param handler: ``module.function`` inside that folder.
    :param description: the function's and its role's description.
    :param timeout: how long one invocation may run. Default: one minute.
    :param log_retention: how long its logs are kept. Default: one week.
    :param memory_size: MB for the function. Default: 128.
    :param environment: the function's environment variables. Default: none.
    :param shared_modules: modules of ``lambda/shared/`` bundled next to the handler (e.g.
        ``("lab_contract",)``). Default: none.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        folder: str,
        handler: str,
        description: str,
        timeout: Duration = Duration.minutes(1),
        log_retention: logs.RetentionDays = logs.RetentionDays.ONE_WEEK,
        memory_size: int = 128,
        environment: Mapping[str, str] | None = None,
        shared_modules: Sequence[str] = (),
    ) -> None:
        super().__init__(scope, id)
        code_dir = os.path.join(LAMBDA_DIR, folder)
        if not os.path.isfile(os.path.join(code_dir, handler.split(".")[0] + ".py")):
            raise ValueError(f"LabFunction handler={handler!r}: no such module in {code_dir}")
        for module in shared_modules:
            if not os.path.isfile(os.path.join(LAMBDA_SHARED_DIR, module + ".py")):
                raise ValueError(
                    f"LabFunction shared_modules={list(shared_modules)!r}: no {module}.py in {LAMBDA_SHARED_DIR}"
                )
        self.timeout = timeout
        self.log_group = logs.LogGroup(self, "Logs", retention=log_retention, removal_policy=RemovalPolicy.DESTROY)
        self.role = iam.Role(
            self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description
        )
        self.log_group.grant_write(self.role)
        # The asset is staged (hashed and copied) while the function is built, so the staging
        # folder only has to live that long.
        with tempfile.TemporaryDirectory(prefix=f"lambda-{folder}-") as staging:
            self.function = lambda_.Function(
                self,
                "Function",
                runtime=lambda_.Runtime.PYTHON_3_14,
                architecture=lambda_.Architecture.ARM_64,
                code=_asset(code_dir, shared_modules, staging),
                handler=handler,
                description=description,
                timeout=timeout,
                memory_size=memory_size,
                environment=dict(environment) if environment else None,
                role=self.role,
                log_group=self.log_group,
            )

    @property
    def function_arn(self) -> str:
        return self.function.function_arn

    @property
    def custom_resource_timeout(self) -> Duration:
        """How long CloudFormation should wait for this function as a custom resource's service token:
        its own time limit plus a minute for a cold start and the reply (default wait: one hour)."""
        return Duration.seconds(self.timeout.to_seconds() + 60)

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The function's role: what :meth:`add_to_role_policy` and grants to this function add to."""
        return self.role

    def add_to_role_policy(self, statement: iam.PolicyStatement) -> None:
        self.role.add_to_policy(statement)


_EXCLUDE = ("__pycache__", "*.pyc")


def stage_asset(code_dir: str, shared_modules: Sequence[str], destination: str) -> str:
    """Lay out in ``destination`` what Lambda will see: the folder's files, the shared modules beside them."""
    shutil.copytree(code_dir, destination, ignore=shutil.ignore_patterns(*_EXCLUDE))
    for module in shared_modules:
        shutil.copyfile(os.path.join(LAMBDA_SHARED_DIR, module + ".py"), os.path.join(destination, module + ".py"))
    return destination


def _asset(code_dir: str, shared_modules: Sequence[str], staging: str) -> lambda_.Code:
    if not shared_modules:
        return lambda_.Code.from_asset(code_dir, exclude=list(_EXCLUDE))
    return lambda_.Code.from_asset(stage_asset(code_dir, shared_modules, os.path.join(staging, "asset")))
