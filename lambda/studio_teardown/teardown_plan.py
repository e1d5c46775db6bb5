"""What the Studio teardown deletes next, decided only from described state (no AWS calls here).

Two phases, each run repeatedly until nothing is left:

- ``apps``: every app of the domain, then each space once no live app is left in it. CloudFormation
  then deletes the user profile and the domain, which it cannot do while apps or spaces exist.
- ``residue``: what SageMaker created for the domain and leaves behind once the domain is gone: the
  home EFS file system (mount targets first, then the file system) and the two NFS security groups
  (their rules reference each other, so both are emptied before either is deleted).

A plan is a list of calls to make now plus a description of everything still present; the teardown is
finished when nothing is present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# App status: Deleted | Deleting | Failed | InService | Pending. Pending apps become InService or
# Failed on their own; DeleteApp refuses them meanwhile.
APP_DELETABLE = frozenset({"InService", "Failed"})
# Space status: Deleting | Failed | InService | Pending | Updating | Update_Failed | Delete_Failed.
SPACE_DELETABLE = frozenset({"InService", "Failed", "Update_Failed", "Delete_Failed"})
# EFS life cycle state: creating | available | updating | deleting | deleted | error.
EFS_DELETABLE = frozenset({"available", "error"})
MOUNT_TARGET_DELETABLE = frozenset({"available", "error"})

SAGEMAKER_RESOURCE_TAG = "ManagedByAmazonSageMakerResource"
# SageMaker names the security groups of a domain's home EFS after the domain.
NFS_GROUP_RE = re.compile(r"^security-group-for-(?:inbound|outbound)-nfs-(d-[a-z0-9]+)$")
NFS_GROUP_NAME_PATTERNS = ("security-group-for-inbound-nfs-d-*", "security-group-for-outbound-nfs-d-*")

PHASES = ("apps", "residue")


class TeardownTimeout(RuntimeError):
    """The teardown ran out of time; the message lists what is left and what to do."""


@dataclass(frozen=True)
class Call:
    service: str  # boto3 client name
    operation: str  # client method name
    kwargs: dict


@dataclass
class Plan:
    calls: list[Call] = field(default_factory=list)
    present: list[str] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return not self.present


def plan_apps(apps: list[dict], spaces: list[dict]) -> Plan:
    """Delete every live app; delete a space once none of its apps is live. Input: ListApps/ListSpaces items."""
    plan = Plan()
    live = [a for a in apps if a["Status"] != "Deleted"]
    for app in live:
        owner = {"SpaceName": app["SpaceName"]} if app.get("SpaceName") else {"UserProfileName": app["UserProfileName"]}
        plan.present.append(f"app {app['AppType']}/{app['AppName']} of {next(iter(owner.values()))} ({app['Status']})")
        if app["Status"] in APP_DELETABLE:
            plan.calls.append(
                Call(
                    "sagemaker",
                    "delete_app",
                    {"DomainId": app["DomainId"], "AppType": app["AppType"], "AppName": app["AppName"], **owner},
                )
            )
    spaces_with_live_apps = {a.get("SpaceName") for a in live}
    for space in spaces:
        plan.present.append(f"space {space['SpaceName']} ({space['Status']})")
        if space["Status"] in SPACE_DELETABLE and space["SpaceName"] not in spaces_with_live_apps:
            plan.calls.append(
                Call("sagemaker", "delete_space", {"DomainId": space["DomainId"], "SpaceName": space["SpaceName"]})
            )
    return plan


def nfs_domain_ids(security_groups: list[dict]) -> set[str]:
    """Domain ids named by SageMaker's NFS security groups (DescribeSecurityGroups items)."""
    return {m.group(1) for sg in security_groups if (m := NFS_GROUP_RE.match(sg["GroupName"]))}


def file_system_domain(file_system: dict) -> str | None:
    """The domain id SageMaker tagged a file system with, or None if SageMaker did not create it."""
    for tag in file_system.get("Tags", []):
        if tag["Key"] == SAGEMAKER_RESOURCE_TAG and ":domain/" in tag["Value"]:
            return tag["Value"].rsplit("/", 1)[1]
    return None


def home_file_systems(file_systems: list[dict], domain_ids: set[str]) -> list[dict]:
    """The file systems SageMaker created as home directories of ``domain_ids``."""
    return [fs for fs in file_systems if file_system_domain(fs) in domain_ids]


def plan_residue(security_groups: list[dict], file_systems: list[dict], mount_targets: dict[str, list[dict]]) -> Plan:
    """Home EFS first (mount targets, then the file system), the NFS security groups last.

    ``security_groups``: the VPC's groups named like SageMaker's NFS groups; ``file_systems``: the
    domains' home file systems (see :func:`home_file_systems`); ``mount_targets``: by file system id.
    """
    plan = Plan()
    groups = [sg for sg in security_groups if NFS_GROUP_RE.match(sg["GroupName"])]
    for fs in file_systems:
        fs_id, state = fs["FileSystemId"], fs["LifeCycleState"]
        if state == "deleted":
            continue
        plan.present.append(f"EFS file system {fs_id} ({state})")
        live_targets = [mt for mt in mount_targets.get(fs_id, []) if mt["LifeCycleState"] != "deleted"]
        for mt in live_targets:
            plan.present.append(f"EFS mount target {mt['MountTargetId']} of {fs_id} ({mt['LifeCycleState']})")
            if mt["LifeCycleState"] in MOUNT_TARGET_DELETABLE:
                plan.calls.append(Call("efs", "delete_mount_target", {"MountTargetId": mt["MountTargetId"]}))
        if not live_targets and state in EFS_DELETABLE:
            plan.calls.append(Call("efs", "delete_file_system", {"FileSystemId": fs_id}))
    # The mount targets' network interfaces use these groups until the file systems are gone.
    file_systems_left = any(fs["LifeCycleState"] != "deleted" for fs in file_systems)
    revokes, deletes = [], []
    for sg in groups:
        plan.present.append(f"security group {sg['GroupId']} {sg['GroupName']}")
        if file_systems_left:
            continue
        if sg.get("IpPermissions"):
            revokes.append(
                Call(
                    "ec2",
                    "revoke_security_group_ingress",
                    {"GroupId": sg["GroupId"], "IpPermissions": sg["IpPermissions"]},
                )
            )
        if sg.get("IpPermissionsEgress"):
            revokes.append(
                Call(
                    "ec2",
                    "revoke_security_group_egress",
                    {"GroupId": sg["GroupId"], "IpPermissions": sg["IpPermissionsEgress"]},
                )
            )
        deletes.append(Call("ec2", "delete_security_group", {"GroupId": sg["GroupId"]}))
    plan.calls.extend(revokes + deletes)
    return plan


def check_deadline(started_at: float, now: float, timeout_seconds: float, present: list[str]) -> None:
    """Raise :class:`TeardownTimeout` naming what is left once ``timeout_seconds`` have passed."""
    if now - started_at < timeout_seconds:
        return
    raise TeardownTimeout(
        f"Studio teardown gave up after {int((now - started_at) // 60)} minutes; still present: "
        + "; ".join(present)
        + ". Delete these in the AWS console (SageMaker, EFS, VPC), then run `make destroy` again."
    )
