"""The shared naming rules and the SageMaker ARN pattern (and how cdk-nag spells it)."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack

from study_env.arns import sagemaker_arn
from study_env.nag import sagemaker_resource_finding
from study_env.naming import INSTANCE_TYPE, LAB_PREFIX, SAGEMAKER_NAME


@pytest.mark.parametrize(
    "rule, good, bad",
    [
        (LAB_PREFIX, ["mls", "ab", "a123456789"], ["", "a", "1ab", "Mls", "m-l", "abcdefghijk", "mls\n", None]),
        (INSTANCE_TYPE, ["ml.m5.large", "ml.g4dn.xlarge"], ["m5.large", "ml.m5", "ml.M5.large", "ml.m5.large\n", 5]),
        (SAGEMAKER_NAME, ["a", "mls-train-1", "a--b", "x" * 63], ["", "-a", "a-", "a_b", "x" * 64, "a b"]),
    ],
)
def test_rules_accept_and_refuse_whole_values(rule, good, bad):
    assert [v for v in good if not rule.matches(v)] == []
    assert [v for v in bad if rule.matches(v)] == []


def test_check_names_the_owner_the_prop_and_the_rule():
    assert LAB_PREFIX.check("Owner", "prefix", "mls") == "mls"
    with pytest.raises(ValueError) as error:
        LAB_PREFIX.check("Owner", "prefix", "ML")
    assert str(error.value) == "Owner prefix='ML': must be 2-10 lowercase letters and digits, starting with a letter"


def test_sagemaker_arn_and_its_nag_finding_spell_the_same_resource():
    stack = Stack(App(), "S")
    assert stack.resolve(sagemaker_arn("model", "mls-*")) == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":sagemaker:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                ":model/mls-*",
            ],
        ]
    }
    assert sagemaker_resource_finding("model", "mls-*") == (
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:model/mls-*]"
    )
