"""The lab's JupyterLab lifecycle configuration: SDK defaults, the SageMaker SDK 2.x kernel, the Day notebooks.

Set as the domain's *built-in* lifecycle configuration, it runs at every JupyterLab start (a default
one is only pre-selected, and sticks per space until the user picks another). At every start it:

1. writes the SageMaker Python SDK's defaults file (``~/.config/sagemaker/config.yaml``): the study
   bucket as default bucket under ``models/training``, the execution role for jobs and models, and the
   lab's tags on everything the SDK creates (so the cleanup, the reaper and the cost views find it);
2. starts ``studio/jupyterlab_start.py`` in the background (Studio stops a start that takes over five
   minutes): it builds the SDK 2.x kernel once per image Python from the pins in
   ``requirements-sdk2.txt``, and copies the Day notebooks from ``code/notebooks/`` into
   ``~/study-plan/`` without overwriting the learner's edits. Its log is ``~/.study-lab/start.log``.

Every property of ``AWS::SageMaker::StudioLifecycleConfig`` is create-only, so the configuration's
name carries a hash of its content: a changed script is a new configuration (CloudFormation replaces
it), the same script keeps its name.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping

from aws_cdk import Fn, Stack
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from study_env import layout
from study_env.constructs.execution_role import SageMakerExecutionRole
from study_env.constructs.study_bucket import StudyBucket
from study_env.paths import ROOT

START_SCRIPT = os.path.join(ROOT, "studio", "jupyterlab_start.py")
SDK2_REQUIREMENTS = os.path.join(ROOT, "requirements-sdk2.txt")
# Session.default_bucket_prefix: every path the SDK derives from the default bucket (job outputs,
# uploaded source code, record sets) goes under it; the execution role reads and writes models/.
DEFAULT_KEY_PREFIX = layout.MODELS_TRAINING
# Every section of the SDK's config schema that takes Tags (2.x and 3.x alike; a tuning job takes
# TrainingJob's), so whatever a notebook creates carries the lab's tags (tests compare with both schemas).
TAGGED_SECTIONS = (
    "TrainingJob",
    "ProcessingJob",
    "TransformJob",
    "Model",
    "EndpointConfig",
    "Endpoint",
    "AutoMLJob",
    "AutoMLJobV2",
    "CompilationJob",
    "EdgePackagingJob",
    "FeatureGroup",
    "MonitoringSchedule",
    "Pipeline",
)
# StudioLifecycleConfigContent is at most 16,384 characters of base64.
MAX_CONTENT_LENGTH = 16384
# The longest value a token of the script stands for (a role ARN; a bucket name is at most 63), for the length check.
_LONGEST_TOKEN_VALUE = "arn:aws-us-gov:iam::123456789012:role/" + "r" * 64
_HEREDOCS = {"config": "SAGEMAKER_SDK_DEFAULTS", "pins": "STUDY_LAB_PINS", "start": "STUDY_LAB_START"}


def sdk_defaults_document(
    bucket_name: str, role_arn: str, tags: Mapping[str, str], key_prefix: str = DEFAULT_KEY_PREFIX
) -> dict:
    """The SDK's defaults file for this lab (validated against SDK 2.x's and 3.x's config schema in tests)."""
    layout.check_prefix(key_prefix)
    tag_list = [{"Key": key, "Value": value} for key, value in tags.items()]
    sections: dict[str, dict] = {section: {"Tags": tag_list} for section in TAGGED_SECTIONS}
    sections["TrainingJob"]["RoleArn"] = role_arn
    sections["ProcessingJob"]["RoleArn"] = role_arn
    sections["Model"]["ExecutionRoleArn"] = role_arn
    return {
        "SchemaVersion": "1.0",
        "SageMaker": {
            "PythonSDK": {
                "Modules": {
                    "Session": {"DefaultS3Bucket": bucket_name, "DefaultS3ObjectKeyPrefix": key_prefix.rstrip("/")}
                }
            },
            **sections,
        },
    }


def _read(path: str) -> str:
    with open(path) as fh:
        return fh.read()


def lifecycle_script(document: dict, bucket_name: str, notebooks_prefix: str = layout.CODE_NOTEBOOKS) -> str:
    """The bash script Studio runs at every JupyterLab start."""
    parts = {
        "config": json.dumps(document, indent=1, sort_keys=True),
        "pins": _read(SDK2_REQUIREMENTS),
        "start": _read(START_SCRIPT),
    }
    for name, end in _HEREDOCS.items():
        if end in parts[name]:
            raise ValueError(f"lifecycle script: the {name} part must not contain {end!r}")
    return (
        "#!/bin/bash\n"
        "# The study lab's JupyterLab start: SageMaker SDK defaults, the SDK 2.x kernel, the Day notebooks.\n"
        "# Studio stops a start that takes over five minutes: the long work runs in the background.\n"
        "set -eu\n"
        "# Lifecycle scripts run as sagemaker-user, whose persistent home this is.\n"
        'HOME="${HOME:-/home/sagemaker-user}"\n'
        'state="$HOME/.study-lab"\n'
        'mkdir -p "$state" "$HOME/.config/sagemaker"\n'
        + _heredoc("$HOME/.config/sagemaker/config.yaml", "config", parts)
        + _heredoc("$state/requirements-sdk2.txt", "pins", parts)
        + _heredoc("$state/jupyterlab_start.py", "start", parts)
        + 'echo "--- $(date -u +%FT%TZ) JupyterLab start" >> "$state/start.log"\n'
        f'nohup python3 "$state/jupyterlab_start.py" --bucket "{bucket_name}" --prefix "{notebooks_prefix}" '
        '--requirements "$state/requirements-sdk2.txt" >> "$state/start.log" 2>&1 &\n'
    )


def _heredoc(path: str, part: str, parts: dict[str, str]) -> str:
    """``cat > path`` of one part, quoted so the shell expands nothing in it."""
    end, text = _HEREDOCS[part], parts[part]
    return f"cat > \"{path}\" <<'{end}'\n{text}{'' if text.endswith(chr(10)) else chr(10)}{end}\n"


def content_length(script: str) -> int:
    """The base64 length of ``script`` with each token as long as a role ARN (the limit applies to that)."""
    resolved = script
    while "${Token[" in resolved:
        start = resolved.index("${Token[")
        resolved = resolved[:start] + _LONGEST_TOKEN_VALUE + resolved[resolved.index("]}", start) + 2 :]
    return len(base64.b64encode(resolved.encode()))


class StudioLifecycle(Construct):
    """A JupyterLab lifecycle configuration for ``study_bucket`` and ``execution_role`` (see the module doc).

    :param name_prefix: the configuration's name is ``<name_prefix>-<hash of its content>`` (at most 63
        characters, unique in the account and region).
    :param study_bucket: the SDK's default bucket, and where the notebooks are copied from.
    :param execution_role: the role the SDK's jobs and models use.
    :param tags: tags the SDK puts on everything it creates.
    :param key_prefix: the SDK's default key prefix in the bucket. Default: ``models/training/``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name_prefix: str,
        study_bucket: StudyBucket,
        execution_role: SageMakerExecutionRole,
        tags: Mapping[str, str],
        key_prefix: str = DEFAULT_KEY_PREFIX,
    ) -> None:
        super().__init__(scope, id)
        if not name_prefix or len(name_prefix) > 54:
            raise ValueError(f"StudioLifecycle name_prefix={name_prefix!r}: must be 1-54 characters (a hash follows)")
        self.document = sdk_defaults_document(study_bucket.bucket_name, execution_role.role_arn, tags, key_prefix)
        self.script = lifecycle_script(self.document, study_bucket.bucket_name)
        length = content_length(self.script)
        if length > MAX_CONTENT_LENGTH:
            raise ValueError(
                f"StudioLifecycle: the script is {length} base64 characters; Studio takes {MAX_CONTENT_LENGTH}"
            )
        self.name = f"{name_prefix}-{self.content_hash(Stack.of(self).resolve(self.script))}"
        self.lifecycle_config = sagemaker.CfnStudioLifecycleConfig(
            self,
            "LifecycleConfig",
            studio_lifecycle_config_name=self.name,
            studio_lifecycle_config_app_type="JupyterLab",
            studio_lifecycle_config_content=Fn.base64(self.script),
        )

    @staticmethod
    def content_hash(resolved_content: object) -> str:
        """Eight hex digits of the content as CloudFormation gets it (references, not deploy-time values)."""
        return hashlib.sha256(json.dumps(resolved_content, sort_keys=True).encode()).hexdigest()[:8]

    @property
    def lifecycle_config_arn(self) -> str:
        return self.lifecycle_config.attr_studio_lifecycle_config_arn
