"""Builds the lab's CDK app: reads and validates context, then wires the stacks together."""

from __future__ import annotations

import os
from typing import Any, Mapping

from aws_cdk import App, Environment, Fn, Stack, Tags

from study_env.config import StudyConfig
from study_env.stacks.foundation import FoundationStack
from study_env.stacks.jobs import JobsStack, launcher_role_export_name
from study_env.stacks.serving import ServingStack
from study_env.stacks.studio import StudioStack
from study_env.tags import lab_tags



def build_stacks(app: App, config: StudyConfig) -> dict[str, Stack]:
    """Create every stack the config asks for, in dependency order; return them by short name.

    Each stack's construct id is its stack name, so `cdk deploy mls-serving` selects it by that name.
    """
    env = Environment(account=config.account, region=config.region) if (config.account or config.region) else None
    stacks: dict[str, Stack] = {}
    stacks["foundation"] = FoundationStack(
        app,
        config.stack_name("foundation"),
        stack_name=config.stack_name("foundation"),
        description="sagemaker-study-env: study bucket and SageMaker execution role",
        config=config,
        env=env,
    )
    foundation = stacks["foundation"]
    # What every later stack is built on: the bucket and the role that SageMaker assumes.
    shared = dict(
        config=config, study_bucket=foundation.study_bucket, execution_role=foundation.execution_role, env=env
    )
    stacks["studio"] = StudioStack(
        app,
        config.stack_name("studio"),
        stack_name=config.stack_name("studio"),
        description="sagemaker-study-env: Studio domain, user profile with idle shutdown, and its teardown",
        **shared,
    )
    stacks["jobs"] = JobsStack(
        app,
        config.stack_name("jobs"),
        stack_name=config.stack_name("jobs"),
        description="sagemaker-study-env: the job launcher, job notifications and cleanup of what jobs leave behind",
        alerts_topic=foundation.alerts.topic,
        **shared,
    )
    if config.serving_enabled:
        stacks["serving"] = ServingStack(
            app,
            config.stack_name("serving"),
            stack_name=config.stack_name("serving"),
            description="sagemaker-study-env: an endpoint for one model, deleted after its time-to-live",
            launcher_role_arn=Fn.import_value(launcher_role_export_name(config.prefix)),
            **shared,
        )
        stacks["serving"].add_stack_dependency(stacks["jobs"])
    for key, value in lab_tags(config.prefix).items():
        Tags.of(app).add(key, value)
    return stacks


def create_app(
    context: Mapping[str, Any] | None = None,
    outdir: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[App, StudyConfig, dict[str, Stack]]:
    """An App with its stacks. ``context`` adds to (and overrides) cdk.json's context.

    Raises :class:`study_env.config.ContextError` before any stack is built when a value is bad.
    """
    app = App(context=dict(context or {}), outdir=outdir, analytics_reporting=False)
    config = StudyConfig.from_context(app.node.try_get_context, os.environ if environ is None else environ)
    return app, config, build_stacks(app, config)
