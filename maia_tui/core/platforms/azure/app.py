"""Reading a Container App as ARM returns it: which secret the runner's env var references, and the secrets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from maia_tui.core.errors import PlatformRefused
from maia_tui.core.secret import Secret

SECRET_ENV = "OAUTH_CLIENT_SECRET"
CLIENT_ID_ENV = "OAUTH_CLIENT_ID"


@dataclass(frozen=True, slots=True)
class SecretReference:
    """Where the runner's container reads its client_secret: an env var's secretRef to an app secret."""

    container: str
    env_var: str
    secret: str


@dataclass(frozen=True, slots=True)
class AppSecret:
    """One Container App secret from listSecrets: an inline value, or a Key Vault reference with its identity."""

    name: str
    value: Secret | None = None
    key_vault_url: str = ""
    identity: str = ""

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> AppSecret:
        value = data.get("value")
        return cls(
            name=str(data.get("name") or ""),
            value=Secret(str(value)) if isinstance(value, str) else None,
            key_vault_url=str(data.get("keyVaultUrl") or ""),
            identity=str(data.get("identity") or ""),
        )

    def to_patch(self, value: Secret | None = None) -> dict[str, str]:
        """This secret as the PATCH must re-send it (the array is replaced wholesale); `value` replaces ours."""
        if self.key_vault_url and value is None:
            return {"name": self.name, "keyVaultUrl": self.key_vault_url, "identity": self.identity}
        chosen = value if value is not None else self.value
        if chosen is None:
            raise PlatformRefused(
                f"listSecrets returned secret {self.name} without a value, so it cannot be re-sent unchanged",
                platform="azure",
                remedy="Set that secret's value in the portal once (Settings → Secrets), then retry this step.",
            )
        return {"name": self.name, "value": chosen.reveal()}


def containers(app: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    template = (app.get("properties") or {}).get("template") or {}
    return list(template.get("containers") or [])


def env_value(app: Mapping[str, Any], name: str) -> str | None:
    """The plain value of env var `name` in any container, None when absent or a secretRef."""
    for container in containers(app):
        for var in container.get("env") or []:
            if var.get("name") == name and var.get("value") is not None:
                return str(var["value"])
    return None


def secret_reference(app: Mapping[str, Any], env_var: str = SECRET_ENV) -> SecretReference:
    """The secret `env_var` references; PlatformRefused when it is missing or holds the value inline."""
    name = app.get("name", "?")
    for container in containers(app):
        for var in container.get("env") or []:
            if var.get("name") != env_var:
                continue
            if var.get("secretRef"):
                return SecretReference(str(container.get("name") or ""), env_var, str(var["secretRef"]))
            raise PlatformRefused(
                f"Container App {name}: {env_var} holds its value inline instead of referencing a secret",
                platform="azure",
                remedy=(
                    f"Move the client_secret into a Container App secret and point {env_var} at it (secretRef), "
                    "as Matillion's template does; maia-tui only writes secrets, never the template."
                ),
            )
    raise PlatformRefused(
        f"Container App {name} has no {env_var} environment variable",
        platform="azure",
        remedy="Check that this app runs the Maia runner (Application → Containers → Environment variables).",
    )


def find_secret(secrets: list[AppSecret], name: str) -> AppSecret | None:
    return next((s for s in secrets if s.name == name), None)


def active_revisions(revisions: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [r for r in revisions if (r.get("properties") or {}).get("active")]


def expected_replicas(revision: Mapping[str, Any]) -> int:
    """How many ready replicas mean 'up': the revision's minimum scale (at least one runner)."""
    scale = ((revision.get("properties") or {}).get("template") or {}).get("scale") or {}
    return max(1, int(scale.get("minReplicas") or 1))


def replica_ready(replica: Mapping[str, Any]) -> bool:
    """A replica counts when it is Running and every container in it reports ready."""
    props = replica.get("properties") or {}
    boxes = props.get("containers") or []
    return props.get("runningState") == "Running" and bool(boxes) and all(c.get("ready") for c in boxes)
