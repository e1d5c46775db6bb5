"""The serving stack through the project's CDK CLI: deploy one trained model, destroy it again."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from typing import Protocol

from botocore.exceptions import ClientError

from study_env.algorithms import XGBOOST, algorithm_of_image
from study_env.cli.lab import MODEL_DATA_OUTPUT, Lab, LabError, find_lab
from study_env.paths import ROOT


class ServingDeployer(Protocol):
    """Creates and removes the serving stack for one trained model; returns the endpoint name."""

    def deploy(self, training_job_name: str) -> str: ...

    def remove(self) -> None: ...


class CdkServing:
    """The Serving stack through the project's CDK CLI, as `make deploy` would do it, for this lab and region."""

    def __init__(self, lab: Lab, session, run: Callable[..., object] | None = None) -> None:
        self.lab = lab
        self.session = session
        self._run = run or (lambda *args: _run_cdk(*args, region=session.region_name))
        # The serving stack exists in the app only with a model in context, for destroy as for deploy.
        self._context: list[str] = []

    def deploy(self, training_job_name: str) -> str:
        stack = self.lab.stack_name("serving")
        self._context = [
            "-c",
            f"prefix={self.lab.prefix}",
            "-c",
            f"training_job_name={training_job_name}",
            *served_algorithm_context(self.session.client("sagemaker"), training_job_name),
        ]
        # --exclusively: without it the CLI also redeploys the stacks this one depends on (Foundation,
        # Jobs) with cdk.json's context only, dropping e.g. an alert_email subscription or a budget.
        self._run("deploy", stack, "--exclusively", *self._context, "--require-approval", "never")
        self.lab.outputs.update(find_lab(self.session, self.lab.prefix).outputs)
        return self.lab.endpoint_name

    def remove(self) -> None:
        stack = self.lab.stack_name("serving")
        self._run("destroy", stack, "--exclusively", *self._context, "--force")
        if _stack_exists(self.session, stack):
            raise LabError(f"`cdk destroy {stack}` left the stack in place; delete it in the CloudFormation console")
        self.lab.outputs.pop("serving", None)


def served_algorithm_context(sagemaker, training_job_name: str) -> list[str]:
    """The context that serves ``training_job_name``'s model with the image of the algorithm that trained it."""
    try:
        job = sagemaker.describe_training_job(TrainingJobName=training_job_name)
    except ClientError as err:
        raise LabError(f"training job {training_job_name}: {err.response['Error'].get('Message', err)}") from None
    image = job.get("AlgorithmSpecification", {}).get("TrainingImage", "")
    found = algorithm_of_image(image)
    if found is None:
        raise LabError(
            f"training job {training_job_name} ran image {image or '(none)'}, not a built-in algorithm's: the serving "
            "stack serves built-in algorithms only"
        )
    algorithm, tag = found
    context = ["-c", f"algorithm={algorithm}"]
    if algorithm == XGBOOST:
        # The serving image must be the version that trained the model.
        context += ["-c", f"xgboost_version={tag}"]
    return context


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
    result = subprocess.run(
        [os.path.join(ROOT, "node_modules", ".bin", "cdk"), *args, "--no-notices"], cwd=ROOT, env=env
    )
    if result.returncode != 0:
        raise LabError(f"`cdk {' '.join(args)}` failed (exit {result.returncode})")


def serving_destroy_command(lab: Lab) -> str:
    """`cdk destroy` of the serving stack with the context it needs to exist in the app at all."""
    stack = lab.stack_name("serving")
    # A serving stack deployed before it had the ModelData output: cleanup still goes on.
    model_key = lab.outputs.get("serving", {}).get(MODEL_DATA_OUTPUT, "<models/... key it serves>")
    return f"npx cdk destroy {stack} --exclusively -c prefix={lab.prefix} -c model_key={model_key}"
