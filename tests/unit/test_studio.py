"""Studio stack: network, domain and profile, SDK defaults, the Studio user's policy, teardown ordering."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time

import pytest
from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from syrupy.extensions.json import JSONSnapshotExtension

from study_env.config import ContextError, StudyConfig
from study_env.constructs.studio_domain import StudioDomain
from study_env.constructs.studio_lifecycle import (
    MAX_CONTENT_LENGTH,
    StudioLifecycle,
    content_length,
    lifecycle_script,
    sdk_defaults_document,
)
from study_env.constructs.studio_teardown import StudioTeardown
from study_env.constructs.studio_user_access import StudioUserAccess
from study_env.paths import ROOT
from study_env.tags import lab_tags
from tests.support.scratch import scratch_stack
from tests.support.synthesis import masked, synthesize

BUCKET = "mls-foundation-studybucket-example"
ROLE_ARN = "arn:aws:iam::123456789012:role/mls-foundation-ExecutionRole-EXAMPLE"
VARIANT = {
    "prefix": "lab2",
    "user_profile_name": "alice-2",
    "idle_timeout_minutes": 120,
    "allowed_instance_types": "ml.m5.large",
    "default_instance_type": "ml.m5.large",
    "endpoint_instance_type": "ml.m5.large",
    "availability_zones": "us-east-1b,us-east-1d,us-east-1f",
}


@pytest.fixture(scope="module")
def tj(synth):
    return synth.template_json("studio")


@pytest.fixture(scope="module")
def variant(tmp_path_factory):
    return synthesize(VARIANT, nag=False, outdir=str(tmp_path_factory.mktemp("cdk-studio-variant")))


def _one(tj: dict, rtype: str) -> tuple[str, dict]:
    (item,) = [(k, r) for k, r in tj["Resources"].items() if r["Type"] == rtype]
    return item


def _of_type(tj: dict, rtype: str) -> dict[str, dict]:
    return {k: r for k, r in tj["Resources"].items() if r["Type"] == rtype}


def _listify(value):
    return value if isinstance(value, list) else [value]


# --- network --------------------------------------------------------------------------------------


def test_no_nat_gateway_no_endpoint_nothing_billed_by_the_hour(tj):
    types = {r["Type"] for r in tj["Resources"].values()}
    assert not types & {"AWS::EC2::NatGateway", "AWS::EC2::VPCEndpoint", "AWS::EC2::EIP", "AWS::EC2::Instance"}


def test_two_subnets_both_public_in_two_availability_zones(tj):
    subnets = _of_type(tj, "AWS::EC2::Subnet")
    assert len(subnets) == 2
    assert all(s["Properties"]["MapPublicIpOnLaunch"] is True for s in subnets.values())
    azs = [json.dumps(s["Properties"]["AvailabilityZone"]) for s in subnets.values()]
    assert len(set(azs)) == 2
    igw, _ = _one(tj, "AWS::EC2::InternetGateway")
    routes = _of_type(tj, "AWS::EC2::Route")
    assert len(routes) == 2
    assert all(
        r["Properties"] == {**r["Properties"], "DestinationCidrBlock": "0.0.0.0/0", "GatewayId": {"Ref": igw}}
        for r in routes.values()
    )


# --- domain and user profile ------------------------------------------------------------------------


def test_domain_uses_iam_public_internet_the_public_subnets_and_the_foundation_role(tj):
    _, domain = _one(tj, "AWS::SageMaker::Domain")
    props = domain["Properties"]
    assert props["AuthMode"] == "IAM"
    assert props["AppNetworkAccessType"] == "PublicInternetOnly"
    assert props["DomainName"] == "mls-studio"
    vpc, _ = _one(tj, "AWS::EC2::VPC")
    assert props["VpcId"] == {"Ref": vpc}
    assert sorted(s["Ref"] for s in props["SubnetIds"]) == sorted(_of_type(tj, "AWS::EC2::Subnet"))
    role = props["DefaultUserSettings"]["ExecutionRole"]
    assert "ExecutionRole" in role["Fn::ImportValue"] and role["Fn::ImportValue"].startswith("mls-foundation:")


def test_the_vpc_spans_the_regions_first_two_zones_by_default(tj):
    zones = sorted(json.dumps(r["Properties"]["AvailabilityZone"]) for r in _of_type(tj, "AWS::EC2::Subnet").values())
    assert zones == [json.dumps({"Fn::Select": [i, {"Fn::GetAZs": ""}]}) for i in (0, 1)]


def test_context_zones_place_the_vpc_and_so_the_domain_there(variant):
    # SageMaker recommends domain subnets outside constrained zones (capacity errors, slow app starts):
    # availability_zones lets a learner pick the zones.
    tj = variant.template_json("studio")
    subnets = _of_type(tj, "AWS::EC2::Subnet")
    assert sorted(r["Properties"]["AvailabilityZone"] for r in subnets.values()) == [
        "us-east-1b",
        "us-east-1d",
        "us-east-1f",
    ]
    domain = _one(tj, "AWS::SageMaker::Domain")[1]["Properties"]
    assert sorted(s["Ref"] for s in domain["SubnetIds"]) == sorted(subnets)


def test_jupyterlab_is_the_default_app_on_a_small_instance_with_idle_shutdown(tj):
    settings = _one(tj, "AWS::SageMaker::Domain")[1]["Properties"]["DefaultUserSettings"]
    assert settings["StudioWebPortal"] == "ENABLED"
    assert settings["DefaultLandingUri"] == "studio::"
    lab = settings["JupyterLabAppSettings"]
    assert lab["DefaultResourceSpec"]["InstanceType"] == "ml.t3.medium"
    assert lab["AppLifecycleManagement"]["IdleSettings"] == {
        "LifecycleManagement": "ENABLED",
        "IdleTimeoutInMinutes": 60,
        "MinIdleTimeoutInMinutes": 60,
        "MaxIdleTimeoutInMinutes": 60,
    }


def test_code_editor_stops_when_idle_like_jupyterlab(tj):
    # Without idle settings a Code Editor app bills until it is stopped by hand.
    settings = _one(tj, "AWS::SageMaker::Domain")[1]["Properties"]["DefaultUserSettings"]
    editor = settings["CodeEditorAppSettings"]
    assert editor["AppLifecycleManagement"] == settings["JupyterLabAppSettings"]["AppLifecycleManagement"]
    assert editor["AppLifecycleManagement"]["IdleSettings"]["LifecycleManagement"] == "ENABLED"
    assert editor["DefaultResourceSpec"] == {"InstanceType": "ml.t3.medium"}


def _app_statements(tj: dict) -> tuple[dict, dict]:
    (user_policy,) = [p for k, p in _policies(tj).items() if k.startswith("UserAccess")]
    statements = user_policy["Properties"]["PolicyDocument"]["Statement"]
    (sized,) = [s for s in statements if "sagemaker:CreateApp" in _listify(s["Action"])]
    (rest,) = [s for s in statements if "sagemaker:DeleteApp" in _listify(s["Action"])]
    return sized, rest


def test_apps_and_spaces_start_only_on_allowed_instance_types(tj):
    sized, rest = _app_statements(tj)
    # The actions AWS evaluates sagemaker:InstanceTypes for (Service Authorization Reference), alone in
    # their statement: ForAllValues would match every other action, which never carries the key.
    assert sorted(_listify(sized["Action"])) == [
        "sagemaker:CreateApp",
        "sagemaker:CreateSpace",
        "sagemaker:UpdateSpace",
    ]
    assert sized["Condition"] == {
        "ForAllValues:StringEquals": {"sagemaker:InstanceTypes": ["ml.t3.medium", "ml.m5.large", "ml.m5.xlarge"]}
    }
    # ForAllValues (not a Null check): a CreateApp naming no instance type is allowed, as AWS evaluates
    # it, and runs on the default the domain sets, which is in the list.
    default = _one(tj, "AWS::SageMaker::Domain")[1]["Properties"]["DefaultUserSettings"]
    for app in ("JupyterLabAppSettings", "CodeEditorAppSettings"):
        assert (
            default[app]["DefaultResourceSpec"]["InstanceType"]
            in sized["Condition"]["ForAllValues:StringEquals"]["sagemaker:InstanceTypes"]
        )
    assert sorted(_listify(rest["Action"])) == [
        "sagemaker:AddTags",
        "sagemaker:DeleteApp",
        "sagemaker:DeleteSpace",
        "sagemaker:DescribeApp",
        "sagemaker:DescribeSpace",
        "sagemaker:ListTags",
    ]
    assert "Condition" not in rest and rest["Resource"] == sized["Resource"]


def test_the_domains_default_instance_type_stays_allowed_when_context_leaves_it_out(variant):
    sized, _ = _app_statements(variant.template_json("studio"))
    assert sized["Condition"]["ForAllValues:StringEquals"]["sagemaker:InstanceTypes"] == ["ml.t3.medium", "ml.m5.large"]


def test_lifecycle_config_is_the_built_in_one_of_users_and_spaces(tj):
    lcc, config = _one(tj, "AWS::SageMaker::StudioLifecycleConfig")
    assert config["Properties"]["StudioLifecycleConfigAppType"] == "JupyterLab"
    assert re.fullmatch(r"mls-jupyterlab-[0-9a-f]{8}", config["Properties"]["StudioLifecycleConfigName"])
    domain = _one(tj, "AWS::SageMaker::Domain")[1]["Properties"]
    arn = {"Fn::GetAtt": [lcc, "StudioLifecycleConfigArn"]}
    # Built-in: it runs at every JupyterLab start, whatever the user or space picks.
    assert domain["DefaultUserSettings"]["JupyterLabAppSettings"]["BuiltInLifecycleConfigArn"] == arn
    assert domain["DefaultSpaceSettings"]["JupyterLabAppSettings"]["BuiltInLifecycleConfigArn"] == arn


def _lifecycle_name(tags: dict[str, str], prefix: str = "lab") -> str:
    stack, _, bucket, role, _ = scratch_stack()
    lifecycle = StudioLifecycle(
        stack, "Lifecycle", name_prefix=prefix, study_bucket=bucket, execution_role=role, tags=tags
    )
    return lifecycle.name


def test_lifecycle_config_name_follows_its_content():
    # Every property is create-only: a changed script must be a new configuration, the same one keeps its name.
    same = _lifecycle_name(lab_tags("mls"))
    assert same == _lifecycle_name(lab_tags("mls"))
    assert _lifecycle_name(lab_tags("other")) != same
    assert re.fullmatch(r"lab-[0-9a-f]{8}", same)
    assert len(_lifecycle_name(lab_tags("mls"), prefix="p" * 54)) == 63


def test_lifecycle_script_fits_studios_limit_with_the_longest_values(tj):
    script = _script_from_template(tj)
    assert content_length(script) <= MAX_CONTENT_LENGTH
    assert content_length("${Token[X.1]}") > len("${Token[X.1]}") * 4 / 3 + 50  # tokens count as a long ARN


def test_one_user_profile_in_the_domain(tj):
    domain, _ = _one(tj, "AWS::SageMaker::Domain")
    _, profile = _one(tj, "AWS::SageMaker::UserProfile")
    assert profile["Properties"]["DomainId"] == {"Fn::GetAtt": [domain, "DomainId"]}
    assert profile["Properties"]["UserProfileName"] == "student"
    # No settings of its own: the profile inherits the domain's (role, JupyterLab, idle shutdown).
    assert "UserSettings" not in profile["Properties"]


def test_outputs_domain_profile_and_console_link(tj):
    domain, _ = _one(tj, "AWS::SageMaker::Domain")
    outputs = tj["Outputs"]
    assert outputs["DomainId"]["Value"] == {"Fn::GetAtt": [domain, "DomainId"]}
    assert outputs["UserProfileName"]["Value"] == "student"
    parts = outputs["StudioConsoleUrl"]["Value"]["Fn::Join"][1]
    assert (
        parts[0] == "https://" and {"Ref": "AWS::Region"} in parts and parts[-1] == {"Fn::GetAtt": [domain, "DomainId"]}
    )
    assert ".console.aws.amazon.com/sagemaker/home?region=" in parts


# --- SDK defaults ------------------------------------------------------------------------------------


def _script_from_template(tj: dict) -> str:
    """The lifecycle script as SageMaker will run it, the Foundation's exports replaced by sample values."""
    content = _one(tj, "AWS::SageMaker::StudioLifecycleConfig")[1]["Properties"]["StudioLifecycleConfigContent"]
    parts = content["Fn::Base64"]["Fn::Join"][1]
    text = []
    for part in parts:
        if isinstance(part, str):
            text.append(part)
            continue
        export = part["Fn::ImportValue"]
        assert export.startswith("mls-foundation:ExportsOutput")
        text.append(
            BUCKET if "StudyBucket" in export else ROLE_ARN if "ExecutionRole" in export else pytest.fail(export)
        )
    return "".join(text)


def _run_lifecycle_script(script: str, home, env_home: bool = True) -> tuple[subprocess.CompletedProcess, str]:
    """Run the script as Studio would, with a ``python3`` that records its arguments instead of starting."""
    shims = home / "shims"
    shims.mkdir(exist_ok=True)
    record = home / "python3-args"
    (shims / "python3").write_text(f'#!/bin/bash\necho "$@" > "{record}"\n')
    (shims / "python3").chmod(0o755)
    env = {"PATH": f"{shims}:/usr/bin:/bin"}
    if env_home:
        env["HOME"] = str(home)
    result = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=30)
    for _ in range(100):  # the start runs in the background
        if record.exists() and record.read_text():
            break
        time.sleep(0.05)
    return result, record.read_text() if record.exists() else ""


def test_lifecycle_script_passes_bash_n():
    script = lifecycle_script(sdk_defaults_document(BUCKET, ROLE_ARN, lab_tags("mls")), BUCKET)
    result = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_lifecycle_script_writes_its_files_and_starts_in_the_background(tj, tmp_path):
    result, args = _run_lifecycle_script(_script_from_template(tj), tmp_path)
    assert result.returncode == 0, result.stderr
    state = tmp_path / ".study-lab"
    with open(os.path.join(ROOT, "requirements-sdk2.txt")) as fh:
        assert (state / "requirements-sdk2.txt").read_text() == fh.read()
    with open(os.path.join(ROOT, "studio", "jupyterlab_start.py")) as fh:
        assert (state / "jupyterlab_start.py").read_text() == fh.read()
    assert args.split() == [
        str(state / "jupyterlab_start.py"),
        "--bucket",
        BUCKET,
        "--prefix",
        "code/notebooks/",
        "--requirements",
        str(state / "requirements-sdk2.txt"),
    ]
    assert "JupyterLab start" in (state / "start.log").read_text()


def test_lifecycle_script_without_home_uses_sagemaker_users_home(tj, tmp_path):
    # set -u: an unset HOME would end the script; it falls back to sagemaker-user's home.
    script = _script_from_template(tj).replace("/home/sagemaker-user", str(tmp_path))
    result, _ = _run_lifecycle_script(script, tmp_path, env_home=False)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".config" / "sagemaker" / "config.yaml").exists()


def test_lifecycle_script_writes_a_document_the_sdk_schema_accepts(tj, tmp_path, monkeypatch):
    import jsonschema
    import yaml
    from sagemaker.core.config.config import load_sagemaker_config
    from sagemaker.core.config.config_schema import SAGEMAKER_PYTHON_SDK_CONFIG_SCHEMA

    result, _ = _run_lifecycle_script(_script_from_template(tj), tmp_path)
    assert result.returncode == 0, result.stderr
    written = tmp_path / ".config" / "sagemaker" / "config.yaml"
    document = yaml.safe_load(written.read_text())
    jsonschema.validate(document, SAGEMAKER_PYTHON_SDK_CONFIG_SCHEMA)
    assert document == sdk_defaults_document(BUCKET, ROLE_ARN, lab_tags("mls"))
    tags = [{"Key": "project", "Value": "study-env"}, {"Key": "study-env:prefix", "Value": "mls"}]
    for section in ("TrainingJob", "ProcessingJob", "TransformJob", "Model", "EndpointConfig", "Endpoint", "Pipeline"):
        assert document["SageMaker"][section]["Tags"] == tags, section
    session = document["SageMaker"]["PythonSDK"]["Modules"]["Session"]
    assert session == {"DefaultS3Bucket": BUCKET, "DefaultS3ObjectKeyPrefix": "models/training"}
    assert document["SageMaker"]["TrainingJob"]["RoleArn"] == ROLE_ARN
    assert document["SageMaker"]["ProcessingJob"]["RoleArn"] == ROLE_ARN
    assert document["SageMaker"]["Model"]["ExecutionRoleArn"] == ROLE_ARN
    # The SDK's own loader reads it from the user's config path and validates it again.
    monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(written))
    monkeypatch.setenv("SAGEMAKER_ADMIN_CONFIG_OVERRIDE", str(written))
    assert load_sagemaker_config() == document


def test_the_schema_check_can_fail():
    import jsonschema
    from sagemaker.core.config.config_schema import SAGEMAKER_PYTHON_SDK_CONFIG_SCHEMA

    bad = sdk_defaults_document(BUCKET, "not-a-role-arn", lab_tags("mls"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SAGEMAKER_PYTHON_SDK_CONFIG_SCHEMA)


SDK2_PYTHON = os.path.join(ROOT, ".venv-sdk2", "bin", "python")


def _tagged(schema: dict) -> list[str]:
    """The sections of an SDK config schema that take Tags."""
    return sorted(
        k for k, v in schema["properties"]["SageMaker"]["properties"].items() if "Tags" in v.get("properties", {})
    )


_SDK2_TAGGED = (
    "import json; from sagemaker.config.config_schema import SAGEMAKER_PYTHON_SDK_CONFIG_SCHEMA as S; "
    "props = S['properties']['SageMaker']['properties']; "
    "print(json.dumps(sorted(k for k, v in props.items() if 'Tags' in v.get('properties', {}))))"
)


def test_every_section_either_sdk_tags_carries_the_labs_tags():
    from sagemaker.core.config.config_schema import SAGEMAKER_PYTHON_SDK_CONFIG_SCHEMA

    from study_env.constructs.studio_lifecycle import TAGGED_SECTIONS

    assert sorted(TAGGED_SECTIONS) == _tagged(SAGEMAKER_PYTHON_SDK_CONFIG_SCHEMA)
    env = {**os.environ, "SAGEMAKER_SUPPRESS_V2_WARNING": "1"}
    sdk2 = subprocess.run([SDK2_PYTHON, "-c", _SDK2_TAGGED], capture_output=True, text=True, timeout=120, env=env)
    assert sdk2.returncode == 0, sdk2.stderr
    assert sorted(TAGGED_SECTIONS) == json.loads(sdk2.stdout.splitlines()[-1])


_SDK2_CHECK = """
import json, sys
import jsonschema
from sagemaker.config.config_schema import SAGEMAKER_PYTHON_SDK_CONFIG_SCHEMA
try:
    jsonschema.validate(json.load(sys.stdin), SAGEMAKER_PYTHON_SDK_CONFIG_SCHEMA)
except jsonschema.ValidationError as err:
    print(err.message)
    sys.exit(3)
"""


@pytest.mark.parametrize("role,valid", [(ROLE_ARN, True), ("not-a-role-arn", False)])
def test_the_sdk_2_kernel_accepts_the_document(role, valid):
    # The notebooks run on SDK 2.x (its own virtualenv): its schema must take the document too.
    document = sdk_defaults_document(BUCKET, role, lab_tags("mls"))
    result = subprocess.run(
        [SDK2_PYTHON, "-c", _SDK2_CHECK], input=json.dumps(document), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == (0 if valid else 3), result.stdout + result.stderr


def test_default_bucket_is_the_study_bucket_and_no_bucket_is_created(tmp_path, monkeypatch):
    import boto3
    from moto import mock_aws

    config = tmp_path / "config.yaml"
    config.write_text(json.dumps(sdk_defaults_document(BUCKET, ROLE_ARN, lab_tags("mls"))))
    monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(config))
    monkeypatch.setenv("SAGEMAKER_ADMIN_CONFIG_OVERRIDE", str(config))
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        from sagemaker.core.helper.session_helper import Session

        session = Session(boto_session=boto3.Session(region_name="us-east-1"))
        assert session.default_bucket() == BUCKET
        assert session.default_bucket_prefix == "models/training"
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [BUCKET]


def test_lifecycle_script_refuses_a_document_that_would_end_its_heredoc():
    with pytest.raises(ValueError, match="the config part must not contain 'SAGEMAKER_SDK_DEFAULTS'"):
        lifecycle_script({"x": "SAGEMAKER_SDK_DEFAULTS"}, BUCKET)


# --- the Studio user's policy -------------------------------------------------------------------------


def _policies(tj: dict) -> dict[str, dict]:
    return _of_type(tj, "AWS::IAM::Policy")


def test_no_wildcard_action_and_star_resources_only_for_unscopable_actions(tj):
    statements = [s for p in _policies(tj).values() for s in p["Properties"]["PolicyDocument"]["Statement"]]
    actions = [a for s in statements for a in _listify(s["Action"])]
    assert all("*" not in a for a in actions), actions
    star = {a for s in statements if s["Resource"] == "*" for a in _listify(s["Action"])}
    # Actions AWS scopes to no resource (Service Authorization Reference): Studio's UI, the teardown,
    # Day 2's tour and Day 1's pay-per-request AI services.
    assert star == {
        "sagemaker:ListApps",
        "sagemaker:ListSpaces",
        "sagemaker:ListUserProfiles",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeNetworkInterfaces",
        "elasticfilesystem:DescribeFileSystems",
        "sagemaker:ListTrainingJobs",
        "sagemaker:ListProcessingJobs",
        "sagemaker:ListTransformJobs",
        "sagemaker:ListHyperParameterTuningJobs",
        "sagemaker:ListModels",
        "sagemaker:ListEndpointConfigs",
        "sagemaker:ListEndpoints",
        "s3:ListAllMyBuckets",
        "comprehend:DetectSentiment",
        "comprehend:DetectKeyPhrases",
        "translate:TranslateText",
        "polly:SynthesizeSpeech",
        "rekognition:DetectLabels",
        "rekognition:DetectText",
        "textract:DetectDocumentText",
        # Conditioned on the output bucket (test below).
        "transcribe:StartTranscriptionJob",
    }


def test_studio_user_policy_is_attached_to_the_foundation_role_and_scoped_to_this_domain(tj):
    domain, _ = _one(tj, "AWS::SageMaker::Domain")
    (user_policy,) = [p for k, p in _policies(tj).items() if k.startswith("UserAccess")]
    (role,) = user_policy["Properties"]["Roles"]
    assert "ExecutionRole" in json.dumps(role) and "Fn::ImportValue" in json.dumps(role)
    statements = user_policy["Properties"]["PolicyDocument"]["Statement"]
    apps = [s for s in statements if "sagemaker:CreateApp" in _listify(s["Action"])]
    (app_statement,) = apps
    resources = json.dumps(app_statement["Resource"])
    assert resources.count(json.dumps({"Fn::GetAtt": [domain, "DomainId"]})) == 2
    assert ":app/" in resources and ":space/" in resources
    (profile,) = [s for s in statements if s["Action"] == "sagemaker:DescribeUserProfile"]
    assert json.dumps(profile["Resource"]).endswith('"/student"]]}')


def _user_statements(tj: dict) -> dict[str, dict]:
    (user_policy,) = [p for k, p in _policies(tj).items() if k.startswith("UserAccess")]
    return {s.get("Sid"): s for s in user_policy["Properties"]["PolicyDocument"]["Statement"]}


ALLOWED = ["ml.t3.medium", "ml.m5.large", "ml.m5.xlarge"]


def test_notebook_jobs_of_any_name_only_on_allowed_instance_types(tj):
    by_sid = _user_statements(tj)
    jobs = by_sid["NotebookCreateJobs"]
    assert set(jobs["Action"]) == {
        "sagemaker:CreateTrainingJob",
        "sagemaker:CreateHyperParameterTuningJob",
        "sagemaker:CreateProcessingJob",
        "sagemaker:CreateTransformJob",
    }
    # Null=false: ForAllValues alone would pass a request that names no instance type.
    assert jobs["Condition"] == {
        "ForAllValues:StringEquals": {"sagemaker:InstanceTypes": ALLOWED},
        "Null": {"sagemaker:InstanceTypes": "false"},
    }
    tails = sorted(r["Fn::Join"][1][-1] for r in jobs["Resource"])
    # The SDK names jobs kmeans-..., linear-learner-..., sagemaker-xgboost-...: any name of these types.
    assert tails == [":hyper-parameter-tuning-job/*", ":processing-job/*", ":training-job/*", ":transform-job/*"]
    assert set(by_sid["NotebookJobLogs"]["Action"]) == {"logs:GetLogEvents", "logs:FilterLogEvents"}


def test_conditions_sit_only_with_the_actions_they_are_about(tj):
    # A ForAllValues condition holds when its key is absent: Describe/Stop/List must not share it.
    for sid, statement in _user_statements(tj).items():
        if "ForAllValues:StringEquals" in json.dumps(statement.get("Condition", {})):
            assert all(a.split(":")[1].startswith("Create") for a in _listify(statement["Action"])), sid


def test_endpoints_need_the_labs_tag_to_be_created_invoked_or_deleted(tj):
    by_sid = _user_statements(tj)
    assert by_sid["NotebookEndpointConfigs"]["Condition"] == {
        "ForAllValues:StringEquals": {"sagemaker:InstanceTypes": ALLOWED}
    }
    assert by_sid["NotebookLabEndpoints"]["Action"] == "sagemaker:CreateEndpoint"
    assert by_sid["NotebookLabEndpoints"]["Condition"] == {"StringEquals": {"aws:RequestTag/study-env:prefix": "mls"}}
    use = by_sid["NotebookUseAndDeleteLabServing"]
    assert set(use["Action"]) == {
        "sagemaker:InvokeEndpoint",
        "sagemaker:DeleteEndpoint",
        "sagemaker:DeleteEndpointConfig",
        "sagemaker:DeleteModel",
    }
    assert use["Condition"] == {"StringEquals": {"aws:ResourceTag/study-env:prefix": "mls"}}
    tagging = by_sid["TagOnlyWhileCreating"]
    assert tagging["Action"] == "sagemaker:AddTags"
    assert set(tagging["Condition"]["StringEquals"]["sagemaker:TaggingAction"]) == {
        "CreateTrainingJob",
        "CreateHyperParameterTuningJob",
        "CreateProcessingJob",
        "CreateTransformJob",
        "CreateModel",
        "CreateEndpointConfig",
        "CreateEndpoint",
    }


def test_transcribe_writes_only_into_the_study_bucket(tj):
    start = _user_statements(tj)["DayOneTranscribeIntoTheStudyBucket"]
    assert start["Action"] == "transcribe:StartTranscriptionJob"
    (bucket,) = start["Condition"]["StringEquals"]["transcribe:OutputBucketName"].values()
    assert "StudyBucket" in json.dumps(bucket)


# --- teardown -------------------------------------------------------------------------------------------


def test_teardown_is_deleted_before_profile_and_domain_and_its_residue_after_the_domain(tj):
    domain, domain_res = _one(tj, "AWS::SageMaker::Domain")
    profile, _ = _one(tj, "AWS::SageMaker::UserProfile")
    apps, apps_res = _one(tj, "Custom::StudioAppsTeardown")
    residue, residue_res = _one(tj, "Custom::StudioResidueTeardown")
    # CloudFormation deletes a resource before everything it depends on.
    assert {domain, profile} <= set(apps_res["DependsOn"])
    assert apps_res["Properties"]["DomainId"] == {"Fn::GetAtt": [domain, "DomainId"]}
    assert residue in domain_res["DependsOn"]
    # ... and the residue (EFS mount targets, NFS groups) before any subnet or the VPC.
    vpc_parts = {k for k, r in tj["Resources"].items() if r["Type"].startswith("AWS::EC2::")}
    assert vpc_parts <= set(residue_res["DependsOn"])
    assert residue_res["Properties"]["VpcId"] == {"Ref": _one(tj, "AWS::EC2::VPC")[0]}


def test_teardown_handler_does_not_depend_on_the_domain(tj):
    # The handler's functions and their default policy must not reference the domain: the domain
    # depends on them (through ResidueTeardown), and only the apps policy may name it.
    domain, _ = _one(tj, "AWS::SageMaker::Domain")
    for key, res in tj["Resources"].items():
        if key.startswith("TeardownHandlerRole") or (
            res["Type"] == "AWS::Lambda::Function" and key.startswith("Teardown")
        ):
            assert domain not in json.dumps(res), key
    (apps_policy,) = [k for k in _policies(tj) if k.startswith("TeardownAppsTeardownPolicy")]
    assert apps_policy in _one(tj, "Custom::StudioAppsTeardown")[1]["DependsOn"]


def test_teardown_uses_the_provider_framework_with_a_poller_and_a_deadline(tj):
    handlers = {
        r["Properties"]["Handler"]: r["Properties"]
        for k, r in _of_type(tj, "AWS::Lambda::Function").items()
        if r["Properties"].get("Handler", "").startswith("index.")
    }
    assert set(handlers) == {"index.on_event", "index.is_complete"}
    assert all(h["Runtime"] == "python3.14" and h["Architectures"] == ["arm64"] for h in handlers.values())
    _one(tj, "AWS::StepFunctions::StateMachine")
    for rtype in ("Custom::StudioAppsTeardown", "Custom::StudioResidueTeardown"):
        # 55-minute Provider timeout; the handler reports what is left 5 minutes before it.
        assert _one(tj, rtype)[1]["Properties"]["TimeoutSeconds"] == "3000"
    definition = json.dumps(_one(tj, "AWS::StepFunctions::StateMachine")[1]["Properties"]["DefinitionString"])
    assert '\\"IntervalSeconds\\":30' in definition and '\\"MaxAttempts\\":110' in definition


# Every AWS operation the teardown handler makes: its describes (lambda/studio_teardown/index.py) ...
TEARDOWN_DESCRIBES = {
    "sagemaker:ListApps",
    "sagemaker:ListSpaces",
    "sagemaker:ListUserProfiles",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeNetworkInterfaces",
    "elasticfilesystem:DescribeFileSystems",
    "elasticfilesystem:DescribeMountTargets",
}
IAM_PREFIX = {"sagemaker": "sagemaker", "ec2": "ec2", "efs": "elasticfilesystem"}


def _planned_operations() -> set[str]:
    """... and every delete its plans can make, from described state that needs each one."""
    import boto3

    import teardown_plan as plan

    domain = "d-abc123"
    calls = plan.plan_apps(
        [{"DomainId": domain, "AppType": "JupyterLab", "AppName": "a", "Status": "InService", "SpaceName": "s"}],
        [{"DomainId": domain, "SpaceName": "empty", "Status": "InService"}],
    ).calls
    calls += plan.plan_apps([], [], [{"DomainId": domain, "UserProfileName": "p", "Status": "InService"}]).calls
    groups = [
        {"GroupId": "sg-1", "GroupName": f"security-group-for-inbound-nfs-{domain}", "IpPermissions": [{}]},
        {"GroupId": "sg-2", "GroupName": f"security-group-for-outbound-nfs-{domain}", "IpPermissionsEgress": [{}]},
    ]
    fs = {"FileSystemId": "fs-1", "LifeCycleState": "available"}
    calls += plan.plan_residue(
        groups, [fs], {"fs-1": [{"MountTargetId": "fsmt-1", "LifeCycleState": "available"}]}, []
    ).calls
    calls += plan.plan_residue(groups, [{**fs, "LifeCycleState": "available"}], {"fs-1": []}).calls
    calls += plan.plan_residue(
        groups, [], {}, [{"NetworkInterfaceId": "eni-1", "Status": "available", "Groups": [{"GroupId": "sg-2"}]}]
    ).calls
    operations = set()
    for call in calls:
        client = boto3.client(call.service, region_name="us-east-1")
        operations.add(f"{IAM_PREFIX[call.service]}:{client.meta.method_to_api_mapping[call.operation]}")
    return operations


def test_the_teardown_role_may_make_every_call_the_handler_makes(tj):
    planned = _planned_operations()
    assert planned == {
        "sagemaker:DeleteApp",
        "sagemaker:DeleteSpace",
        "sagemaker:DeleteUserProfile",
        "elasticfilesystem:DeleteMountTarget",
        "elasticfilesystem:DeleteFileSystem",
        "ec2:DeleteNetworkInterface",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:DeleteSecurityGroup",
    }
    granted = {
        a
        for k, p in _policies(tj).items()
        if k.startswith(("TeardownHandlerRoleDefaultPolicy", "TeardownAppsTeardownPolicy"))
        for st in p["Properties"]["PolicyDocument"]["Statement"]
        for a in _listify(st["Action"])
    }
    assert planned | TEARDOWN_DESCRIBES <= granted
    (apps_policy,) = [p for k, p in _policies(tj).items() if k.startswith("TeardownAppsTeardownPolicy")]
    (profiles,) = [
        st
        for st in apps_policy["Properties"]["PolicyDocument"]["Statement"]
        if st["Action"] == "sagemaker:DeleteUserProfile"
    ]
    domain, _ = _one(tj, "AWS::SageMaker::Domain")
    assert profiles["Resource"]["Fn::Join"][1][-3:] == [":user-profile/", {"Fn::GetAtt": [domain, "DomainId"]}, "/*"]


def test_teardown_may_delete_only_in_this_vpc_and_only_sagemaker_file_systems(tj):
    (policy,) = [p for k, p in _policies(tj).items() if k.startswith("TeardownHandlerRoleDefaultPolicy")]
    by_first = {_listify(s["Action"])[0]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    vpc, _ = _one(tj, "AWS::EC2::VPC")
    for action in ("ec2:DeleteSecurityGroup", "ec2:DeleteNetworkInterface"):
        statement = next(s for s in by_first.values() if action in _listify(s["Action"]))
        assert {"Ref": vpc} in statement["Condition"]["ArnEquals"]["ec2:Vpc"]["Fn::Join"][1]
    efs = next(s for s in by_first.values() if "elasticfilesystem:DeleteFileSystem" in _listify(s["Action"]))
    assert ":domain/*" in json.dumps(efs["Condition"]["StringLike"]["aws:ResourceTag/ManagedByAmazonSageMakerResource"])


# --- context and construct validation ---------------------------------------------------------------------


def test_context_variant_reaches_the_domain(variant, snapshot):
    tj = variant.template_json("studio")
    _, domain = _one(tj, "AWS::SageMaker::Domain")
    idle = domain["Properties"]["DefaultUserSettings"]["JupyterLabAppSettings"]["AppLifecycleManagement"][
        "IdleSettings"
    ]
    assert idle["IdleTimeoutInMinutes"] == 120 and idle["MaxIdleTimeoutInMinutes"] == 120
    editor = domain["Properties"]["DefaultUserSettings"]["CodeEditorAppSettings"]["AppLifecycleManagement"]
    assert editor["IdleSettings"] == idle
    assert domain["Properties"]["DomainName"] == "lab2-studio"
    assert _one(tj, "AWS::SageMaker::UserProfile")[1]["Properties"]["UserProfileName"] == "alice-2"
    assert masked(tj) == snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.parametrize(
    "overrides,key,rule",
    [
        ({"idle_timeout_minutes": 525601}, "idle_timeout_minutes", "between 60 and 525600"),
        ({"user_profile_name": "a" * 64}, "user_profile_name", "1-63 letters"),
        ({"user_profile_name": "bad_name"}, "user_profile_name", "letters, digits and hyphens"),
        ({"max_app_hours": -1}, "max_app_hours", "between 0 and 168"),
        ({"max_job_hours": "six"}, "max_job_hours", "whole number"),
    ],
)
def test_bad_studio_context_names_key_and_rule(overrides, key, rule):
    with pytest.raises(ContextError) as err:
        StudyConfig.from_context(overrides.get)
    assert err.value.key == key and rule in str(err.value)


@pytest.fixture(scope="module")
def scratch():
    return scratch_stack()


@pytest.mark.parametrize(
    "props,message",
    [
        ({"idle_timeout_minutes": 30}, "idle_timeout_minutes=30: must be a whole number of minutes, 60-525600"),
        ({"idle_timeout_minutes": True}, "idle_timeout_minutes=True"),
        ({"user_profile_name": "-x"}, "user_profile_name='-x'"),
        ({"domain_name": "a b"}, "domain_name='a b'"),
        ({"instance_type": "t3.medium"}, "instance_type='t3.medium'"),
        ({"app_instance_types": ["ml.m5.large", "m5.xlarge"]}, "app_instance_types='m5.xlarge'"),
    ],
)
def test_studio_domain_refuses_bad_props(scratch, props, message):
    stack, vpc, _, role, _ = scratch
    kwargs = {"domain_name": "d", "vpc": vpc, "execution_role": role, "user_profile_name": "u", **props}
    with pytest.raises(ValueError, match="^StudioDomain " + re.escape(message)):
        StudioDomain(stack, f"Bad{abs(hash(message))}", **kwargs)


def test_studio_domain_needs_a_public_subnet(scratch):
    stack, _, _, role, _ = scratch
    private = ec2.Vpc(
        stack,
        "Private",
        nat_gateways=0,
        subnet_configuration=[ec2.SubnetConfiguration(name="I", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)],
    )
    with pytest.raises(ValueError, match="StudioDomain vpc: has no public subnet"):
        StudioDomain(stack, "NoPublic", domain_name="d", vpc=private, execution_role=role, user_profile_name="u")


@pytest.mark.parametrize(
    "props,message",
    [
        ({"total_timeout": Duration.minutes(90)}, "total_timeout=5400s: must be 10-60 minutes"),
        ({"total_timeout": Duration.minutes(5)}, "total_timeout=300s"),
        ({"query_interval": Duration.seconds(1)}, "query_interval=1s"),
    ],
)
def test_teardown_refuses_bad_timing(scratch, props, message):
    stack, vpc, _, _, studio = scratch
    with pytest.raises(ValueError, match="^StudioTeardown " + re.escape(message)):
        StudioTeardown(stack, f"Bad{abs(hash(message))}", studio=studio, vpc=vpc, **props)


def test_lifecycle_and_user_access_refuse_bad_props(scratch):
    stack, _, bucket, role, studio = scratch
    with pytest.raises(ValueError, match="StudioLifecycle name_prefix='': must be 1-54 characters"):
        StudioLifecycle(stack, "BadLifecycle", name_prefix="", study_bucket=bucket, execution_role=role, tags={})
    with pytest.raises(ValueError, match="StudioUserAccess prefix='Mls!'"):
        StudioUserAccess(
            stack,
            "BadAccess",
            execution_role=role,
            studio=studio,
            study_bucket=bucket,
            prefix="Mls!",
            allowed_instance_types=["ml.m5.large"],
        )
    with pytest.raises(ValueError, match="StudioUserAccess allowed_instance_types"):
        StudioUserAccess(
            stack,
            "BadTypes",
            execution_role=role,
            studio=studio,
            study_bucket=bucket,
            prefix="mls",
            allowed_instance_types=[],
        )


# --- JupyterLab's image -------------------------------------------------------------------------------


def _holds(condition, region: str) -> bool:
    """Evaluate a template condition of Fn::Or / Fn::Equals on AWS::Region for ``region``."""
    ((fn, args),) = condition.items()
    if fn == "Fn::Or":
        return any(_holds(arg, region) for arg in args)
    assert fn == "Fn::Equals" and {"Ref": "AWS::Region"} in args, condition
    return region in args


def test_jupyterlab_runs_the_sagemaker_distribution_image_of_its_region(tj):
    from study_env.images import distribution_accounts

    spec = _one(tj, "AWS::SageMaker::Domain")[1]["Properties"]["DefaultUserSettings"]["JupyterLabAppSettings"]
    condition, arn, otherwise = spec["DefaultResourceSpec"]["SageMakerImageArn"]["Fn::If"]
    assert otherwise == {"Ref": "AWS::NoValue"}
    assert arn == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":sagemaker:",
                {"Ref": "AWS::Region"},
                ":",
                {"Fn::FindInMap": ["SageMakerDistributionAccounts", {"Ref": "AWS::Region"}, "account"]},
                ":image/sagemaker-distribution-cpu",
            ],
        ]
    }
    mapping = tj["Mappings"]["SageMakerDistributionAccounts"]
    assert {region: row["account"] for region, row in mapping.items()} == distribution_accounts()
    # Public sources disagree on us-east-2's account; the SDK's registry (and AWS's image ARN page) say this one.
    assert mapping["us-east-2"] == {"account": "137914896644"}
    expression = tj["Conditions"][condition]
    assert all(_holds(expression, region) for region in mapping)
    # Elsewhere Studio picks its own default image: the stack still deploys.
    assert not _holds(expression, "ap-south-2") and not _holds(expression, "us-gov-west-1")


def test_the_distribution_map_is_the_sdks():
    from sagemaker.core import image_uris

    from study_env.images import distribution_accounts

    config = image_uris.config_for_framework("sagemaker-distribution")
    for version in config["versions"].values():
        assert version["registries"] == distribution_accounts()
    sdk2 = subprocess.run(
        [
            SDK2_PYTHON,
            "-c",
            "import json; from sagemaker import image_uris; "
            "c = image_uris.config_for_framework('sagemaker-distribution'); "
            "print(json.dumps([v['registries'] for v in c['versions'].values()]))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SAGEMAKER_SUPPRESS_V2_WARNING": "1"},
    )
    assert sdk2.returncode == 0, sdk2.stderr
    assert all(registries == distribution_accounts() for registries in json.loads(sdk2.stdout.splitlines()[-1]))
