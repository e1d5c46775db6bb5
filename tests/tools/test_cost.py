"""Idle cost: nothing in the default app bills by the hour while unused (list: study_env/cost.py)."""

from __future__ import annotations

import json

import pytest

from tools.cost import IDLE_BILLING, IdleCost, idle_billing_resources


def test_no_template_of_the_default_app_holds_a_resource_that_bills_while_idle(synth):
    paths = synth.template_paths()
    assert len(paths) == len(synth.stacks) >= 2
    found = {}
    for path in paths:
        with open(path) as fh:
            template = json.load(fh)
        assert template["Resources"], f"{path}: no resources read"
        found[path] = idle_billing_resources(template)
    assert {p: f for p, f in found.items() if f} == {}


def test_control_the_check_finds_the_serving_variants_endpoint(serving_synth):
    found = idle_billing_resources(serving_synth.template_json("serving"))
    assert [(f.resource_type, f.logical_id.startswith("ModelEndpoint")) for f in found] == [
        ("AWS::SageMaker::Endpoint", True)
    ]


@pytest.mark.parametrize(
    "resource,billed",
    [
        ({"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcEndpointType": "Interface"}}, True),
        ({"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcEndpointType": "GatewayLoadBalancer"}}, True),
        ({"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcEndpointType": "Gateway"}}, False),
        ({"Type": "AWS::EC2::VPCEndpoint", "Properties": {}}, False),
        ({"Type": "AWS::EC2::NatGateway", "Properties": {}}, True),
        ({"Type": "AWS::SageMaker::NotebookInstance"}, True),
        ({"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer"}, True),
        ({"Type": "AWS::RDS::DBInstance"}, True),
        ({"Type": "AWS::S3::Bucket"}, False),
        ({"Type": "AWS::Lambda::Function"}, False),
    ],
)
def test_which_resources_count(resource, billed):
    found = idle_billing_resources({"Resources": {"R": resource}})
    assert bool(found) is billed
    if billed:
        assert found == [IdleCost("R", resource["Type"], IDLE_BILLING[resource["Type"]][0])]


def test_the_list_names_what_the_issue_names():
    for rtype in (
        "AWS::EC2::NatGateway",
        "AWS::EC2::VPCEndpoint",
        "AWS::SageMaker::Endpoint",
        "AWS::SageMaker::NotebookInstance",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
    ):
        assert rtype in IDLE_BILLING
