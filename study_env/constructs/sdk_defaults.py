"""A Studio lifecycle configuration that writes the SageMaker Python SDK's defaults file at every start.

With it, the study plan's notebook code runs as written: ``sagemaker.Session().default_bucket()`` is
the study bucket (the SDK never tries to create ``sagemaker-<region>-<account>``), ``get_execution_role()``
and every job use the lab's execution role, and default output paths land under ``models/training/``.
"""

from __future__ import annotations

import json

from aws_cdk import Fn
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from study_env import layout
from study_env.constructs.execution_role import SageMakerExecutionRole
from study_env.constructs.study_bucket import StudyBucket

# The SDK reads this file (and /etc/xdg/sagemaker/config.yaml, which needs root) in the user's home.
USER_CONFIG_PATH = "$HOME/.config/sagemaker/config.yaml"
# Session.default_bucket_prefix: every path the SDK derives from the default bucket (job outputs,
# uploaded source code, upload_data) goes under it. models/ is the prefix the execution role both
# writes (job outputs, the notebook's uploads) and reads (source code, model artifacts).
DEFAULT_KEY_PREFIX = layout.MODELS_TRAINING
_HEREDOC_END = "SAGEMAKER_SDK_DEFAULTS"


def sdk_defaults_document(bucket_name: str, role_arn: str, key_prefix: str = DEFAULT_KEY_PREFIX) -> dict:
    """The SDK's defaults file (schema: ``sagemaker.core.config.config_schema``) for this lab."""
    layout.check_prefix(key_prefix)
    return {
        "SchemaVersion": "1.0",
        "SageMaker": {
            "PythonSDK": {
                "Modules": {
                    "Session": {"DefaultS3Bucket": bucket_name, "DefaultS3ObjectKeyPrefix": key_prefix.rstrip("/")}
                }
            },
            "TrainingJob": {"RoleArn": role_arn},
            "ProcessingJob": {"RoleArn": role_arn},
            "Model": {"ExecutionRoleArn": role_arn},
        },
    }


def lifecycle_script(document: dict) -> str:
    """A shell script that writes ``document`` as the user's SDK config (JSON is valid YAML)."""
    text = json.dumps(document, indent=2, sort_keys=True)
    if _HEREDOC_END in text:
        raise ValueError(f"SDK defaults document must not contain {_HEREDOC_END!r}")
    directory = USER_CONFIG_PATH.rsplit("/", 1)[0]
    return (
        "#!/bin/bash\n"
        "# Written by the study lab at every JupyterLab start: SageMaker Python SDK defaults.\n"
        "set -eu\n"
        f'mkdir -p "{directory}"\n'
        f"cat > \"{USER_CONFIG_PATH}\" <<'{_HEREDOC_END}'\n"
        f"{text}\n"
        f"{_HEREDOC_END}\n"
    )


class SageMakerSdkDefaults(Construct):
    """A JupyterLab lifecycle configuration writing the SDK defaults for ``study_bucket`` and ``execution_role``.

    :param name: the lifecycle configuration's name (unique in the account and region).
    :param study_bucket: the SDK's default bucket.
    :param execution_role: the role the SDK's jobs and models use by default.
    :param key_prefix: the SDK's default key prefix in the bucket. Default: ``models/training/``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        study_bucket: StudyBucket,
        execution_role: SageMakerExecutionRole,
        key_prefix: str = DEFAULT_KEY_PREFIX,
    ) -> None:
        super().__init__(scope, id)
        if not name or len(name) > 63:
            raise ValueError(f"SageMakerSdkDefaults name={name!r}: must be 1-63 characters")
        self.document = sdk_defaults_document(study_bucket.bucket_name, execution_role.role_arn, key_prefix)
        self.lifecycle_config = sagemaker.CfnStudioLifecycleConfig(
            self,
            "LifecycleConfig",
            studio_lifecycle_config_name=name,
            studio_lifecycle_config_app_type="JupyterLab",
            studio_lifecycle_config_content=Fn.base64(lifecycle_script(self.document)),
        )

    @property
    def lifecycle_config_arn(self) -> str:
        return self.lifecycle_config.attr_studio_lifecycle_config_arn
