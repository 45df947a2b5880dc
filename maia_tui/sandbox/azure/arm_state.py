"""The Container Apps the ARM emulator serves: apps, secrets, revisions, replicas, operations and RBAC.

The semantics follow Azure's, as measured (reference/feasibility.md §2): a PATCH is a JSON merge patch, so
the secrets array is replaced wholesale; a secret that an env var or a registry still references cannot be
dropped; secrets come back without values except from listSecrets; changing secrets creates no revision and
restarts nothing; only a revision restart (or a template change) replaces the replicas.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

SECRET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{0,251}[a-z0-9]$|^[a-z0-9]$")

# The RBAC action each emulated operation needs (as Azure names them in AuthorizationFailed errors).
READ = "Microsoft.App/containerApps/read"
WRITE = "Microsoft.App/containerApps/write"
LIST_SECRETS = "Microsoft.App/containerApps/listSecrets/action"
READ_REVISIONS = "Microsoft.App/containerApps/revisions/read"
RESTART_REVISION = "Microsoft.App/containerApps/revisions/restart/action"
READ_OPERATIONS = "Microsoft.App/locations/containerappOperationStatuses/read"


class ArmError(Exception):
    """An ARM error answer: HTTP status plus the `{"error": {"code", "message"}}` body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _suffix(*parts: object, length: int = 7) -> str:
    """A stable lowercase suffix, like the random ones Azure gives revisions and replicas."""
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()
    return "".join(chr(ord("a") + int(c, 16) % 26) if i % 3 else c for i, c in enumerate(digest[:length]))


@dataclass
class Replica:
    """One replica of a revision: a pod-like instance that reads the app's secrets when it starts."""

    name: str
    created: datetime
    running_state: str = "NotRunning"
    ready: bool = False
    details: str = ""
    container: str = "runner"

    def to_api(self, revision_id: str) -> dict[str, Any]:
        container_state = "Running" if self.running_state == "Running" else "Waiting"
        return {
            "id": f"{revision_id}/replicas/{self.name}",
            "name": self.name,
            "type": "Microsoft.App/containerApps/revisions/replicas",
            "properties": {
                "createdTime": iso(self.created),
                "runningState": self.running_state,
                "runningStateDetails": self.details,
                "containers": [
                    {
                        "name": self.container,
                        "containerId": f"containerd://{_suffix(self.name, length=12)}",
                        "ready": self.ready,
                        "started": self.running_state == "Running",
                        "restartCount": 0,
                        "runningState": container_state,
                        "runningStateDetails": self.details,
                    }
                ],
            },
        }


@dataclass
class Revision:
    """An immutable snapshot of an app's template, with replicas that can be restarted."""

    name: str
    template: dict[str, Any]
    created: datetime
    active: bool = True
    restarts: int = 0
    running_state: str = "Processing"
    provisioning_state: str = "Provisioned"
    health_state: str = "None"
    details: str = ""
    traffic_weight: int = 100
    replicas: list[Replica] = field(default_factory=list)

    @property
    def replica_count(self) -> int:
        scale = self.template.get("scale") or {}
        return int(scale.get("minReplicas") or 1)

    def new_replicas(self) -> None:
        """Fresh replicas (new names), not yet running: what a restart or a new revision begins with."""
        now = datetime.now(UTC)
        container = (self.template.get("containers") or [{}])[0].get("name", "runner")
        self.replicas = [
            Replica(f"{self.name}-{_suffix(self.name, self.restarts, i, length=10)}", now, container=container)
            for i in range(self.replica_count)
        ]
        self.running_state, self.health_state, self.details = "Processing", "None", ""

    def mark_running(self) -> None:
        for replica in self.replicas:
            replica.running_state, replica.ready, replica.details = "Running", True, ""
        self.running_state, self.health_state, self.details = "Running", "Healthy", ""

    def mark_failed(self, reason: str) -> None:
        for replica in self.replicas:
            replica.running_state, replica.ready, replica.details = "NotRunning", False, reason
        self.running_state, self.health_state, self.details = "Failed", "Unhealthy", reason

    def to_api(self, app_id: str) -> dict[str, Any]:
        return {
            "id": f"{app_id}/revisions/{self.name}",
            "name": self.name,
            "type": "Microsoft.App/containerApps/revisions",
            "properties": {
                "createdTime": iso(self.created),
                "lastActiveTime": iso(self.created),
                "fqdn": "",
                "template": copy.deepcopy(self.template),
                "active": self.active,
                "replicas": len(self.replicas) if self.active else 0,
                "trafficWeight": self.traffic_weight if self.active else 0,
                "healthState": self.health_state,
                "provisioningState": self.provisioning_state,
                "runningState": self.running_state if self.active else "Stopped",
                "runningStateDetails": self.details,
            },
        }


@dataclass
class ContainerApp:
    """One Container App with its secrets (values kept here, never returned by GET) and revisions."""

    subscription: str
    resource_group: str
    name: str
    location: str
    environment_id: str
    template: dict[str, Any]
    secrets: list[dict[str, Any]]
    registries: list[dict[str, Any]] = field(default_factory=list)
    identity: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    revision_mode: str = "Single"
    provisioning_state: str = "Succeeded"
    revisions: dict[str, Revision] = field(default_factory=dict)
    latest_revision: str = ""
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def id(self) -> str:
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.App/containerApps/{self.name}"
        )

    def active_revisions(self) -> list[Revision]:
        return [r for r in self.revisions.values() if r.active]

    def add_revision(self) -> Revision:
        """A new revision from the current template; in Single mode it replaces the active one."""
        name = f"{self.name}--{_suffix(self.name, next(self._counter))}"
        revision = Revision(name, copy.deepcopy(self.template), datetime.now(UTC))
        revision.new_replicas()
        if self.revision_mode == "Single":
            for old in self.revisions.values():
                old.active, old.replicas = False, []
        self.revisions[name] = revision
        self.latest_revision = name
        return revision

    def secret_refs(self) -> list[tuple[str, str]]:
        """(secret name, who references it) for every env var and registry that points at a secret."""
        refs = []
        for container in self.template.get("containers") or []:
            for env in container.get("env") or []:
                if env.get("secretRef"):
                    refs.append((env["secretRef"], f"container '{container.get('name')}' env '{env.get('name')}'"))
        for registry in self.registries:
            if registry.get("passwordSecretRef"):
                refs.append((registry["passwordSecretRef"], f"registry '{registry.get('server')}'"))
        return refs

    def to_api(self) -> dict[str, Any]:
        latest = self.revisions.get(self.latest_revision)
        ready = latest.name if latest is not None and latest.running_state == "Running" else ""
        visible = [{k: v for k, v in s.items() if k != "value"} for s in self.secrets]  # values are write-only
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "type": "Microsoft.App/containerApps",
            "location": self.location,
            "tags": dict(self.tags),
            "properties": {
                "provisioningState": self.provisioning_state,
                "runningStatus": "Running",
                "managedEnvironmentId": self.environment_id,
                "environmentId": self.environment_id,
                "workloadProfileName": "agentpool",
                "latestRevisionName": self.latest_revision,
                "latestReadyRevisionName": ready,
                "latestRevisionFqdn": "",
                "configuration": {
                    "secrets": visible,
                    "activeRevisionsMode": self.revision_mode,
                    "registries": copy.deepcopy(self.registries),
                    "maxInactiveRevisions": 100,
                },
                "template": copy.deepcopy(self.template),
            },
        }
        if self.identity:
            body["identity"] = copy.deepcopy(self.identity)
        return body


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: objects merge key by key, null deletes, anything else (arrays!) replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def validate_secrets(secrets: Any) -> list[dict[str, Any]]:
    """Check a secrets array as Azure does: names, one of value/keyVaultUrl, an identity for Key Vault refs."""
    if not isinstance(secrets, list):
        raise ArmError(400, "InvalidRequestContent", "properties.configuration.secrets must be an array.")
    seen: set[str] = set()
    for secret in secrets:
        name = secret.get("name") if isinstance(secret, dict) else None
        if not isinstance(name, str) or not SECRET_NAME.match(name):
            raise ArmError(
                400,
                "ContainerAppInvalidSecretName",
                f"Invalid secret name '{name}': use lower case alphanumeric characters, '-' or '.'.",
            )
        if name in seen:
            raise ArmError(400, "ContainerAppDuplicateSecretName", f"Secret name '{name}' is used more than once.")
        seen.add(name)
        has_value = isinstance(secret.get("value"), str)
        has_vault = isinstance(secret.get("keyVaultUrl"), str)
        if has_value == has_vault:
            raise ArmError(
                400,
                "ContainerAppSecretInvalid",
                f"Secret '{name}' must have either a value or a keyVaultUrl (with an identity).",
            )
        if has_vault and not secret.get("identity"):
            raise ArmError(400, "ContainerAppSecretInvalid", f"Key Vault secret '{name}' needs an identity.")
    return [dict(s) for s in secrets]


@dataclass
class Operation:
    """An asynchronous PATCH as Azure tracks it: InProgress for a poll or so, then Succeeded."""

    id: str
    app: ContainerApp
    polls_left: int
    started: float = field(default_factory=time.monotonic)
    status: str = "InProgress"

    def poll(self) -> str:
        if self.status == "InProgress":
            if self.polls_left <= 0 or time.monotonic() - self.started > 2.0:
                self.status = "Succeeded"
                self.app.provisioning_state = "Succeeded"
            self.polls_left -= 1
        return self.status


class ArmState:
    """Every emulated subscription's Container Apps, behind one lock shared with the simulated runners."""

    def __init__(self, subscription: str, tenant: str) -> None:
        self.subscription = subscription
        self.tenant = tenant
        self.lock = threading.RLock()
        self.apps: dict[tuple[str, str], ContainerApp] = {}
        self.operations: dict[str, Operation] = {}
        self.denied: set[str] = set()  # RBAC actions the caller lacks, e.g. LIST_SECRETS
        self.lro = "async"  # "async": 202 + Azure-AsyncOperation; "sync": 200 with the app
        self.lro_polls = 1  # InProgress answers before an operation Succeeds
        self._operation_ids = itertools.count(1)

    def add(self, app: ContainerApp) -> ContainerApp:
        with self.lock:
            self.apps[(app.resource_group.lower(), app.name.lower())] = app
            return app

    def app(self, resource_group: str, name: str) -> ContainerApp:
        found = self.apps.get((resource_group.lower(), name.lower()))
        if found is None:
            raise ArmError(
                404,
                "ResourceNotFound",
                f"The Resource 'Microsoft.App/containerApps/{name}' under resource group '{resource_group}' "
                "was not found.",
            )
        return found

    def revision(self, app: ContainerApp, name: str) -> Revision:
        found = app.revisions.get(name)
        if found is None:
            raise ArmError(404, "ContainerAppRevisionNotFound", f"Revision '{name}' of app '{app.name}' not found.")
        return found

    def authorize(self, action: str, scope: str) -> None:
        if action in self.denied:
            raise ArmError(
                403,
                "AuthorizationFailed",
                f"The client 'sandbox-operator@maia.example' with object id '00000000-0000-0000-0000-0000000000aa' "
                f"does not have authorization to perform action '{action}' over scope '{scope}' or the scope is "
                "invalid. If access was recently granted, please refresh your credentials.",
            )

    def patch(self, app: ContainerApp, body: Any) -> Operation:
        """Apply a merge patch to the app, validate it as Azure does, and start its operation."""
        if not isinstance(body, dict):
            raise ArmError(400, "InvalidRequestContent", "The request content was invalid and could not be parsed.")
        if app.provisioning_state == "InProgress":
            raise ArmError(
                409,
                "ContainerAppOperationInProgress",
                f"Cannot modify a container app '{app.name}' because there is a pending operation in progress.",
            )
        current = {
            "tags": app.tags,
            "properties": {
                "configuration": {
                    "secrets": app.secrets,
                    "registries": app.registries,
                    "activeRevisionsMode": app.revision_mode,
                },
                "template": app.template,
            },
        }
        merged = merge_patch(current, body)
        configuration = merged.get("properties", {}).get("configuration", {})
        secrets = validate_secrets(configuration.get("secrets", []))
        template = merged.get("properties", {}).get("template", {})
        candidate = copy.copy(app)
        candidate.template, candidate.registries = template, list(configuration.get("registries") or [])
        names = {s["name"] for s in secrets}
        for ref, user in candidate.secret_refs():
            if ref not in names:
                raise ArmError(
                    400,
                    "ContainerAppSecretRefNotFound",
                    f"Secret '{ref}' referenced by {user} is not defined in properties.configuration.secrets.",
                )
        template_changed = template != app.template
        app.secrets, app.registries, app.template = secrets, candidate.registries, template
        app.tags = dict(merged.get("tags") or {})
        if template_changed:  # only a template change makes a revision; secrets alone restart nothing
            app.add_revision()
        operation = Operation(f"{next(self._operation_ids):08x}-op", app, self.lro_polls)
        if self.lro == "async":
            app.provisioning_state = "InProgress"
        else:
            operation.status = "Succeeded"
        self.operations[operation.id] = operation
        return operation

    def restart(self, app: ContainerApp, revision: Revision) -> None:
        """Restart a revision: its replicas are recreated and read the app's secrets as they are now."""
        if not revision.active:
            raise ArmError(
                400, "ContainerAppRevisionInactive", f"Revision '{revision.name}' is not active and cannot restart."
            )
        revision.restarts += 1
        revision.new_replicas()
