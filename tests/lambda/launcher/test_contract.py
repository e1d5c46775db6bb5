"""What the launcher shares with the rest of the lab stays the same on both sides."""

from __future__ import annotations

import importlib.util
import json

import botocore.session
import pytest

from launcher import defaults
from launcher.settings import ENVIRONMENT_VARIABLES
from launcher.validation import RequestError, validate
from study_env import layout
from study_env.constructs import batch_transform
from study_env.paths import TRAINING_CODE_DIR
from tests.support.launcher import SETTINGS
from tests.support.synthesis import cdk_json_context

SAGEMAKER = botocore.session.get_session().get_service_model("sagemaker")
INSTANCE_ENUMS = {
    "process": "ProcessingInstanceType",
    "train": "TrainingInstanceType",
    "tune": "TrainingInstanceType",
    "transform": "TransformInstanceType",
}


def test_launcher_prefixes_are_the_study_bucket_layout():
    assert defaults.DATA_RAW == layout.DATA_RAW
    assert defaults.DATA_PROCESSED == layout.DATA_PROCESSED
    assert defaults.MODELS_TRAINING == layout.MODELS_TRAINING
    assert defaults.OUTPUT_PREDICTIONS == layout.OUTPUT_PREDICTIONS
    assert defaults.CODE_SCRIPTS == layout.CODE_SCRIPTS


def test_the_serving_stack_reports_the_launchers_transform_defaults():
    assert batch_transform.LAUNCHER_INPUT_PREFIX == defaults.TRANSFORM_INPUT_PREFIX
    assert batch_transform.LAUNCHER_OUTPUT_PREFIX == defaults.OUTPUT_PREDICTIONS


def test_readable_and_writable_prefixes_match_the_execution_role(synth):
    # The role's grants (test_foundation pins them) are what the launcher checks requests against.
    statements = [
        s
        for key, r in synth.template_json("foundation")["Resources"].items()
        if r["Type"] == "AWS::IAM::Policy" and key.startswith("ExecutionRole")
        for s in r["Properties"]["PolicyDocument"]["Statement"]
    ]
    listed = next(s for s in statements if s["Action"] == "s3:ListBucket")["Condition"]["StringLike"]["s3:prefix"]
    assert sorted(p[:-1] for p in listed) == sorted(defaults.READABLE_PREFIXES)
    writes = json.dumps([s["Resource"] for s in statements if "s3:PutObject" in s["Action"]])
    assert all(f'"/{prefix}*"' in writes for prefix in defaults.WRITABLE_PREFIXES)
    assert writes.count("*") == len(defaults.WRITABLE_PREFIXES)


def test_processing_outputs_are_what_preprocessing_writes():
    spec = importlib.util.spec_from_file_location(
        "preprocessing", f"{TRAINING_CODE_DIR}/{defaults.PREPROCESSING_SCRIPT}"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.OUTPUTS == defaults.PROCESSING_OUTPUTS
    assert module.DEFAULT_INPUT_DIR == "/opt/ml/processing/input/data"
    assert module.DEFAULT_OUTPUT_DIR == "/opt/ml/processing/output"


@pytest.mark.parametrize("action", sorted(INSTANCE_ENUMS))
@pytest.mark.parametrize("instance_type", cdk_json_context()["allowed_instance_types"])
def test_instance_type_check_agrees_with_sagemakers_api_model(action, instance_type):
    offered = instance_type in SAGEMAKER.shape_for(INSTANCE_ENUMS[action]).enum
    event = {"action": action, "instance_type": instance_type}
    if action == "transform":
        event["model_name"] = "m"
    try:
        validate(event, SETTINGS)
        accepted = True
    except RequestError:
        accepted = False
    assert accepted == offered


def test_the_construct_sets_every_variable_the_launcher_reads(synth):
    functions = synth.resources("jobs", "AWS::Lambda::Function")
    (function,) = [f for key, f in functions.items() if key.startswith("LauncherFunction")]
    assert sorted(function["Properties"]["Environment"]["Variables"]) == sorted(ENVIRONMENT_VARIABLES)
