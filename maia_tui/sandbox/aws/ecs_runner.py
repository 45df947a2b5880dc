"""A runner deployed as an ECS Fargate service, starting the way the ECS agent starts its tasks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from maia_tui.sandbox.runners import StartFailure

if TYPE_CHECKING:
    from maia_tui.sandbox.aws import AwsSandbox


@dataclass(frozen=True)
class SecretRef:
    """An ECS `valueFrom` for Secrets Manager: ARN plus optional json-key, version stage and version id.

    Parsed here independently of core/platforms/aws on purpose: the emulator plays ECS, so a parsing bug
    in the adapter must show up as a runner that stays Unknown, not be shared by both sides.
    """

    arn: str
    json_key: str = ""
    version_stage: str = ""
    version_id: str = ""

    @classmethod
    def parse(cls, value_from: str) -> SecretRef:
        parts = value_from.split(":")
        # arn:aws:secretsmanager:region:account:secret:name[:json-key:version-stage:version-id]
        arn = ":".join(parts[:7])
        extra = [*parts[7:], "", "", ""]
        return cls(arn, extra[0], extra[1], extra[2])


class EcsRunnerHost:
    """A runner deployed as an ECS Fargate service whose task definition points at a Secrets Manager secret."""

    def __init__(self, sandbox: AwsSandbox, cluster: str, service: str, desired: int) -> None:
        self.sandbox = sandbox
        self.cluster = cluster
        self.service = service
        self.desired = desired

    def _service(self) -> Any:
        return self.sandbox.backend().services[f"{self.cluster}:{self.service}"]

    def generation(self) -> str:
        deployments = self._service().deployments
        primary = next((d for d in deployments if d["status"] == "PRIMARY"), None)
        return str(primary["id"]) if primary else ""

    def read_credentials(self) -> tuple[str, str]:
        """Resolve the task definition's secrets the way the ECS agent does when a task starts."""
        ecs = self.sandbox.client("ecs")
        sm = self.sandbox.client("secretsmanager")
        arn = self._service().task_definition
        container = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]["containerDefinitions"][0]
        values = {e["name"]: e["value"] for e in container.get("environment", [])}
        for ref in container.get("secrets", []):
            values[ref["name"]] = self._resolve(sm, SecretRef.parse(ref["valueFrom"]))
        if "OAUTH_CLIENT_SECRET" not in values:
            raise StartFailure("container has no OAUTH_CLIENT_SECRET")
        return values.get("OAUTH_CLIENT_ID", ""), values["OAUTH_CLIENT_SECRET"]

    @staticmethod
    def _resolve(sm: Any, ref: SecretRef) -> str:
        kwargs: dict[str, str] = {"SecretId": ref.arn}
        if ref.version_id:
            kwargs["VersionId"] = ref.version_id
        elif ref.version_stage:
            kwargs["VersionStage"] = ref.version_stage
        prefix = (
            "ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secret from asm"
        )
        try:
            value = sm.get_secret_value(**kwargs)["SecretString"]
        except Exception as exc:
            raise StartFailure(f"{prefix}: {type(exc).__name__}") from None
        if not ref.json_key:
            return str(value)
        try:
            document = json.loads(value)
        except ValueError:
            raise StartFailure(f"{prefix}: secret {ref.arn} is not JSON, so it has no key {ref.json_key}") from None
        if not isinstance(document, dict) or ref.json_key not in document:
            raise StartFailure(
                f"{prefix}: retrieved secret from Secrets Manager did not contain json key {ref.json_key}"
            )
        return str(document[ref.json_key])

    def starting(self) -> None:
        """A forced deployment: the new PRIMARY starts tasks while the old deployment is still ACTIVE."""
        service = self._service()
        primary = service.deployments[0]
        if primary.get("rolloutState") != "IN_PROGRESS":
            self.sandbox.mark_rollout_started(service)

    def started(self, ok: bool, reason: str) -> None:
        service = self._service()
        now = datetime.now(UTC)
        primary = service.deployments[0]
        if ok:
            primary.update(
                rolloutState="COMPLETED",
                rolloutStateReason=f"ECS deployment {primary['id']} completed.",
                runningCount=self.desired,
                pendingCount=0,
                updatedAt=now,
            )
            service.deployments = [primary]
            service.running_count, service.pending_count = self.desired, 0
            service_event(service, f"(service {self.service}) has reached a steady state.")
            return
        self.sandbox.record_stopped_task(self, reason)  # ECS has the stopped task before the circuit breaker trips
        primary.update(
            failedTasks=int(primary.get("failedTasks") or 0) + self.desired,
            rolloutState="FAILED",
            rolloutStateReason="ECS deployment circuit breaker: tasks failed to start.",
            runningCount=0,
            pendingCount=0,
            updatedAt=now,
        )
        service_event(
            service, f"(service {self.service}) deployment {primary['id']} deployment failed: tasks failed to start."
        )


def service_event(service: Any, message: str) -> None:
    service.events.insert(
        0, {"id": f"ev-{len(service.events) + 1}", "createdAt": datetime.now(UTC), "message": message}
    )
