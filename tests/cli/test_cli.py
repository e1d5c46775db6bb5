"""The study CLI on moto, the real launcher handler in-process: discovery, waiting, pipeline, cleanup, errors."""

from __future__ import annotations

import io
import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.response import StreamingBody
from botocore.stub import Stubber
from moto import mock_aws

from launcher import settings as launcher_settings
from study_env import cli
from study_env.algorithms import ALGORITHMS
from study_env.cli import commands, context, entry, parser, serving
from study_env.cli.lab import ACTION_KINDS, JobFailed, Lab, LabError, LambdaTransport, find_lab, launch, wait_for
from study_env.config import StudyConfig
from study_env.job_kinds import TRAINING
from study_env.paths import ROOT
from tests.support.launcher import ENVIRONMENT
from tools.sandbox import gaps
from tools.sandbox.forgotten import deploy_requests
from tools.sandbox.in_process import InProcessTransport

FOUNDATION_TEMPLATE = {
    "Resources": {
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "sagemaker.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            },
        },
    },
    "Outputs": {
        "BucketName": {"Value": {"Ref": "Bucket"}},
        "ExecutionRoleArn": {"Value": {"Fn::GetAtt": ["Role", "Arn"]}},
    },
}


def launcher_environment(prefix: str, bucket: str, role_arn: str) -> dict[str, str]:
    """What the JobLauncher construct sets (AWS_REGION comes from the Lambda runtime, not the function)."""
    environment = {name: ENVIRONMENT[name] for name in launcher_settings.ENVIRONMENT_VARIABLES}
    environment.update(
        {launcher_settings.PREFIX: prefix, launcher_settings.BUCKET: bucket, launcher_settings.ROLE_ARN: role_arn}
    )
    return environment


def jobs_template(prefix: str, bucket: str, role_arn: str) -> dict:
    return {
        "Resources": {
            "Launcher": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "handler.handler",
                    "Role": role_arn,
                    "Code": {"ZipFile": "def handler(event, context): return None"},
                    "Environment": {"Variables": launcher_environment(prefix, bucket, role_arn)},
                },
            },
        },
        "Outputs": {"LauncherFunctionName": {"Value": {"Ref": "Launcher"}}},
    }


@pytest.fixture
def aws():
    # The sandbox's emulator: moto's tuning job otherwise names a best training job that does not exist.
    with mock_aws(), gaps.patch_emulator():
        yield boto3.Session(region_name="us-east-1")


# The Studio stack's outputs as the real stack names them (moto has no Studio domain: a topic stands in).
STUDIO_TEMPLATE = {
    "Resources": {"Domain": {"Type": "AWS::SNS::Topic"}},
    "Outputs": {"DomainId": {"Value": "d-abc123"}, "UserProfileName": {"Value": "student"}},
}


def deploy_lab(session, prefix: str) -> dict[str, str]:
    """The foundation, studio and jobs stacks of lab ``prefix``; returns the foundation's outputs."""
    cfn = session.client("cloudformation")
    cfn.create_stack(StackName=f"{prefix}-foundation", TemplateBody=json.dumps(FOUNDATION_TEMPLATE))
    cfn.create_stack(StackName=f"{prefix}-studio", TemplateBody=json.dumps(STUDIO_TEMPLATE))
    stack = cfn.describe_stacks(StackName=f"{prefix}-foundation")["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    cfn.create_stack(
        StackName=f"{prefix}-jobs",
        TemplateBody=json.dumps(jobs_template(prefix, outputs["BucketName"], outputs["ExecutionRoleArn"])),
    )
    return outputs


@pytest.fixture
def lab(aws):
    return deploy_lab(aws, "mls")


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
        sm.create_model(
            ModelName="mls-model",
            ExecutionRoleArn="arn:aws:iam::123456789012:role/x",
            PrimaryContainer={"Image": "img", "ModelDataUrl": "s3://b/models/model.tar.gz"},
        )
        sm.create_endpoint_config(
            EndpointConfigName="mls-config",
            ProductionVariants=[
                {
                    "VariantName": "main",
                    "ModelName": "mls-model",
                    "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5},
                }
            ],
        )
        sm.create_endpoint(EndpointName="mls-endpoint", EndpointConfigName="mls-config")
        return "mls-endpoint"

    def remove(self) -> None:
        sm = self.session.client("sagemaker")
        self.calls.append("remove")
        sm.delete_endpoint(EndpointName="mls-endpoint")
        sm.delete_endpoint_config(EndpointConfigName="mls-config")
        sm.delete_model(ModelName="mls-model")


def in_process(session):
    """The real launcher handler (lambda/launcher/handler.py), with the deployed function's environment."""
    return lambda lab: InProcessTransport.from_deployed(session, lab.launcher_function)


def run_cli(session, *argv, serving=FakeServing):
    printed = Printed()
    code = cli.run(
        list(argv), session=session, transport_factory=in_process(session), serving=serving, out=printed, poll_seconds=0
    )
    return code, printed


def test_status_reads_every_stack_and_says_what_is_missing(aws, lab):
    code, printed = run_cli(aws, "status")
    assert code == 0
    assert f"  BucketName: {lab['BucketName']}" in printed
    assert "mls-studio: deployed" in printed
    assert "  DomainId: d-abc123" in printed and "  UserProfileName: student" in printed
    assert "mls-jobs: deployed" in printed
    assert "mls-serving: not deployed" in printed
    assert "what bills now" in printed.text
    assert printed[-1] == "bills now: $0.000 an hour ($0.00 a day); so far: $0.00"


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
    job_name, console_url = printed[0].split("started ")[1].split()
    assert job_name.startswith("mls-train-") and console_url.endswith(f"#/jobs/{job_name}")
    job = aws.client("sagemaker").describe_training_job(TrainingJobName=job_name)
    assert job["RoleArn"] == lab["ExecutionRoleArn"]
    assert job["OutputDataConfig"]["S3OutputPath"] == f"s3://{lab['BucketName']}/models/training/"
    assert job["HyperParameters"]["max_depth"] == "7"
    assert printed[-1] == "train: Completed"


def test_hyperparameters_reach_sagemaker_as_typed(aws, lab):
    # A JSON round trip through str() would send "True" and "1000.0".
    typed = {"save_model_on_termination": "true", "lambda": "1e3", "eta": "0.10"}
    argv = [arg for name, value in typed.items() for arg in ("--hyperparameter", f"{name}={value}")]
    args = parser.build_parser().parse_args(["train", *argv])
    assert commands.build_request("train", args)["hyperparameters"] == typed
    code, printed = run_cli(aws, "train", *argv)
    assert code == 0
    job_name = json.loads("\n".join(printed[1:]))["job_name"]
    sent = aws.client("sagemaker").describe_training_job(TrainingJobName=job_name)["HyperParameters"]
    assert {name: sent[name] for name in typed} == typed


def test_train_with_another_algorithm_runs_its_image_and_channels(aws, lab):
    code, printed = run_cli(aws, "train", "--algorithm", "kmeans", "--hyperparameter", "k=3")
    assert code == 0
    job_name = json.loads("\n".join(printed[1:]))["job_name"]
    job = aws.client("sagemaker").describe_training_job(TrainingJobName=job_name)
    assert job["AlgorithmSpecification"]["TrainingImage"].endswith(".amazonaws.com/kmeans:1")
    assert [(c["ChannelName"], c["ContentType"]) for c in job["InputDataConfig"]] == [
        ("train", "text/csv;label_size=0"),
        ("test", "text/csv;label_size=0"),
    ]
    assert job["HyperParameters"] == {"feature_dim": "30", "k": "3"}


def test_parquet_is_processed_and_trained_on_in_a_folder_of_its_own(aws, lab):
    code, printed = run_cli(aws, "process", "--format", "parquet")
    assert code == 0
    processing = aws.client("sagemaker").describe_processing_job(
        ProcessingJobName=json.loads("\n".join(printed[1:]))["job_name"]
    )
    assert processing["AppSpecification"]["ContainerArguments"][-4:] == [
        "--algorithm",
        "xgboost",
        "--format",
        "parquet",
    ]
    written = {o["OutputName"]: o["S3Output"]["S3Uri"] for o in processing["ProcessingOutputConfig"]["Outputs"]}
    code, printed = run_cli(aws, "train", "--format", "parquet")
    assert code == 0
    job = aws.client("sagemaker").describe_training_job(TrainingJobName=json.loads("\n".join(printed[1:]))["job_name"])
    assert [
        (c["ChannelName"], c["ContentType"], c["DataSource"]["S3DataSource"]["S3Uri"]) for c in job["InputDataConfig"]
    ] == [
        ("train", "application/x-parquet", written["train"]),
        ("validation", "application/x-parquet", written["validation"]),
    ]
    assert written["train"].endswith("/data/processed/xgboost-parquet/train/")


def test_a_format_the_algorithm_does_not_train_on_is_refused_by_name(aws, lab):
    with pytest.raises(
        LabError, match=r"field 'format'\): kmeans trains on one of csv, recordio-protobuf; not 'parquet'"
    ):
        run_cli(aws, "train", "--algorithm", "kmeans", "--format", "parquet")
    assert aws.client("sagemaker").list_training_jobs()["TrainingJobSummaries"] == []


def test_tune_with_another_algorithm_tunes_towards_its_objective(aws, lab):
    code, printed = run_cli(aws, "tune", "--algorithm", "linear-learner", "--max-jobs", "4")
    assert code == 0
    job_name = json.loads("\n".join(printed[1:]))["job_name"]
    job = aws.client("sagemaker").describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=job_name)
    assert job["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"] == {
        "Type": "Maximize",
        "MetricName": "validation:binary_f_beta",
    }
    assert job["TrainingJobDefinition"]["AlgorithmSpecification"]["TrainingImage"].endswith("/linear-learner:1")


def test_a_bad_hyperparameter_of_another_algorithm_is_refused_by_name(aws, lab):
    with pytest.raises(LabError, match=r"field 'hyperparameters'\): 'kk' is not a hyperparameter of kmeans"):
        run_cli(aws, "train", "--algorithm", "kmeans", "--hyperparameter", "kk=3")
    assert aws.client("sagemaker").list_training_jobs()["TrainingJobSummaries"] == []


def test_algorithms_prints_the_day_5_table_without_aws():
    printed = Printed()
    assert cli.run(["algorithms"], out=printed) == 0
    header = printed[0].split()
    assert header[:2] == ["algorithm", "problem"]
    names = [line.split()[0] for line in printed[2:16]]
    assert names == [a.name for a in ALGORITHMS]
    assert any(line.startswith("image-classification (GPU)") for line in printed)


def test_rejected_request_names_the_field_and_starts_nothing(aws, lab):
    with pytest.raises(
        LabError,
        match=r"launcher rejected 'train' \(field 'instance_type'\): must be one of the allowed "
        r"instance types ml.t3.medium, ml.m5.large, ml.m5.xlarge, not 'ml.p4d.24xlarge'",
    ):
        run_cli(aws, "train", "--instance-type", "ml.p4d.24xlarge")
    assert aws.client("sagemaker").list_training_jobs()["TrainingJobSummaries"] == []


def test_pipeline_runs_every_step_and_removes_the_endpoint(aws, lab, tmp_path):
    rows = tmp_path / "rows.csv"
    rows.write_text("0.1,0.2,0.3\n0.4,0.5,0.6\n")
    code, printed = run_cli(aws, "pipeline", "--endpoint", "--rows-file", str(rows))
    assert code == 0
    summary = printed.text.split("pipeline summary:")[1].splitlines()[1:]
    assert [line.split()[1] for line in summary] == [
        "process",
        "train",
        "tune",
        "transform",
        "endpoint",
        "invoke",
        "delete",
    ]
    assert "Completed" in summary[0] and "InService" in summary[4]
    assert "predictions" in summary[5]
    sm = aws.client("sagemaker")
    tuning = sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"][0]["HyperParameterTuningJobName"]
    best = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=tuning)["BestTrainingJob"][
        "TrainingJobName"
    ]
    assert best.startswith(f"{tuning}-001-"), "the tuning job's own trial is its best training job"
    transform = sm.list_transform_jobs()["TransformJobSummaries"][0]["TransformJobName"]
    model_name = sm.describe_transform_job(TransformJobName=transform)["ModelName"]
    assert model_name.startswith("mls-model-"), "the launcher makes the lab's own model of the best training job"
    artifact = sm.describe_training_job(TrainingJobName=best)["ModelArtifacts"]["S3ModelArtifacts"]
    assert sm.describe_model(ModelName=model_name)["PrimaryContainer"]["ModelDataUrl"] == artifact
    assert f"best training job {best} (best of the tuning job)" in summary[2]
    assert sm.list_endpoints()["Endpoints"] == []


def test_pipeline_prints_the_summary_when_a_step_fails(aws, lab, monkeypatch):
    def failing_wait(self, kind, name):
        if kind is TRAINING:
            raise JobFailed(f"training job {name} failed: AlgorithmError: bad label column")
        return wait_for(self.sagemaker, kind, name, timeout_seconds=1, poll_seconds=0)

    monkeypatch.setattr(context.Context, "wait", failing_wait)
    printed = Printed()
    with pytest.raises(JobFailed, match="AlgorithmError: bad label column"):
        cli.run(
            ["pipeline"],
            session=aws,
            transport_factory=in_process(aws),
            serving=FakeServing,
            out=printed,
            poll_seconds=0,
        )
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
        wait_for(
            FakeSageMaker(
                ["InProgress", "InProgress", "Failed"], "ClientError: no data in s3://b/data/processed/train/"
            ),
            TRAINING,
            "j",
            timeout_seconds=60,
            poll_seconds=0,
            progress=printed,
            sleep=lambda s: None,
        )
    assert printed == ["  training j: InProgress (Training) after 0 s", "  training j: Failed (Training) after 0 s"]


def test_wait_gives_up_after_the_timeout():
    ticks = iter(range(0, 1000, 30))
    with pytest.raises(JobFailed, match=r"still InProgress after 60 s; it keeps running"):
        wait_for(
            FakeSageMaker(["InProgress"]),
            TRAINING,
            "j",
            timeout_seconds=60,
            poll_seconds=0,
            clock=lambda: next(ticks),
            sleep=lambda s: None,
        )


def test_request_options_become_launcher_fields():
    args = parser.build_parser().parse_args(
        [
            "tune",
            "--strategy",
            "Random",
            "--max-jobs",
            "6",
            "--field",
            'ranges={"eta": {"min": 0.1, "max": 0.2}}',
            "--request-id",
            "r1",
        ]
    )
    assert commands.build_request("tune", args) == {
        "action": "tune",
        "strategy": "Random",
        "max_jobs": 6,
        "request_id": "r1",
        "ranges": {"eta": {"min": 0.1, "max": 0.2}},
    }
    with pytest.raises(LabError, match=r"--field 'oops': expected key=value"):
        commands.build_request("process", parser.build_parser().parse_args(["process", "--field", "oops"]))


def test_lambda_transport_reports_a_crashed_function():
    session = boto3.Session(region_name="us-east-1")
    transport = LambdaTransport(session, "mls-launcher")
    with Stubber(transport._lambda) as stub:
        stub.add_response(
            "invoke",
            {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": io.BytesIO(b'{"errorMessage": "boom"}')},
        )
        with pytest.raises(LabError, match=r"launcher mls-launcher failed \(Unhandled\): .*boom"):
            launch(transport, {"action": "list"})


STARTED = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
NOW = STARTED + timedelta(hours=2)
JOB_LISTS = (
    ("process", "list_processing_jobs", "ProcessingJobSummaries"),
    ("train", "list_training_jobs", "TrainingJobSummaries"),
    ("tune", "list_hyper_parameter_tuning_jobs", "HyperParameterTuningJobSummaries"),
    ("transform", "list_transform_jobs", "TransformJobSummaries"),
)


def job_summary(kind: str, name: str) -> dict:
    job = ACTION_KINDS[kind]
    summary = {
        job.name_field: name,
        job.arn_field: f"arn:aws:sagemaker:us-east-1:123456789012:job/{name}",
        "CreationTime": STARTED,
        job.status_field: "InProgress",
        "LastModifiedTime": STARTED,
    }
    if kind == "tune":
        summary.update(Strategy="Bayesian", TrainingJobStatusCounters={}, ObjectiveStatusCounters={})
    return summary


def endpoint_summary(name: str) -> dict:
    return {
        "EndpointName": name,
        "EndpointArn": f"arn:aws:sagemaker:us-east-1:123456789012:endpoint/{name}",
        "CreationTime": STARTED,
        "LastModifiedTime": STARTED,
        "EndpointStatus": "InService",
    }


class StubbedSession:
    """Hands out one Stubber-backed SageMaker client; cleanup asks only SageMaker."""

    region_name = "us-east-1"

    def __init__(self, sagemaker) -> None:
        self.sagemaker = sagemaker

    def client(self, name: str):
        assert name == "sagemaker", name
        return self.sagemaker


def minimal(shape) -> object:
    """The smallest value of a botocore shape that its validator accepts (required members only)."""
    if shape.type_name == "structure":
        return {name: minimal(shape.members[name]) for name in shape.required_members}
    if shape.type_name == "list":
        return []
    if shape.type_name == "map":
        return {}
    if shape.type_name == "string":
        return shape.enum[0] if shape.enum else "x" * max(1, shape.metadata.get("min", 1))
    if shape.type_name in ("integer", "long"):
        return max(1, shape.metadata.get("min", 1))
    if shape.type_name in ("float", "double"):
        return 1.0
    if shape.type_name == "boolean":
        return False
    if shape.type_name == "timestamp":
        return STARTED
    return b""


LAB_TAGS = [{"Key": "study-env:prefix", "Value": "ml"}]
RESOURCES = {"process": "ProcessingResources", "train": "ResourceConfig", "transform": "TransformResources"}


def described(client, operation: str, **members) -> dict:
    """A Describe answer with every required member, then ``members`` over it."""
    shape = client.meta.service_model.operation_model(operation).output_shape
    return {**minimal(shape), **members}  # type: ignore[dict-item]


def stub_inventory(
    stub: Stubber,
    client,
    running: dict[str, list[tuple[str, list[dict]]]],
    endpoints: list[tuple[str, list[dict]]] = (),  # type: ignore[assignment]
) -> None:
    """What SageMaker answers what_bills: every endpoint and running job, their tags, the lab's described."""
    stub.add_response("list_endpoints", {"Endpoints": [endpoint_summary(n) for n, _ in endpoints]}, {})
    for name, tags in endpoints:
        stub.add_response("list_tags", {"Tags": tags}, {"ResourceArn": endpoint_summary(name)["EndpointArn"]})
        if tags and tags[0] in LAB_TAGS:
            stub.add_response("describe_endpoint", described(client, "DescribeEndpoint", EndpointName=name,
                              EndpointConfigName=f"{name}-config"), {"EndpointName": name})  # fmt: skip
            variant = {"VariantName": "v", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
            stub.add_response(
                "describe_endpoint_config",
                described(client, "DescribeEndpointConfig", ProductionVariants=[variant]),
                {"EndpointConfigName": f"{name}-config"},
            )
    for kind, operation, key in JOB_LISTS:
        for status in ("InProgress", "Stopping"):
            jobs = running.get(kind, []) if status == "InProgress" else []
            stub.add_response(operation, {key: [job_summary(kind, n) for n, _ in jobs]}, {"StatusEquals": status})
            for name, tags in jobs:
                stub.add_response(
                    "list_tags", {"Tags": tags}, {"ResourceArn": job_summary(kind, name)[ACTION_KINDS[kind].arn_field]}
                )
                if tags == LAB_TAGS and kind in RESOURCES:
                    job = ACTION_KINDS[kind]
                    resources = {"InstanceType": "ml.m5.large", "InstanceCount": 1}
                    if kind == "process":
                        resources = {"ClusterConfig": {**resources, "VolumeSizeInGB": 1}}
                    stub.add_response(
                        job.method("Describe"),
                        described(client, job.operation("Describe"), **{RESOURCES[kind]: resources}),
                        {job.name_field: name},
                    )


def cleanup(lab: Lab, sagemaker, *argv: str) -> tuple[int, Printed]:
    ctx = context.Context(
        session=StubbedSession(sagemaker), lab=lab, transport_factory=None, out=Printed(), clock=lambda: NOW
    )
    return commands.cmd_cleanup(ctx, parser.build_parser().parse_args(["cleanup", *argv])), ctx.out


def test_lab_owns_only_names_with_its_prefix_and_a_hyphen():
    assert Lab("ml").owns("ml-train-1")
    assert not Lab("ml").owns("mls-train-1")
    assert not Lab("ml").owns("ml")


def test_cleanup_stops_this_labs_running_jobs_and_endpoints_by_tag_whatever_their_names():
    # A notebook's job is named kmeans-..., the launcher's ml-...: both carry the lab's tag. Another lab's does not.
    sm = boto3.client("sagemaker", region_name="us-east-1")
    other = [{"Key": "study-env:prefix", "Value": "mls"}]
    with Stubber(sm) as stub:
        stub_inventory(
            stub,
            sm,
            {"process": [("ml-proc-9", LAB_TAGS), ("mls-proc-9", other)], "train": [("kmeans-2026-12-03", LAB_TAGS)]},
            [("sagemaker-xgboost-2026-12-03", LAB_TAGS), ("mls-endpoint", other)],
        )
        stub.add_response("delete_endpoint", {}, {"EndpointName": "sagemaker-xgboost-2026-12-03"})
        stub.add_response("delete_endpoint_config", {}, {"EndpointConfigName": "sagemaker-xgboost-2026-12-03-config"})
        stub.add_response("stop_processing_job", {}, {"ProcessingJobName": "ml-proc-9"})
        stub.add_response("stop_training_job", {}, {"TrainingJobName": "kmeans-2026-12-03"})
        code, printed = cleanup(Lab("ml", {"foundation": {}}), sm)
        stub.assert_no_pending_responses()
    assert code == 0
    assert printed == [
        "delete endpoint sagemaker-xgboost-2026-12-03",
        "delete endpoint config sagemaker-xgboost-2026-12-03-config",
        "stop processing job ml-proc-9",
        "stop training job kmeans-2026-12-03",
    ]


def test_cleanup_reports_a_failed_stop_in_one_line_and_goes_on():
    sm = boto3.client("sagemaker", region_name="us-east-1")
    with Stubber(sm) as stub:
        stub_inventory(stub, sm, {"tune": [("ml-tune-1", LAB_TAGS), ("ml-tune-2", LAB_TAGS)]})
        stub.add_client_error(
            "stop_hyper_parameter_tuning_job",
            "ValidationException",
            "The request was rejected because the tuning job is in status Stopping.",
            expected_params={"HyperParameterTuningJobName": "ml-tune-1"},
        )
        stub.add_response("stop_hyper_parameter_tuning_job", {}, {"HyperParameterTuningJobName": "ml-tune-2"})
        code, printed = cleanup(Lab("ml", {"foundation": {}}), sm)
        stub.assert_no_pending_responses()
    assert code == 1
    assert printed == [
        "could not stop tuning job ml-tune-1: ValidationException: "
        "The request was rejected because the tuning job is in status Stopping.",
        "stop tuning job ml-tune-2",
    ]


def test_cleanup_names_a_destroy_command_the_app_accepts_for_the_serving_endpoint():
    model_key = "models/training/ml-train-1/output/model.tar.gz"
    lab = Lab("ml", {"foundation": {}, "serving": {"EndpointName": "ml-endpoint", "ModelData": model_key}})
    sm = boto3.client("sagemaker", region_name="us-east-1")
    stack = {"Key": "aws:cloudformation:stack-id", "Value": "arn:aws:cloudformation:us-east-1:1:stack/ml-serving/x"}
    with Stubber(sm) as stub:
        stub_inventory(stub, sm, {}, [("ml-endpoint", [*LAB_TAGS, stack])])
        code, printed = cleanup(lab, sm)
    command = f"npx cdk destroy ml-serving --exclusively -c prefix=ml -c model_key={model_key}"
    assert printed[0] == f"endpoint ml-endpoint belongs to stack ml-serving: remove it with `{command}`"
    context = dict(arg.split("=", 1) for arg in command.split()[6::2])
    config = StudyConfig.from_context(context.get)
    assert config.serving_enabled and config.stack_name("serving") == "ml-serving"


def test_status_shows_what_bills_and_what_it_has_cost():
    sm = boto3.client("sagemaker", region_name="us-east-1")
    with Stubber(sm) as stub:
        stub_inventory(stub, sm, {"train": [("kmeans-2026-12-03", LAB_TAGS)]}, [("sagemaker-xgboost-1", LAB_TAGS)])
        ctx = context.Context(
            session=StubbedSession(sm), lab=Lab("ml", {"foundation": {}}), transport_factory=None, out=Printed(),
            clock=lambda: NOW,
        )  # fmt: skip
        assert commands.cmd_status(ctx, parser.build_parser().parse_args(["status"])) == 0
        stub.assert_no_pending_responses()
    text = ctx.out.text
    # Two hours of one ml.m5.large endpoint ($0.115/h) and one ml.m5.large training job ($0.115/h).
    assert "sagemaker-xgboost-1" in text and "kmeans-2026-12-03" in text and "1 x ml.m5.large" in text
    assert ctx.out[-1] == "bills now: $0.230 an hour ($5.52 a day); so far: $0.46"


def test_jobs_lists_this_labs_jobs_not_those_of_a_lab_with_a_longer_prefix(aws):
    deploy_lab(aws, "ml")
    deploy_lab(aws, "mls")
    _, other = run_cli(aws, "--prefix", "mls", "train")
    other_job = json.loads("\n".join(other[1:]))["job_name"]
    _, started = run_cli(aws, "--prefix", "ml", "train")
    own_job = json.loads("\n".join(started[1:]))["job_name"]
    code, printed = run_cli(aws, "--prefix", "ml", "jobs")
    assert code == 0
    (row,) = [line for line in printed if own_job in line]
    assert row.startswith("│ ") and "│ training │ Completed │" in row
    assert other_job.startswith("mls-") and other_job not in printed.text


def test_client_error_is_one_line_and_exit_1(monkeypatch, capsys):
    def denied(argv):
        raise ClientError(
            {
                "Error": {
                    "Code": "AccessDeniedException",
                    "Message": "not authorized to perform sagemaker:ListTrainingJobs",
                }
            },
            "ListTrainingJobs",
        )

    monkeypatch.setattr(entry, "run", denied)
    assert cli.main(["status"]) == 1
    assert capsys.readouterr().err == (
        "study: ListTrainingJobs failed: AccessDeniedException: not authorized to perform sagemaker:ListTrainingJobs\n"
    )


def trained(session, name: str, image: str) -> str:
    """A training job of ``image``, as moto keeps it."""
    session.client("sagemaker").create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": image, "TrainingInputMode": "File"},
        RoleArn="arn:aws:iam::123456789012:role/x",
        OutputDataConfig={"S3OutputPath": "s3://b/models/training/"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )
    return name


XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
XGBOOST_CONTEXT = ("-c", "algorithm=xgboost", "-c", "xgboost_version=1.7-1")


@pytest.mark.parametrize(
    ("image", "served"),
    [
        ("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.5-1", ["xgboost", "1.5-1"]),
        ("382416733822.dkr.ecr.us-east-1.amazonaws.com/kmeans:1", ["kmeans"]),
        ("522234722520.dkr.ecr.us-east-1.amazonaws.com/forecasting-deepar:1", ["deepar"]),
    ],
)
def test_serving_serves_a_model_with_the_algorithm_and_version_that_trained_it(aws, image, served):
    context = serving.served_algorithm_context(aws.client("sagemaker"), trained(aws, "ml-train-1", image))
    assert context[:2] == ["-c", f"algorithm={served[0]}"]
    assert context[2:] == (["-c", f"xgboost_version={served[1]}"] if len(served) > 1 else [])


def test_serving_refuses_a_job_of_an_image_no_built_in_algorithm_has(aws):
    trained(aws, "ml-train-own", "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-model:latest")
    with pytest.raises(LabError, match=r"ml-train-own ran image 123456789012\S+my-model:latest, not a built-in"):
        serving.served_algorithm_context(aws.client("sagemaker"), "ml-train-own")
    with pytest.raises(LabError, match=r"^training job ml-train-gone: "):
        serving.served_algorithm_context(aws.client("sagemaker"), "ml-train-gone")


@pytest.mark.parametrize(
    ("outputs", "sent"),
    [
        (
            {"EndpointName": "ml-endpoint", "ContentType": "application/json", "Accept": "application/json"},
            ("application/json", "application/json"),
        ),
        ({"EndpointName": "ml-endpoint"}, ("text/csv", "text/csv")),  # a stack from before those outputs
        (
            {"EndpointName": "other-endpoint", "ContentType": "application/json", "Accept": "application/json"},
            ("text/csv", "text/csv"),
        ),  # a notebook's endpoint, not the stack's
    ],
)
def test_invoke_sends_the_content_types_of_the_serving_stacks_algorithm(outputs, sent):
    runtime = boto3.client(
        "sagemaker-runtime", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    answer = b'{"predictions": [{"mean": [1.0]}]}'
    with Stubber(runtime) as stub:
        stub.add_response(
            "invoke_endpoint",
            {"Body": StreamingBody(io.BytesIO(answer), len(answer)), "ContentType": sent[1]},
            {"EndpointName": "ml-endpoint", "ContentType": sent[0], "Accept": sent[1], "Body": b"{}"},
        )
        ctx = SimpleNamespace(session=SimpleNamespace(client=lambda name: runtime), lab=Lab("ml", {"serving": outputs}))
        assert commands.invoke_endpoint(ctx, "ml-endpoint", "{}") == answer.decode()


def test_serving_deploy_and_destroy_carry_the_labs_prefix_and_model(aws):
    deploy_lab(aws, "ml")
    trained(aws, "ml-train-1", XGBOOST_IMAGE)
    recorded: list[tuple[str, ...]] = []

    def record(*args: str) -> None:
        recorded.append(args)
        if args[0] == "deploy":
            aws.client("cloudformation").create_stack(
                StackName="ml-serving",
                TemplateBody=json.dumps(
                    {
                        "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}},
                        "Outputs": {"EndpointName": {"Value": "ml-endpoint"}},
                    }
                ),
            )
        else:
            aws.client("cloudformation").delete_stack(StackName="ml-serving")

    deployer = serving.CdkServing(find_lab(aws, "ml"), aws, run=record)
    assert deployer.deploy("ml-train-1") == "ml-endpoint"
    deployer.remove()
    context = ("-c", "prefix=ml", "-c", "training_job_name=ml-train-1", *XGBOOST_CONTEXT)
    assert recorded == [
        ("deploy", "ml-serving", "--exclusively", *context, "--require-approval", "never"),
        ("destroy", "ml-serving", "--exclusively", *context, "--force"),
    ]


def test_serving_is_deployed_and_destroyed_exclusively_by_the_real_cdk_command_line(aws, monkeypatch):
    # Without --exclusively the CDK CLI redeploys Foundation and Jobs too, with cdk.json's context only.
    deploy_lab(aws, "ml")
    commands_run: list[list[str]] = []

    def fake_run(command, **kwargs):
        commands_run.append(command)
        if command[1] == "deploy":
            aws.client("cloudformation").create_stack(
                StackName="ml-serving",
                TemplateBody=json.dumps(
                    {"Resources": {"B": {"Type": "AWS::S3::Bucket"}}, "Outputs": {"EndpointName": {"Value": "ml-e"}}}
                ),
            )
        else:
            aws.client("cloudformation").delete_stack(StackName="ml-serving")
        return SimpleNamespace(returncode=0)

    monkeypatch.setattr(serving.subprocess, "run", fake_run)
    trained(aws, "ml-train-1", XGBOOST_IMAGE)
    deployer = serving.CdkServing(find_lab(aws, "ml"), aws)
    deployer.deploy("ml-train-1")
    deployer.remove()
    cdk = os.path.join(ROOT, "node_modules", ".bin", "cdk")
    context = ["-c", "prefix=ml", "-c", "training_job_name=ml-train-1", *XGBOOST_CONTEXT]
    assert commands_run == [
        [cdk, "deploy", "ml-serving", "--exclusively", *context, "--require-approval", "never", "--no-notices"],
        [cdk, "destroy", "ml-serving", "--exclusively", *context, "--force", "--no-notices"],
    ]


@pytest.mark.parametrize("verb", ["deploy", "destroy"])
def test_the_pinned_cdk_cli_knows_exclusively(verb):
    result = subprocess.run(
        [os.path.join(ROOT, "node_modules", ".bin", "cdk"), verb, "--help"],
        cwd=ROOT,
        env=dict(os.environ, PATH=os.path.join(ROOT, ".venv", "bin") + os.pathsep + os.environ["PATH"]),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "--exclusively" in result.stdout + result.stderr


def test_cdk_runs_in_the_sessions_region(monkeypatch):
    calls = []
    monkeypatch.setattr(
        serving.subprocess,
        "run",
        lambda command, **kw: calls.append((command, kw["env"])) or SimpleNamespace(returncode=0),
    )
    deployer = serving.CdkServing(Lab("ml"), boto3.Session(region_name="eu-west-1"))
    deployer._run("destroy", "ml-serving")
    ((command, env),) = calls
    assert command[1:3] == ["destroy", "ml-serving"]
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"


def test_cleanup_dry_run_changes_nothing(aws, lab):
    sm = aws.client("sagemaker")
    tags = [{"Key": "study-env:prefix", "Value": "mls"}]
    name = "sagemaker-xgboost-2026-12-03-06-09-14-544"  # Day 11's deploy(), forgotten
    deploy_requests(sm, name, "arn:aws:iam::123456789012:role/x", tags)
    code, printed = run_cli(aws, "cleanup", "--dry-run")
    assert printed == [f"would delete endpoint {name}", f"would delete endpoint config {name}"]
    assert [e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]] == [name]
    code, printed = run_cli(aws, "cleanup")
    assert printed == [f"delete endpoint {name}", f"delete endpoint config {name}"]
    assert sm.list_endpoints()["Endpoints"] == []


def test_cost_plan_needs_no_credentials_and_ends_with_the_whole_plan(monkeypatch, tmp_path):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    printed = Printed()
    assert cli.run(["cost", "--plan"], out=printed) == 0
    from study_env.plan import DAYS, plan_estimate

    for day in DAYS:
        assert any(line.startswith(f"│ {day.day} ") for line in printed), day.day
    total = sum(cost for _, items in plan_estimate() for _, cost in items)
    assert printed[-1] == f"whole plan: ${total:.2f}"
    assert "the plan says $2-5 a day" in printed.text


def test_console_script_points_at_the_cli_entry_point():
    import importlib
    import tomllib

    from tests.support.synthesis import ROOT

    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as fh:
        target = tomllib.load(fh)["project"]["scripts"]["study"]
    module, _, function = target.partition(":")
    assert getattr(importlib.import_module(module), function) is cli.main


def test_cost_shows_what_bills_the_buckets_storage_and_the_budget(aws, lab):
    s3 = aws.client("s3")
    s3.put_object(Bucket=lab["BucketName"], Key="data/raw/a.csv", Body=b"x" * 1024 * 1024)
    code, printed = run_cli(aws, "cost")
    assert code == 0
    assert "bills now: $0.000 an hour ($0.00 a day); so far: $0.00" in printed
    # 1 MB at $0.023 per GB-month.
    assert f"study bucket {lab['BucketName']}: 1 objects, 1.0 MB: $0.0000 a month" in printed
    assert printed[-1].startswith("budget: $20 a month by default")


def test_job_costs_are_billed_seconds_times_price_with_spot_savings_shown():
    from study_env.cli import billing

    sm = boto3.client("sagemaker", region_name="us-east-1")
    month = datetime(2026, 12, 1, tzinfo=UTC)
    with Stubber(sm) as stub:
        train = job_summary("train", "kmeans-2026-12-03")
        stub.add_response("list_processing_jobs", {"ProcessingJobSummaries": [job_summary("process", "ml-proc-1")]},
                          {"CreationTimeAfter": month})  # fmt: skip
        stub.add_response(
            "list_tags", {"Tags": LAB_TAGS}, {"ResourceArn": job_summary("process", "ml-proc-1")["ProcessingJobArn"]}
        )
        cluster = {"ClusterConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 1}}
        stub.add_response(
            "describe_processing_job",
            described(sm, "DescribeProcessingJob", ProcessingResources=cluster, ProcessingStartTime=STARTED,
                      ProcessingEndTime=STARTED + timedelta(seconds=300)),
            {"ProcessingJobName": "ml-proc-1"},
        )  # fmt: skip
        stub.add_response("list_training_jobs", {"TrainingJobSummaries": [train]}, {"CreationTimeAfter": month})
        stub.add_response("list_tags", {"Tags": LAB_TAGS}, {"ResourceArn": train["TrainingJobArn"]})
        config = {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1}
        stub.add_response(
            "describe_training_job",
            described(sm, "DescribeTrainingJob", ResourceConfig=config, BillableTimeInSeconds=120,
                      TrainingTimeInSeconds=400),
            {"TrainingJobName": "kmeans-2026-12-03"},
        )  # fmt: skip
        stub.add_response("list_transform_jobs", {"TransformJobSummaries": []}, {"CreationTimeAfter": month})
        costs = billing.job_costs(sm, "ml", since=month)
        stub.assert_no_pending_responses()
    by_name = {c.name: c for c in costs}
    # 300 s of ml.m5.xlarge processing ($0.23/h); 120 billed of 400 trained seconds on ml.m5.large ($0.115/h).
    assert by_name["ml-proc-1"].usd == pytest.approx(300 * 0.23 / 3600)
    assert by_name["kmeans-2026-12-03"].usd == pytest.approx(120 * 0.115 / 3600)
    assert by_name["kmeans-2026-12-03"].spot_saved_usd == pytest.approx(280 * 0.115 / 3600)
    text = billing.render_job_costs(costs)
    assert text.splitlines()[-1] == "jobs: $0.02 in all (2 jobs); managed spot saved $0.01"
