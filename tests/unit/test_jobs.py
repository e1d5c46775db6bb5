"""Jobs stack: job-state notifications to the alerts topic, and the leftovers cleanup's scope."""

from __future__ import annotations

import json
import re

import boto3
import pytest
from aws_cdk import App, Stack
from moto import mock_aws

from study_env.constructs.lab_cleanup import LabCleanup

# SageMaker's EventBridge events, as AWS documents them ("Amazon SageMaker events"), spelled out here so
# that a wrong detail-type or field name in the product fails: (kind, detail-type, name field, status
# field, AWS CLI describe command and its name option).
SAGEMAKER_EVENTS = [
    (
        "processing",
        "SageMaker Processing Job State Change",
        "ProcessingJobName",
        "ProcessingJobStatus",
        "describe-processing-job --processing-job-name",
    ),
    (
        "training",
        "SageMaker Training Job State Change",
        "TrainingJobName",
        "TrainingJobStatus",
        "describe-training-job --training-job-name",
    ),
    (
        "tuning",
        "SageMaker HyperParameter Tuning Job State Change",
        "HyperParameterTuningJobName",
        "HyperParameterTuningJobStatus",
        "describe-hyper-parameter-tuning-job --hyper-parameter-tuning-job-name",
    ),
    (
        "transform",
        "SageMaker Transform Job State Change",
        "TransformJobName",
        "TransformJobStatus",
        "describe-transform-job --transform-job-name",
    ),
]


@pytest.fixture(scope="module")
def tj(synth):
    return synth.template_json("jobs")


@pytest.fixture(scope="module")
def rules(synth):
    return {r["Properties"]["Name"]: r for r in synth.resources("jobs", "AWS::Events::Rule").values()}


@pytest.fixture(scope="module")
def cleanup_statements(synth):
    (policy,) = [p for k, p in synth.resources("jobs", "AWS::IAM::Policy").items() if k.startswith("LabCleanup")]
    return {s.get("Sid", "logs"): s for s in policy["Properties"]["PolicyDocument"]["Statement"]}


def _arn_tail(resource: dict) -> str:
    return resource["Fn::Join"][1][-1]


def test_one_rule_per_job_kind_for_lab_jobs_reaching_a_final_state(rules):
    assert sorted(r for r in rules if r.endswith("-job-state")) == [
        "mls-processing-job-state",
        "mls-training-job-state",
        "mls-transform-job-state",
        "mls-tuning-job-state",
    ]
    for kind, detail_type, name_field, status_field, _ in SAGEMAKER_EVENTS:
        pattern = rules[f"mls-{kind}-job-state"]["Properties"]["EventPattern"]
        assert pattern["source"] == ["aws.sagemaker"]
        assert pattern["detail-type"] == [detail_type]
        assert pattern["detail"][name_field] == [{"prefix": "mls-"}]
        assert pattern["detail"][status_field] == ["Completed", "Failed", "Stopped"]


def test_training_jobs_of_a_tuning_job_do_not_notify_one_by_one(rules):
    detail = rules["mls-training-job-state"]["Properties"]["EventPattern"]["detail"]
    assert detail["TuningJobArn"] == [{"exists": False}]
    assert "TuningJobArn" not in rules["mls-tuning-job-state"]["Properties"]["EventPattern"]["detail"]


def test_each_rule_sends_a_readable_line_to_the_foundation_topic(rules):
    for kind, _, name_field, status_field, describe in SAGEMAKER_EVENTS:
        (target,) = rules[f"mls-{kind}-job-state"]["Properties"]["Targets"]
        assert target["Arn"]["Fn::ImportValue"].startswith("mls-foundation:ExportsOutputRefAlertsTopic")
        transformer = target["InputTransformer"]
        name_var = f"detail-{name_field}"
        assert transformer["InputPathsMap"][name_var] == f"$.detail.{name_field}"
        assert transformer["InputPathsMap"][f"detail-{status_field}"] == f"$.detail.{status_field}"
        assert transformer["InputTemplate"] == (
            f'"SageMaker {kind} job <{name_var}> is <detail-{status_field}> (<time>). '
            f'Details: aws sagemaker {describe} <{name_var}> --region <region>"'
        )


def test_the_jobs_stack_adds_no_statement_to_the_topic_policy(tj, synth):
    # The topic's own policy (Foundation) already scopes EventBridge to rules named mls-*.
    assert synth.resources("jobs", "AWS::SNS::TopicPolicy") == {}
    assert len(synth.resources("foundation", "AWS::SNS::TopicPolicy")) == 1


def _resolved(value, refs):
    if isinstance(value, dict) and "Ref" in value:
        return refs[value["Ref"]]
    if isinstance(value, dict) and "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        return sep.join(_resolved(p, refs) for p in parts)
    if isinstance(value, dict):
        return {k: _resolved(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(v, refs) for v in value]
    return value


def _stack_event(stack: str, status: str) -> dict:
    """A CloudFormation Stack Status Change event as AWS documents it."""
    return {
        "Source": "aws.cloudformation",
        "DetailType": "CloudFormation Stack Status Change",
        "Detail": json.dumps(
            {
                "stack-id": f"arn:aws:cloudformation:us-east-1:123456789012:stack/{stack}/5b1c7a40",
                "status-details": {
                    "status": status,
                    "status-reason": "The following resource(s) failed to delete: [ModelEndpoint].",
                },
            }
        ),
    }


def test_a_serving_stack_that_fails_to_delete_is_reported_by_a_rule_outside_it(rules):
    # The serving stack's own resources may be gone before the one that fails: the rule lives here.
    rule = rules["mls-serving-delete-failed"]["Properties"]
    (target,) = rule["Targets"]
    assert target["Arn"]["Fn::ImportValue"].startswith("mls-foundation:ExportsOutputRefAlertsTopic")
    refs = {"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012"}
    pattern = _resolved(rule["EventPattern"], refs)
    # Run the rule on moto's EventBridge with an SQS queue standing in for the topic.
    with mock_aws():
        events, sqs = (boto3.client(n, region_name="us-east-1") for n in ("events", "sqs"))
        url = sqs.create_queue(QueueName="alerts")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="r", EventPattern=json.dumps(pattern))
        events.put_targets(Rule="r", Targets=[{"Id": "1", "Arn": arn, "InputTransformer": target["InputTransformer"]}])

        def delivered(stack: str, status: str) -> list[str]:
            events.put_events(Entries=[_stack_event(stack, status)])
            return [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url).get("Messages", [])]

        (message,) = delivered("mls-serving", "DELETE_FAILED")
        assert message.startswith("CloudFormation could not delete stack mls-serving (")
        assert "describe-stack-events --stack-name mls-serving --region us-east-1, delete what is left" in message
        assert message.endswith("Reason: The following resource(s) failed to delete: [ModelEndpoint].")
        assert delivered("mls-serving", "DELETE_COMPLETE") == []
        assert delivered("mls-serving-old", "DELETE_FAILED") == []
        assert delivered("mls-jobs", "DELETE_FAILED") == []


def test_cleanup_runs_on_delete_of_a_custom_resource_with_the_prefix(synth):
    (resource,) = synth.resources("jobs", "Custom::LabCleanup").values()
    assert resource["Properties"]["Prefix"] == "mls"
    assert resource["Properties"]["ServiceToken"]["Fn::GetAtt"][1] == "Arn"
    function = synth.resources("jobs", "AWS::Lambda::Function")[resource["Properties"]["ServiceToken"]["Fn::GetAtt"][0]]
    props = function["Properties"]
    assert (props["Handler"], props["Runtime"], props["Architectures"]) == (
        "leftovers.handler",
        "python3.14",
        ["arm64"],
    )
    assert props["Timeout"] == 300
    # Without a ServiceTimeout a function that dies before replying leaves CloudFormation waiting an hour.
    assert int(resource["Properties"]["ServiceTimeout"]) == 360


def test_cleanup_may_stop_and_delete_only_lab_tagged_resources_whatever_their_names(cleanup_statements):
    # Studio's SDK names what it makes sagemaker-xgboost-..., kmeans-...: the tag decides, so the scope is the tag.
    stop_delete = cleanup_statements["StopAndDeleteTaggedLabResources"]
    assert sorted(stop_delete["Action"]) == [
        "sagemaker:DeleteEndpoint",
        "sagemaker:DeleteEndpointConfig",
        "sagemaker:DeleteModel",
        "sagemaker:StopHyperParameterTuningJob",
        "sagemaker:StopProcessingJob",
        "sagemaker:StopTrainingJob",
        "sagemaker:StopTransformJob",
    ]
    assert stop_delete["Condition"] == {"StringEquals": {"aws:ResourceTag/study-env:prefix": "mls"}}
    expected = [
        ":endpoint-config/*",
        ":endpoint/*",
        ":hyper-parameter-tuning-job/*",
        ":model/*",
        ":processing-job/*",
        ":training-job/*",
        ":transform-job/*",
    ]
    assert sorted(_arn_tail(r) for r in stop_delete["Resource"]) == expected
    assert sorted(_arn_tail(r) for r in cleanup_statements["ReadLabTags"]["Resource"]) == expected
    assert cleanup_statements["ReadLabTags"]["Action"] == "sagemaker:ListTags"


def test_only_list_calls_are_unscoped(cleanup_statements):
    star = [s for s in cleanup_statements.values() if s["Resource"] == "*"]
    assert [sorted(s["Action"]) for s in star] == [
        [
            "sagemaker:ListEndpointConfigs",
            "sagemaker:ListEndpoints",
            "sagemaker:ListHyperParameterTuningJobs",
            "sagemaker:ListModels",
            "sagemaker:ListProcessingJobs",
            "sagemaker:ListTrainingJobs",
            "sagemaker:ListTransformJobs",
        ]
    ]
    for statement in cleanup_statements.values():
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert not any("*" in a for a in actions)


@pytest.mark.parametrize("prefix", ["", "ML", "m-l", "1lab"])
def test_cleanup_refuses_a_bad_prefix(prefix):
    with pytest.raises(
        ValueError,
        match=re.escape(
            f"LabCleanup prefix={prefix!r}: must be 2-10 lowercase letters and digits, starting with a letter"
        ),
    ):
        LabCleanup(Stack(App(), "S"), "C", prefix=prefix)
