"""What the Studio teardown deletes next, decided only from described state (no AWS calls here).

Two phases, each run repeatedly until nothing is left:

- ``apps``: every app of the domain, then each space once no live app is left in it, then every user
  profile once no app or space is left. CloudFormation then deletes the domain (its own profile is
  gone already, which it treats as deleted), which it cannot do while apps, spaces or profiles exist.
  Profiles CloudFormation no longer knows of (one replaced by a rename, whose deletion failed while
  its space existed) are deleted the same way.
- ``residue``: what SageMaker created for the domain and leaves behind once the domain is gone: the
  home EFS file system (mount targets first, then the file system), network interfaces left
  ``available`` in the NFS security groups, and the two NFS security groups (their rules reference
  each other, so both are emptied before either is deleted).

A plan is a list of calls to make now plus a description of everything still present; the teardown is
finished when nothing is present.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

# App status: Deleted | Deleting | Failed | InService | Pending. Pending apps become InService or
# Failed on their own; DeleteApp refuses them meanwhile.
APP_DELETABLE = frozenset({"InService", "Failed"})
# Space status: Deleting | Failed | InService | Pending | Updating | Update_Failed | Delete_Failed.
SPACE_DELETABLE = frozenset({"InService", "Failed", "Update_Failed", "Delete_Failed"})
# User profile status: Deleting | Failed | InService | Pending | Updating | Update_Failed | Delete_Failed.
PROFILE_DELETABLE = frozenset({"InService", "Failed", "Update_Failed", "Delete_Failed"})
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
    # Deletes of this poll that failed for a reason other than busy, gone or throttled.
    errors: list[str] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return not self.present


def plan_apps(apps: list[dict], spaces: list[dict], profiles: Sequence[dict] = ()) -> Plan:
    """Delete every live app; delete a space once none of its apps is live; delete the user profiles once
    no app or space is left. Input: ListApps/ListSpaces/ListUserProfiles items."""
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
    # A profile cannot go while an app of it or one of its (private) spaces exists.
    nothing_else_left = not live and not spaces
    for profile in profiles:
        plan.present.append(f"user profile {profile['UserProfileName']} ({profile['Status']})")
        if nothing_else_left and profile["Status"] in PROFILE_DELETABLE:
            plan.calls.append(
                Call(
                    "sagemaker",
                    "delete_user_profile",
                    {"DomainId": profile["DomainId"], "UserProfileName": profile["UserProfileName"]},
                )
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


def nfs_group_ids(security_groups: list[dict]) -> list[str]:
    """Ids of SageMaker's NFS security groups among DescribeSecurityGroups items."""
    return [sg["GroupId"] for sg in security_groups if NFS_GROUP_RE.match(sg["GroupName"])]


def plan_residue(
    security_groups: list[dict],
    file_systems: list[dict],
    mount_targets: dict[str, list[dict]],
    interfaces: Sequence[dict] = (),
) -> Plan:
    """Home EFS first (mount targets, then the file system), detached network interfaces, the NFS
    security groups last.

    ``security_groups``: the VPC's groups named like SageMaker's NFS groups; ``file_systems``: the
    domains' home file systems (see :func:`home_file_systems`); ``mount_targets``: by file system id;
    ``interfaces``: DescribeNetworkInterfaces items that use one of those groups.
    """
    plan = Plan()
    groups = [sg for sg in security_groups if NFS_GROUP_RE.match(sg["GroupName"])]
    _plan_file_systems(plan, file_systems, mount_targets)
    _plan_interfaces(plan, interfaces, set(nfs_group_ids(groups)))
    # The mount targets' network interfaces use these groups until the file systems are gone.
    file_systems_left = any(fs["LifeCycleState"] != "deleted" for fs in file_systems)
    _plan_groups(plan, groups, wait=file_systems_left)
    return plan


def _plan_file_systems(plan: Plan, file_systems: list[dict], mount_targets: dict[str, list[dict]]) -> None:
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


def _plan_interfaces(plan: Plan, interfaces: Sequence[dict], nfs_ids: set[str]) -> None:
    # An app's interface that stayed `available` (detached) keeps a group in use for ever: delete it.
    # Attached ones (a mount target's, an app's being torn down) go with what they belong to.
    for eni in interfaces:
        if not nfs_ids & {g["GroupId"] for g in eni.get("Groups", [])}:
            continue
        plan.present.append(f"network interface {eni['NetworkInterfaceId']} ({eni['Status']})")
        if eni["Status"] == "available":
            plan.calls.append(
                Call("ec2", "delete_network_interface", {"NetworkInterfaceId": eni["NetworkInterfaceId"]})
            )


def _plan_groups(plan: Plan, groups: list[dict], wait: bool) -> None:
    revokes, deletes = [], []
    for sg in groups:
        plan.present.append(f"security group {sg['GroupId']} {sg['GroupName']}")
        if wait:
            continue
        for key, operation in (
            ("IpPermissions", "revoke_security_group_ingress"),
            ("IpPermissionsEgress", "revoke_security_group_egress"),
        ):
            if sg.get(key):
                revokes.append(Call("ec2", operation, {"GroupId": sg["GroupId"], "IpPermissions": sg[key]}))
        deletes.append(Call("ec2", "delete_security_group", {"GroupId": sg["GroupId"]}))
    plan.calls.extend(revokes + deletes)


def check_deadline(
    started_at: float, now: float, timeout_seconds: float, present: list[str], errors: Sequence[str] = ()
) -> None:
    """Raise :class:`TeardownTimeout` naming what is left (and the last poll's errors) once
    ``timeout_seconds`` have passed."""
    if now - started_at < timeout_seconds:
        return
    raise TeardownTimeout(
        f"Studio teardown gave up after {int((now - started_at) // 60)} minutes; still present: "
        + "; ".join(present)
        + (". Last errors: " + "; ".join(errors) if errors else "")
        + ". Delete these in the AWS console (SageMaker, EFS, VPC), then run `make destroy` again."
    )
