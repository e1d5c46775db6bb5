"""Jobs stack: what runs the lab's SageMaker jobs, tells you when they end, and cleans up after them."""

from __future__ import annotations

from aws_cdk import CfnOutput
from aws_cdk import aws_sns as sns
from constructs import Construct

from study_env.constructs.job_launcher import JobLauncher
from study_env.constructs.job_notifications import JobNotifications
from study_env.constructs.lab_cleanup import LabCleanup
from study_env.constructs.stack_delete_alert import StackDeleteAlert
from study_env.stacks.lab_stack import LabStack


def launcher_role_export_name(prefix: str) -> str:
    """The export other stacks import the launcher's role by (a name, so importing changes nothing here)."""
    return f"{prefix}-launcher-role-arn"


class JobsStack(LabStack):
    def __init__(self, scope: Construct, id: str, *, alerts_topic: sns.ITopic, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)
        self.launcher = JobLauncher(
            self,
            "Launcher",
            study_bucket=self.study_bucket,
            execution_role=self.execution_role,
            prefix=self.config.prefix,
            xgboost_version=self.config.xgboost_version,
            allowed_instance_types=self.config.allowed_instance_types,
            default_instance_type=self.config.default_instance_type,
        )
        self.notifications = JobNotifications(self, "JobNotifications", topic=alerts_topic, prefix=self.config.prefix)
        self.cleanup = LabCleanup(self, "LabCleanup", prefix=self.config.prefix)
        # Here, not in the serving stack: a rule there could be deleted before the endpoint that fails.
        self.serving_delete_alert = StackDeleteAlert(
            self,
            "ServingDeleteAlert",
            topic=alerts_topic,
            stack_name=self.config.stack_name("serving"),
            rule_name=f"{self.config.prefix}-serving-delete-failed",
        )
        CfnOutput(
            self,
            "LauncherFunctionName",
            value=self.launcher.function_name,
            description='Job launcher: aws lambda invoke --function-name <this> --payload \'{"action": "list"}\' ...',
        )
        # Exported under a fixed name: the optional Serving stack grants this role a transform of its
        # model, and adding or removing that stack must not update this one.
        CfnOutput(
            self,
            "LauncherRoleArn",
            value=self.launcher.role.role_arn,
            export_name=launcher_role_export_name(self.config.prefix),
            description="The job launcher's role",
        )
