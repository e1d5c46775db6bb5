"""The evaluator on a table of cases from AWS's policy evaluation documentation.

Pages: IAM User Guide "Policy evaluation logic" (explicit deny wins; an allow in identity or resource
policy suffices within one account), "IAM JSON policy elements: Action / NotAction / Resource /
NotResource" (actions case-insensitive, resources case-sensitive; NotAction and NotResource only
narrow an Allow), "Condition operators" (...IfExists, Null, negated operators on absent keys) and
"Single-valued vs. multivalued context keys" (ForAllValues matches when the key is absent,
ForAnyValue does not).
"""

from __future__ import annotations

import pytest

from tools.iam.simulator import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, UNKNOWN, Policy, Simulator

ACCOUNT = "123456789012"
PRINCIPAL = f"arn:aws:iam::{ACCOUNT}:role/lab-role"
JOB = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:training-job/mls-train-1"
JOBS = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:training-job/mls-*"
MODELS = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model/mls-*"
OBJECT = "arn:aws:s3:::study-bucket/data/raw/x.csv"
EXEC_ROLE = f"arn:aws:iam::{ACCOUNT}:role/exec"


def allow(action, resource="*", condition=None, **extra):
    return {
        "Effect": "Allow",
        "Action": action,
        "Resource": resource,
        **({"Condition": condition} if condition else {}),
        **extra,
    }


def deny(action, resource="*", condition=None):
    return {"Effect": "Deny", "Action": action, "Resource": resource, **({"Condition": condition} if condition else {})}


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


TYPES = {"sagemaker:InstanceTypes": ["ml.m5.large"]}
CREATE = "sagemaker:CreateTrainingJob"

# name: (identity statements, action, resource, context, expected[, resource policy, known absent keys])
CASES = {
    "no statement: implicit deny": ([], "s3:GetObject", OBJECT, {}, IMPLICIT_DENY),
    "allow on the action and resource": ([allow("s3:GetObject", OBJECT)], "s3:GetObject", OBJECT, {}, ALLOWED),
    "action wildcard": ([allow("s3:Get*", OBJECT)], "s3:GetObject", OBJECT, {}, ALLOWED),
    "actions are case-insensitive": ([allow("S3:getobject", OBJECT)], "s3:GetObject", OBJECT, {}, ALLOWED),
    "resources are case-sensitive": (
        [allow("s3:GetObject", "arn:aws:s3:::study-bucket/Data/*")],
        "s3:GetObject",
        OBJECT,
        {},
        IMPLICIT_DENY,
    ),
    "resource wildcard within the prefix": (
        [allow("s3:GetObject", "arn:aws:s3:::study-bucket/data/*")],
        "s3:GetObject",
        OBJECT,
        {},
        ALLOWED,
    ),
    "a resource outside the pattern": (
        [allow(CREATE, JOBS, {"ForAllValues:StringEquals": TYPES})],
        CREATE,
        JOB.replace("mls-", "other-"),
        TYPES,
        IMPLICIT_DENY,
    ),
    "explicit deny wins over allow": (
        [allow("s3:*"), deny("s3:GetObject", OBJECT)],
        "s3:GetObject",
        OBJECT,
        {},
        EXPLICIT_DENY,
    ),
    "a deny elsewhere does not apply": (
        [allow("s3:*"), deny("s3:PutObject", OBJECT)],
        "s3:GetObject",
        OBJECT,
        {},
        ALLOWED,
    ),
    "NotAction allows every other action": (
        [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
        "s3:GetObject",
        OBJECT,
        {},
        ALLOWED,
    ),
    "NotAction is not an allow of what it names": (
        [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
        "iam:PassRole",
        EXEC_ROLE,
        {"iam:PassedToService": "sagemaker.amazonaws.com"},
        IMPLICIT_DENY,
    ),
    "NotResource allows every other resource": (
        [{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::study-bucket/secret/*"}],
        "s3:GetObject",
        OBJECT,
        {},
        ALLOWED,
    ),
    "NotResource does not allow what it names": (
        [{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::study-bucket/data/*"}],
        "s3:GetObject",
        OBJECT,
        {},
        IMPLICIT_DENY,
    ),
    "StringEquals matches": (
        [allow("iam:PassRole", EXEC_ROLE, {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}})],
        "iam:PassRole",
        EXEC_ROLE,
        {"iam:PassedToService": "sagemaker.amazonaws.com"},
        ALLOWED,
    ),
    "StringEquals with another value": (
        [allow("iam:PassRole", EXEC_ROLE, {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}})],
        "iam:PassRole",
        EXEC_ROLE,
        {"iam:PassedToService": "lambda.amazonaws.com"},
        IMPLICIT_DENY,
    ),
    "StringEquals with the key absent does not match": (
        [allow("s3:ListBucket", "arn:aws:s3:::study-bucket", {"StringEquals": {"s3:prefix": "data/"}})],
        "s3:ListBucket",
        "arn:aws:s3:::study-bucket",
        {},
        IMPLICIT_DENY,
        None,
        ("s3:prefix",),
    ),
    "a negated operator matches when the key is absent": (
        [allow("s3:ListBucket", "arn:aws:s3:::study-bucket", {"StringNotEquals": {"s3:prefix": "secret/"}})],
        "s3:ListBucket",
        "arn:aws:s3:::study-bucket",
        {},
        ALLOWED,
        None,
        ("s3:prefix",),
    ),
    "StringLike with a wildcard": (
        [allow("s3:ListBucket", "arn:aws:s3:::study-bucket", {"StringLike": {"s3:prefix": ["data/*"]}})],
        "s3:ListBucket",
        "arn:aws:s3:::study-bucket",
        {"s3:prefix": "data/raw/"},
        ALLOWED,
    ),
    "StringLike outside the wildcard": (
        [allow("s3:ListBucket", "arn:aws:s3:::study-bucket", {"StringLike": {"s3:prefix": ["data/*"]}})],
        "s3:ListBucket",
        "arn:aws:s3:::study-bucket",
        {"s3:prefix": "models/"},
        IMPLICIT_DENY,
    ),
    "StringEqualsIgnoreCase": (
        [allow(CREATE, JOBS, {"ForAllValues:StringEqualsIgnoreCase": {"sagemaker:InstanceTypes": ["ML.M5.LARGE"]}})],
        CREATE,
        JOB,
        TYPES,
        ALLOWED,
    ),
    "IfExists matches an absent key": (
        [allow("s3:ListBucket", "arn:aws:s3:::study-bucket", {"StringLikeIfExists": {"s3:prefix": ["data/*"]}})],
        "s3:ListBucket",
        "arn:aws:s3:::study-bucket",
        {},
        ALLOWED,
        None,
        ("s3:prefix",),
    ),
    "IfExists still checks a present key": (
        [allow("s3:ListBucket", "arn:aws:s3:::study-bucket", {"StringLikeIfExists": {"s3:prefix": ["data/*"]}})],
        "s3:ListBucket",
        "arn:aws:s3:::study-bucket",
        {"s3:prefix": "models/"},
        IMPLICIT_DENY,
    ),
    "Null true: the key must be absent": (
        [allow(CREATE, JOBS, {"Null": {"sagemaker:VolumeKmsKeyArn": "true"}})],
        CREATE,
        JOB,
        {},
        ALLOWED,
        None,
        ("sagemaker:VolumeKmsKeyArn",),
    ),
    "Null false: the key must be present": (
        [allow(CREATE, JOBS, {"Null": {"sagemaker:InstanceTypes": "false"}})],
        CREATE,
        JOB,
        TYPES,
        ALLOWED,
    ),
    "Bool deny of plain HTTP does not hit TLS": (
        [allow("s3:GetObject", OBJECT), deny("s3:*", "*", {"Bool": {"aws:SecureTransport": "false"}})],
        "s3:GetObject",
        OBJECT,
        {"aws:SecureTransport": "true"},
        ALLOWED,
    ),
    "Bool deny of plain HTTP": (
        [allow("s3:GetObject", OBJECT), deny("s3:*", "*", {"Bool": {"aws:SecureTransport": "false"}})],
        "s3:GetObject",
        OBJECT,
        {"aws:SecureTransport": "false"},
        EXPLICIT_DENY,
    ),
    "ForAllValues matches when the key is absent": (
        [allow(["sagemaker:DescribeTrainingJob"], JOBS, {"ForAllValues:StringEquals": TYPES})],
        "sagemaker:DescribeTrainingJob",
        JOB,
        {},
        ALLOWED,
    ),
    "ForAllValues: every value must be allowed": (
        [allow(CREATE, JOBS, {"ForAllValues:StringEquals": TYPES})],
        CREATE,
        JOB,
        {"sagemaker:InstanceTypes": ["ml.m5.large", "ml.p3.2xlarge"]},
        IMPLICIT_DENY,
    ),
    "ForAnyValue does not match an absent key": (
        [allow(CREATE, JOBS, {"ForAnyValue:StringEquals": TYPES})],
        CREATE,
        JOB,
        {},
        IMPLICIT_DENY,
        None,
        ("sagemaker:InstanceTypes",),
    ),
    "ForAnyValue: one value is enough": (
        [allow(CREATE, JOBS, {"ForAnyValue:StringEquals": TYPES})],
        CREATE,
        JOB,
        {"sagemaker:InstanceTypes": ["ml.m5.large", "ml.p3.2xlarge"]},
        ALLOWED,
    ),
    "ArnLike with a wildcard": (
        [allow("sagemaker:CreateTransformJob", "*", {"ArnLike": {"sagemaker:ModelArn": MODELS}})],
        "sagemaker:CreateTransformJob",
        JOB.replace("training-job", "transform-job"),
        {"sagemaker:ModelArn": MODELS.replace("*", "model-1")},
        ALLOWED,
    ),
    "ArnEquals with another ARN": (
        [allow("sagemaker:CreateTransformJob", "*", {"ArnEquals": {"sagemaker:ModelArn": MODELS.replace("*", "a")}})],
        "sagemaker:CreateTransformJob",
        JOB.replace("training-job", "transform-job"),
        {"sagemaker:ModelArn": MODELS.replace("*", "b")},
        IMPLICIT_DENY,
    ),
    "NumericLessThanEquals": (
        [allow(CREATE, JOBS, {"NumericLessThanEquals": {"sagemaker:MaxRuntimeInSeconds": "3600"}})],
        CREATE,
        JOB,
        {"sagemaker:MaxRuntimeInSeconds": "7200"},
        IMPLICIT_DENY,
    ),
    "keys of one condition block must all hold (AND)": (
        [
            allow(
                CREATE,
                JOBS,
                {
                    "ForAllValues:StringEquals": TYPES,
                    "NumericLessThanEquals": {"sagemaker:MaxRuntimeInSeconds": "3600"},
                },
            )
        ],
        CREATE,
        JOB,
        {**TYPES, "sagemaker:MaxRuntimeInSeconds": "60"},
        ALLOWED,
    ),
    "values of one key are alternatives (OR)": (
        [
            allow(
                "iam:PassRole",
                EXEC_ROLE,
                {"StringEquals": {"iam:PassedToService": ["a.amazonaws.com", "sagemaker.amazonaws.com"]}},
            )
        ],
        "iam:PassRole",
        EXEC_ROLE,
        {"iam:PassedToService": "sagemaker.amazonaws.com"},
        ALLOWED,
    ),
    "a same-account resource policy allow is enough": (
        [],
        "s3:GetObject",
        OBJECT,
        {},
        ALLOWED,
        policy({"Effect": "Allow", "Principal": {"AWS": PRINCIPAL}, "Action": "s3:GetObject", "Resource": OBJECT}),
    ),
    "a resource policy deny wins over an identity allow": (
        [allow("s3:GetObject", OBJECT)],
        "s3:GetObject",
        OBJECT,
        {"aws:SecureTransport": "false"},
        EXPLICIT_DENY,
        policy(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": OBJECT,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ),
    ),
    "a resource policy for another principal grants nothing": (
        [],
        "s3:GetObject",
        OBJECT,
        {},
        IMPLICIT_DENY,
        policy(
            {
                "Effect": "Allow",
                "Principal": {"Service": "budgets.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": OBJECT,
            }
        ),
    ),
    "an untested operator is unknown": (
        [allow("s3:GetObject", OBJECT, {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}})],
        "s3:GetObject",
        OBJECT,
        {},
        UNKNOWN,
    ),
    "a key the request context leaves out is unknown": (
        [allow(CREATE, JOBS, {"ForAllValues:StringEquals": TYPES})],
        CREATE,
        JOB,
        {},
        UNKNOWN,
    ),
    "a context key the action does not have is unknown": (
        [allow("sagemaker:DescribeTrainingJob", JOBS)],
        "sagemaker:DescribeTrainingJob",
        JOB,
        {"sagemaker:InstanceTypes": ["ml.m5.large"]},
        UNKNOWN,
    ),
}


@pytest.fixture(scope="module")
def simulator():
    with Simulator() as running:
        yield running


@pytest.mark.parametrize("name", list(CASES))
def test_case(simulator, name):
    statements, action, resource, context, expected, *rest = CASES[name]
    resource_policy = rest[0] if rest else None
    known = rest[1] if len(rest) > 1 else ()
    decision = simulator.evaluate(
        principal=PRINCIPAL,
        action=action,
        resource=resource,
        account=ACCOUNT,
        context=context,
        identity_policies=[Policy("role/lab-role/p", policy(*statements))] if statements else [],
        resource_policy=Policy("resource policy", resource_policy) if resource_policy else None,
        known_keys=known,
    )
    assert decision.result == expected, decision.why


def test_there_are_at_least_25_cases():
    assert len(CASES) >= 25


def test_a_denial_names_the_statement_that_would_allow_it(simulator):
    decision = simulator.evaluate(
        principal=PRINCIPAL,
        action=CREATE,
        resource=JOB,
        account=ACCOUNT,
        context={"sagemaker:InstanceTypes": ["ml.p3.2xlarge"]},
        identity_policies=[
            Policy(
                "role/lab-role/launcher",
                policy(allow(CREATE, JOBS, {"ForAllValues:StringEquals": TYPES}, Sid="CreateLabJobs")),
            )
        ],
    )
    assert decision.result == IMPLICIT_DENY
    assert decision.why == (
        "the statement that would allow it: role/lab-role/launcher/CreateLabJobs, whose condition "
        'ForAllValues:StringEquals sagemaker:InstanceTypes (request: ["ml.p3.2xlarge"]) does not hold'
    )


def test_a_denial_says_when_no_statement_allows_the_action(simulator):
    decision = simulator.evaluate(
        principal=PRINCIPAL,
        action="sagemaker:CreateEndpoint",
        resource=JOB.replace("training-job", "endpoint"),
        account=ACCOUNT,
        context={},
        identity_policies=[Policy("p", policy(allow("s3:GetObject", OBJECT)))],
    )
    assert decision.why == "no statement allows sagemaker:CreateEndpoint"
