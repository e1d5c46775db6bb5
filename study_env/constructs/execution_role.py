"""The role SageMaker assumes for the lab's jobs, Studio and endpoints: the study bucket and little else."""

from __future__ import annotations

import jsii
from aws_cdk import Aws, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from study_env.constructs.study_bucket import StudyBucket
from study_env.images import SKLEARN_REPOSITORY, XGBOOST_REPOSITORY, SageMakerImages
from study_env.nag import SAGEMAKER_LOG_GROUP, acknowledge

SAGEMAKER_PRINCIPAL = "sagemaker.amazonaws.com"
# Repositories of the built-in images the lab runs (XGBoost, scikit-learn processing) in their account;
# the other built-in algorithms' repositories are in their groups' accounts (study_env/algorithms.py).
SAGEMAKER_IMAGE_REPOSITORIES = (XGBOOST_REPOSITORY, SKLEARN_REPOSITORY)
# Actions that IAM cannot scope to a resource; the only ones this role holds on "*".
RESOURCELESS_ACTIONS = ("cloudwatch:PutMetricData", "ecr:GetAuthorizationToken")


@jsii.implements(iam.IGrantable)
class SageMakerExecutionRole(Construct):
    """A least-privilege SageMaker execution role scoped to one :class:`StudyBucket`.

    Reads ``data/``, ``code/`` and ``models/``; writes ``data/processed/``, ``data/features/``,
    ``models/`` and ``output/``; logs and metrics only under SageMaker's names; pulls only the
    built-in images; passes only itself, and only to SageMaker. No AWS-managed policy.

    :param study_bucket: the bucket whose layout prefixes the role may read and write.
    """

    def __init__(self, scope: Construct, id: str, *, study_bucket: StudyBucket) -> None:
        super().__init__(scope, id)
        self.study_bucket = study_bucket
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal(SAGEMAKER_PRINCIPAL),
            description="SageMaker execution role of the study lab: its bucket's prefixes, SageMaker logs and "
            "built-in images only",
        )
        b = study_bucket
        b.grant_read(self.role, b.data, b.code, b.models)
        b.grant_write(self.role, b.data_processed, b.data_features, b.models, b.output)

        images = SageMakerImages(self)
        log_group = f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:/aws/sagemaker/*"
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="SageMakerLogs",
                actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                resources=[log_group, log_group + ":log-stream:*"],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="SageMakerMetrics",
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringLike": {"cloudwatch:namespace": ["/aws/sagemaker/*", "aws/sagemaker/*"]}},
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(sid="EcrLogin", actions=["ecr:GetAuthorizationToken"], resources=["*"])
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="PullBuiltInImages",
                actions=["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                resources=[
                    *(images.repository_arn(repo) for repo in SAGEMAKER_IMAGE_REPOSITORIES),
                    *images.group_repository_arns(),
                ],
            )
        )
        self.grant_pass_role(self.role)

        policy = self.role.node.find_child("DefaultPolicy")
        log_finding = SAGEMAKER_LOG_GROUP
        bucket_id = Stack.of(self).resolve(b.bucket.bucket_arn)["Fn::GetAtt"][0]
        acknowledge(
            policy,
            (
                "AwsSolutions-IAM5[Resource::*]",
                "cloudwatch:PutMetricData and ecr:GetAuthorizationToken support no resource-level permission; "
                "metrics are limited to SageMaker namespaces by condition.",
            ),
            (
                f"AwsSolutions-IAM5[Resource::{log_finding}]",
                "SageMaker names each job's log group under /aws/sagemaker/ at run time.",
            ),
            (
                f"AwsSolutions-IAM5[Resource::{log_finding}:log-stream:*]",
                "SageMaker creates one log stream per job instance at run time.",
            ),
            *(
                (
                    f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/{p}*]",
                    "SageMaker reads and writes objects with job-specific names under this layout prefix only.",
                )
                for p in (b.data, b.code, b.models, b.data_processed, b.data_features, b.output)
            ),
        )

    @property
    def role_arn(self) -> str:
        return self.role.role_arn

    @property
    def grant_principal(self) -> iam.IPrincipal:
        """The role itself: what grants to this construct add to."""
        return self.role

    def grant_pass_role(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` pass this role to SageMaker, and to no other service."""
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["iam:PassRole"],
            resource_arns=[self.role.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": SAGEMAKER_PRINCIPAL}},
        )
