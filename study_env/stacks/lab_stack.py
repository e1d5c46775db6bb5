"""What every stack after the Foundation is built on: the lab's config, its bucket and its execution role."""

from __future__ import annotations

from aws_cdk import Stack
from constructs import Construct

from study_env.config import StudyConfig
from study_env.constructs.execution_role import SageMakerExecutionRole
from study_env.constructs.study_bucket import StudyBucket


class LabStack(Stack):
    """A stack that uses the Foundation stack's :class:`StudyBucket` and :class:`SageMakerExecutionRole`."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StudyConfig,
        study_bucket: StudyBucket,
        execution_role: SageMakerExecutionRole,
        **kwargs,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        self.config = config
        self.study_bucket = study_bucket
        self.execution_role = execution_role
