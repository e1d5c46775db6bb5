"""Foundation stack: the study bucket and the SageMaker execution role, property by property."""

from __future__ import annotations

import filecmp
import json
import os

import pytest
from aws_cdk.assertions import Match

from study_env import layout
from study_env.constructs.execution_role import RESOURCELESS_ACTIONS
from study_env.paths import PREPARED_DATA_DIR, TRAINING_CODE_DIR
from study_env.plan import shipped_files


def _statements(template_json: dict, logical_prefix: str) -> list[dict]:
    return [
        s
        for key, r in template_json["Resources"].items()
        if r["Type"] == "AWS::IAM::Policy" and key.startswith(logical_prefix)
        for s in r["Properties"]["PolicyDocument"]["Statement"]
    ]


def _listify(value):
    return value if isinstance(value, list) else [value]


def _object_suffixes(statement: dict, bucket_id: str) -> list[str]:
    """The '/prefix*' tails of the study bucket object ARNs a statement names."""
    tails = []
    for res in _listify(statement["Resource"]):
        parts = res["Fn::Join"][1]
        assert parts[0] == {"Fn::GetAtt": [bucket_id, "Arn"]}
        tails.append(parts[1])
    return sorted(tails)


@pytest.fixture(scope="module")
def tj(synth):
    return synth.template_json("foundation")


@pytest.fixture(scope="module")
def bucket_id(tj):
    (logical_id,) = [k for k, r in tj["Resources"].items() if r["Type"] == "AWS::S3::Bucket"]
    return logical_id


@pytest.fixture(scope="module")
def role_statements(tj):
    return _statements(tj, "ExecutionRole")


def test_bucket_is_encrypted_private_and_cheap(foundation):
    foundation.resource_count_is("AWS::S3::Bucket", 1)
    foundation.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "LifecycleConfiguration": {
                "Rules": Match.array_with(
                    [
                        Match.object_like(
                            {"AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}, "Status": "Enabled"}
                        ),
                        Match.object_like({"NoncurrentVersionExpiration": {"NoncurrentDays": 7}, "Status": "Enabled"}),
                    ]
                )
            },
        },
    )


def test_bucket_is_destroyed_with_its_objects(foundation):
    foundation.has_resource("AWS::S3::Bucket", {"DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"})
    foundation.resource_count_is("Custom::S3AutoDeleteObjects", 1)


def test_bucket_policy_denies_plain_http(foundation):
    foundation.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "s3:*",
                                "Principal": {"AWS": "*"},
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            }
        },
    )


def test_seeding_never_prunes_and_fills_every_prefix(synth):
    (deployment,) = synth.resources("foundation", "Custom::CDKBucketDeployment").values()
    props = deployment["Properties"]
    assert props["Prune"] is False
    assert "DestinationBucketKeyPrefix" not in props
    # The one asset is laid out as the bucket: the dataset and Day 1's inputs, the job scripts, the plan's
    # splits where the plan reads them, the Day notebooks, a marker in every other prefix.
    (key,) = props["SourceObjectKeys"]
    staged = os.path.join(synth.outdir, "asset." + key.removesuffix(".zip"))
    files = sorted(
        os.path.relpath(os.path.join(folder, name), staged).replace(os.sep, "/")
        for folder, _, names in os.walk(staged)
        for name in names
    )
    scripts = sorted(n for n in os.listdir(TRAINING_CODE_DIR) if n != "__pycache__" and not n.endswith(".pyc"))
    filled = ("data/raw/", "code/scripts/", "data/train/", "data/validation/", "data/test/", "code/notebooks/")
    markers = [leaf + layout.MARKER_NAME for leaf in layout.LEAVES if leaf not in filled]
    notebooks = ["code/notebooks/" + os.path.basename(path) for path in shipped_files()]
    assert files == sorted(
        [
            layout.SAMPLE_DATASET_KEY,
            "data/raw/ai-services/reviews.txt",
            "data/raw/ai-services/study-card.png",
            # One folder per dataset of the other built-in algorithms (scripts/make_sample_dataset.py).
            "data/raw/hourly-demand/series.json",
            "data/raw/login-events/logins.csv",
            "data/raw/product-reviews/reviews.txt",
            "data/raw/sensor-anomalies/readings.csv",
            "data/train/train.csv",
            "data/validation/validation.csv",
            "data/test/test.csv",
            *(layout.CODE_SCRIPTS + n for n in scripts),
            *notebooks,
            *markers,
        ]
    )
    for split in ("train", "validation", "test"):
        seeded, prepared = (os.path.join(staged, f"data/{split}/{split}.csv"), os.path.join(PREPARED_DATA_DIR, split))
        assert filecmp.cmp(seeded, os.path.join(prepared, f"{split}.csv"), shallow=False)
    assert len(notebooks) == 15 and "code/notebooks/study_lab.py" in notebooks


def test_sample_dataset_is_the_bundled_breast_cancer_csv():
    import csv

    from study_env.paths import SAMPLE_DATA_DIR

    with open(f"{SAMPLE_DATA_DIR}/breast_cancer.csv") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][-1] == "target" and len(rows[0]) == 31
    assert len(rows) == 570
    assert {r[-1] for r in rows[1:]} == {"0", "1"}


def test_role_is_assumed_by_sagemaker_without_managed_policies(tj):
    (role,) = [r for k, r in tj["Resources"].items() if r["Type"] == "AWS::IAM::Role" and k.startswith("ExecutionRole")]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}}
    ]
    assert "ManagedPolicyArns" not in role["Properties"]


def test_role_reads_and_writes_only_the_layout_prefixes(role_statements, bucket_id):
    reads = [s for s in role_statements if s["Action"] == "s3:GetObject"]
    writes = [s for s in role_statements if _listify(s["Action"]) == ["s3:AbortMultipartUpload", "s3:PutObject"]]
    assert [_object_suffixes(s, bucket_id) for s in reads] == [["/code/*", "/data/*", "/models/*"]]
    assert [_object_suffixes(s, bucket_id) for s in writes] == [
        ["/data/features/*", "/data/processed/*", "/models/*", "/output/*"]
    ]
    s3_actions = {a for s in role_statements for a in _listify(s["Action"]) if a.startswith("s3:")}
    assert s3_actions == {
        "s3:GetObject",
        "s3:PutObject",
        "s3:AbortMultipartUpload",
        "s3:ListBucket",
        "s3:GetBucketLocation",
    }


def test_role_lists_only_the_layout_prefixes(role_statements, bucket_id):
    (listing,) = [s for s in role_statements if s["Action"] == "s3:ListBucket"]
    assert listing["Resource"] == {"Fn::GetAtt": [bucket_id, "Arn"]}
    assert sorted(listing["Condition"]["StringLike"]["s3:prefix"]) == ["code/*", "data/*", "models/*"]


def test_role_logs_metrics_and_images_are_sagemaker_only(role_statements):
    by_sid = {s.get("Sid"): s for s in role_statements}
    logs = json.dumps(by_sid["SageMakerLogs"]["Resource"])
    assert logs.count(":log-group:/aws/sagemaker/*") == 2
    assert by_sid["SageMakerMetrics"]["Condition"] == {
        "StringLike": {"cloudwatch:namespace": ["/aws/sagemaker/*", "aws/sagemaker/*"]}
    }
    images = json.dumps(by_sid["PullBuiltInImages"]["Resource"])
    assert "repository/sagemaker-xgboost" in images and "repository/sagemaker-scikit-learn" in images
    assert "repository/*" not in images


def test_role_passes_only_itself_and_only_to_sagemaker(tj, role_statements):
    (passing,) = [s for s in role_statements if "iam:PassRole" in _listify(s["Action"])]
    role_id = next(
        k for k, r in tj["Resources"].items() if r["Type"] == "AWS::IAM::Role" and k.startswith("ExecutionRole")
    )
    assert passing["Resource"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}


def test_no_wildcard_actions_and_star_resources_only_where_iam_needs_them(role_statements):
    actions = [a for s in role_statements for a in _listify(s["Action"])]
    assert all("*" not in a for a in actions), actions
    star = sorted(a for s in role_statements if s["Resource"] == "*" for a in _listify(s["Action"]))
    assert star == sorted(RESOURCELESS_ACTIONS)


def test_outputs_name_bucket_and_role(foundation):
    outputs = foundation.find_outputs("*")
    assert {"BucketName", "ExecutionRoleArn"} <= set(outputs)
