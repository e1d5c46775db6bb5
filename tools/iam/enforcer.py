"""The emulator's front door: every request a lab principal makes is checked against that principal's policies.

:class:`Enforcer` wraps the emulator's WSGI application. A request signed with the learner's own
credentials (an administrator of their account: the CDK CLI, the study CLI) passes unchecked. A
request signed with credentials from :meth:`Enforcer.assume` (the launcher's function role, the
cleanup's, the SageMaker execution role of a notebook) is parsed (``http``), mapped to the checks AWS
makes (``authorization``) and decided by the simulator against the role's inline and attached
policies, read back through the emulator's IAM API, and the resource's policy (the study bucket's,
the alerts topic's). Anything not allowed is answered with ``AccessDenied`` as AWS would, so the
caller's own error handling runs, and recorded; :meth:`Enforcer.summary` is the rehearsal's last line.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3

from tools.iam import authorization
from tools.iam.authorization import Caller, Check
from tools.iam.http import ApiCall, UnrecognizedRequest, parse, raw_request, signer
from tools.iam.simulator import ALLOWED, UNKNOWN, Decision, Policy, Simulator

# What changes policies: the learner's writes to these services (CloudFormation creates and deletes
# roles, policies, bucket and topic policies inside the emulator, without a request of its own).
_POLICY_WRITERS = ("iam", "cloudformation", "s3", "sns")
_READS = ("Get", "List", "Describe", "Head")


@dataclass(frozen=True)
class Principal:
    """A lab actor as AWS knows it: the role it runs as, and the session it runs in."""

    name: str
    role_arn: str
    session_arn: str
    studio: bool = False

    @property
    def role_name(self) -> str:
        return self.role_arn.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Verdict:
    principal: str
    call: str
    check: Check | None
    decision: Decision

    def line(self) -> str:
        what = f"{self.check.action} on {self.check.resource}" if self.check else self.call
        return f"{self.decision.result.lower()}: {self.principal}: {what} ({self.call}): {self.decision.why}"


@dataclass
class Tally:
    requests: Counter[str] = field(default_factory=Counter)
    refused: list[Verdict] = field(default_factory=list)

    @property
    def denied(self) -> list[Verdict]:
        return [v for v in self.refused if v.decision.result != UNKNOWN]

    @property
    def unknown(self) -> list[Verdict]:
        return [v for v in self.refused if v.decision.result == UNKNOWN]


class Enforcer:
    """WSGI middleware enforcing IAM for the principals it hands credentials to.

    :param app: the emulator's WSGI application.
    :param simulator: the evaluator.
    :param admin_access_key: the learner's access key id (requests signed with it pass unchecked).
    :param account: the emulator's account id.
    :param resource_policies: the policy of ``("s3", bucket)`` or ``("sns", topic ARN)``, if it has one.
    :param resource_tags: the tags of an existing SageMaker resource by ARN, None if it does not exist.
    """

    def __init__(
        self,
        app: Callable,
        simulator: Simulator,
        *,
        admin_access_key: str,
        account: str,
        resource_policies: Callable[[tuple[str, str]], dict | None] = lambda owner: None,
        resource_tags: Callable[[str], dict[str, str] | None] = lambda arn: None,
    ) -> None:
        self.app = app
        self.simulator = simulator
        self.admin_access_key = admin_access_key
        self.account = account
        self.resource_policies = resource_policies
        self._resource_tags = resource_tags
        self.enabled = True
        self.tally = Tally()
        self._principals: dict[str, Principal] = {}
        # The learner's own key, and the sessions the learner's tools assume with it (the CDK CLI's
        # bootstrap roles): an administrator's requests, not checked.
        self._learner_keys = {admin_access_key}
        self._lock = threading.Lock()
        self._generation = 0
        self._cache: dict[tuple[int, str, str], Any] = {}
        self._admin: boto3.Session | None = None
        self._expected: list[Verdict] | None = None
        self._clients: dict[str, Any] = {}

    # --- who is who --------------------------------------------------------------------------------

    def connect(self, admin: boto3.Session) -> None:
        """The learner's session on this emulator: how policies and tags are read back."""
        self._admin = admin

    def assume(self, role_arn: str, name: str, *, studio: bool = False) -> dict[str, str]:
        """Credentials of ``role_arn`` from the emulator's ``sts:AssumeRole``, as environment variables."""
        session_name = "".join(c if c.isalnum() or c in "=,.@-" else "-" for c in name)[:64]
        answer = self._client("sts").assume_role(RoleArn=role_arn, RoleSessionName=session_name)
        credentials = answer["Credentials"]
        principal = Principal(name, role_arn, answer["AssumedRoleUser"]["Arn"], studio)
        with self._lock:
            self._principals[credentials["AccessKeyId"]] = principal
        return {
            "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
            "AWS_SESSION_TOKEN": credentials["SessionToken"],
        }

    def session(self, role_arn: str, name: str, *, studio: bool = False, region: str = "us-east-1") -> boto3.Session:
        env = self.assume(role_arn, name, studio=studio)
        return boto3.Session(
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=env["AWS_SESSION_TOKEN"],
            region_name=region,
        )

    @property
    def principals(self) -> list[Principal]:
        return list(self._principals.values())

    # --- WSGI ------------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        length = environ.get("CONTENT_LENGTH")
        if length:
            body = environ["wsgi.input"].read(int(length))
        elif environ.get("wsgi.input_terminated"):  # chunked: the server dechunks up to the end
            body = environ["wsgi.input"].read()
        else:
            body = b""
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        request = raw_request(environ, body)
        signed = signer(request)
        principal = self._principals.get(signed[0]) if signed else None
        if not self.enabled or signed is None or principal is None and signed[0] in self._learner_keys:
            return self._pass_through(environ, start_response, request, signed)
        if principal is None:
            verdict = Verdict(
                f"unregistered access key {signed[0]}",
                "?",
                None,
                Decision(UNKNOWN, "signed by credentials the rehearsal did not hand out"),
            )
            return self._refuse(start_response, verdict, "json")
        try:
            call = parse(request)
        except UnrecognizedRequest as err:
            return self._refuse(
                start_response,
                self._count(principal, str(err), None, Decision(UNKNOWN, "request not recognized")),
                "json",
            )
        assert call is not None
        refused = self.authorize(principal, call)
        if refused is not None:
            return self._refuse(start_response, refused, call.protocol)
        return self.app(environ, start_response)

    def _pass_through(self, environ, start_response, request, signed) -> Iterable[bytes]:
        if signed and signed[2] == "sts" and b"Action=AssumeRole" in request.body:
            answer = b"".join(self.app(environ, start_response))
            for key in re.findall(rb"<AccessKeyId>([^<]+)</AccessKeyId>", answer):
                with self._lock:
                    self._learner_keys.add(key.decode())
            return [answer]
        if signed and signed[2] in _POLICY_WRITERS and not self._is_read(request):
            with self._lock:
                self._generation += 1
            try:
                return list(self.app(environ, start_response))
            finally:
                with self._lock:
                    self._generation += 1
        return self.app(environ, start_response)

    @staticmethod
    def _is_read(request) -> bool:
        if request.method in ("GET", "HEAD"):
            return True
        action = request.query.get("Action", [""])[0] or request.header("x-amz-target").rpartition(".")[2]
        if not action and b"Action=" in request.body:
            action = request.body.split(b"Action=")[1].split(b"&")[0].decode()
        return action.startswith(_READS)

    # --- deciding --------------------------------------------------------------------------------

    def authorize(self, principal: Principal, call: ApiCall) -> Verdict | None:
        """The first refused check of ``call`` (recorded), or None when AWS would allow it all."""
        name = f"{call.service}:{call.operation}"
        try:
            checks = authorization.checks_for(call, self, Caller(studio=principal.studio))
        except (authorization.Unmapped, KeyError) as err:
            return self._count(principal, name, None, Decision(UNKNOWN, f"no authorization mapping: {err}"))
        if not checks:
            self._count(principal, name, None, Decision(ALLOWED, "needs no permission"))
        for check in checks:
            decision = self.simulator.evaluate(
                principal=principal.session_arn,
                action=check.action,
                resource=check.resource,
                account=self.account,
                context={**self._global_context(principal, call), **check.context},
                identity_policies=self.identity_policies(principal.role_name),
                resource_policy=self._resource_policy(check.resource_policy),
                known_keys=check.known_absent,
            )
            verdict = self._count(principal, name, check, decision)
            if not decision.allowed:
                return verdict
        return None

    def _global_context(self, principal: Principal, call: ApiCall) -> dict[str, str | list[str]]:
        return {
            # Every AWS SDK talks TLS to AWS; the emulator's plain HTTP is a stand-in for that.
            "aws:SecureTransport": "true",
            "aws:PrincipalArn": principal.role_arn,
            "aws:PrincipalAccount": self.account,
            "aws:RequestedRegion": call.region,
        }

    def _count(self, principal: Principal, call: str, check: Check | None, decision: Decision) -> Verdict:
        verdict = Verdict(principal.name, call, check, decision)
        with self._lock:
            self.tally.requests[principal.name] += 1
            if not decision.allowed:
                (self._expected if self._expected is not None else self.tally.refused).append(verdict)
        return verdict

    @contextlib.contextmanager
    def expecting_refusals(self) -> Iterator[list[Verdict]]:
        """Refusals inside the block are what the caller provokes on purpose: handed to it, not tallied."""
        with self._lock:
            self._expected = []
        try:
            yield self._expected
        finally:
            with self._lock:
                self._expected = None

    # --- what the rules and the simulator read -------------------------------------------------------

    def _client(self, service: str):
        if self._admin is None:
            raise RuntimeError("Enforcer.connect(admin session) first")
        with self._lock:  # creating clients is not thread-safe; using them is
            if service not in self._clients:
                self._clients[service] = self._admin.client(service)
            return self._clients[service]

    def _cached(self, kind: str, key: str, read: Callable[[], Any]) -> Any:
        with self._lock:
            cache_key = (self._generation, kind, key)
            if cache_key in self._cache:
                return self._cache[cache_key]
        value = read()
        with self._lock:
            self._cache[cache_key] = value
        return value

    def identity_policies(self, role_name: str) -> list[Policy]:
        """The role's inline and attached policies, as the emulator's IAM API returns them now."""

        def read() -> list[Policy]:
            iam = self._client("iam")
            policies = [
                Policy(
                    f"role/{role_name}/{name}",
                    _document(iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]),
                )
                for page in iam.get_paginator("list_role_policies").paginate(RoleName=role_name)
                for name in page["PolicyNames"]
            ]
            for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name):
                for attached in page["AttachedPolicies"]:
                    version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
                    document = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)
                    policies.append(Policy(attached["PolicyArn"], _document(document["PolicyVersion"]["Document"])))
            return policies

        return self._cached("role", role_name, read)

    def _resource_policy(self, owner: tuple[str, str] | None) -> Policy | None:
        if owner is None:
            return None
        document = self.resource_policies(owner)
        return Policy(f"{owner[0]} policy of {owner[1]}", document) if document else None

    def resource_tags(self, arn: str) -> dict[str, str] | None:
        # Tags change with every create and tag call: read afresh for each request.
        return self._resource_tags(arn)

    # --- answering -----------------------------------------------------------------------------------

    def _refuse(self, start_response: Callable, verdict: Verdict, protocol: str) -> Iterable[bytes]:
        message = f"{verdict.principal} is not authorized: {verdict.line()}"
        if protocol in ("json", "rest-json"):
            body = json.dumps({"__type": "AccessDeniedException", "message": message}).encode()
            headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", "AccessDeniedException")]
            status = "400 Bad Request" if protocol == "json" else "403 Forbidden"
        else:
            inner = f"<Code>AccessDenied</Code><Message>{_xml(message)}</Message>"
            text = (
                f"<Error>{inner}</Error>"
                if protocol == "rest-xml"
                else (
                    f"<ErrorResponse><Error><Type>Sender</Type>{inner}</Error><RequestId>iam</RequestId></ErrorResponse>"
                )
            )
            body, headers, status = text.encode(), [("Content-Type", "text/xml")], "403 Forbidden"
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]

    def summary(self) -> str:
        tally = self.tally
        return (
            f"iam: {sum(tally.requests.values())} requests checked for {len(tally.requests)} principals, "
            f"{len(tally.denied)} denied, {len(tally.unknown)} unknown"
        )


def _document(value: Any) -> dict[str, Any]:
    from urllib.parse import unquote

    if isinstance(value, dict):
        return value
    return json.loads(unquote(value))


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
