"""Jobs stack, the job launcher: its function, its least-privilege role, and its asset."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile

import boto3
import pytest
from aws_cdk import App, Duration, Stack
from aws_cdk import aws_iam as iam
from moto import mock_aws

from study_env.constructs.execution_role import SageMakerExecutionRole
from study_env.constructs.job_launcher import JobLauncher
from study_env.constructs.study_bucket import StudyBucket
from study_env.paths import SAMPLE_DATA_DIR, TRAINING_CODE_DIR

ASSET_LIMIT_BYTES = 50 * 1024
# The default app's allowed_instance_types (cdk.json).
ALLOWED_TYPES = {
    "ForAllValues:StringEquals": {"sagemaker:InstanceTypes": ["ml.t3.medium", "ml.m5.large", "ml.m5.xlarge"]}
}


def _listify(value):
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="module")
def tj(synth):
    return synth.template_json("jobs")


@pytest.fixture(scope="module")
def function(tj):
    (fn,) = [
        r
        for k, r in tj["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function" and k.startswith("LauncherFunction")
    ]
    return fn


@pytest.fixture(scope="module")
def statements(tj):
    return [
        s
        for k, r in tj["Resources"].items()
        if r["Type"] == "AWS::IAM::Policy" and k.startswith("LauncherFunctionRole")
        for s in r["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_function_is_small_arm64_latest_python_with_log_retention(tj, function):
    props = function["Properties"]
    assert props["Runtime"] == "python3.14"
    assert props["Architectures"] == ["arm64"]
    assert props["Handler"] == "handler.handler"
    assert props["MemorySize"] == 256 and props["Timeout"] == 30
    (log_group_id, log_group) = next(
        (k, r) for k, r in tj["Resources"].items() if r["Type"] == "AWS::Logs::LogGroup" and k.startswith("Launcher")
    )
    assert log_group["Properties"]["RetentionInDays"] == 7
    assert props["LoggingConfig"] == {"LogGroup": {"Ref": log_group_id}}


def test_function_gets_images_from_the_region_map_and_the_lab_settings(tj, function):
    env = function["Properties"]["Environment"]["Variables"]
    assert env["JOB_PREFIX"] == "mls"
    assert env["ALLOWED_INSTANCE_TYPES"] == "ml.t3.medium,ml.m5.large,ml.m5.xlarge"
    assert env["DEFAULT_INSTANCE_TYPE"] == "ml.m5.large"
    xgb = json.dumps(env["XGBOOST_IMAGE_URI"])
    assert '"Fn::FindInMap": ["SageMakerImageRegistries", {"Ref": "AWS::Region"}, "registry"]' in xgb
    assert "/sagemaker-xgboost:1.7-1" in xgb
    assert "/sagemaker-scikit-learn:1.2-1-cpu-py3" in json.dumps(env["SKLEARN_IMAGE_URI"])
    assert "SageMakerImageRegistries" in tj["Mappings"]
    assert "Fn::ImportValue" in env["STUDY_BUCKET"] and "Fn::ImportValue" in env["EXECUTION_ROLE_ARN"]


def _resolve(value, mappings: dict, region: str):
    """What CloudFormation makes of a Fn::Join of strings and Fn::FindInMap in ``region``."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_resolve(part, mappings, region) for part in parts)
    name, _, key = value["Fn::FindInMap"]
    return mappings[name][region][key]


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "ap-southeast-2"])
def test_function_gets_every_algorithms_image_as_json(tj, function, region):
    from sagemaker.core import image_uris

    from study_env.algorithms import ALGORITHMS

    env = function["Properties"]["Environment"]["Variables"]
    images = json.loads(_resolve(env["ALGORITHM_IMAGES"], tj["Mappings"], region))
    expected = {
        a.name: image_uris.retrieve(a.repository, region, a.tag) for a in ALGORITHMS if a.repository is not None
    }
    assert images == expected


def test_role_is_assumed_by_lambda_without_managed_policies(tj):
    (role,) = [
        r for k, r in tj["Resources"].items() if r["Type"] == "AWS::IAM::Role" and k.startswith("LauncherFunctionRole")
    ]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}
    ]
    assert "ManagedPolicyArns" not in role["Properties"]


def _tails(resources) -> list[str]:
    return sorted(r["Fn::Join"][1][-1] for r in _listify(resources))


def _by_sid(statements) -> dict:
    return {s["Sid"]: s for s in statements if "Sid" in s}


def test_the_role_has_exactly_these_sagemaker_statements(statements):
    assert sorted(_by_sid(statements)) == [
        "CreateLabJobs",
        "CreateLabModels",
        "DescribeLabJobs",
        "ListJobs",
        "TagOnCreateOnly",
        "TransformWithLabModels",
    ]


def test_jobs_are_created_only_with_the_prefix_and_on_allowed_instance_types(statements):
    create = _by_sid(statements)["CreateLabJobs"]
    assert sorted(create["Action"]) == [
        "sagemaker:CreateHyperParameterTuningJob",
        "sagemaker:CreateProcessingJob",
        "sagemaker:CreateTrainingJob",
    ]
    assert _tails(create["Resource"]) == [
        ":hyper-parameter-tuning-job/mls-*",
        ":processing-job/mls-*",
        ":training-job/mls-*",
    ]
    assert create["Condition"] == ALLOWED_TYPES


def test_models_are_created_only_with_the_prefix(statements):
    models = _by_sid(statements)["CreateLabModels"]
    assert models["Action"] == "sagemaker:CreateModel"
    assert _tails(models["Resource"]) == [":model/mls-*"]


LAB_RESOURCE_TAILS = [
    ":hyper-parameter-tuning-job/mls-*",
    ":model/mls-*",
    ":processing-job/mls-*",
    ":training-job/mls-*",
    ":transform-job/mls-*",
]


def test_tags_only_as_part_of_the_launchers_own_creates(statements):
    # A bare AddTags could tag any mls-* model as the lab's, and the cleanup deletes what carries the tag.
    (tagging,) = [s for s in statements if "sagemaker:AddTags" in _listify(s["Action"])]
    assert tagging["Action"] == "sagemaker:AddTags"
    assert _tails(tagging["Resource"]) == LAB_RESOURCE_TAILS
    # sagemaker:TaggingAction holds the API operation that creates the resource (AWS's names).
    operations = [
        "CreateHyperParameterTuningJob",
        "CreateModel",
        "CreateProcessingJob",
        "CreateTrainingJob",
        "CreateTransformJob",
    ]
    assert sorted(tagging["Condition"]["StringEquals"]["sagemaker:TaggingAction"]) == operations
    assert list(tagging["Condition"]) == ["StringEquals"]
    assert set(operations) <= set(boto3.client("sagemaker", region_name="us-east-1").meta.service_model.operation_names)


def test_every_create_the_launcher_sends_with_tags_is_one_the_tag_grant_names(statements):
    # The real launcher on moto: record each SageMaker call that carries Tags (SageMaker authorizes those
    # tags as sagemaker:AddTags with sagemaker:TaggingAction = the operation's name).
    from launcher.service import handle
    from tests.support.launcher import REGION, SETTINGS

    tagged: set[str] = set()
    with mock_aws():
        client = boto3.client("sagemaker", region_name=REGION)
        client.meta.events.register(
            "before-parameter-build.sagemaker",
            lambda params, model, **kw: tagged.add(model.name) if params.get("Tags") else None,
        )
        trained = handle({"action": "train"}, SETTINGS, lambda: client)
        for event in (
            {"action": "process"},
            {"action": "tune", "max_jobs": 2, "max_parallel_jobs": 1},
            {"action": "transform", "training_job_name": trained["job_name"]},
        ):
            assert handle(event, SETTINGS, lambda: client)["ok"] is True, event
    (tagging,) = [s for s in statements if "sagemaker:AddTags" in _listify(s["Action"])]
    assert tagged == set(tagging["Condition"]["StringEquals"]["sagemaker:TaggingAction"])


def test_describe_covers_only_names_with_the_prefix(statements):
    describe = _by_sid(statements)["DescribeLabJobs"]
    assert sorted(describe["Action"]) == [
        "sagemaker:DescribeHyperParameterTuningJob",
        "sagemaker:DescribeModel",
        "sagemaker:DescribeProcessingJob",
        "sagemaker:DescribeTrainingJob",
        "sagemaker:DescribeTransformJob",
    ]
    assert _tails(describe["Resource"]) == LAB_RESOURCE_TAILS
    assert "Condition" not in describe


def test_transforms_only_with_the_labs_own_models_on_allowed_instance_types(statements):
    transform = _by_sid(statements)["TransformWithLabModels"]
    assert transform["Action"] == "sagemaker:CreateTransformJob"
    assert _tails(transform["Resource"]) == [":transform-job/mls-*"]
    (model_arn,) = _listify(transform["Condition"]["ArnLike"]["sagemaker:ModelArn"])
    assert model_arn["Fn::Join"][1][-1] == ":model/mls-*"
    assert transform["Condition"] == {"ArnLike": transform["Condition"]["ArnLike"], **ALLOWED_TYPES}


def test_no_action_is_granted_twice_on_the_same_resource(statements):
    granted = [
        (a, json.dumps(r, sort_keys=True))
        for s in statements
        for a in _listify(s["Action"])
        for r in _listify(s["Resource"])
    ]
    assert len(granted) == len(set(granted))


def test_star_resource_only_for_list_calls_and_no_wildcard_actions(statements):
    star = sorted(a for s in statements if s["Resource"] == "*" for a in _listify(s["Action"]))
    assert star == [
        "sagemaker:ListHyperParameterTuningJobs",
        "sagemaker:ListProcessingJobs",
        "sagemaker:ListTrainingJobs",
        "sagemaker:ListTransformJobs",
    ]
    assert all("*" not in a for s in statements for a in _listify(s["Action"]))


def test_passes_only_the_execution_role_and_only_to_sagemaker(statements):
    (passing,) = [s for s in statements if "iam:PassRole" in _listify(s["Action"])]
    assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}
    assert "ExecutionRole" in passing["Resource"]["Fn::ImportValue"]


def test_function_name_is_a_stack_output(tj):
    (fn_id,) = [
        k
        for k, r in tj["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function" and k.startswith("LauncherFunction")
    ]
    assert tj["Outputs"]["LauncherFunctionName"]["Value"] == {"Ref": fn_id}


def test_zipped_asset_is_under_50_kb_and_holds_only_the_code(synth, function):
    key = function["Properties"]["Code"]["S3Key"]
    asset_dir = os.path.join(synth.outdir, "asset." + key.removesuffix(".zip"))
    buffer = io.BytesIO()
    files = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for root, _, names in os.walk(asset_dir):
            for name in names:
                path = os.path.join(root, name)
                files.append(os.path.relpath(path, asset_dir))
                archive.write(path, files[-1])
    assert "handler.py" in files and not any("__pycache__" in f or f.endswith(".pyc") for f in files)
    assert buffer.tell() < ASSET_LIMIT_BYTES, f"{buffer.tell()} bytes"


def test_launcher_grants_invoke():
    stack = Stack(App(), "S")
    bucket = StudyBucket(stack, "B", sample_data_dir=SAMPLE_DATA_DIR, training_code_dir=TRAINING_CODE_DIR)
    launcher = JobLauncher(
        stack,
        "L",
        study_bucket=bucket,
        execution_role=SageMakerExecutionRole(stack, "R", study_bucket=bucket),
        prefix="lab",
    )
    user = iam.User(stack, "U")
    launcher.grant_invoke(user)
    doc = stack.resolve(user.node.find_child("DefaultPolicy").document.to_json())
    assert any(s["Action"] == "lambda:InvokeFunction" for s in doc["Statement"])


@pytest.mark.parametrize(
    "props, message",
    [
        ({"prefix": "Lab"}, "prefix='Lab'"),
        ({"prefix": "lab", "xgboost_version": "2.0"}, "xgboost_version='2.0'"),
        ({"prefix": "lab", "allowed_instance_types": []}, "allowed_instance_types"),
        ({"prefix": "lab", "allowed_instance_types": ["m5.large"]}, "allowed_instance_types"),
        ({"prefix": "lab", "default_instance_type": "ml.m5.xlarge"}, "default_instance_type='ml.m5.xlarge'"),
        ({"prefix": "lab", "memory_size": 4096}, "memory_size=4096"),
        ({"prefix": "lab", "timeout": Duration.minutes(10)}, "timeout"),
    ],
)
def test_bad_props_fail_with_the_prop_named(props, message):
    stack = Stack(App(), "S")
    bucket = StudyBucket(stack, "B", sample_data_dir=SAMPLE_DATA_DIR, training_code_dir=TRAINING_CODE_DIR)
    role = SageMakerExecutionRole(stack, "R", study_bucket=bucket)
    with pytest.raises(ValueError, match=re.escape(f"JobLauncher {message}")):
        JobLauncher(stack, "L", study_bucket=bucket, execution_role=role, **props)
