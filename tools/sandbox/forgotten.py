"""What a learner forgets in Studio, made the way a notebook makes it, and what removes it.

An endpoint made as ``predictor = estimator.deploy(...)`` makes it (SDK 2.x's exact requests, as the
execution role in a Studio session, with the tags the SDK defaults file adds), never deleted. The
reaper (``lambda/reaper/reaper.py``) runs as its own function's role with its deployed environment,
at a clock past the endpoint's time-to-live, and must delete it; a second one is left for
``make destroy``, whose lab cleanup must delete it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from study_env.tags import lab_tags
from tools import lambda_assets
from tools.sandbox import gaps

STUDIO = "Studio execution role"


XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def deploy_requests(sm, name: str, role_arn: str, tags: list[dict[str, str]]) -> str:
    """Model, endpoint configuration and endpoint of one ``name``, as SDK 2.x's ``Model.deploy()`` requests them."""
    sm.create_model(ModelName=name, ExecutionRoleArn=role_arn, PrimaryContainer={"Image": XGBOOST_IMAGE}, Tags=tags)
    sm.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {"VariantName": "AllTraffic", "ModelName": name, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
        ],
        Tags=tags,
    )
    sm.create_endpoint(EndpointName=name, EndpointConfigName=name, Tags=tags)
    return name


def deploy_like_a_notebook(emulator, outputs: dict[str, dict[str, str]], name: str, prefix: str = "mls") -> str:
    """``deploy_requests`` as the execution role in a Studio session, with the SDK defaults' tags."""
    role = outputs[f"{prefix}-foundation"]["ExecutionRoleArn"]
    sm = emulator.iam.session(role, STUDIO, studio=True).client("sagemaker")
    return deploy_requests(sm, name, role, [{"Key": k, "Value": v} for k, v in lab_tags(prefix).items()])


def run_reaper(emulator, hours_later: float, prefix: str = "mls") -> list[str]:
    """The deployed reaper's handler, in-process as its role, at a clock ``hours_later`` than now."""
    session = emulator.session()
    (function,) = [
        f for f in session.client("lambda").list_functions()["Functions"] if f.get("Handler") == "reaper.handler"
    ]
    role = gaps.function_role(session, function["FunctionName"])
    as_reaper = emulator.iam.session(role, f"{prefix}-studio reaper")
    module = lambda_assets.load("reaper", "reaper", name="sandbox_reaper")
    environ = function["Environment"]["Variables"]
    limits = module.Limits.from_environ(environ)
    prices = json.loads(environ.get("PRICES", "{}"))
    # moto keeps CloudFormation's stack-id tag off what stacks create: put it on first, as AWS would have.
    gaps.tag_stack_models(session)
    return module.reap(
        as_reaper.client("sagemaker"),
        as_reaper.client("sns"),
        environ["TOPIC_ARN"],
        limits,
        prices,
        datetime.now(UTC) + timedelta(hours=hours_later),
    )


def forget_and_reap(emulator, outputs: dict[str, dict[str, str]]) -> list[str]:
    """One forgotten endpoint removed by the reaper, one left for make destroy."""
    reaped = deploy_like_a_notebook(emulator, outputs, "sagemaker-xgboost-2026-12-03-01-00-00-001")
    told = run_reaper(emulator, hours_later=5)
    left = deploy_like_a_notebook(emulator, outputs, "sagemaker-xgboost-2026-12-03-02-00-00-002")
    names = {e["EndpointName"] for e in emulator.session().client("sagemaker").list_endpoints()["Endpoints"]}
    if reaped in names or left not in names:
        raise RuntimeError(f"the reaper did not delete {reaped} alone: endpoints now {sorted(names)}")
    return [*(f"reaper: {line}" for line in told), f"left endpoint {left} (made as a notebook makes it) for destroy"]
