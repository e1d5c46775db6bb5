"""The study CLI on moto, the real launcher handler in-process: discovery, waiting, pipeline, cleanup, errors."""

from __future__ import annotations

import io
import json
import os
import subprocess
from types import SimpleNamespace

import boto3
import pytest
from botocore.exceptions import ClientError
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


JOB_LISTS = (
    ("process", "list_processing_jobs", "ProcessingJobSummaries"),
    ("train", "list_training_jobs", "TrainingJobSummaries"),
    ("tune", "list_hyper_parameter_tuning_jobs", "HyperParameterTuningJobSummaries"),
    ("transform", "list_transform_jobs", "TransformJobSummaries"),
)


def job_summary(kind: str, name: str) -> dict:
    job = ACTION_KINDS[kind]
    return {
        job.name_field: name,
        job.arn_field: f"arn:aws:sagemaker:us-east-1:123456789012:job/{name}",
        "CreationTime": 0,
        job.status_field: "InProgress",
        "LastModifiedTime": 0,
    }


def endpoint_summary(name: str) -> dict:
    return {
        "EndpointName": name,
        "EndpointArn": f"arn:aws:sagemaker:us-east-1:123456789012:endpoint/{name}",
        "CreationTime": 0,
        "LastModifiedTime": 0,
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


def stub_listings(stub: Stubber, prefix: str, running: dict[str, list[str]], endpoints: list[str]) -> None:
    """What SageMaker answers cleanup's listings: InProgress jobs only, filtered by the lab's name prefix."""
    for kind, operation, key in JOB_LISTS:
        stub.add_response(
            operation,
            {key: [job_summary(kind, n) for n in running.get(kind, [])]},
            {"NameContains": f"{prefix}-", "MaxResults": 100, "StatusEquals": "InProgress"},
        )
    stub.add_response(
        "list_endpoints",
        {"Endpoints": [endpoint_summary(n) for n in endpoints]},
        {"NameContains": f"{prefix}-", "MaxResults": 100},
    )


def cleanup(lab: Lab, sagemaker, *argv: str) -> tuple[int, Printed]:
    ctx = context.Context(session=StubbedSession(sagemaker), lab=lab, transport_factory=None, out=Printed())
    return commands.cmd_cleanup(ctx, parser.build_parser().parse_args(["cleanup", *argv])), ctx.out


def test_lab_owns_only_names_with_its_prefix_and_a_hyphen():
    assert Lab("ml").owns("ml-train-1")
    assert not Lab("ml").owns("mls-train-1")
    assert not Lab("ml").owns("ml")


def test_cleanup_stops_this_labs_running_jobs_and_stray_endpoints_only():
    # SageMaker's NameContains is a substring match: "ml-" is also in "xml-...", so cleanup checks the names too.
    sm = boto3.client("sagemaker", region_name="us-east-1")
    with Stubber(sm) as stub:
        stub_listings(
            stub,
            "ml",
            {"process": ["ml-proc-9", "mls-proc-9"], "train": ["xml-train-1"]},
            ["ml-endpoint-stray", "mls-endpoint"],
        )
        stub.add_response("stop_processing_job", {}, {"ProcessingJobName": "ml-proc-9"})
        stub.add_response("delete_endpoint", {}, {"EndpointName": "ml-endpoint-stray"})
        code, printed = cleanup(Lab("ml", {"foundation": {}}), sm)
        stub.assert_no_pending_responses()
    assert code == 0
    assert printed == ["stop processing job ml-proc-9", "delete endpoint ml-endpoint-stray"]


def test_cleanup_reports_a_failed_stop_in_one_line_and_goes_on():
    sm = boto3.client("sagemaker", region_name="us-east-1")
    with Stubber(sm) as stub:
        stub_listings(stub, "mls", {"train": ["mls-train-1", "mls-train-2"]}, [])
        stub.add_client_error(
            "stop_training_job",
            "ValidationException",
            "The request was rejected because the training job is in status Stopping.",
            expected_params={"TrainingJobName": "mls-train-1"},
        )
        stub.add_response("stop_training_job", {}, {"TrainingJobName": "mls-train-2"})
        code, printed = cleanup(Lab("mls", {"foundation": {}}), sm)
        stub.assert_no_pending_responses()
    assert code == 1
    assert printed == [
        "could not stop training job mls-train-1: ValidationException: "
        "The request was rejected because the training job is in status Stopping.",
        "stop training job mls-train-2",
    ]


def test_cleanup_names_a_destroy_command_the_app_accepts_for_the_serving_endpoint():
    model_key = "models/training/ml-train-1/output/model.tar.gz"
    lab = Lab("ml", {"foundation": {}, "serving": {"EndpointName": "ml-endpoint", "ModelData": model_key}})
    sm = boto3.client("sagemaker", region_name="us-east-1")
    with Stubber(sm) as stub:
        stub_listings(stub, "ml", {}, ["ml-endpoint"])
        code, printed = cleanup(lab, sm)
    command = f"npx cdk destroy ml-serving --exclusively -c prefix=ml -c model_key={model_key}"
    assert printed[0] == f"endpoint ml-endpoint belongs to stack ml-serving: remove it with `{command}`"
    context = dict(arg.split("=", 1) for arg in command.split()[6::2])
    config = StudyConfig.from_context(context.get)
    assert config.serving_enabled and config.stack_name("serving") == "ml-serving"


def test_jobs_lists_this_labs_jobs_not_those_of_a_lab_with_a_longer_prefix(aws):
    deploy_lab(aws, "ml")
    deploy_lab(aws, "mls")
    _, other = run_cli(aws, "--prefix", "mls", "train")
    other_job = json.loads("\n".join(other[1:]))["job_name"]
    _, started = run_cli(aws, "--prefix", "ml", "train")
    own_job = json.loads("\n".join(started[1:]))["job_name"]
    code, printed = run_cli(aws, "--prefix", "ml", "jobs")
    assert code == 0
    assert len(printed) == 1 and printed[0].endswith(own_job)
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


def test_serving_deploy_and_destroy_carry_the_labs_prefix_and_model(aws):
    deploy_lab(aws, "ml")
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
    context = ("-c", "prefix=ml", "-c", "training_job_name=ml-train-1")
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
    deployer = serving.CdkServing(find_lab(aws, "ml"), aws)
    deployer.deploy("ml-train-1")
    deployer.remove()
    cdk = os.path.join(ROOT, "node_modules", ".bin", "cdk")
    context = ["-c", "prefix=ml", "-c", "training_job_name=ml-train-1"]
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
    FakeServing(None, aws).deploy("mls-train-1")
    code, printed = run_cli(aws, "cleanup", "--dry-run")
    assert printed == ["would delete endpoint mls-endpoint"]
    assert [e["EndpointName"] for e in aws.client("sagemaker").list_endpoints()["Endpoints"]] == ["mls-endpoint"]


def test_console_script_points_at_the_cli_entry_point():
    import importlib
    import tomllib

    from tests.support.synthesis import ROOT

    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as fh:
        target = tomllib.load(fh)["project"]["scripts"]["study"]
    module, _, function = target.partition(":")
    assert getattr(importlib.import_module(module), function) is cli.main
