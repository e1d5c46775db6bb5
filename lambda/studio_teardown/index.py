"""Studio teardown: custom-resource handlers for the CDK Provider framework (on_event + is_complete).

Nothing happens on Create or Update. On Delete, ``is_complete`` is polled until the phase named in
the resource properties has left nothing behind (see ``teardown_plan``): each poll describes what is
there, issues the deletes that are possible now and reports whether anything is still present.
A throttled or busy call simply waits for the next poll, and so does a delete that fails for any
other reason (a ValidationException racing a state change, EFS's DependencyTimeout): the Provider
framework does not retry a failed poll, so raising would end the whole destroy. Only an
authorization error, which waiting cannot fix, fails at once. After ``TimeoutSeconds`` (set just
below the Provider's total timeout) it fails with a message naming what is left and the last errors.
"""

from __future__ import annotations

import json
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from teardown_plan import (
    NFS_GROUP_NAME_PATTERNS,
    PHASES,
    Plan,
    check_deadline,
    home_file_systems,
    nfs_domain_ids,
    nfs_group_ids,
    plan_apps,
    plan_residue,
)

THROTTLED = frozenset(
    {"Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded"}
)
# Already gone: the goal of the call is met.
GONE = frozenset(
    {
        "ResourceNotFound",
        "FileSystemNotFound",
        "MountTargetNotFound",
        "InvalidGroup.NotFound",
        "InvalidPermission.NotFound",
    }
)
# Still in use or changing state: the next poll tries again.
BUSY = frozenset(
    {
        "ResourceInUse",
        "DependencyViolation",
        "FileSystemInUse",
        "IncorrectMountTargetState",
        "IncorrectFileSystemLifeCycleState",
    }
)
# Waiting cannot fix these: fail at once, naming the call.
DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5})


def on_event(event: dict, context=None) -> dict:
    props = event["ResourceProperties"]
    phase = _phase(props)
    if event["RequestType"] == "Delete":
        # is_complete measures its deadline from here.
        return {"PhysicalResourceId": event["PhysicalResourceId"], "Data": {"StartedAt": int(time.time())}}
    key = props["DomainId"] if phase == "apps" else props["VpcId"]
    return {"PhysicalResourceId": f"studio-{phase}-teardown-{key}"}


def is_complete(event: dict, context=None, clients: dict | None = None) -> dict:
    if event["RequestType"] != "Delete":
        return {"IsComplete": True}
    props = event["ResourceProperties"]
    plan = run_step(_phase(props), props, clients or _clients())
    if plan is not None and plan.done:
        return {"IsComplete": True}
    present = plan.present if plan is not None else ["unknown: describing what is left was throttled"]
    errors = plan.errors if plan is not None else []
    check_deadline(float(event["Data"]["StartedAt"]), time.time(), float(props["TimeoutSeconds"]), present, errors)
    return {"IsComplete": False}


def run_step(phase: str, props: dict, clients: dict) -> Plan | None:
    """Describe, plan and issue this poll's deletes. ``None`` when throttled while describing."""
    try:
        plan = (
            describe_apps(clients, props["DomainId"]) if phase == "apps" else describe_residue(clients, props["VpcId"])
        )
    except ClientError as err:
        if _code(err) in THROTTLED:
            return None
        raise
    for call in plan.calls:
        try:
            getattr(clients[call.service], call.operation)(**call.kwargs)
        except ClientError as err:
            code = _code(err)
            if code in THROTTLED:
                break
            if code in GONE or code in BUSY:
                continue
            failure = f"{call.service} {call.operation} {json.dumps(call.kwargs, default=str)} failed: {err}"
            if code in DENIED:
                raise RuntimeError(failure) from err
            plan.errors.append(failure)
    print(
        json.dumps(
            {
                "phase": phase,
                "present": plan.present,
                "calls": [f"{c.service}:{c.operation}" for c in plan.calls],
                "errors": plan.errors,
            }
        )
    )
    return plan


def describe_apps(clients: dict, domain_id: str) -> Plan:
    sm = clients["sagemaker"]
    try:
        apps = _paginate(sm, "list_apps", "Apps", DomainIdEquals=domain_id)
        spaces = _paginate(sm, "list_spaces", "Spaces", DomainIdEquals=domain_id)
        profiles = _paginate(sm, "list_user_profiles", "UserProfiles", DomainIdEquals=domain_id)
    except ClientError as err:
        if _code(err) in GONE:
            return Plan()
        raise
    return plan_apps(apps, spaces, profiles)


def describe_residue(clients: dict, vpc_id: str) -> Plan:
    groups = _paginate(
        clients["ec2"],
        "describe_security_groups",
        "SecurityGroups",
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": list(NFS_GROUP_NAME_PATTERNS)},
        ],
    )
    domain_ids = nfs_domain_ids(groups)
    efs = clients["efs"]
    file_systems = (
        home_file_systems(_paginate(efs, "describe_file_systems", "FileSystems"), domain_ids) if domain_ids else []
    )
    mount_targets = {}
    for fs in file_systems:
        try:
            mount_targets[fs["FileSystemId"]] = efs.describe_mount_targets(FileSystemId=fs["FileSystemId"])[
                "MountTargets"
            ]
        except ClientError as err:
            if _code(err) not in GONE:
                raise
    group_ids = nfs_group_ids(groups)
    interfaces = (
        _paginate(
            clients["ec2"],
            "describe_network_interfaces",
            "NetworkInterfaces",
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-id", "Values": group_ids}],
        )
        if group_ids
        else []
    )
    return plan_residue(groups, file_systems, mount_targets, interfaces)


def _paginate(client, operation: str, key: str, **kwargs) -> list[dict]:
    return [item for page in client.get_paginator(operation).paginate(**kwargs) for item in page[key]]


def _phase(props: dict) -> str:
    phase = props.get("Phase")
    if phase not in PHASES:
        raise ValueError(f"resource property Phase={phase!r}: must be one of {', '.join(PHASES)}")
    return phase


def _code(err: ClientError) -> str:
    return err.response.get("Error", {}).get("Code", "")


def _clients() -> dict:
    return {name: boto3.client(name, config=_CLIENT_CONFIG) for name in ("sagemaker", "ec2", "efs")}
