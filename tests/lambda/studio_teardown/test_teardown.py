"""The Studio teardown handler against botocore's Stubber (moto has no Studio apps, spaces or profiles).

Each scenario polls ``is_complete`` as the Provider framework would, one stubbed AWS answer set per
poll, until the teardown reports done or fails. The Stubber raises on any call it was not told to
expect, so every test also proves that nothing else was deleted or described.
"""

from __future__ import annotations

import time

import boto3
import pytest
from botocore.stub import Stubber

from tools import lambda_assets

index = lambda_assets.load("studio_teardown", "index")
import teardown_plan as plan  # noqa: E402  (lambda_assets put its folder on sys.path)

DOMAIN = "d-abc123xyz"
VPC = "vpc-0123456789abcdef0"
FS = "fs-0123456789abcdef0"
INBOUND = {"GroupId": "sg-0000000000000in00", "GroupName": f"security-group-for-inbound-nfs-{DOMAIN}"}
OUTBOUND = {"GroupId": "sg-000000000000out00", "GroupName": f"security-group-for-outbound-nfs-{DOMAIN}"}
NFS_FROM_OUTBOUND = [
    {"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049, "UserIdGroupPairs": [{"GroupId": OUTBOUND["GroupId"]}]}
]
NFS_TO_INBOUND = [
    {"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049, "UserIdGroupPairs": [{"GroupId": INBOUND["GroupId"]}]}
]
DOMAIN_ARN = f"arn:aws:sagemaker:us-east-1:123456789012:domain/{DOMAIN}"


@pytest.fixture
def aws():
    clients = {name: boto3.client(name, region_name="us-east-1") for name in ("sagemaker", "ec2", "efs")}
    stubbers = {name: Stubber(client) for name, client in clients.items()}
    for s in stubbers.values():
        s.activate()
    yield clients, stubbers
    for s in stubbers.values():
        s.assert_no_pending_responses()
        s.deactivate()


def delete_event(phase: str, started_at: float | None = None, timeout: int = 3000) -> dict:
    props = {
        "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:provider",
        "Phase": phase,
        "TimeoutSeconds": str(timeout),
    }
    props.update({"DomainId": DOMAIN} if phase == "apps" else {"VpcId": VPC})
    return {
        "RequestType": "Delete",
        "PhysicalResourceId": f"studio-{phase}-teardown-x",
        "ResourceProperties": props,
        "Data": {"StartedAt": int(time.time() if started_at is None else started_at)},
    }


def app(name: str, status: str, space: str | None = "my-space") -> dict:
    owner = {"SpaceName": space} if space else {"UserProfileName": "student"}
    return {"DomainId": DOMAIN, "AppType": "JupyterLab", "AppName": name, "Status": status, **owner}


def space(name: str, status: str = "InService") -> dict:
    return {"DomainId": DOMAIN, "SpaceName": name, "Status": status}


def profile(name: str = "student", status: str = "InService") -> dict:
    return {"DomainId": DOMAIN, "UserProfileName": name, "Status": status}


def expect_listing(sm: Stubber, apps: list[dict], spaces: list[dict], profiles: list[dict] | None = None) -> None:
    sm.add_response("list_apps", {"Apps": apps}, {"DomainIdEquals": DOMAIN})
    sm.add_response("list_spaces", {"Spaces": spaces}, {"DomainIdEquals": DOMAIN})
    sm.add_response("list_user_profiles", {"UserProfiles": profiles or []}, {"DomainIdEquals": DOMAIN})


def eni(eni_id: str, status: str, group: dict = OUTBOUND) -> dict:
    return {"NetworkInterfaceId": eni_id, "Status": status, "VpcId": VPC, "Groups": [{"GroupId": group["GroupId"]}]}


def expect_residue(
    ec2: Stubber,
    efs: Stubber,
    groups: list[dict],
    file_systems: list[dict] | None,
    mount_targets=None,
    interfaces: list[dict] | None = None,
) -> None:
    ec2.add_response(
        "describe_security_groups",
        {"SecurityGroups": [{"VpcId": VPC, "OwnerId": "123456789012", "Description": "nfs", **g} for g in groups]},
        {
            "Filters": [
                {"Name": "vpc-id", "Values": [VPC]},
                {"Name": "group-name", "Values": list(plan.NFS_GROUP_NAME_PATTERNS)},
            ]
        },
    )
    if file_systems is not None:
        efs.add_response("describe_file_systems", {"FileSystems": file_systems}, {})
    for fs_id, targets in (mount_targets or {}).items():
        efs.add_response("describe_mount_targets", {"MountTargets": targets}, {"FileSystemId": fs_id})
    if groups:
        ec2.add_response(
            "describe_network_interfaces",
            {"NetworkInterfaces": interfaces or []},
            {
                "Filters": [
                    {"Name": "vpc-id", "Values": [VPC]},
                    {"Name": "group-id", "Values": [g["GroupId"] for g in groups]},
                ]
            },
        )


def file_system(state: str, domain_arn: str = DOMAIN_ARN, fs_id: str = FS) -> dict:
    return {
        "OwnerId": "123456789012",
        "CreationToken": "t",
        "FileSystemId": fs_id,
        "CreationTime": 0,
        "LifeCycleState": state,
        "NumberOfMountTargets": 0,
        "SizeInBytes": {"Value": 6144},
        "PerformanceMode": "generalPurpose",
        "Tags": [{"Key": plan.SAGEMAKER_RESOURCE_TAG, "Value": domain_arn}],
    }


def mount_target(mt_id: str, state: str) -> dict:
    return {"MountTargetId": mt_id, "FileSystemId": FS, "SubnetId": "subnet-0123456789abcdef0", "LifeCycleState": state}


def throttled(stubber: Stubber, operation: str, code: str = "ThrottlingException") -> None:
    stubber.add_client_error(operation, service_error_code=code, service_message="Rate exceeded", http_status_code=400)


# --- scenarios --------------------------------------------------------------------------------


def test_running_apps_are_deleted_then_their_space_then_done(aws):
    clients, s = aws
    sm = s["sagemaker"]
    event = delete_event("apps")
    # Poll 1: a JupyterLab app running in a private space and a profile-level app: both deleted;
    # the space waits for its app.
    expect_listing(sm, [app("default", "InService"), app("legacy", "InService", space=None)], [space("my-space")])
    sm.add_response(
        "delete_app", {}, {"DomainId": DOMAIN, "AppType": "JupyterLab", "AppName": "default", "SpaceName": "my-space"}
    )
    sm.add_response(
        "delete_app",
        {},
        {"DomainId": DOMAIN, "AppType": "JupyterLab", "AppName": "legacy", "UserProfileName": "student"},
    )
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    # Poll 2: apps are deleting: nothing to call.
    expect_listing(sm, [app("default", "Deleting"), app("legacy", "Deleted", space=None)], [space("my-space")])
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    # Poll 3: apps gone (ListApps keeps Deleted ones for a while): the space is deleted.
    expect_listing(sm, [app("default", "Deleted")], [space("my-space")])
    sm.add_response("delete_space", {}, {"DomainId": DOMAIN, "SpaceName": "my-space"})
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    # Poll 4: nothing left.
    expect_listing(sm, [app("default", "Deleted")], [])
    assert index.is_complete(event, clients=clients) == {"IsComplete": True}


def test_apps_already_deleting_are_waited_for_not_deleted_again(aws):
    clients, s = aws
    event = delete_event("apps")
    expect_listing(s["sagemaker"], [app("default", "Deleting"), app("new", "Pending")], [space("my-space", "Deleting")])
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    expect_listing(s["sagemaker"], [app("default", "Deleted"), app("new", "Deleted")], [])
    assert index.is_complete(event, clients=clients) == {"IsComplete": True}


def test_nothing_to_delete_completes_at_once(aws):
    clients, s = aws
    expect_listing(s["sagemaker"], [], [])
    assert index.is_complete(delete_event("apps"), clients=clients) == {"IsComplete": True}


def test_a_domain_that_no_longer_exists_has_nothing_to_delete(aws):
    clients, s = aws
    s["sagemaker"].add_client_error(
        "list_apps", service_error_code="ResourceNotFound", service_message="Domain not found"
    )
    assert index.is_complete(delete_event("apps"), clients=clients) == {"IsComplete": True}


def test_home_efs_with_mount_targets_then_security_groups(aws):
    clients, s = aws
    ec2, efs = s["ec2"], s["efs"]
    event = delete_event("residue")
    groups = [{**INBOUND, "IpPermissions": NFS_FROM_OUTBOUND}, {**OUTBOUND, "IpPermissionsEgress": NFS_TO_INBOUND}]
    other_domain_fs = file_system(
        "available", domain_arn=DOMAIN_ARN.replace(DOMAIN, "d-someoneelse"), fs_id="fs-0ffffffffffffffff"
    )
    # Poll 1: two mount targets: both deleted; the file system and the groups wait. A home file
    # system of another domain (not in this VPC) is left alone.
    expect_residue(
        ec2,
        efs,
        groups,
        [file_system("available"), other_domain_fs],
        {FS: [mount_target("fsmt-0000000000000001", "available"), mount_target("fsmt-0000000000000002", "available")]},
    )
    efs.add_response("delete_mount_target", {}, {"MountTargetId": "fsmt-0000000000000001"})
    efs.add_response("delete_mount_target", {}, {"MountTargetId": "fsmt-0000000000000002"})
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    # Poll 2: mount targets deleting.
    expect_residue(
        ec2,
        efs,
        groups,
        [file_system("available")],
        {FS: [mount_target("fsmt-0000000000000001", "deleting"), mount_target("fsmt-0000000000000002", "deleted")]},
    )
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    # Poll 3: no mount target left: the file system is deleted.
    expect_residue(ec2, efs, groups, [file_system("available")], {FS: []})
    efs.add_response("delete_file_system", {}, {"FileSystemId": FS})
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    # Poll 4: file system gone: both groups' cross-references revoked, then both groups deleted.
    expect_residue(ec2, efs, groups, [])
    ec2.add_response(
        "revoke_security_group_ingress",
        {"Return": True},
        {"GroupId": INBOUND["GroupId"], "IpPermissions": NFS_FROM_OUTBOUND},
    )
    ec2.add_response(
        "revoke_security_group_egress",
        {"Return": True},
        {"GroupId": OUTBOUND["GroupId"], "IpPermissions": NFS_TO_INBOUND},
    )
    ec2.add_response("delete_security_group", {}, {"GroupId": INBOUND["GroupId"]})
    ec2.add_response("delete_security_group", {}, {"GroupId": OUTBOUND["GroupId"]})
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    # Poll 5: nothing left (no group names a domain, so EFS is not even listed).
    expect_residue(ec2, efs, [], None)
    assert index.is_complete(event, clients=clients) == {"IsComplete": True}


def test_a_group_still_in_use_is_retried_on_the_next_poll(aws):
    clients, s = aws
    ec2, efs = s["ec2"], s["efs"]
    event = delete_event("residue")
    expect_residue(ec2, efs, [INBOUND], [])
    ec2.add_client_error("delete_security_group", service_error_code="DependencyViolation", service_message="in use")
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    expect_residue(ec2, efs, [INBOUND], [])
    ec2.add_response("delete_security_group", {}, {"GroupId": INBOUND["GroupId"]})
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    expect_residue(ec2, efs, [], None)
    assert index.is_complete(event, clients=clients) == {"IsComplete": True}


def test_throttling_waits_for_the_next_poll_then_finishes(aws):
    clients, s = aws
    sm = s["sagemaker"]
    event = delete_event("apps")
    # Poll 1: describing is throttled: not complete, no error.
    throttled(sm, "list_apps")
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    # Poll 2: the first delete is throttled: the rest of this poll's calls wait too.
    expect_listing(sm, [app("a", "InService", space=None), app("b", "InService", space=None)], [])
    throttled(sm, "delete_app")
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    # Poll 3: both deleted.
    expect_listing(sm, [app("a", "InService", space=None), app("b", "InService", space=None)], [])
    sm.add_response(
        "delete_app", {}, {"DomainId": DOMAIN, "AppType": "JupyterLab", "AppName": "a", "UserProfileName": "student"}
    )
    sm.add_response(
        "delete_app", {}, {"DomainId": DOMAIN, "AppType": "JupyterLab", "AppName": "b", "UserProfileName": "student"}
    )
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    expect_listing(sm, [], [])
    assert index.is_complete(event, clients=clients) == {"IsComplete": True}


def test_ec2_request_limit_is_throttling_too(aws):
    clients, s = aws
    throttled(s["ec2"], "describe_security_groups", code="RequestLimitExceeded")
    assert index.is_complete(delete_event("residue"), clients=clients) == {"IsComplete": False}


def test_timeout_fails_clearly_naming_what_is_left(aws):
    clients, s = aws
    event = delete_event("apps", started_at=time.time() - 3600, timeout=3000)
    expect_listing(s["sagemaker"], [app("default", "Deleting")], [space("my-space")])
    with pytest.raises(plan.TeardownTimeout) as err:
        index.is_complete(event, clients=clients)
    message = str(err.value)
    assert message.startswith("Studio teardown gave up after 60 minutes; still present: ")
    assert "app JupyterLab/default of my-space (Deleting)" in message and "space my-space (InService)" in message
    assert "make destroy" in message


def test_timeout_while_throttled_still_fails(aws):
    clients, s = aws
    throttled(s["sagemaker"], "list_apps")
    with pytest.raises(plan.TeardownTimeout, match="unknown: describing what is left was throttled"):
        index.is_complete(delete_event("apps", started_at=0), clients=clients)


def test_a_finished_teardown_never_times_out(aws):
    clients, s = aws
    expect_listing(s["sagemaker"], [], [])
    assert index.is_complete(delete_event("apps", started_at=0), clients=clients) == {"IsComplete": True}


def test_an_authorization_error_fails_at_once_naming_the_call(aws):
    clients, s = aws
    expect_listing(s["sagemaker"], [app("default", "InService", space=None)], [])
    s["sagemaker"].add_client_error(
        "delete_app", service_error_code="AccessDeniedException", service_message="not authorized"
    )
    with pytest.raises(
        RuntimeError, match=r"sagemaker delete_app .*\"AppName\": \"default\".*\(AccessDeniedException\)"
    ):
        index.is_complete(delete_event("apps"), clients=clients)


# --- create, update, delete events --------------------------------------------------------------


def test_an_unexpected_delete_error_waits_for_the_next_poll_and_is_named_at_the_deadline(aws):
    # The Provider framework does not retry a failed poll: raising here would end the whole destroy.
    clients, s = aws
    sm = s["sagemaker"]
    event = delete_event("apps")
    expect_listing(sm, [app("default", "InService", space=None)], [])
    sm.add_client_error(
        "delete_app", service_error_code="ValidationException", service_message="App is in Pending state"
    )
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    expect_listing(sm, [app("default", "InService", space=None)], [])
    sm.add_response(
        "delete_app",
        {},
        {"DomainId": DOMAIN, "AppType": "JupyterLab", "AppName": "default", "UserProfileName": "student"},
    )
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    expect_listing(sm, [], [])
    assert index.is_complete(event, clients=clients) == {"IsComplete": True}
    # The same error at the deadline: the failure names what is left and the error.
    expect_listing(sm, [app("default", "InService", space=None)], [])
    sm.add_client_error("delete_app", service_error_code="ValidationException", service_message="App is Pending")
    with pytest.raises(plan.TeardownTimeout) as err:
        index.is_complete(delete_event("apps", started_at=0), clients=clients)
    assert "still present: app JupyterLab/default of student (InService). Last errors: sagemaker delete_app" in str(
        err.value
    )
    assert "(ValidationException) when calling the DeleteApp operation: App is Pending" in str(err.value)


def test_an_efs_dependency_timeout_is_not_the_end_either(aws):
    clients, s = aws
    ec2, efs = s["ec2"], s["efs"]
    expect_residue(ec2, efs, [INBOUND], [file_system("available")], {FS: []})
    efs.add_client_error("delete_file_system", service_error_code="DependencyTimeout", service_message="try later")
    assert index.is_complete(delete_event("residue"), clients=clients) == {"IsComplete": False}


def test_every_user_profile_goes_once_no_app_or_space_is_left_and_one_already_gone_counts_as_gone(aws):
    # A renamed profile is replaced; CloudFormation's cleanup of the old one fails while its space exists,
    # so the old one is orphaned and DeleteDomain would fail with ResourceInUse.
    clients, s = aws
    sm = s["sagemaker"]
    event = delete_event("apps")
    profiles = [profile("student"), profile("old-name")]
    # Poll 1: a space is left: the profiles wait.
    expect_listing(sm, [], [space("old-name-space")], profiles)
    sm.add_response("delete_space", {}, {"DomainId": DOMAIN, "SpaceName": "old-name-space"})
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    # Poll 2: nothing but profiles: both deleted; one was already gone.
    expect_listing(sm, [app("default", "Deleted")], [], profiles)
    sm.add_client_error(
        "delete_user_profile",
        service_error_code="ResourceNotFound",
        service_message="User profile not found",
        expected_params={"DomainId": DOMAIN, "UserProfileName": "student"},
    )
    sm.add_response("delete_user_profile", {}, {"DomainId": DOMAIN, "UserProfileName": "old-name"})
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    # Poll 3: one deleting: wait; Poll 4: none left.
    expect_listing(sm, [], [], [profile("old-name", "Deleting")])
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    expect_listing(sm, [], [], [])
    assert index.is_complete(event, clients=clients) == {"IsComplete": True}


def test_a_detached_interface_in_the_nfs_groups_is_deleted_before_the_groups(aws):
    # An `available` interface using the outbound NFS group keeps the group in use until the deadline.
    clients, s = aws
    ec2, efs = s["ec2"], s["efs"]
    event = delete_event("residue")
    interfaces = [eni("eni-0000000000000000a", "available"), eni("eni-0000000000000000b", "in-use", INBOUND)]
    expect_residue(ec2, efs, [OUTBOUND, INBOUND], [], interfaces=interfaces)
    ec2.add_response("delete_network_interface", {}, {"NetworkInterfaceId": "eni-0000000000000000a"})
    ec2.add_response("delete_security_group", {}, {"GroupId": OUTBOUND["GroupId"]})
    ec2.add_client_error("delete_security_group", service_error_code="DependencyViolation", service_message="in use")
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    expect_residue(ec2, efs, [INBOUND], [], interfaces=[])
    ec2.add_response("delete_security_group", {}, {"GroupId": INBOUND["GroupId"]})
    assert index.is_complete(event, clients=clients) == {"IsComplete": False}
    expect_residue(ec2, efs, [], None)
    assert index.is_complete(event, clients=clients) == {"IsComplete": True}


@pytest.mark.parametrize("request_type", ["Create", "Update"])
def test_create_and_update_do_nothing_and_keep_a_stable_id(aws, request_type):
    clients, _ = aws
    props = {"Phase": "apps", "DomainId": DOMAIN, "TimeoutSeconds": "3000"}
    event = {"RequestType": request_type, "ResourceProperties": props, "PhysicalResourceId": "x"}
    assert index.on_event(event) == {"PhysicalResourceId": f"studio-apps-teardown-{DOMAIN}"}
    assert index.on_event({**event, "ResourceProperties": {"Phase": "residue", "VpcId": VPC}}) == {
        "PhysicalResourceId": f"studio-residue-teardown-{VPC}"
    }
    assert index.is_complete(event, clients=clients) == {"IsComplete": True}


def test_delete_keeps_the_physical_id_and_starts_the_clock():
    before = int(time.time())
    result = index.on_event(delete_event("apps"))
    assert result["PhysicalResourceId"] == "studio-apps-teardown-x"
    assert before <= result["Data"]["StartedAt"] <= int(time.time())


def test_an_unknown_phase_is_refused():
    with pytest.raises(ValueError, match="resource property Phase='everything': must be one of apps, residue"):
        index.on_event({"RequestType": "Create", "ResourceProperties": {"Phase": "everything"}})


# --- pure planning ------------------------------------------------------------------------------


def test_a_space_with_a_live_app_is_not_deleted_yet():
    p = plan.plan_apps([app("default", "Pending")], [space("my-space"), space("empty", "Failed")])
    assert [(c.operation, c.kwargs.get("SpaceName")) for c in p.calls] == [("delete_space", "empty")]
    assert not p.done


def test_groups_wait_while_any_home_file_system_is_left():
    p = plan.plan_residue([INBOUND, OUTBOUND], [file_system("deleting")], {FS: []})
    assert p.calls == [] and len(p.present) == 3


def test_only_sagemaker_nfs_groups_name_domains():
    groups = [
        INBOUND,
        OUTBOUND,
        {"GroupId": "sg-1", "GroupName": "default"},
        {"GroupId": "sg-2", "GroupName": "security-group-for-inbound-nfs-x"},
    ]
    assert plan.nfs_domain_ids(groups) == {DOMAIN}
    untagged = {**file_system("available"), "Tags": []}
    assert plan.home_file_systems([file_system("available"), untagged], {DOMAIN}) == [file_system("available")]


def test_deadline_is_not_reached_before_the_timeout():
    plan.check_deadline(started_at=1000, now=1000 + 2999, timeout_seconds=3000, present=["x"])
    with pytest.raises(plan.TeardownTimeout):
        plan.check_deadline(started_at=1000, now=1000 + 3000, timeout_seconds=3000, present=["x"])
