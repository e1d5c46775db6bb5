"""The study bucket: the plan's layout, cheap storage, gone with its objects on ``cdk destroy``."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from study_env import layout
from study_env.nag import LAMBDA_BASIC_EXECUTION_FINDING, acknowledge

_DEPLOYMENT_HANDLER_ID = "Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C"
_MARKER_TEXT = "This object only makes the prefix visible in the S3 console; the study plan writes here.\n"


# prepared_data/<split>/ -> where the study plan's own code reads it.
PREPARED_SPLITS = {"train": layout.DATA_TRAIN, "validation": layout.DATA_VALIDATION, "test": layout.DATA_TEST}


def stage_seed(
    seed_dir: str,
    *,
    sample_data_dir: str,
    training_code_dir: str,
    prepared_data_dir: str | None = None,
    notebook_files: Sequence[str] = (),
) -> None:
    """Lay out in ``seed_dir`` what the bucket starts with: datasets, job scripts, notebooks, a marker per prefix.

    The asset's hash covers only paths and contents, so the same inputs give the same asset anywhere.
    """
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")
    shutil.copytree(sample_data_dir, os.path.join(seed_dir, layout.DATA_RAW), ignore=ignore)
    shutil.copytree(training_code_dir, os.path.join(seed_dir, layout.CODE_SCRIPTS), ignore=ignore)
    if prepared_data_dir:
        for split, prefix in PREPARED_SPLITS.items():
            shutil.copytree(os.path.join(prepared_data_dir, split), os.path.join(seed_dir, prefix), ignore=ignore)
    if notebook_files:
        destination = os.path.join(seed_dir, layout.CODE_NOTEBOOKS)
        os.makedirs(destination)
        for path in notebook_files:
            shutil.copyfile(path, os.path.join(destination, os.path.basename(path)))
    for leaf in layout.LEAVES:
        folder = os.path.join(seed_dir, leaf)
        if not os.path.isdir(folder):
            os.makedirs(folder)
            with open(os.path.join(folder, layout.MARKER_NAME), "w") as fh:
                fh.write(_MARKER_TEXT)


class StudyBucket(Construct):
    """An S3 bucket laid out as the study plan expects, seeded with a dataset and the job scripts.

    Prefixes are typed attributes (``data_raw``, ``models_training``, ...) and access is granted per
    prefix with :meth:`grant_read` / :meth:`grant_write`, so no caller spells a key or an ARN.

    :param sample_data_dir: folder whose files land in ``data/raw/``.
    :param training_code_dir: folder whose files land in ``code/scripts/``.
    :param prepared_data_dir: folder with ``train/``, ``validation/`` and ``test/`` splits, landing in
        ``data/train/``, ``data/validation/`` and ``data/test/``. Default: none.
    :param notebook_files: files that land in ``code/notebooks/`` (the Day notebooks and what they
        read). Default: none.
    :param noncurrent_version_days: how long old object versions live if versioning is turned on,
        1-365. Default: 7.
    """

    data = layout.DATA
    data_raw = layout.DATA_RAW
    data_processed = layout.DATA_PROCESSED
    data_features = layout.DATA_FEATURES
    models = layout.MODELS
    models_training = layout.MODELS_TRAINING
    models_artifacts = layout.MODELS_ARTIFACTS
    code = layout.CODE
    code_scripts = layout.CODE_SCRIPTS
    output = layout.OUTPUT
    output_predictions = layout.OUTPUT_PREDICTIONS
    output_reports = layout.OUTPUT_REPORTS
    data_train = layout.DATA_TRAIN
    data_validation = layout.DATA_VALIDATION
    data_test = layout.DATA_TEST
    code_notebooks = layout.CODE_NOTEBOOKS

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        sample_data_dir: str,
        training_code_dir: str,
        prepared_data_dir: str | None = None,
        notebook_files: Sequence[str] = (),
        noncurrent_version_days: int = 7,
    ) -> None:
        super().__init__(scope, id)
        folders = {
            "sample_data_dir": sample_data_dir,
            "training_code_dir": training_code_dir,
            "prepared_data_dir": prepared_data_dir,
        }
        for name, path in folders.items():
            if path is not None and not os.path.isdir(path):
                raise ValueError(f"StudyBucket {name}={path!r}: not a directory")
        for path in notebook_files:
            if not os.path.isfile(path):
                raise ValueError(f"StudyBucket notebook_files: {path!r} is not a file")
        if not 1 <= noncurrent_version_days <= 365:
            raise ValueError(f"StudyBucket noncurrent_version_days={noncurrent_version_days!r}: must be 1-365")

        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="abort-incomplete-multipart-uploads",
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                ),
                s3.LifecycleRule(
                    id="expire-old-versions",
                    noncurrent_version_expiration=Duration.days(noncurrent_version_days),
                    expired_object_delete_marker=True,
                ),
            ],
        )
        acknowledge(
            self.bucket,
            (
                "AwsSolutions-S1",
                "A single-user study bucket: server access logs would need a second bucket and cost more than the "
                "lab's data.",
            ),
        )

        # One deployment (one CDK handler layer) for the whole seed, laid out as the bucket is.
        # prune=False: a redeploy adds or refreshes only these files and never deletes the user's objects.
        with tempfile.TemporaryDirectory(prefix="study-seed-") as seed_dir:
            stage_seed(
                seed_dir,
                sample_data_dir=sample_data_dir,
                training_code_dir=training_code_dir,
                prepared_data_dir=prepared_data_dir,
                notebook_files=notebook_files,
            )
            self.seed = s3deploy.BucketDeployment(
                self,
                "Seed",
                sources=[s3deploy.Source.asset(seed_dir)],
                destination_bucket=self.bucket,
                prune=False,
            )
        self._acknowledge_deployment_handler()

    def _acknowledge_deployment_handler(self) -> None:
        # BucketDeployment's handler is one function per stack, created and scoped by CDK itself.
        handler = Stack.of(self).node.try_find_child(_DEPLOYMENT_HANDLER_ID)
        if handler is None:
            return
        bucket_arn = Stack.of(self).resolve(self.bucket.bucket_arn)["Fn::GetAtt"][0]
        copy = "BucketDeployment copies its staged assets into the study bucket"
        acknowledge(
            handler,
            (
                LAMBDA_BASIC_EXECUTION_FINDING,
                "CDK's BucketDeployment handler only writes its own CloudWatch logs with this managed policy.",
            ),
            (
                "AwsSolutions-L1",
                "The BucketDeployment handler's runtime is chosen and updated by aws-cdk-lib, not by this app.",
            ),
            ("AwsSolutions-IAM5[Action::s3:GetBucket*]", copy + " and reads bucket metadata to do so."),
            ("AwsSolutions-IAM5[Action::s3:GetObject*]", copy + " from the CDK assets bucket."),
            ("AwsSolutions-IAM5[Action::s3:List*]", copy + " and lists both buckets to do so."),
            ("AwsSolutions-IAM5[Action::s3:Abort*]", copy + " with multipart uploads it may abort."),
            (
                "AwsSolutions-IAM5[Action::s3:DeleteObject*]",
                "CDK grants delete for pruning; this app sets prune=False so nothing of the user's is deleted.",
            ),
            (
                "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]",
                "Asset object keys are content hashes decided at synth time, inside the CDK bootstrap bucket.",
            ),
            (f"AwsSolutions-IAM5[Resource::<{bucket_arn}.Arn>/*]", copy + " under several layout prefixes."),
        )

    @property
    def bucket_name(self) -> str:
        return self.bucket.bucket_name

    def s3_uri(self, prefix: str = "") -> str:
        """``s3://<bucket>/<prefix>`` for a layout prefix (a token until deploy)."""
        if prefix:
            layout.check_prefix(prefix)
        return f"s3://{self.bucket.bucket_name}/{prefix}"

    def objects_arn(self, prefix: str) -> str:
        """The ARN pattern of every object under ``prefix``."""
        return self.bucket.arn_for_objects(layout.check_prefix(prefix) + "*")

    def grant_read(self, grantee: iam.IGrantable, *prefixes: str) -> iam.Grant:
        """Read objects under ``prefixes`` and list only those prefixes (what an S3Prefix channel does)."""
        self._require(prefixes, "grant_read")
        listing = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["s3:ListBucket"],
            resource_arns=[self.bucket.bucket_arn],
            conditions={"StringLike": {"s3:prefix": [p + "*" for p in prefixes]}},
        )
        location = iam.Grant.add_to_principal(
            grantee=grantee, actions=["s3:GetBucketLocation"], resource_arns=[self.bucket.bucket_arn]
        )
        objects = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["s3:GetObject"],
            resource_arns=[self.objects_arn(p) for p in prefixes],
        )
        return listing.combine(location).combine(objects)

    def grant_write(self, grantee: iam.IGrantable, *prefixes: str) -> iam.Grant:
        """Write (put, and abort multipart uploads of) objects under ``prefixes`` only."""
        self._require(prefixes, "grant_write")
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["s3:PutObject", "s3:AbortMultipartUpload"],
            resource_arns=[self.objects_arn(p) for p in prefixes],
        )

    @staticmethod
    def _require(prefixes: tuple[str, ...], method: str) -> None:
        if not prefixes:
            raise ValueError(f"StudyBucket.{method}: name at least one prefix (e.g. StudyBucket.data_raw)")
        for p in prefixes:
            layout.check_prefix(p)
