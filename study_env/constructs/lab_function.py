"""A Python Lambda of the lab: code from ``lambda/<folder>/``, its own role, a log group that goes with the stack."""

from __future__ import annotations

import os
from typing import Mapping

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from study_env.paths import LAMBDA_DIR


class LabFunction(Construct):
    """A small arm64 Python Lambda whose role may only write its own log group, until granted more.

    No AWS-managed policy: the role gets ``logs:CreateLogStream``/``PutLogEvents`` on the function's
    log group (kept a week, deleted with the stack) and whatever :meth:`add_to_role_policy` adds.

    :param folder: asset folder under ``lambda/`` (standard library and boto3 only).
    :param handler: ``module.function`` inside that folder.
    :param timeout: how long one invocation may run.
    :param memory_size: MB for the function.
    :param environment: the function's environment variables.
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
    ) -> None:
        super().__init__(scope, id)
        code_dir = os.path.join(LAMBDA_DIR, folder)
        if not os.path.isfile(os.path.join(code_dir, handler.split(".")[0] + ".py")):
            raise ValueError(f"LabFunction handler={handler!r}: no such module in {code_dir}")
        self.log_group = logs.LogGroup(self, "Logs", retention=log_retention, removal_policy=RemovalPolicy.DESTROY)
        self.role = iam.Role(
            self, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description
        )
        self.log_group.grant_write(self.role)
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_14,
            architecture=lambda_.Architecture.ARM_64,
            code=lambda_.Code.from_asset(code_dir, exclude=["__pycache__", "*.pyc"]),
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

    def add_to_role_policy(self, statement: iam.PolicyStatement) -> None:
        self.role.add_to_policy(statement)
