"""The study CLI against moto: lab discovery, the in-process launcher, waiting, pipeline, cleanup, errors."""

from __future__ import annotations

import io
import json
import os

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from study_env import cli
from study_env.lab import InProcessTransport, JobFailed, LabError, LambdaTransport, launch, wait_for

FAKE_HANDLER = os.path.join(os.path.dirname(__file__), "fake_launcher", "handler.py")

FOUNDATION_TEMPLATE = {
    "Resources": {
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}],
        }}},
    },
    "Outputs": {
        "BucketName": {"Value": {"Ref": "Bucket"}},
        "ExecutionRoleArn": {"Value": {"Fn::GetAtt": ["Role", "Arn"]}},
    },
}


def jobs_template(bucket: str, role_arn: str) -> dict:
    return {
        "Resources": {
            "Launcher": {"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "handler.handler", "Role": role_arn,
                "Code": {"ZipFile": "def handler(event, context): return None"},
                "Environment": {"Variables": {"LAB_PREFIX": "mls", "STUDY_BUCKET": bucket, "EXECUTION_ROLE_ARN": role_arn}},
            }},
        },
        "Outputs": {"LauncherFunctionName": {"Value": {"Ref": "Launcher"}}},
    }


@pytest.fixture
def aws():
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


@pytest.fixture
def lab(aws):
    cfn = aws.client("cloudformation")
    cfn.create_stack(StackName="mls-foundation", TemplateBody=json.dumps(FOUNDATION_TEMPLATE))
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName="mls-foundation")["Stacks"][0]["Outputs"]}
    cfn.create_stack(StackName="mls-jobs", TemplateBody=json.dumps(jobs_template(outputs["BucketName"], outputs["ExecutionRoleArn"])))
    return outputs


class Printed(list):
    def __call__(self, line: str) -> None:
        self.append(line)

    @property
    def text(self) -> str:
        return "\n".join(self)


class FakeServing:
    """Creates the endpoint as the serving stack would (model, config, endpoint) and removes it."""

    def __init__(self, lab, session) -> None:
        self.session = session
        self.calls: list[str] = []

    def deploy(self, training_job_name: str) -> str:
        sm = self.session.client("sagemaker")
        self.calls.append(f"deploy {training_job_name}")
        sm.create_model(ModelName="mls-model", ExecutionRoleArn="arn:aws:iam::123456789012:role/x",
                        PrimaryContainer={"Image": "img", "ModelDataUrl": "s3://b/models/model.tar.gz"})
        sm.create_endpoint_config(EndpointConfigName="mls-config", ProductionVariants=[{
            "VariantName": "main", "ModelName": "mls-model",
            "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}}])
        sm.create_endpoint(EndpointName="mls-endpoint", EndpointConfigName="mls-config")
        return "mls-endpoint"

    def remove(self) -> None:
        sm = self.session.client("sagemaker")
        self.calls.append("remove")
        sm.delete_endpoint(EndpointName="mls-endpoint")
        sm.delete_endpoint_config(EndpointConfigName="mls-config")
        sm.delete_model(ModelName="mls-model")


def in_process(session):
    return lambda lab: InProcessTransport.from_deployed(session, lab.launcher_function, FAKE_HANDLER)


def run_cli(session, *argv, serving=FakeServing):
    printed = Printed()
    code = cli.run(list(argv), session=session, transport_factory=in_process(session), serving=serving,
                   out=printed, poll_seconds=0)
    return code, printed


def test_status_reads_every_stack_and_says_what_is_missing(aws, lab):
    code, printed = run_cli(aws, "status")
    assert code == 0
    assert f"  BucketName: {lab['BucketName']}" in printed
    assert "mls-jobs: deployed" in printed
    assert "mls-serving: not deployed" in printed
    assert "running jobs: 0" in printed.text


def test_missing_foundation_stack_is_a_clear_error(aws):
    with pytest.raises(LabError, match=r"stack mls-foundation is not deployed in us-east-1: run `make deploy`"):
        run_cli(aws, "status")


def test_job_command_without_jobs_stack_names_it(aws):
    aws.client("cloudformation").create_stack(StackName="mls-foundation", TemplateBody=json.dumps(FOUNDATION_TEMPLATE))
    with pytest.raises(LabError, match=r"stack mls-jobs is not deployed"):
        run_cli(aws, "train")


def test_no_credentials_is_a_clear_error(monkeypatch, tmp_path):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for key in ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    stderr = io.StringIO()
    monkeypatch.setattr("sys.stderr", stderr)
    assert cli.main(["--region", "us-east-1", "status"]) == 1
    assert "study: no AWS credentials found: run `aws configure`" in stderr.getvalue()


def test_train_waits_for_the_job_started_with_the_deployed_environment(aws, lab):
    code, printed = run_cli(aws, "train", "--wait", "--hyperparameter", "max_depth=7")
    assert code == 0
    job_name = printed[0].split("started ")[1]
    job = aws.client("sagemaker").describe_training_job(TrainingJobName=job_name)
    assert job["RoleArn"] == lab["ExecutionRoleArn"]
    assert job["OutputDataConfig"]["S3OutputPath"] == f"s3://{lab['BucketName']}/models/training/"
    assert job["HyperParameters"]["max_depth"] == "7"
    assert printed[-1] == "train: Completed"


def test_rejected_request_names_the_field_and_starts_nothing(aws, lab):
    with pytest.raises(LabError, match=r"launcher rejected 'train' \(field 'instance_type'\): not in allowed"):
        run_cli(aws, "train", "--instance-type", "ml.p4d.24xlarge")
    assert aws.client("sagemaker").list_training_jobs()["TrainingJobSummaries"] == []


def test_pipeline_runs_every_step_and_removes_the_endpoint(aws, lab, tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("0.1,0.2,0.3\n0.4,0.5,0.6\n")
    code, printed = run_cli(aws, "pipeline", "--endpoint", "--rows-file", str(rows))
    assert code == 0
    summary = printed.text.split("pipeline summary:")[1].splitlines()[1:]
    assert [line.split()[1] for line in summary] == ["process", "train", "tune", "transform", "endpoint", "invoke", "delete"]
    assert "Completed" in summary[0] and "InService" in summary[4]
    assert "predictions" in summary[5]
    sm = aws.client("sagemaker")
    tuning = sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"][0]["HyperParameterTuningJobName"]
    best = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=tuning)["BestTrainingJob"]["TrainingJobName"]
    transform = sm.list_transform_jobs()["TransformJobSummaries"][0]["TransformJobName"]
    assert sm.describe_transform_job(TransformJobName=transform)["ModelName"] == best
    assert f"best training job {best} (best of the tuning job)" in summary[2]
    assert sm.list_endpoints()["Endpoints"] == []


def test_pipeline_prints_the_summary_when_a_step_fails(aws, lab, monkeypatch):
    def failing_wait(self, kind, name):
        if kind == "train":
            raise JobFailed(f"training job {name} failed: AlgorithmError: bad label column")
        return cli.wait_for(self.sagemaker, kind, name, timeout_seconds=1, poll_seconds=0)

    monkeypatch.setattr(cli.Context, "wait", failing_wait)
    printed = Printed()
    with pytest.raises(JobFailed, match="AlgorithmError: bad label column"):
        cli.run(["pipeline"], session=aws, transport_factory=in_process(aws), serving=FakeServing, out=printed, poll_seconds=0)
    summary = printed.text.split("pipeline summary:")[1]
    assert "process" in summary and "Completed" in summary and "train" in summary and "FAILED" in summary


class FakeSageMaker:
    """describe_training_job answers from a script of statuses."""

    def __init__(self, statuses, reason=None):
        self.statuses = list(statuses)
        self.reason = reason

    def describe_training_job(self, TrainingJobName):
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return {"TrainingJobStatus": status, "SecondaryStatus": "Training", "FailureReason": self.reason}


def test_wait_reports_progress_and_sagemakers_failure_reason():
    printed = Printed()
    with pytest.raises(JobFailed, match=r"training job j failed: ClientError: no data in s3://b/data/processed/train/"):
        wait_for(FakeSageMaker(["InProgress", "InProgress", "Failed"], "ClientError: no data in s3://b/data/processed/train/"),
                 "train", "j", timeout_seconds=60, poll_seconds=0, progress=printed, sleep=lambda s: None)
    assert printed == ["  training j: InProgress (Training) after 0 s", "  training j: Failed (Training) after 0 s"]


def test_wait_gives_up_after_the_timeout():
    ticks = iter(range(0, 1000, 30))
    with pytest.raises(JobFailed, match=r"still InProgress after 60 s; it keeps running"):
        wait_for(FakeSageMaker(["InProgress"]), "train", "j", timeout_seconds=60, poll_seconds=0,
                 clock=lambda: next(ticks), sleep=lambda s: None)


def test_request_options_become_launcher_fields():
    args = cli.build_parser().parse_args(
        ["tune", "--strategy", "Random", "--max-jobs", "6", "--field", "ranges={\"eta\": {\"min\": 0.1, \"max\": 0.2}}",
         "--request-id", "r1"])
    assert cli.build_request("tune", args) == {
        "action": "tune", "strategy": "Random", "max_jobs": 6, "request_id": "r1",
        "ranges": {"eta": {"min": 0.1, "max": 0.2}},
    }
    with pytest.raises(LabError, match=r"--field 'oops': expected key=value"):
        cli.build_request("process", cli.build_parser().parse_args(["process", "--field", "oops"]))


def test_lambda_transport_reports_a_crashed_function():
    session = boto3.Session(region_name="us-east-1")
    transport = LambdaTransport(session, "mls-launcher")
    with Stubber(transport._lambda) as stub:
        stub.add_response("invoke", {"StatusCode": 200, "FunctionError": "Unhandled",
                                     "Payload": io.BytesIO(b'{"errorMessage": "boom"}')})
        with pytest.raises(LabError, match=r"launcher mls-launcher failed \(Unhandled\): .*boom"):
            launch(transport, {"action": "list"})


def test_cleanup_stops_running_jobs_and_deletes_stray_endpoints(aws, lab):
    ctx = cli.Context(session=aws, lab=cli.find_lab(aws, "mls"), transport_factory=in_process(aws), out=Printed())
    FakeServing(None, aws).deploy("mls-train-1")
    sm = aws.client("sagemaker")
    with Stubber(sm) as stub:
        for operation, key in (("list_processing_jobs", "ProcessingJobSummaries"),):
            stub.add_response(operation, {key: [{"ProcessingJobName": "mls-process-9", "ProcessingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:processing-job/mls-process-9",
                                                 "CreationTime": 0, "ProcessingJobStatus": "InProgress"}]})
        for operation, key in (("list_processing_jobs", "ProcessingJobSummaries"), ("list_training_jobs", "TrainingJobSummaries"),
                               ("list_training_jobs", "TrainingJobSummaries"), ("list_hyper_parameter_tuning_jobs", "HyperParameterTuningJobSummaries"),
                               ("list_hyper_parameter_tuning_jobs", "HyperParameterTuningJobSummaries"),
                               ("list_transform_jobs", "TransformJobSummaries"), ("list_transform_jobs", "TransformJobSummaries")):
            stub.add_response(operation, {key: []})
        stub.add_response("list_endpoints", {"Endpoints": [{"EndpointName": "mls-endpoint", "EndpointArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/mls-endpoint",
                                                            "CreationTime": 0, "LastModifiedTime": 0, "EndpointStatus": "InService"}]})
        stub.add_response("stop_processing_job", {}, {"ProcessingJobName": "mls-process-9"})
        stub.add_response("delete_endpoint", {}, {"EndpointName": "mls-endpoint"})
        ctx.session = type("S", (), {"client": lambda self, name: sm})()
        assert cli.cmd_cleanup(ctx, cli.build_parser().parse_args(["cleanup"])) == 0
        stub.assert_no_pending_responses()
    assert ctx.out == ["stop processing job mls-process-9", "delete endpoint mls-endpoint"]


def test_cleanup_dry_run_changes_nothing(aws, lab):
    FakeServing(None, aws).deploy("mls-train-1")
    code, printed = run_cli(aws, "cleanup", "--dry-run")
    assert printed == ["would delete endpoint mls-endpoint"]
    assert [e["EndpointName"] for e in aws.client("sagemaker").list_endpoints()["Endpoints"]] == ["mls-endpoint"]


def test_console_script_points_at_the_cli_entry_point():
    import importlib
    import tomllib

    from tests.harness import ROOT

    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as fh:
        target = tomllib.load(fh)["project"]["scripts"]["study"]
    module, _, function = target.partition(":")
    assert getattr(importlib.import_module(module), function) is cli.main
