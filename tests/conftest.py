"""Test session setup: no real AWS, no network, the venv's Node, and the app synthesized once."""

from __future__ import annotations

import os
import sys

# Before anything imports boto3 or jsii: fake credentials so nothing can reach a real account, and the
# virtualenv's supported Node first on PATH for jsii.
for _key, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "CDK_VALIDATION": "false",
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
}.items():
    os.environ[_key] = _value
for _key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "CDK_DEFAULT_ACCOUNT", "CDK_DEFAULT_REGION"):
    os.environ.pop(_key, None)
os.environ["PATH"] = os.path.join(sys.prefix, "bin") + os.pathsep + os.environ.get("PATH", "")

import pytest  # noqa: E402

from tests.support.synthesis import Synthesis, synthesize  # noqa: E402
from tools import lambda_assets  # noqa: E402

# Each function's asset folder on sys.path, as Lambda lays it out: `import launcher`, `import leftovers`,
# `import teardown_plan` and the shared `import lab_contract` work in every test. Their module names differ.
for _folder in lambda_assets.asset_folders():
    lambda_assets.add_to_path(_folder)


@pytest.fixture(scope="session")
def synth(tmp_path_factory) -> Synthesis:
    """The default app (cdk.json context), synthesized once for the whole session, cdk-nag included."""
    return synthesize(outdir=str(tmp_path_factory.mktemp("cdk-default")))


@pytest.fixture(scope="session")
def foundation(synth):
    return synth.template("foundation")


# The app with a model named in context (the Serving stack exists), synthesized once, cdk-nag on.
SERVING_CONTEXT = {"training_job_name": "mls-train-demo"}


@pytest.fixture(scope="session")
def serving_synth(tmp_path_factory) -> Synthesis:
    return synthesize(SERVING_CONTEXT, outdir=str(tmp_path_factory.mktemp("cdk-serving")))


# The end-to-end rehearsal (one deployed lab, every Day notebook on it) is the longest fixture by far:
# collected first, it starts at once on one worker while the other runs the rest, instead of last.
FIRST = "tests/tools/sandbox/test_sandbox.py"


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=lambda item: not item.nodeid.startswith(FIRST))
