"""Context validation: every bad value fails with one line naming key, value and rule."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys

import pytest

from study_env.config import ContextError, StudyConfig
from tests.support.synthesis import ROOT, cdk_json_context


def config_from(**overrides) -> StudyConfig:
    context = cdk_json_context()
    context.update(overrides)
    return StudyConfig.from_context(context.get, {})


def test_cdk_json_defaults_are_the_config_defaults():
    # The CLI reads cdk.json, tests and library users get the dataclass defaults: they must agree.
    from_cdk_json = config_from()
    assert from_cdk_json == StudyConfig()
    documented = {k for k in cdk_json_context() if not k.startswith("@")}
    optional = {"training_job_name", "model_key", "alert_email", "account", "region"}
    assert documented == {f.name for f in dataclasses.fields(StudyConfig)} - optional


def test_command_line_strings_are_parsed():
    cfg = config_from(
        idle_timeout_minutes="120",
        allowed_instance_types="ml.m5.large, ml.c5.xlarge",
        endpoint_ttl_hours="0",
    )
    assert cfg.idle_timeout_minutes == 120
    assert cfg.allowed_instance_types == ("ml.m5.large", "ml.c5.xlarge")
    assert cfg.endpoint_ttl_hours == 0
    assert config_from(allowed_instance_types='["ml.m5.large"]').allowed_instance_types == ("ml.m5.large",)


def test_environment_comes_from_cdk_variables_only_when_present():
    assert config_from().account is None and config_from().region is None
    cfg = StudyConfig.from_context(
        cdk_json_context().get, {"CDK_DEFAULT_ACCOUNT": "123456789012", "CDK_DEFAULT_REGION": "eu-west-1"}
    )
    assert (cfg.account, cfg.region) == ("123456789012", "eu-west-1")


def test_availability_zones_are_read_and_checked_against_the_region():
    assert config_from().availability_zones == ()
    assert config_from(availability_zones="us-east-1a, us-east-1c").availability_zones == ("us-east-1a", "us-east-1c")
    context = {**cdk_json_context(), "availability_zones": ["us-east-1a", "us-east-1b"]}
    with pytest.raises(ContextError, match=r"'us-east-1a': is not in the deployment's region eu-west-1"):
        StudyConfig.from_context(context.get, {"CDK_DEFAULT_REGION": "eu-west-1"})


def test_serving_is_enabled_only_by_a_model():
    assert not config_from().serving_enabled
    assert config_from(training_job_name="mls-train-1").serving_enabled
    assert config_from(model_key="models/artifacts/m/model.tar.gz").serving_enabled


BAD = {
    "prefix uppercase": ({"prefix": "MLS"}, "prefix", "lowercase"),
    "prefix too long": ({"prefix": "abcdefghijk"}, "prefix", "2-10"),
    "prefix too short": ({"prefix": "a"}, "prefix", "2-10"),
    "prefix starts with digit": ({"prefix": "1ab"}, "prefix", "starting with a letter"),
    "prefix with hyphen": ({"prefix": "ml-s"}, "prefix", "lowercase letters and digits"),
    "instance types empty": ({"allowed_instance_types": []}, "allowed_instance_types", "at least one"),
    "instance type malformed": (
        {"allowed_instance_types": ["m5.large"]},
        "allowed_instance_types",
        "ml.<family>.<size>",
    ),
    "instance types not a list": ({"allowed_instance_types": 5}, "allowed_instance_types", "list of strings"),
    "instance types bad json": ({"allowed_instance_types": "[ml.m5.large"}, "allowed_instance_types", "JSON"),
    "default type not allowed": (
        {"default_instance_type": "ml.p3.2xlarge"},
        "default_instance_type",
        "allowed_instance_types",
    ),
    "xgboost version": ({"xgboost_version": "0.90-1"}, "xgboost_version", "1.7-1, 1.5-1"),
    "profile name": ({"user_profile_name": "-bad"}, "user_profile_name", "hyphen"),
    "idle too short": ({"idle_timeout_minutes": 59}, "idle_timeout_minutes", "between 60 and 525600"),
    "idle not a number": ({"idle_timeout_minutes": "soon"}, "idle_timeout_minutes", "whole number"),
    "idle boolean": ({"idle_timeout_minutes": True}, "idle_timeout_minutes", "whole number"),
    "job name": ({"training_job_name": "bad_name!"}, "training_job_name", "training job name"),
    "model key outside models": ({"model_key": "data/raw/model.tar.gz"}, "model_key", "under models/"),
    "model key not tar.gz": ({"model_key": "models/x/model.zip"}, "model_key", ".tar.gz"),
    "model key s3 url": ({"model_key": "s3://other/models/m.tar.gz"}, "model_key", "no s3://"),
    "model key traversal": ({"model_key": "models/../data/m.tar.gz"}, "model_key", "under models/"),
    "both model sources": ({"training_job_name": "j1", "model_key": "models/m.tar.gz"}, "model_key", "not both"),
    "endpoint mode": ({"endpoint_mode": "always-on"}, "endpoint_mode", "serverless, instance, async"),
    "serverless memory": ({"serverless_memory_mb": 1500}, "serverless_memory_mb", "1024"),
    "serverless concurrency": ({"serverless_max_concurrency": 0}, "serverless_max_concurrency", "between 1 and 200"),
    "endpoint type not allowed": (
        {"endpoint_instance_type": "ml.g5.xlarge"},
        "endpoint_instance_type",
        "allowed_instance_types",
    ),
    "endpoint type SageMaker does not host": (
        {"endpoint_instance_type": "ml.t3.medium"},
        "endpoint_instance_type",
        "not ml.t3",
    ),
    "ttl too long": ({"endpoint_ttl_hours": 200}, "endpoint_ttl_hours", "between 0 and 168"),
    "ttl negative": ({"endpoint_ttl_hours": -1}, "endpoint_ttl_hours", "between 0 and 168"),
    "budget zero": ({"budget_usd": 0}, "budget_usd", "between 1 and 10000"),
    "email": ({"alert_email": "not-an-email"}, "alert_email", "email address"),
    "zone id instead of name": ({"availability_zones": "use1-az1,use1-az2"}, "availability_zones", "like us-east-1a"),
    "local zone": ({"availability_zones": ["us-west-2-lax-1a"]}, "availability_zones", "like us-east-1a"),
    "zone twice": ({"availability_zones": ["us-east-1a", "us-east-1a"]}, "availability_zones", "different"),
    "too many zones": ({"availability_zones": [f"us-east-1{c}" for c in "abcdefg"]}, "availability_zones", "1-6"),
}


@pytest.mark.parametrize("overrides,key,rule", list(BAD.values()), ids=list(BAD))
def test_bad_context_names_key_value_and_rule(overrides, key, rule):
    with pytest.raises(ContextError) as err:
        config_from(**overrides)
    message = str(err.value)
    assert err.value.key == key
    assert message.startswith(f"context {key!r}=")
    assert rule in message
    assert "\n" not in message


def _run_app(tmp_path, context: dict, **env) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "CDK_OUTDIR": str(tmp_path), "CDK_CONTEXT_JSON": json.dumps(context), **env}
    return subprocess.run(
        [sys.executable, "app.py"], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_bad_context_fails_synth_with_one_line_and_writes_nothing(tmp_path):
    context = {**cdk_json_context(), "prefix": "Bad-Prefix"}
    result = _run_app(tmp_path, context)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: context 'prefix'='Bad-Prefix': must be 2-10 lowercase letters and digits, starting with a letter"
    ]
    assert not (tmp_path / "manifest.json").exists()


@pytest.mark.slow
def test_a_time_to_live_without_a_cloudformation_role_fails_synth_with_one_line(tmp_path):
    # The legacy synthesizer (chosen by this CDK flag) deploys with the caller's credentials: the scheduled
    # DeleteStack would have no role to pass.
    context = {
        **cdk_json_context(),
        "training_job_name": "mls-train-1",
        "@aws-cdk/core:newStyleStackSynthesis": False,
    }
    result = _run_app(tmp_path, context)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: StackTimeToLive: the synthesizer of mls-serving (LegacyStackSynthesizer) names no CloudFormation "
        "execution role for the scheduled DeleteStack; use DefaultStackSynthesizer, pass execution_role_arn, or set "
        "endpoint_ttl_hours=0"
    ]
    assert not (tmp_path / "manifest.json").exists()


@pytest.mark.slow
def test_synth_with_builtin_validation_on_has_no_findings(tmp_path):
    # The only synthesis of the lab with CDK's CloudFormation validation on (the user's `cdk synth`
    # default). cdk.json sets @aws-cdk/core:validateAgainstDefaultRules, so a finding is an error.
    result = _run_app(tmp_path, cdk_json_context(), CDK_VALIDATION="true")
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "validation-report.json") as fh:
        report = json.load(fh)
    assert [p for p in report["pluginReports"] if p.get("violations")] == []
    assert (tmp_path / "manifest.json").exists()


@pytest.mark.slow
def test_builtin_validation_with_the_lab_flags_fails_a_bad_template(tmp_path):
    # A control for the test above: the same flags on a template with an unknown property fail synth.
    app_code = (
        "import aws_cdk as cdk\n"
        "app = cdk.App()\n"
        "cdk.CfnResource(cdk.Stack(app, 'S'), 'B', type='AWS::S3::Bucket', properties={'NotAProperty': 1})\n"
        "app.synth()\n"
    )
    flags = {k: v for k, v in cdk_json_context().items() if k.startswith("@")}
    env = {**os.environ, "CDK_OUTDIR": str(tmp_path), "CDK_CONTEXT_JSON": json.dumps(flags), "CDK_VALIDATION": "true"}
    result = subprocess.run([sys.executable, "-c", app_code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "NotAProperty" in result.stdout + result.stderr


def test_make_destroy_reaches_the_serving_stack_too():
    # `make destroy` must select the optional serving stack, or its imports block destroying the rest.
    from study_env.config import DESTROY_CONTEXT

    # What `make destroy` runs, with its $(...) expanded by the shell as make would.
    dry = subprocess.run(
        ["make", "-n", "-s", "destroy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "MAKEFLAGS": ""},
    )
    (command,) = [line for line in dry.stdout.splitlines() if " destroy --all " in line]
    expanded = subprocess.run(["bash", "-c", f"echo {command}"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "destroy --all -c model_key=models/destroy/model.tar.gz --no-notices" in expanded.stdout
    assert config_from(**DESTROY_CONTEXT).serving_enabled


def test_the_endpoint_rule_is_sagemakers_list_of_hosting_types():
    # botocore's service model carries the types an endpoint variant accepts; synth cannot import it.
    import botocore.session

    from study_env.naming import ENDPOINT_INSTANCE_TYPE

    hosting = set(
        botocore.session.get_session().get_service_model("sagemaker").shape_for("ProductionVariantInstanceType").enum
    )
    for itype in ("ml.t3.medium", "ml.t3.large", "ml.t2.medium", "ml.m5.large", "ml.m5.xlarge", "ml.c5.xlarge"):
        assert ENDPOINT_INSTANCE_TYPE.matches(itype) == (itype in hosting), itype


def test_the_served_algorithm_is_one_of_the_built_in_ones():
    assert config_from(algorithm="kmeans").algorithm == "kmeans"
    with pytest.raises(ContextError, match=r"^context 'algorithm'='k-means': must be one of xgboost, linear-learner"):
        config_from(algorithm="k-means")
