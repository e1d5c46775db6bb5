"""Foundation stack: the study bucket, the SageMaker execution role and the alerts every other stack uses."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from study_env import plan
from study_env.config import StudyConfig
from study_env.constructs.execution_role import SageMakerExecutionRole
from study_env.constructs.study_alerts import StudyAlerts
from study_env.constructs.study_bucket import StudyBucket
from study_env.paths import PREPARED_DATA_DIR, SAMPLE_DATA_DIR, TRAINING_CODE_DIR


class FoundationStack(Stack):
    def __init__(self, scope: Construct, id: str, *, config: StudyConfig, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)
        self.study_bucket = StudyBucket(
            self,
            "StudyBucket",
            sample_data_dir=SAMPLE_DATA_DIR,
            training_code_dir=TRAINING_CODE_DIR,
            prepared_data_dir=PREPARED_DATA_DIR,
            notebook_files=plan.shipped_files(),
        )
        self.execution_role = SageMakerExecutionRole(self, "ExecutionRole", study_bucket=self.study_bucket)
        self.alerts = StudyAlerts(
            self, "Alerts", prefix=config.prefix, budget_usd=config.budget_usd, alert_email=config.alert_email
        )

        CfnOutput(self, "BucketName", value=self.study_bucket.bucket_name, description="The study bucket")
        CfnOutput(self, "ExecutionRoleArn", value=self.execution_role.role_arn, description="SageMaker execution role")
        CfnOutput(self, "AlertsTopicArn", value=self.alerts.topic_arn, description="Budget and job notifications")
