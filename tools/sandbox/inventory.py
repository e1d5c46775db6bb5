"""What exists in an account, by kind, so a rehearsal can show that destroy left nothing behind.

An inventory taken right after the emulator starts is the baseline (moto creates a default VPC,
subnets and security group); whatever a later inventory holds beyond it is a leftover.
"""

from __future__ import annotations

from collections.abc import Callable

from study_env.job_kinds import FINAL_JOB_STATES, JOB_KINDS, JobKind
from tools.sandbox.gaps import PLACEHOLDERS

Inventory = dict[str, frozenset[str]]


def _pages(client, operation: str, key: str, **kwargs) -> list:
    if client.can_paginate(operation):
        return [item for page in client.get_paginator(operation).paginate(**kwargs) for item in page.get(key, [])]
    return getattr(client, operation)(**kwargs).get(key, [])


def _running_jobs(sagemaker, kind: JobKind) -> set[str]:
    return {
        job[kind.name_field]
        for job in _pages(sagemaker, kind.method("List"), kind.list_key)
        if job[kind.status_field] not in FINAL_JOB_STATES
    }


def _collectors(session) -> dict[str, Callable[[], set[str]]]:
    c = session.client
    cfn, s3, iam, lam, logs, sns, events, ec2, sm, ecr, ssm = (
        c(n)
        for n in ("cloudformation", "s3", "iam", "lambda", "logs", "sns", "events", "ec2", "sagemaker", "ecr", "ssm")
    )
    return {
        "cloudformation stacks": lambda: {
            s["StackName"] for s in _pages(cfn, "describe_stacks", "Stacks") if s["StackStatus"] != "DELETE_COMPLETE"
        },
        "s3 buckets": lambda: {b["Name"] for b in s3.list_buckets().get("Buckets", [])},
        "iam roles": lambda: {
            r["RoleName"] for r in _pages(iam, "list_roles", "Roles") if not r["Path"].startswith("/aws-service-role/")
        },
        "iam policies": lambda: {p["Arn"] for p in _pages(iam, "list_policies", "Policies", Scope="Local")},
        "iam users": lambda: {u["UserName"] for u in _pages(iam, "list_users", "Users")},
        "lambda functions": lambda: {f["FunctionName"] for f in _pages(lam, "list_functions", "Functions")},
        "lambda layers": lambda: {layer["LayerName"] for layer in _pages(lam, "list_layers", "Layers")},
        "log groups": lambda: {g["logGroupName"] for g in _pages(logs, "describe_log_groups", "logGroups")},
        "sns topics": lambda: {t["TopicArn"] for t in _pages(sns, "list_topics", "Topics")},
        "eventbridge rules": lambda: {r["Name"] for r in _pages(events, "list_rules", "Rules")},
        "ec2 vpcs": lambda: {v["VpcId"] for v in _pages(ec2, "describe_vpcs", "Vpcs")},
        "ec2 subnets": lambda: {s["SubnetId"] for s in _pages(ec2, "describe_subnets", "Subnets")},
        "ec2 security groups": lambda: {
            g["GroupId"] for g in _pages(ec2, "describe_security_groups", "SecurityGroups")
        },
        "ec2 route tables": lambda: {t["RouteTableId"] for t in _pages(ec2, "describe_route_tables", "RouteTables")},
        "ec2 internet gateways": lambda: {
            g["InternetGatewayId"] for g in _pages(ec2, "describe_internet_gateways", "InternetGateways")
        },
        "ecr repositories": lambda: {r["repositoryName"] for r in _pages(ecr, "describe_repositories", "repositories")},
        "ssm parameters": lambda: {p["Name"] for p in _pages(ssm, "describe_parameters", "Parameters")},
        "sagemaker models": lambda: {m["ModelName"] for m in _pages(sm, "list_models", "Models")},
        "sagemaker endpoint configs": lambda: {
            e["EndpointConfigName"] for e in _pages(sm, "list_endpoint_configs", "EndpointConfigs")
        },
        "sagemaker endpoints": lambda: {e["EndpointName"] for e in _pages(sm, "list_endpoints", "Endpoints")},
        "sagemaker domains": lambda: {d["DomainId"] for d in _pages(sm, "list_domains", "Domains")},
        "sagemaker notebook instances": lambda: {
            n["NotebookInstanceName"] for n in _pages(sm, "list_notebook_instances", "NotebookInstances")
        },
        "sagemaker running jobs": lambda: set().union(*(_running_jobs(sm, kind) for kind in JOB_KINDS)),
        "placeholders for skipped types": lambda: {f"{t} {arn}" for arn, t in PLACEHOLDERS.live.items()},
    }


def take(session) -> Inventory:
    """Everything the emulator holds now, by kind."""
    return {kind: frozenset(collect()) for kind, collect in _collectors(session).items()}


def leftovers(baseline: Inventory, now: Inventory) -> Inventory:
    """What ``now`` holds beyond ``baseline``, only the kinds with something in them."""
    return {
        kind: now[kind] - baseline.get(kind, frozenset()) for kind in now if now[kind] - baseline.get(kind, frozenset())
    }


def render(inventory: Inventory, title: str) -> str:
    lines = [title]
    if not any(inventory.values()):
        lines.append("  (nothing)")
    for kind in sorted(inventory):
        for name in sorted(inventory[kind]):
            lines.append(f"  {kind}: {name}")
    return "\n".join(lines)
