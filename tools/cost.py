"""Resource types that bill by the hour while idle: the one list the idle-cost check reads.

The lab's promise is that its default deployment bills only per GB stored and per use. A template
resource whose type is listed here breaks that promise (the Serving stack is the one deliberate
exception, and it deletes itself). ``idle_billing_resources`` finds them in a template.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

Resource = Mapping[str, Any]


def _always(_resource: Resource) -> bool:
    return True


def _interface_endpoint(resource: Resource) -> bool:
    # Gateway endpoints (S3, DynamoDB, the default type) are free; Interface and GatewayLoadBalancer
    # endpoints bill per AZ-hour.
    return resource.get("Properties", {}).get("VpcEndpointType", "Gateway") != "Gateway"


# type -> (why it bills while idle, predicate on the resource when only some configurations do)
IDLE_BILLING: dict[str, tuple[str, Callable[[Resource], bool]]] = {
    "AWS::EC2::NatGateway": ("NAT gateway: per hour plus per GB", _always),
    "AWS::EC2::VPCEndpoint": ("interface VPC endpoint: per AZ-hour", _interface_endpoint),
    "AWS::EC2::EIP": ("public IPv4 address: per hour", _always),
    "AWS::EC2::Instance": ("EC2 instance: per hour while running", _always),
    "AWS::EC2::ClientVpnEndpoint": ("Client VPN: per association-hour", _always),
    "AWS::EC2::TransitGateway": ("transit gateway: per attachment-hour", _always),
    "AWS::EC2::VPNConnection": ("site-to-site VPN: per connection-hour", _always),
    "AWS::AutoScaling::AutoScalingGroup": ("EC2 instances of an Auto Scaling group: per hour", _always),
    "AWS::ElasticLoadBalancing::LoadBalancer": ("Classic Load Balancer: per hour", _always),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("Application/Network Load Balancer: per hour", _always),
    "AWS::SageMaker::Endpoint": ("SageMaker endpoint: instance variants bill per instance-hour", _always),
    "AWS::SageMaker::NotebookInstance": ("SageMaker notebook instance: per hour while InService", _always),
    "AWS::SageMaker::App": ("SageMaker Studio app: per instance-hour while running", _always),
    "AWS::RDS::DBInstance": ("RDS instance: per hour", _always),
    "AWS::RDS::DBCluster": ("Aurora cluster: per instance- or ACU-hour", _always),
    "AWS::DocDB::DBInstance": ("DocumentDB instance: per hour", _always),
    "AWS::Neptune::DBInstance": ("Neptune instance: per hour", _always),
    "AWS::Redshift::Cluster": ("Redshift cluster: per node-hour", _always),
    "AWS::ElastiCache::CacheCluster": ("ElastiCache node: per hour", _always),
    "AWS::ElastiCache::ReplicationGroup": ("ElastiCache nodes: per hour", _always),
    "AWS::OpenSearchService::Domain": ("OpenSearch domain: per instance-hour", _always),
    "AWS::Elasticsearch::Domain": ("Elasticsearch domain: per instance-hour", _always),
    "AWS::EKS::Cluster": ("EKS control plane: per hour", _always),
    "AWS::MSK::Cluster": ("MSK brokers: per broker-hour", _always),
    "AWS::Kinesis::Stream": ("Kinesis stream: per shard-hour", _always),
    "AWS::DirectoryService::MicrosoftAD": ("Managed Microsoft AD: per hour", _always),
}


class IdleCost(NamedTuple):
    logical_id: str
    resource_type: str
    reason: str


def idle_billing_resources(template: Mapping[str, Any]) -> list[IdleCost]:
    """The resources of a synthesized template that would bill by the hour while nobody uses them."""
    found = []
    for logical_id, resource in template.get("Resources", {}).items():
        entry = IDLE_BILLING.get(resource.get("Type"))
        if entry and entry[1](resource):
            found.append(IdleCost(logical_id, resource["Type"], entry[0]))
    return found
