"""Builds the lab's CDK app: reads and validates context, then wires the stacks together."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

from aws_cdk import App, Environment, Fn, Tags

from study_env.config import StudyConfig
from study_env.stacks.foundation import FoundationStack
from study_env.stacks.jobs import JobsStack, launcher_role_export_name
from study_env.stacks.serving import ServingStack
from study_env.stacks.studio import StudioStack
from study_env.tags import lab_tags


class LabStacks(TypedDict):
    """The app's stacks by short name, each with its own type (``stacks["serving"].endpoint`` type-checks)."""

    foundation: FoundationStack
    studio: StudioStack
    jobs: JobsStack
    serving: NotRequired[ServingStack]


def build_stacks(app: App, config: StudyConfig) -> LabStacks:
    """Create every stack the config asks for, in dependency order; return them by short name.

    Each stack's construct id is its stack name, so `cdk deploy mls-serving` selects it by that name.
    """
    env = Environment(account=config.account, region=config.region) if (config.account or config.region) else None

    def named(part: str, description: str) -> dict[str, Any]:
        return {
            "id": config.stack_name(part),
            "stack_name": config.stack_name(part),
            "description": description,
            "env": env,
        }

    foundation = FoundationStack(
        app, config=config, **named("foundation", "sagemaker-study-env: study bucket and SageMaker execution role")
    )
    # What every later stack is built on: the bucket and the role that SageMaker assumes.
    shared: dict[str, Any] = {
        "config": config,
        "study_bucket": foundation.study_bucket,
        "execution_role": foundation.execution_role,
    }
    stacks = LabStacks(
        foundation=foundation,
        studio=StudioStack(
            app,
            alerts_topic=foundation.alerts.topic,
            **shared,
            **named("studio", "sagemaker-study-env: Studio domain, user profile with idle shutdown, and its teardown"),
        ),
        jobs=JobsStack(
            app,
            alerts_topic=foundation.alerts.topic,
            **shared,
            **named(
                "jobs",
                "sagemaker-study-env: the job launcher, job notifications and cleanup of what jobs leave behind",
            ),
        ),
    )
    if config.serving_enabled:
        stacks["serving"] = ServingStack(
            app,
            launcher_role_arn=Fn.import_value(launcher_role_export_name(config.prefix)),
            alerts_topic=foundation.alerts.topic,
            **shared,
            **named("serving", "sagemaker-study-env: an endpoint for one model, deleted after its time-to-live"),
        )
        stacks["serving"].add_stack_dependency(stacks["jobs"])
    for key, value in lab_tags(config.prefix).items():
        Tags.of(app).add(key, value)
    return stacks


def create_app(
    context: Mapping[str, Any] | None = None,
    outdir: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[App, StudyConfig, LabStacks]:
    """An App with its stacks. ``context`` adds to (and overrides) cdk.json's context.

    Raises :class:`study_env.config.ContextError` before any stack is built when a value is bad.
    """
    app = App(context=dict(context or {}), outdir=outdir, analytics_reporting=False)
    config = StudyConfig.from_context(app.node.try_get_context, os.environ if environ is None else environ)
    return app, config, build_stacks(app, config)
