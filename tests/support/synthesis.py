"""Synthesizing the app for tests: one place that knows how (context, outdir, cdk-nag, masking)."""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from aws_cdk import Validations
from aws_cdk.assertions import Template

from study_env.app import create_app
from study_env.config import StudyConfig
from study_env.paths import ROOT

ASSET_HASH_RE = re.compile(r"[0-9a-f]{64}")
ASSET_TOKEN = "<ASSET_HASH>"


def cdk_json_context() -> dict[str, Any]:
    """The context the CDK CLI gives the app by default: cdk.json's ``context`` block."""
    with open(os.path.join(ROOT, "cdk.json")) as fh:
        return json.load(fh)["context"]


@dataclass
class Synthesis:
    """One synthesized app: its config, stacks, cloud assembly folder and validation report."""

    config: StudyConfig
    stacks: dict[str, Any]
    outdir: str
    _templates: dict[str, dict] = field(default_factory=dict)

    def template_json(self, stack: str) -> dict:
        """The template of stack ``stack`` (short name, e.g. "foundation") as written to cdk.out."""
        if stack not in self._templates:
            artifact = self.stacks[stack].artifact_id
            with open(os.path.join(self.outdir, f"{artifact}.template.json")) as fh:
                self._templates[stack] = json.load(fh)
        return self._templates[stack]

    def template(self, stack: str) -> Template:
        return Template.from_json(self.template_json(stack))

    def resources(self, stack: str, rtype: str) -> dict[str, dict]:
        return {k: v for k, v in self.template_json(stack)["Resources"].items() if v["Type"] == rtype}

    @cached_property
    def validation_report(self) -> dict:
        path = os.path.join(self.outdir, "validation-report.json")
        if not os.path.exists(path):
            return {"pluginReports": []}
        with open(path) as fh:
            return json.load(fh)

    def template_paths(self) -> list[str]:
        return sorted(os.path.join(self.outdir, f"{s.artifact_id}.template.json") for s in self.stacks.values())


def synthesize(overrides: dict[str, Any] | None = None, *, nag: bool = True, outdir: str | None = None) -> Synthesis:
    """Build and synthesize the app with cdk.json's context plus ``overrides``.

    With ``nag`` the AwsSolutions pack runs as a validation plugin and writes its findings to the
    report instead of failing synthesis, so a test can list them.
    """
    context = cdk_json_context()
    context.update(overrides or {})
    context["@aws-cdk/core:failSynthOnValidationErrors"] = False
    outdir = outdir or tempfile.mkdtemp(prefix="cdkout-")
    app, config, stacks = create_app(context, outdir=outdir, environ={})
    if nag:
        from cdk_nag import AwsSolutionsChecks

        Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()
    return Synthesis(config=config, stacks=stacks, outdir=outdir)


def nag_findings(report: dict) -> list[str]:
    """``rule @ construct path`` for every unacknowledged finding in a validation report."""
    return [
        f"{v['ruleName']} @ {c['constructPath']}"
        for plugin in report.get("pluginReports", [])
        for v in plugin.get("violations", [])
        for c in v.get("violatingConstructs", [])
    ]


def masked(template: dict) -> dict:
    """The template with asset hashes replaced by a stable token, for snapshots."""
    return json.loads(ASSET_HASH_RE.sub(ASSET_TOKEN, json.dumps(template, sort_keys=True)))
