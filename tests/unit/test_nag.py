"""cdk-nag AwsSolutions: zero unacknowledged findings, and proof that the check can fail."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App, Stack, Validations
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks

from study_env.nag import acknowledge
from tests.support.synthesis import nag_findings


def test_default_app_has_no_unacknowledged_findings(synth):
    assert nag_findings(synth.validation_report) == []


def _control_findings(tmp_path, acknowledged: bool) -> list[str]:
    app = App(outdir=str(tmp_path), context={"@aws-cdk/core:failSynthOnValidationErrors": False})
    bucket = s3.Bucket(Stack(app, "Control"), "Bare", enforce_ssl=True)
    if acknowledged:
        acknowledge(bucket, ("AwsSolutions-S1", "A control bucket in a test, never deployed anywhere."))
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()
    with open(tmp_path / "validation-report.json") as fh:
        return nag_findings(json.load(fh))


def test_the_harness_reports_an_unacknowledged_finding_and_honours_an_acknowledged_one(tmp_path):
    # A control: the same plugin setup on a bare bucket must report AwsSolutions-S1, so an empty
    # report above means "clean", not "the plugin did not run".
    assert "AwsSolutions-S1 @ Control/Bare/Resource" in _control_findings(tmp_path / "a", acknowledged=False)
    assert "AwsSolutions-S1 @ Control/Bare/Resource" not in _control_findings(tmp_path / "b", acknowledged=True)


@pytest.mark.parametrize("reason", ["", "ok", "not needed here"])
def test_an_acknowledgement_without_a_specific_reason_is_refused(reason):
    app = App()
    bucket = s3.Bucket(Stack(app, "S"), "B")
    with pytest.raises(ValueError, match="AwsSolutions-S1: give a specific reason"):
        acknowledge(bucket, ("AwsSolutions-S1", reason))
