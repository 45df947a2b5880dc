"""AWS: a runner is an ECS service whose task definition reads OAUTH_CLIENT_SECRET from Secrets Manager.

boto3 is imported lazily and every call here is blocking: the engine runs these methods in worker threads.
Credentials come from the standard chain (AWS_PROFILE, env vars, SSO, instance role); AWS_REGION and
AWS_ENDPOINT_URL are honoured.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from maia_tui.core.errors import (
    PlatformAccessDenied,
    PlatformError,
    PlatformNotFound,
    PlatformRefused,
    PlatformUnreachable,
)
from maia_tui.core.maia.models import Runner, RunnerCredentials
from maia_tui.core.platforms.base import Check, CheckLevel, PlatformAdapter, PlatformTarget, Progress
from maia_tui.core.secret import Secret
from maia_tui.core.settings import Settings

_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
_NOT_FOUND = {"ResourceNotFoundException", "ServiceNotFoundException", "ClusterNotFoundException"}
_BAD_LOGIN = {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException"}
_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")  # Secrets Manager appends 6 random characters to secret ARNs


@dataclass(frozen=True, slots=True)
class SecretRef:
    """A task definition `valueFrom` for Secrets Manager: ARN, JSON key, pinned stage or version."""

    arn: str
    key: str = ""
    stage: str = ""
    version: str = ""

    @classmethod
    def parse(cls, value_from: str) -> SecretRef:
        # arn:aws:secretsmanager:region:account:secret:name[:json-key:version-stage:version-id]
        parts = value_from.split(":")
        extra = [*parts[7:], "", "", ""]
        return cls(":".join(parts[:7]), extra[0], extra[1], extra[2])

    @property
    def region(self) -> str:
        parts = self.arn.split(":")
        return parts[3] if len(parts) > 3 else ""

    @property
    def name(self) -> str:
        return _SUFFIX.sub("", self.arn.split(":")[-1]) if ":" in self.arn else self.arn


@dataclass(frozen=True, slots=True)
class ServiceDetails:
    """What locate learnt from the ECS service and its task definition."""

    region: str
    cluster: str
    service: str
    task_definition: str
    secret: SecretRef
    client_id_ref: SecretRef | None
    client_id_env: str
    agent_id: str


def compose_secret(current: str, key: str, value: str, extra: Mapping[str, str] | None = None) -> str:
    """The new SecretString: plain replaces it all; JSON replaces `key` (and `extra`), keeping order and style."""
    if not key:
        return value
    document = json.loads(current) if current.strip() else {}
    if not isinstance(document, dict):
        raise PlatformRefused("the secret is JSON but not an object", platform="aws")
    document[key] = value
    for name, text in (extra or {}).items():
        document[name] = text
    stripped = current.strip()
    if "\n" in stripped:
        second = stripped.splitlines()[1] if len(stripped.splitlines()) > 1 else "  "
        return json.dumps(document, indent=len(second) - len(second.lstrip()) or 2, ensure_ascii=False)
    compact = stripped and '": ' not in stripped and '", "' not in stripped
    separators = (",", ":") if compact else (", ", ": ")
    return json.dumps(document, separators=separators, ensure_ascii=False)


def read_key(text: str, key: str) -> str | None:
    """The value the runner receives: the whole string, or one JSON key (None when it is not there)."""
    if not key:
        return text
    try:
        document = json.loads(text)
    except ValueError:
        return None
    value = document.get(key) if isinstance(document, dict) else None
    return None if value is None else str(value)


class AwsAdapter(PlatformAdapter):
    """ECS Fargate + Secrets Manager, as Matillion's Terraform and CloudFormation templates deploy runners."""

    name = "aws"
    label = "AWS ECS + Secrets Manager"

    def __init__(self, settings: Settings, env: Mapping[str, str] | None = None) -> None:
        super().__init__(settings)
        self.env = os.environ if env is None else env
        self.poll_interval = 0.2 if settings.sandbox else 3.0
        self._session: Any = None
        self._setup = threading.Lock()  # boto3 sessions are not thread-safe; the clients they make are
        self._clients: dict[tuple[str, str], Any] = {}
        self._details: dict[str, ServiceDetails] = {}

    # ── clients and errors ─────────────────────────────────────────────────

    def _region(self, preferred: str = "") -> str:
        return preferred or self.env.get("AWS_REGION") or self.env.get("AWS_DEFAULT_REGION") or ""

    def _client(self, service: str, region: str = "") -> Any:
        region = self._region(region)
        with self._setup:
            if (service, region) in self._clients:
                return self._clients[(service, region)]
            from botocore.config import Config

            with self._aws("Setting up the AWS client", "", ""):
                session = self._boto_session()
                config = Config(
                    retries={"mode": "standard", "max_attempts": 4},
                    connect_timeout=5,
                    read_timeout=30,
                    user_agent_extra="maia-tui",
                )
                self._clients[(service, region)] = session.client(service, region_name=region or None, config=config)
        return self._clients[(service, region)]

    @contextmanager
    def _aws(self, action: str, resource: str, permission: str) -> Iterator[None]:
        """Map botocore's exceptions to the error tree, naming the action, the resource and the permission."""
        from botocore import exceptions as bx

        on = f" on {resource}" if resource else ""
        try:
            yield
        except bx.ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            message = str(error.response.get("Error", {}).get("Message", "")) or code
            if code in _DENIED:
                raise PlatformAccessDenied(
                    f"{action}{on} was denied: {message}",
                    platform="aws",
                    remedy=f"Grant {permission}{on} to the AWS identity this host uses "
                    "(aws sts get-caller-identity shows which), then retry this step.",
                ) from None
            if code in _NOT_FOUND:
                raise PlatformNotFound(f"{action}: {message}", platform="aws") from None
            if code in _BAD_LOGIN:
                raise PlatformUnreachable(
                    f"{action}: the AWS credentials were refused ({code})",
                    platform="aws",
                    remedy="Log in again (e.g. aws sso login), then retry this step.",
                ) from None
            if code == "InvalidRequestException":
                raise PlatformRefused(f"{action}{on}: {message}", platform="aws") from None
            raise PlatformError(f"{action}{on} failed: {code}: {message}", platform="aws") from None
        except (bx.NoCredentialsError, bx.ProfileNotFound, bx.NoRegionError, bx.PartialCredentialsError) as error:
            raise PlatformUnreachable(f"{action}: {error}", platform="aws") from None
        except (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError) as error:
            raise PlatformUnreachable(
                f"{action}: cannot reach AWS ({type(error).__name__})",
                platform="aws",
                remedy="Check the network (proxy, VPN) from this host to AWS, then retry this step.",
            ) from None

    # ── availability and locating ──────────────────────────────────────────

    def _boto_session(self) -> Any:
        """One boto3 session per adapter (building one loads botocore's data files: ~0.1 s)."""
        if self._session is None:
            import boto3

            self._session = boto3.session.Session(profile_name=self.env.get("AWS_PROFILE") or None)
        return self._session

    def available(self) -> tuple[bool, str]:
        from botocore import exceptions as bx

        try:
            with self._setup:
                credentials = self._boto_session().get_credentials()
        except (bx.ProfileNotFound, bx.BotoCoreError) as error:
            return False, f"AWS credentials unusable ({error})"
        if credentials is None:
            return False, "no AWS credentials on this host"
        return True, f"AWS credentials from {credentials.method}"

    def locate(self, runner: Runner, binding: Mapping[str, Any] | None) -> PlatformTarget:
        if binding and binding.get("cluster") and binding.get("service"):
            details = self._read_service(
                self._region(str(binding.get("region") or "")), binding["cluster"], binding["service"]
            )
            if details.agent_id and details.agent_id != runner.id:
                raise PlatformNotFound(
                    f"the bound service {details.service} runs runner {details.agent_id}, not {runner.name}",
                    platform="aws",
                    remedy=f"Fix or remove the binding of {runner.id} in the config file; maia-tui then discovers it.",
                )
        else:
            details = self._discover(runner)
        self._details[runner.id] = details
        return self._target(runner, details)

    def _target(self, runner: Runner, details: ServiceDetails) -> PlatformTarget:
        key = f" key {details.secret.key}" if details.secret.key else " (plain string)"
        summary = (
            f"ECS service {details.service} in {details.cluster} ({details.region}); secret {details.secret.name}{key}"
        )
        fields = {
            "region": details.region,
            "cluster": details.cluster,
            "service": details.service,
            "secret": details.secret.arn,
            "secret_key": details.secret.key,
        }
        return PlatformTarget("aws", runner.id, runner.name, summary, fields)

    def _read_service(self, region: str, cluster: str, service: str) -> ServiceDetails:
        ecs = self._client("ecs", region)
        with self._aws("DescribeServices", f"{cluster}/{service}", "ecs:DescribeServices"):
            found = ecs.describe_services(cluster=cluster, services=[service])["services"]
        if not found:
            raise PlatformNotFound(f"ECS service {service} not found in cluster {cluster} ({region})", platform="aws")
        return self._details_from(region, cluster, found[0])

    def _details_from(self, region: str, cluster: str, service: Mapping[str, Any]) -> ServiceDetails:
        ecs = self._client("ecs", region)
        arn = service["taskDefinition"]
        with self._aws("DescribeTaskDefinition", arn, "ecs:DescribeTaskDefinition"):
            definition = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        for container in definition.get("containerDefinitions", []):
            env = {e["name"]: e.get("value", "") for e in container.get("environment", [])}
            refs = {s["name"]: s["valueFrom"] for s in container.get("secrets", [])}
            if "OAUTH_CLIENT_SECRET" not in refs:
                continue
            if ":secretsmanager:" not in refs["OAUTH_CLIENT_SECRET"]:
                raise PlatformRefused(
                    "OAUTH_CLIENT_SECRET comes from SSM Parameter Store, which maia-tui does not write",
                    platform="aws",
                    remedy="Update the parameter by hand, then force a new deployment of the service.",
                )
            client_ref = refs.get("OAUTH_CLIENT_ID", "")
            return ServiceDetails(
                region=region,
                cluster=cluster.split("/")[-1],
                service=str(service["serviceName"]),
                task_definition=arn,
                secret=SecretRef.parse(refs["OAUTH_CLIENT_SECRET"]),
                client_id_ref=SecretRef.parse(client_ref) if ":secretsmanager:" in client_ref else None,
                client_id_env=env.get("OAUTH_CLIENT_ID", ""),
                agent_id=env.get("AGENT_ID", ""),
            )
        raise PlatformNotFound(
            f"task definition {arn.split('/')[-1]} has no OAUTH_CLIENT_SECRET secret", platform="aws"
        )

    def _discover(self, runner: Runner) -> ServiceDetails:
        """Find the ECS service whose task definition sets AGENT_ID to the runner's id, in this region."""
        region = self._region()
        ecs = self._client("ecs", region)
        matches: list[ServiceDetails] = []
        with self._aws("Listing ECS services", region, "ecs:ListClusters, ecs:ListServices, ecs:DescribeServices"):
            for page in ecs.get_paginator("list_clusters").paginate():
                for cluster in page["clusterArns"]:
                    for services in ecs.get_paginator("list_services").paginate(cluster=cluster):
                        arns = services["serviceArns"]
                        for start in range(0, len(arns), 10):
                            chunk = ecs.describe_services(cluster=cluster, services=arns[start : start + 10])
                            for service in chunk["services"]:
                                if service.get("status") != "ACTIVE":
                                    continue
                                try:
                                    details = self._details_from(region, cluster, service)
                                except (PlatformNotFound, PlatformRefused):
                                    continue
                                if details.agent_id == runner.id:
                                    matches.append(details)
        if not matches:
            raise PlatformNotFound(
                f"no ECS service in {region or 'the default region'} runs {runner.name} (AGENT_ID={runner.id})",
                platform="aws",
                remedy=f"Set AWS_REGION to the runner's region, or bind it in the config file under runners: "
                f"{runner.id}: {{platform: aws, region: ..., cluster: ..., service: ...}}",
            )
        if len(matches) > 1:
            names = ", ".join(f"{m.cluster}/{m.service}" for m in matches)
            raise PlatformNotFound(
                f"several ECS services run {runner.name}: {names}",
                platform="aws",
                remedy="Bind the right one in the config file (runners: <id>: cluster/service).",
            )
        return matches[0]

    def _known(self, target: PlatformTarget) -> ServiceDetails:
        details = self._details.get(target.runner_id)
        if details is None:
            fields = target.fields
            details = self._read_service(self._region(fields.get("region", "")), fields["cluster"], fields["service"])
            self._details[target.runner_id] = details
        return details

    # ── preflight ──────────────────────────────────────────────────────────

    def preflight(self, target: PlatformTarget, progress: Progress) -> list[Check]:
        details = self._known(target)
        checks = [self._service_check(details)]
        checks.extend(self._secret_checks(details))
        checks.append(
            Check(
                "Write access",
                True,
                "PutSecretValue and UpdateService are checked when used (AWS has no dry run); a retry is safe",
                level=CheckLevel.INFO,
            )
        )
        return checks

    def _service_check(self, details: ServiceDetails) -> Check:
        ecs = self._client("ecs", details.region)
        with self._aws("DescribeServices", f"{details.cluster}/{details.service}", "ecs:DescribeServices"):
            service = ecs.describe_services(cluster=details.cluster, services=[details.service])["services"][0]
        status, desired = service.get("status"), int(service.get("desiredCount") or 0)
        name = f"{details.service} in {details.cluster}"
        if status != "ACTIVE":
            return Check("ECS service", False, f"{name} is {status}", remedy="Re-create or re-activate the service.")
        if desired < 1:
            return Check(
                "ECS service",
                False,
                f"{name} has a desired count of 0: a restart would start no runner",
                remedy="Set the service's desired count to 1 or more, then retry.",
            )
        return Check("ECS service", True, f"{name} is ACTIVE, {service.get('runningCount', 0)}/{desired} tasks running")

    def _secret_checks(self, details: ServiceDetails) -> list[Check]:
        ref = details.secret
        sm = self._client("secretsmanager", ref.region or details.region)
        with self._aws("DescribeSecret", ref.name, "secretsmanager:DescribeSecret"):
            described = sm.describe_secret(SecretId=ref.arn)
        refuse = self._refusal(ref, described)
        if refuse is not None:
            return [refuse]
        with self._aws("GetSecretValue", ref.name, "secretsmanager:GetSecretValue"):
            text = sm.get_secret_value(SecretId=ref.arn).get("SecretString")
        if text is None:
            return [Check("Secret", False, f"{ref.name} holds binary data", remedy="Store the secret as a string.")]
        checks = [Check("Secret", True, f"{ref.name} can be read and described")]
        if ref.key and read_key(text, ref.key) is None:
            try:
                is_object = isinstance(json.loads(text), dict)
            except ValueError:
                is_object = False
            if not is_object:
                return [
                    Check(
                        "Secret format",
                        False,
                        f"{ref.name} is not a JSON object, but the task definition reads its key {ref.key}",
                        remedy="Fix the secret or the task definition's valueFrom so they agree, then retry.",
                    )
                ]
            checks.append(
                Check("Secret format", False, f"key {ref.key} is missing: it will be added", level=CheckLevel.WARNING)
            )
        else:
            shape = f"JSON, key {ref.key}" if ref.key else "plain string"
            checks.append(Check("Secret format", True, f"{shape}; everything else in it is kept"))
        if described.get("KmsKeyId"):
            checks.append(
                Check(
                    "KMS key",
                    True,
                    "customer managed key: writing also needs kms:GenerateDataKey",
                    level=CheckLevel.INFO,
                )
            )
        return checks

    @staticmethod
    def _refusal(ref: SecretRef, described: Mapping[str, Any]) -> Check | None:
        """A secret maia-tui must not write: managed rotation, a stuck AWSPENDING, a pinned version, deletion."""
        if described.get("RotationEnabled"):
            return Check(
                "Secret rotation",
                False,
                f"{ref.name} has automatic rotation enabled: a rotation Lambda manages its value",
                remedy="Turn rotation off for this secret (or rotate through that Lambda); maia-tui will not fight it.",
            )
        stages = described.get("VersionIdsToStages") or {}
        stuck = [v for v, labels in stages.items() if "AWSPENDING" in labels and "AWSCURRENT" not in labels]
        if stuck:
            return Check(
                "Secret versions",
                False,
                f"{ref.name} has a version stuck in AWSPENDING ({stuck[0]})",
                remedy="Finish or cancel that rotation (remove the AWSPENDING label), then retry.",
            )
        if described.get("DeletedDate"):
            return Check("Secret", False, f"{ref.name} is scheduled for deletion", remedy="Restore the secret first.")
        if ref.stage or ref.version:
            return Check(
                "Secret reference",
                False,
                f"the task definition pins {ref.stage or ref.version} of {ref.name}: a new value would not be read",
                remedy="Point valueFrom at the current version (no version stage or id), then retry.",
            )
        return None

    # ── apply, restart ────────────────────────────────────────────────────

    def apply_secret(
        self, target: PlatformTarget, credentials: RunnerCredentials, *, token: str, progress: Progress
    ) -> None:
        details = self._known(target)
        ref = details.secret
        extra: dict[str, str] = {}
        if details.client_id_ref and details.client_id_ref.arn == ref.arn and details.client_id_ref.key:
            extra[details.client_id_ref.key] = credentials.client_id
        self._put(ref, credentials.client_secret, token, progress, extra)
        other = details.client_id_ref
        if other and other.arn != ref.arn:
            token2 = str(uuid.uuid5(uuid.UUID(token), "client_id"))
            self._put(other, Secret(credentials.client_id), token2, progress, {})
        elif other is None and details.client_id_env and details.client_id_env != credentials.client_id:
            progress.log(
                f"Maia's client id is {credentials.client_id}, but the task definition sets OAUTH_CLIENT_ID="
                f"{details.client_id_env}: update it in a new task definition revision"
            )

    def _put(self, ref: SecretRef, value: Secret, token: str, progress: Progress, extra: dict[str, str]) -> None:
        sm = self._client("secretsmanager", ref.region)
        with self._aws("GetSecretValue", ref.name, "secretsmanager:GetSecretValue"):
            current = sm.get_secret_value(SecretId=ref.arn).get("SecretString") or ""
        where = f"key {ref.key} of {ref.name}" if ref.key else ref.name
        same_extra = all(read_key(current, k) == v for k, v in extra.items())
        stored = read_key(current, ref.key)
        if stored is not None and Secret(stored) == value and same_extra:
            progress.log(f"{where} already holds secret {value.fingerprint()}: nothing to write")
            return
        text = compose_secret(current, ref.key, value.reveal(), extra)
        with self._aws("PutSecretValue", ref.name, "secretsmanager:PutSecretValue"):
            answer = sm.put_secret_value(SecretId=ref.arn, SecretString=text, ClientRequestToken=token)
        kept = " (other keys kept)" if ref.key else ""
        progress.log(
            f"PutSecretValue: {where} now holds {value.fingerprint()}; "
            f"version {answer['VersionId']} is AWSCURRENT{kept}"
        )

    def restart(self, target: PlatformTarget, progress: Progress) -> None:
        details = self._known(target)
        ecs = self._client("ecs", details.region)
        with self._aws("UpdateService", f"{details.cluster}/{details.service}", "ecs:UpdateService"):
            service = ecs.update_service(cluster=details.cluster, service=details.service, forceNewDeployment=True)[
                "service"
            ]
        primary = _primary(service)
        progress.log(
            f"UpdateService --force-new-deployment: deployment {primary.get('id', '?')} starts "
            f"{service.get('desiredCount', '?')} new task(s) that read the secret at start"
        )

    # ── wait, fingerprint ──────────────────────────────────────────────────

    def wait_healthy(self, target: PlatformTarget, progress: Progress, timeout: float) -> None:
        details = self._known(target)
        ecs = self._client("ecs", details.region)
        deadline = time.monotonic() + timeout
        seen: set[str] = set()
        since = None
        while not progress.cancelled():
            with self._aws("DescribeServices", f"{details.cluster}/{details.service}", "ecs:DescribeServices"):
                service = ecs.describe_services(cluster=details.cluster, services=[details.service])["services"][0]
            primary = _primary(service)
            since = since or primary.get("createdAt")
            for event in reversed(service.get("events", [])):
                if event["id"] not in seen and (since is None or event["createdAt"] >= since):
                    seen.add(event["id"])
                    progress.log(f"ECS: {event['message']}")
            running, desired = int(primary.get("runningCount") or 0), int(primary.get("desiredCount") or 0)
            progress.fraction(running / desired if desired else None)
            state = primary.get("rolloutState")
            if state == "FAILED":
                reasons = self._stopped_reasons(details, str(primary.get("id", "")))
                raise _rollout_failed(primary, reasons)
            steady = len(service.get("deployments", [])) == 1 and running >= desired > 0
            if (state == "COMPLETED" or (state is None and steady)) and running >= desired:
                progress.log(f"ECS: deployment {primary.get('id')} completed, {running}/{desired} tasks running")
                return
            if time.monotonic() >= deadline:
                reasons = self._stopped_reasons(details, str(primary.get("id", "")))
                raise PlatformError(
                    f"deployment {primary.get('id')} is still {state or 'in progress'} ({running}/{desired} running)"
                    + (f"; stopped task: {reasons[0]}" if reasons else ""),
                    platform="aws",
                )
            time.sleep(self.poll_interval)

    def _stopped_reasons(self, details: ServiceDetails, deployment: str) -> list[str]:
        ecs = self._client("ecs", details.region)
        try:
            with self._aws("ListTasks", details.cluster, "ecs:ListTasks"):
                arns = ecs.list_tasks(cluster=details.cluster, startedBy=deployment, desiredStatus="STOPPED")[
                    "taskArns"
                ]
                tasks = ecs.describe_tasks(cluster=details.cluster, tasks=arns[:10])["tasks"] if arns else []
        except PlatformError:
            return []
        return list(dict.fromkeys(str(t.get("stoppedReason")) for t in tasks if t.get("stoppedReason")))

    def stored_fingerprint(self, target: PlatformTarget) -> str | None:
        ref = self._known(target).secret
        sm = self._client("secretsmanager", ref.region)
        with self._aws("GetSecretValue", ref.name, "secretsmanager:GetSecretValue"):
            text = sm.get_secret_value(SecretId=ref.arn).get("SecretString") or ""
        value = read_key(text, ref.key)
        return Secret(value).fingerprint() if value is not None else None

    # ── by hand ───────────────────────────────────────────────────────────

    def manual_steps(self, target: PlatformTarget, step: str) -> list[str]:
        fields = target.fields
        region = fields.get("region") or self._region() or "the runner's region"
        cluster, service = fields.get("cluster", "<cluster>"), fields.get("service", "<service>")
        secret = SecretRef.parse(fields["secret"]).name if fields.get("secret") else "<the runner's secret>"
        key = fields.get("secret_key")  # None: the binding does not say (written before a rotation located it)
        if step == "apply":
            if key is None:
                edit = (
                    "If the secret is JSON (Key/value tab): set `client_secret` to the new secret, keep the other "
                    "keys; if it is plain text: replace the whole value."
                )
            elif key:
                edit = f"Key/value tab: set the value of `{key}` to the new secret; leave every other key as it is."
            else:
                edit = "Plaintext tab: replace the whole value with the new secret."
            return [
                f"AWS Console → Secrets Manager (region {region}) → secret `{secret}`.",
                "Retrieve secret value → Edit.",
                edit,
                "Save. Don't change the secret name.",
            ]
        if step == "restart":
            return [
                f"AWS Console → Elastic Container Service (region {region}) → Clusters → `{cluster}` → "
                f"Services → `{service}`.",
                "Update service → tick Force new deployment (keep the task definition) → Update.",
                f"Or: aws ecs update-service --region {region} --cluster {cluster} --service {service} "
                "--force-new-deployment",
            ]
        if step == "wait":
            return [
                f"ECS → `{service}` → Deployments: wait until the new deployment is Completed and all tasks run.",
                "If tasks stop, the Tasks tab (filter: Stopped) shows each stopped reason.",
            ]
        return []


def _primary(service: Mapping[str, Any]) -> Mapping[str, Any]:
    deployments = service.get("deployments") or []
    return next((d for d in deployments if d.get("status") == "PRIMARY"), deployments[0] if deployments else {})


def _rollout_failed(primary: Mapping[str, Any], reasons: list[str]) -> PlatformError:
    reason = reasons[0] if reasons else ""
    message = f"deployment {primary.get('id')} failed: {primary.get('rolloutStateReason') or 'tasks failed to start'}"
    if reason:
        message += f"; stopped task: {reason}"
    if "secret" in reason.lower() or "json key" in reason.lower():
        remedy = (
            "The new tasks cannot read OAUTH_CLIENT_SECRET: check the task definition's valueFrom (ARN and JSON "
            "key) against the secret, and that the task execution role may read it; then force a new deployment "
            "and retry."
        )
    else:
        remedy = "Fix the cause shown by the stopped task, force a new deployment of the service, then retry."
    return PlatformError(message, platform="aws", remedy=remedy)
