"""Serving stack: only with a model in context; the endpoint in each mode, Batch Transform, the time-to-live."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template
from syrupy.extensions.json import JSONSnapshotExtension

from study_env.algorithms import BY_NAME
from study_env.app import build_stacks
from study_env.config import StudyConfig
from study_env.constructs.batch_transform import BatchTransform
from study_env.constructs.execution_role import SageMakerExecutionRole
from study_env.constructs.model_endpoint import ModelEndpoint
from study_env.constructs.stack_time_to_live import StackTimeToLive
from study_env.constructs.study_bucket import StudyBucket
from study_env.paths import SAMPLE_DATA_DIR, TRAINING_CODE_DIR
from study_env.stacks.serving import ServingStack
from tests.support.synthesis import ASSET_HASH_RE, ROOT, masked, nag_findings, synthesize

# The second serving variant: a model key instead of a job, async mode, no time-to-live.
ASYNC_CONTEXT = {"model_key": "models/artifacts/demo/model.tar.gz", "endpoint_mode": "async", "endpoint_ttl_hours": 0}


@pytest.fixture(scope="module")
def serving(serving_synth):
    return serving_synth.template("serving")


@pytest.fixture(scope="module")
def stj(serving_synth):
    return serving_synth.template_json("serving")


@pytest.fixture(scope="module")
def async_synth(tmp_path_factory):
    return synthesize(ASYNC_CONTEXT, nag=False, outdir=str(tmp_path_factory.mktemp("cdk-async")))


@pytest.fixture(scope="module")
def instance_stack():
    """ModelEndpoint in instance mode with data capture, plus grants, in a small stack of its own."""
    stack = Stack(App(), "Instance")
    bucket = StudyBucket(stack, "Bucket", sample_data_dir=SAMPLE_DATA_DIR, training_code_dir=TRAINING_CODE_DIR)
    role = SageMakerExecutionRole(stack, "Role", study_bucket=bucket)
    endpoint = ModelEndpoint(
        stack,
        "Endpoint",
        study_bucket=bucket,
        execution_role=role,
        model_data_key="models/m/model.tar.gz",
        endpoint_name="lab-endpoint",
        mode="instance",
        instance_type="ml.t2.medium",
        capture_percent=20,
    )
    transform = BatchTransform(
        stack, "Transform", model=endpoint.model, job_name_prefix="lab", allowed_instance_types=["ml.m5.large"]
    )
    client = iam.Role(stack, "Client", assumed_by=iam.AccountRootPrincipal())
    endpoint.grant_invoke(client)
    transform.grant_transform(client)
    return Template.from_stack(stack).to_json()


def _by_type(template_json: dict, rtype: str) -> dict:
    return {k: r for k, r in template_json["Resources"].items() if r["Type"] == rtype}


def _one(template_json: dict, rtype: str) -> tuple[str, dict]:
    (item,) = _by_type(template_json, rtype).items()
    return item


# ---- when the stack exists ---------------------------------------------------------------------


def _endpoint_of(algorithm: str, mode: str = "serverless") -> tuple[ModelEndpoint, dict]:
    stack = Stack(App(), "Served")
    bucket = StudyBucket(stack, "Bucket", sample_data_dir=SAMPLE_DATA_DIR, training_code_dir=TRAINING_CODE_DIR)
    role = SageMakerExecutionRole(stack, "Role", study_bucket=bucket)
    endpoint = ModelEndpoint(
        stack,
        "Endpoint",
        study_bucket=bucket,
        execution_role=role,
        model_data_key="models/training/mls-train-kmeans/output/model.tar.gz",
        endpoint_name="lab-endpoint",
        algorithm=algorithm,
        mode=mode,
    )
    return endpoint, Template.from_stack(stack).to_json()


@pytest.mark.parametrize(
    ("algorithm", "repository", "call"),
    [
        (
            "kmeans",
            "firstPartyRegistry",
            "--content-type text/csv --accept application/jsonlines --body fileb://row.csv prediction.json",
        ),
        (
            "deepar",
            "forecastingRegistry",
            "--content-type application/json --accept application/json --body fileb://request.json prediction.json",
        ),
        (
            "image-classification",
            "legacyRegistry",
            "--content-type application/x-image --accept application/json --body fileb://image.jpg prediction.json",
        ),
    ],
)
def test_a_model_of_another_algorithm_is_served_by_its_image_in_the_types_it_reads(algorithm, repository, call):
    endpoint, template = _endpoint_of(algorithm)
    _, model = _one(template, "AWS::SageMaker::Model")
    registry, path = model["Properties"]["PrimaryContainer"]["Image"]["Fn::Join"][1]
    assert registry == {"Fn::FindInMap": ["SageMakerImageRegistries", {"Ref": "AWS::Region"}, repository]}
    assert path == f"/{BY_NAME[algorithm].repository}:1"
    assert endpoint.invoke_command.endswith(call)


def test_the_serving_stack_serves_the_algorithm_context_names():
    config = StudyConfig.from_context({"training_job_name": "mls-train-kmeans", "algorithm": "kmeans"}.get)
    stacks = build_stacks(App(), config)
    outputs = Template.from_stack(stacks["serving"]).to_json()["Outputs"]
    assert (outputs["ContentType"]["Value"], outputs["Accept"]["Value"]) == ("text/csv", "application/jsonlines")
    assert "row.csv holds one line of comma-separated features" in outputs["InvokeCommand"]["Description"]
    assert "kmeans endpoint" in outputs["ContentType"]["Description"]


def test_the_default_app_has_no_serving_stack_and_no_endpoint(synth):
    assert "serving" not in synth.stacks
    for path in synth.template_paths():
        with open(path) as fh:
            assert "AWS::SageMaker::Endpoint" not in fh.read()


def test_a_model_in_context_adds_the_serving_stack(serving_synth):
    assert sorted(serving_synth.stacks) == ["foundation", "jobs", "serving", "studio"]
    assert serving_synth.stacks["serving"].stack_name == "mls-serving"


def test_serving_stack_template_snapshot(serving_synth, snapshot):
    template = masked(serving_synth.template_json("serving"))
    assert not ASSET_HASH_RE.search(str(template))
    assert template == snapshot.use_extension(JSONSnapshotExtension)


def test_serving_variant_has_no_unacknowledged_nag_findings(serving_synth):
    assert nag_findings(serving_synth.validation_report) == []


@pytest.mark.slow
def test_serving_variants_are_cfn_lint_clean(serving_synth, async_synth):
    cfn_lint = os.path.join(os.path.dirname(sys.executable), "cfn-lint")
    paths = [
        os.path.join(s.outdir, f"{s.stacks['serving'].artifact_id}.template.json") for s in (serving_synth, async_synth)
    ]
    result = subprocess.run(
        [cfn_lint, "--format", "parseable", *paths], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ---- the model and the endpoint ----------------------------------------------------------------


def test_model_serves_the_training_jobs_artifact_with_the_mapped_xgboost_image(stj):
    _, model = _one(stj, "AWS::SageMaker::Model")
    container = model["Properties"]["PrimaryContainer"]
    assert container["ModelDataUrl"]["Fn::Join"][1][-1] == "/models/training/mls-train-demo/output/model.tar.gz"
    assert container["ModelDataUrl"]["Fn::Join"][1][1]["Fn::ImportValue"].startswith(
        "mls-foundation:ExportsOutputRefStudyBucket"
    )
    assert container["Image"] == {
        "Fn::Join": [
            "",
            [
                {"Fn::FindInMap": ["SageMakerImageRegistries", {"Ref": "AWS::Region"}, "registry"]},
                "/sagemaker-xgboost:1.7-1",
            ],
        ]
    }
    assert model["Properties"]["ExecutionRoleArn"]["Fn::ImportValue"].startswith(
        "mls-foundation:ExportsOutputFnGetAttExecutionRole"
    )


def test_serverless_is_the_default_with_memory_and_concurrency_from_context(stj):
    model_id, _ = _one(stj, "AWS::SageMaker::Model")
    _, config = _one(stj, "AWS::SageMaker::EndpointConfig")
    assert config["Properties"]["ProductionVariants"] == [
        {
            "ModelName": {"Fn::GetAtt": [model_id, "ModelName"]},
            "VariantName": "AllTraffic",
            "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5},
        }
    ]
    assert "DataCaptureConfig" not in config["Properties"]
    assert "AsyncInferenceConfig" not in config["Properties"]


def test_endpoint_is_named_after_the_prefix_and_its_name_and_a_call_are_outputs(serving):
    serving.has_resource_properties("AWS::SageMaker::Endpoint", {"EndpointName": "mls-endpoint"})
    serving.has_output(
        "EndpointName", {"Value": {"Fn::GetAtt": [Match.string_like_regexp("^ModelEndpoint"), "EndpointName"]}}
    )
    outputs = serving.to_json()["Outputs"]
    command = outputs["InvokeCommand"]["Value"]["Fn::Join"][1]
    assert command[0] == "aws sagemaker-runtime invoke-endpoint --endpoint-name "
    assert command[2] == " --content-type text/csv --accept text/csv --body fileb://row.csv prediction.txt"
    assert (outputs["ContentType"]["Value"], outputs["Accept"]["Value"]) == ("text/csv", "text/csv")
    assert set(outputs) == {
        "EndpointName",
        "InvokeCommand",
        "ContentType",
        "Accept",
        "ExpiresAt",
        "ExpiryRoleArn",
        "ModelData",
        "TransformModelName",
        "TransformInput",
        "TransformOutput",
    }


def test_instance_mode_runs_one_instance_of_the_given_type_with_data_capture_when_asked(instance_stack):
    _, config = _one(instance_stack, "AWS::SageMaker::EndpointConfig")
    (variant,) = config["Properties"]["ProductionVariants"]
    assert (variant["InitialInstanceCount"], variant["InstanceType"]) == (1, "ml.t2.medium")
    assert "ServerlessConfig" not in variant
    capture = config["Properties"]["DataCaptureConfig"]
    assert capture["InitialSamplingPercentage"] == 20
    assert capture["DestinationS3Uri"]["Fn::Join"][1][-1] == "/output/data-capture/"


def test_async_mode_writes_under_output_predictions_async_and_serves_a_model_key(async_synth):
    tj = async_synth.template_json("serving")
    _, config = _one(tj, "AWS::SageMaker::EndpointConfig")
    output = config["Properties"]["AsyncInferenceConfig"]["OutputConfig"]
    assert output["S3OutputPath"]["Fn::Join"][1][-1] == "/output/predictions/async/"
    assert output["S3FailurePath"]["Fn::Join"][1][-1] == "/output/predictions/async-failures/"
    (variant,) = config["Properties"]["ProductionVariants"]
    assert (variant["InitialInstanceCount"], variant["InstanceType"]) == (1, "ml.m5.large")
    _, model = _one(tj, "AWS::SageMaker::Model")
    assert (
        model["Properties"]["PrimaryContainer"]["ModelDataUrl"]["Fn::Join"][1][-1]
        == "/models/artifacts/demo/model.tar.gz"
    )
    command = tj["Outputs"]["InvokeCommand"]["Value"]["Fn::Join"][1]
    assert command[0] == "aws sagemaker-runtime invoke-endpoint-async --endpoint-name "
    assert (
        command[2]
        == " --content-type text/csv --accept text/csv --input-location s3://BUCKET/data/processed/test/row.csv"
    )


def test_grant_invoke_allows_calling_this_endpoint_only(instance_stack):
    statements = [
        s
        for p in _by_type(instance_stack, "AWS::IAM::Policy").values()
        if "Client" in p["Properties"]["Roles"][0]["Ref"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    endpoint_id, _ = _one(instance_stack, "AWS::SageMaker::Endpoint")
    assert {"Action": "sagemaker:InvokeEndpoint", "Effect": "Allow", "Resource": {"Ref": endpoint_id}} in statements


# ---- batch transform ---------------------------------------------------------------------------


def test_batch_transform_grant_is_this_model_lab_named_jobs_and_allowed_types(instance_stack):
    statements = [
        s
        for p in _by_type(instance_stack, "AWS::IAM::Policy").values()
        if "Client" in p["Properties"]["Roles"][0]["Ref"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    model_id, _ = _one(instance_stack, "AWS::SageMaker::Model")
    (create,) = [s for s in statements if s["Action"] == "sagemaker:CreateTransformJob"]
    assert create["Resource"]["Fn::Join"][1][-1] == ":transform-job/lab-*"
    assert create["Condition"] == {
        "ArnEquals": {"sagemaker:ModelArn": {"Ref": model_id}},
        "ForAllValues:StringEquals": {"sagemaker:InstanceTypes": ["ml.m5.large"]},
    }
    # Tagging is the grantee's own (the launcher has it); besides reading this model, the grant adds nothing.
    others = [s for s in statements if s is not create and "sagemaker:InvokeEndpoint" not in s["Action"]]
    assert others == [{"Action": "sagemaker:DescribeModel", "Effect": "Allow", "Resource": {"Ref": model_id}}]


def test_the_launcher_may_transform_with_the_serving_model_from_the_serving_stack(stj):
    # The grant lives in the Serving stack (deleted with it) and names the launcher's role by import.
    policies = [
        r for k, r in stj["Resources"].items() if r["Type"] == "AWS::IAM::Policy" and k.startswith("LauncherRole")
    ]
    (policy,) = policies
    assert {"Fn::ImportValue": "mls-launcher-role-arn"} in json.loads(json.dumps(policy["Properties"]["Roles"][0]))[
        "Fn::Select"
    ][1]["Fn::Split"][1]["Fn::Select"][1]["Fn::Split"]
    model_id = next(k for k, r in stj["Resources"].items() if r["Type"] == "AWS::SageMaker::Model")
    # It reads the model's image to send what its algorithm reads, and starts transforms of it only.
    describe, create = policy["Properties"]["PolicyDocument"]["Statement"]
    assert describe == {"Action": "sagemaker:DescribeModel", "Effect": "Allow", "Resource": {"Ref": model_id}}
    assert create["Action"] == "sagemaker:CreateTransformJob"
    assert create["Condition"]["ArnEquals"] == {"sagemaker:ModelArn": {"Ref": model_id}}


def test_transform_outputs_are_the_launchers_default_prefixes(serving):
    outputs = serving.to_json()["Outputs"]
    assert outputs["TransformInput"] == {
        "Description": "The launcher's default input_prefix for a transform, in the study bucket",
        "Value": "data/processed/test/",
    }
    assert outputs["TransformOutput"] == {
        "Description": "The launcher's default output_prefix for a transform; "
        "each job writes into <this><job name>/ in the study bucket",
        "Value": "output/predictions/",
    }
    assert outputs["ModelData"]["Value"] == "models/training/mls-train-demo/output/model.tar.gz"
    assert outputs["TransformModelName"]["Value"]["Fn::GetAtt"][1] == "ModelName"


# ---- time-to-live ------------------------------------------------------------------------------


def test_ttl_schedule_deletes_this_stack_at_a_time_computed_at_deploy(stj):
    expiry_id, expiry = _one(stj, "Custom::StackExpiry")
    config_id, _ = _one(stj, "AWS::SageMaker::EndpointConfig")
    assert expiry["Properties"]["TtlHours"] == 4
    clock = stj["Resources"][expiry["Properties"]["ServiceToken"]["Fn::GetAtt"][0]]["Properties"]
    assert int(expiry["Properties"]["ServiceTimeout"]) == clock["Timeout"] + 60 == 120
    assert expiry["Properties"]["RestartOn"] == [{"Fn::GetAtt": [config_id, "EndpointConfigName"]}]
    _, schedule = _one(stj, "AWS::Scheduler::Schedule")
    props = schedule["Properties"]
    assert props["ScheduleExpression"] == {"Fn::GetAtt": [expiry_id, "ScheduleExpression"]}
    assert props["ScheduleExpressionTimezone"] == "UTC"
    assert props["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert props["Target"]["Arn"] == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":scheduler:::aws-sdk:cloudformation:deleteStack"]]
    }
    assert json.loads(_resolve(props["Target"]["Input"])) == {
        "StackName": PSEUDO["AWS::StackId"],
        "RoleARN": _resolve({"Fn::Join": ["", CFN_EXEC_ROLE_PARTS]}),
    }
    assert stj["Outputs"]["ExpiresAt"]["Value"] == {"Fn::GetAtt": [expiry_id, "ExpiresAt"]}
    assert stj["Outputs"]["ExpiryRoleArn"]["Value"] == {"Fn::Join": ["", CFN_EXEC_ROLE_PARTS]}


# The bootstrap's CloudFormation execution role (cdk bootstrap, default qualifier), in this stack's account
# and region: what DefaultStackSynthesizer deploys with.
CFN_EXEC_ROLE_PARTS = [
    "arn:",
    {"Ref": "AWS::Partition"},
    ":iam::",
    {"Ref": "AWS::AccountId"},
    ":role/cdk-hnb659fds-cfn-exec-role-",
    {"Ref": "AWS::AccountId"},
    "-",
    {"Ref": "AWS::Region"},
]
PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::AccountId": "123456789012",
    "AWS::Region": "eu-west-1",
    "AWS::StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/mls-serving/0a1b",
}


def _resolve(value, refs=PSEUDO):
    """A template value with pseudo-parameter Refs and Fn::Join resolved, as CloudFormation would."""
    if isinstance(value, dict) and "Ref" in value:
        return refs[value["Ref"]]
    if isinstance(value, dict) and "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        return sep.join(_resolve(p, refs) for p in parts)
    if isinstance(value, dict):
        return {k: _resolve(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, refs) for v in value]
    return value


def test_the_schedule_calls_delete_stack_with_parameters_cloudformations_api_accepts(stj):
    # Scheduler's universal target passes Input as the API's parameters: botocore's model of DeleteStack
    # refuses a misspelt one (RoleArn, Rolearn) as the real API would.
    import boto3
    from botocore.stub import Stubber

    _, schedule = _one(stj, "AWS::Scheduler::Schedule")
    params = json.loads(_resolve(schedule["Properties"]["Target"]["Input"]))
    assert params == {
        "StackName": PSEUDO["AWS::StackId"],
        "RoleARN": "arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-eu-west-1",
    }
    cfn = boto3.client("cloudformation", region_name="eu-west-1")
    with Stubber(cfn) as stub:
        stub.add_response("delete_stack", {}, params)
        cfn.delete_stack(**params)


def test_a_failed_expiry_lands_in_a_dead_letter_queue_whose_alarm_tells_the_alerts_topic(stj, serving_synth):
    _, schedule = _one(stj, "AWS::Scheduler::Schedule")
    target = schedule["Properties"]["Target"]
    queue_id, queue = _one(stj, "AWS::SQS::Queue")
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [queue_id, "Arn"]}}
    # Reported within the hour, not after Scheduler's default 24 hours of retries.
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3}
    # Free while empty; messages kept long enough to be read.
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    _, alarm = _one(stj, "AWS::CloudWatch::Alarm")
    props = alarm["Properties"]
    assert (props["Namespace"], props["MetricName"], props["Dimensions"]) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_id, "QueueName"]}}],
    )
    assert (props["ComparisonOperator"], props["Threshold"], props["TreatMissingData"]) == (
        "GreaterThanOrEqualToThreshold",
        1,
        "notBreaching",
    )
    (action,) = props["AlarmActions"]
    assert action["Fn::ImportValue"].startswith("mls-foundation:ExportsOutputRefAlertsTopic")
    # The topic's policy lets CloudWatch alarms of this lab publish: the alarm's name must fit it.
    foundation = serving_synth.template_json("foundation")
    (policy,) = [r for r in foundation["Resources"].values() if r["Type"] == "AWS::SNS::TopicPolicy"]
    (alarms,) = [st for st in policy["Properties"]["PolicyDocument"]["Statement"] if st.get("Sid") == "AlarmsPublish"]
    pattern = _resolve(alarms["Condition"]["ArnLike"]["aws:SourceArn"])
    alarm_arn = f"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:{props['AlarmName']}"
    assert re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), alarm_arn), (pattern, alarm_arn)


def test_template_holds_no_timestamp(stj):
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", str(stj))


def test_scheduler_role_may_delete_this_stack_and_nothing_else(stj):
    roles = {k: r for k, r in _by_type(stj, "AWS::IAM::Role").items() if k.startswith("TimeToLiveSchedulerRole")}
    ((role_id, role),) = roles.items()
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    policies = [p for p in _by_type(stj, "AWS::IAM::Policy").values() if p["Properties"]["Roles"] == [{"Ref": role_id}]]
    queue_id, _ = _one(stj, "AWS::SQS::Queue")
    role_arn = {"Fn::Join": ["", CFN_EXEC_ROLE_PARTS]}
    assert [p["Properties"]["PolicyDocument"]["Statement"] for p in policies] == [
        [
            {
                "Action": "cloudformation:DeleteStack",
                "Condition": {"ArnEquals": {"cloudformation:RoleArn": role_arn}},
                "Effect": "Allow",
                "Resource": {"Ref": "AWS::StackId"},
                "Sid": "DeleteThisStackOnlyWithItsRole",
            },
            # Using a stack's service role takes iam:PassRole on it; only to CloudFormation.
            {
                "Action": "iam:PassRole",
                "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}},
                "Effect": "Allow",
                "Resource": role_arn,
                "Sid": "PassTheStacksRoleToCloudFormation",
            },
            {
                "Action": "sqs:SendMessage",
                "Effect": "Allow",
                "Resource": {"Fn::GetAtt": [queue_id, "Arn"]},
                "Sid": "ReportFailedCalls",
            },
        ]
    ]
    _, schedule = _one(stj, "AWS::Scheduler::Schedule")
    assert schedule["Properties"]["Target"]["RoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}


def _ttl_stack(app: App | None = None, **stack_props) -> Stack:
    return Stack(app or App(), "Serving", stack_name="lab-serving", **stack_props)


def test_the_role_follows_the_bootstrap_qualifier_and_a_concrete_environment():
    from aws_cdk import Environment

    app = App(context={"@aws-cdk/core:bootstrapQualifier": "abc123"})
    stack = _ttl_stack(app, env=Environment(account="111122223333", region="ap-northeast-2"))
    ttl = StackTimeToLive(stack, "TimeToLive", hours=2)
    assert stack.resolve(ttl.execution_role_arn) == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":iam::111122223333:role/cdk-abc123-cfn-exec-role-111122223333-ap-northeast-2",
            ],
        ]
    }


def test_an_explicit_execution_role_is_used_as_given():
    stack = _ttl_stack()
    ttl = StackTimeToLive(stack, "TimeToLive", hours=2, execution_role_arn="arn:aws:iam::123456789012:role/my-cfn")
    (schedule,) = Template.from_stack(stack).find_resources("AWS::Scheduler::Schedule").values()
    assert json.loads(_resolve(schedule["Properties"]["Target"]["Input"]))["RoleARN"] == (
        "arn:aws:iam::123456789012:role/my-cfn"
    )
    assert ttl.execution_role_arn == "arn:aws:iam::123456789012:role/my-cfn"


def test_a_synthesizer_without_an_execution_role_fails_with_one_line():
    from aws_cdk import CliCredentialsStackSynthesizer

    stack = _ttl_stack(synthesizer=CliCredentialsStackSynthesizer())
    with pytest.raises(ValueError) as err:
        StackTimeToLive(stack, "TimeToLive", hours=2)
    message = str(err.value)
    assert message.startswith(
        "StackTimeToLive: the synthesizer of lab-serving (CliCredentialsStackSynthesizer) names no CloudFormation "
        "execution role for the scheduled DeleteStack"
    )
    assert "\n" not in message


def test_ttl_zero_creates_no_schedule_and_says_so(async_synth):
    tj = async_synth.template_json("serving")
    assert _by_type(tj, "AWS::Scheduler::Schedule") == {}
    assert _by_type(tj, "Custom::StackExpiry") == {}
    assert _by_type(tj, "AWS::Lambda::Function") == {}
    assert tj["Outputs"]["ExpiresAt"]["Value"] == (
        "never (endpoint_ttl_hours=0): npx cdk destroy mls-serving --exclusively with the same -c context removes it"
    )


# ---- bad input ---------------------------------------------------------------------------------


def test_serving_stack_refuses_a_config_without_a_model():
    with pytest.raises(ValueError, match="ServingStack: context names no model"):
        ServingStack(App(), "Serving", config=StudyConfig(), study_bucket=None, execution_role=None)


@pytest.mark.parametrize(
    "props,message",
    [
        (
            {"model_data_key": "data/raw/model.tar.gz"},
            "model_data_key='data/raw/model.tar.gz': must be a key under models/",
        ),
        ({"model_data_key": "models/../x.tar.gz"}, "model_data_key"),
        ({"endpoint_name": "bad_name"}, "endpoint_name='bad_name'"),
        ({"mode": "always-on"}, "mode='always-on': must be one of serverless, instance, async"),
        ({"serverless_memory_mb": 1000}, "serverless_memory_mb=1000"),
        ({"serverless_max_concurrency": 0}, "serverless_max_concurrency=0: must be between 1 and 200"),
        ({"instance_type": "m5.large"}, "instance_type='m5.large'"),
        ({"instance_type": "ml.t3.medium"}, "instance_type='ml.t3.medium': must be an instance type SageMaker hosts"),
        ({"capture_percent": 101}, "capture_percent=101"),
        ({"capture_percent": 10}, "capture_percent=10: serverless endpoints do not support data capture"),
        ({"xgboost_version": "0.90-1"}, "xgboost_version='0.90-1'"),
        ({"algorithm": "k-means"}, "algorithm='k-means': must be one of xgboost, linear-learner, kmeans"),
    ],
)
def test_model_endpoint_refuses_bad_props(props, message):
    stack = Stack(App(), "Bad")
    bucket = StudyBucket(stack, "Bucket", sample_data_dir=SAMPLE_DATA_DIR, training_code_dir=TRAINING_CODE_DIR)
    role = SageMakerExecutionRole(stack, "Role", study_bucket=bucket)
    kwargs = {"model_data_key": "models/m/model.tar.gz", "endpoint_name": "lab-endpoint", **props}
    with pytest.raises(ValueError, match=r"^ModelEndpoint " + message.replace("(", r"\(").replace(".", r"\.")):
        ModelEndpoint(stack, "Endpoint", study_bucket=bucket, execution_role=role, **kwargs)


@pytest.mark.parametrize("hours", [0, 169, True, 2.5])
def test_time_to_live_refuses_hours_outside_1_to_168(hours):
    with pytest.raises(ValueError, match=r"StackTimeToLive hours=.*: must be a whole number between 1 and 168"):
        StackTimeToLive(Stack(App(), "S"), "TTL", hours=hours)


@pytest.mark.parametrize(
    "props,message",
    [
        ({"job_name_prefix": "Lab"}, "job_name_prefix='Lab': must be 2-10 lowercase letters and digits"),
        ({"job_name_prefix": "lab-1"}, "job_name_prefix='lab-1'"),
        ({"allowed_instance_types": []}, "allowed_instance_types: name at least one"),
        (
            {"allowed_instance_types": ["m5.large"]},
            "allowed_instance_types='m5.large': must look like ml.<family>.<size>",
        ),
        ({"input_prefix": "models/x/"}, "input_prefix='models/x/': must be under data/"),
        ({"output_prefix": "data/processed/"}, "output_prefix='data/processed/': must be under output/"),
        ({"input_prefix": "data/../code/"}, "BatchTransform prefix 'data/../code/': must be a relative key prefix"),
    ],
)
def test_batch_transform_refuses_bad_props(props, message):
    stack = Stack(App(), "Bad")
    bucket = StudyBucket(stack, "Bucket", sample_data_dir=SAMPLE_DATA_DIR, training_code_dir=TRAINING_CODE_DIR)
    role = SageMakerExecutionRole(stack, "Role", study_bucket=bucket)
    endpoint = ModelEndpoint(
        stack, "E", study_bucket=bucket, execution_role=role, model_data_key="models/m.tar.gz", endpoint_name="e"
    )
    kwargs = {"job_name_prefix": "lab", "allowed_instance_types": ["ml.m5.large"], **props}
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        BatchTransform(stack, "T", model=endpoint.model, **kwargs)
