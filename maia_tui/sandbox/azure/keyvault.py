"""A Key Vault emulator for the secrets API that azure-keyvault-secrets uses (get, set), over HTTPS.

It answers an unauthenticated request with the 401 challenge Key Vault sends, so the SDK's challenge
policy runs as in production; every set makes a new version, and an unversioned read gets the latest.
"""

from __future__ import annotations

import ssl
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from maia_tui.sandbox.azure.arm_emulator import arm_error, sandbox_token
from maia_tui.sandbox.loopback import Emulator, Faults, LoopbackServer, Request, Response, Router

VAULT_RESOURCE = "https://vault.azure.net"


@dataclass
class SecretVersion:
    """One version of a Key Vault secret."""

    version: str
    value: str
    content_type: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    created: int = field(default_factory=lambda: int(time.time()))


class KeyVaultEmulator(Emulator):
    """One vault's secrets (all their versions), served on 127.0.0.1 with Key Vault's paths and errors."""

    def __init__(self, name: str, tenant: str, ssl_context: ssl.SSLContext) -> None:
        self.name = name
        self.tenant = tenant
        self.lock = threading.RLock()
        self.secrets: dict[str, list[SecretVersion]] = {}
        self.denied: set[str] = set()  # secret permissions the caller lacks: "get", "set"
        router = Router()
        router.add("GET", "/secrets/{name}", self._get)
        router.add("GET", "/secrets/{name}/{version}", self._get)
        router.add("GET", "/secrets/{name}/", self._get)
        router.add("PUT", "/secrets/{name}", self._set)
        self.server = LoopbackServer(router, name="keyvault-emulator", faults=Faults(), ssl_context=ssl_context)

    # ── direct access (seeding, the simulated runners, assertions) ────────

    def set(self, name: str, value: str, content_type: str | None = None, tags: dict[str, str] | None = None) -> str:
        """Add a version of secret `name`; returns its id URL."""
        with self.lock:
            version = SecretVersion(uuid.uuid4().hex, value, content_type, dict(tags or {}))
            self.secrets.setdefault(name, []).append(version)
            return f"{self.url}/secrets/{name}/{version.version}"

    def resolve(self, secret_url: str) -> str | None:
        """The value a Container App gets for a keyVaultUrl reference (latest version unless one is pinned)."""
        parts = urlsplit(secret_url)
        if f"{parts.scheme}://{parts.netloc}" != self.url:
            return None
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) < 2 or segments[0] != "secrets":
            return None
        found = self._version(segments[1], segments[2] if len(segments) > 2 else "")
        return found.value if found else None

    def _version(self, name: str, version: str) -> SecretVersion | None:
        with self.lock:
            versions = self.secrets.get(name) or []
            if not version:
                return versions[-1] if versions else None
            return next((v for v in versions if v.version == version), None)

    # ── HTTP ───────────────────────────────────────────────────────────────

    def _challenge(self, request: Request, permission: str) -> Response | None:
        if request.bearer is None:
            response = arm_error(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.")
            response.headers["WWW-Authenticate"] = (
                f'Bearer authorization="https://login.microsoftonline.com/{self.tenant}", resource="{VAULT_RESOURCE}"'
            )
            return response
        if request.bearer != sandbox_token(VAULT_RESOURCE):
            return arm_error(401, "Unauthorized", "AKV10022: Invalid audience. Expected https://vault.azure.net.")
        if permission in self.denied:
            response = arm_error(
                403,
                "Forbidden",
                f"The user, group or application 'appid=sandbox-operator' does not have secrets {permission} "
                f"permission on key vault '{self.name};location=westeurope'.",
            )
            response.body["error"]["innererror"] = {"code": "AccessDenied"}
            return response
        return None

    def _bundle(self, name: str, version: SecretVersion) -> dict[str, Any]:
        body: dict[str, Any] = {
            "value": version.value,
            "id": f"{self.url}/secrets/{name}/{version.version}",
            "attributes": {
                "enabled": True,
                "created": version.created,
                "updated": version.created,
                "recoveryLevel": "Recoverable+Purgeable",
            },
            "tags": dict(version.tags),
        }
        if version.content_type:
            body["contentType"] = version.content_type
        return body

    def _get(self, request: Request) -> Response:
        refused = self._challenge(request, "get")
        if refused is not None:
            return refused
        name = request.params["name"]
        found = self._version(name, request.params.get("version", ""))
        if found is None:
            return arm_error(404, "SecretNotFound", f"A secret with (name/id) {name} was not found in this key vault.")
        return Response(200, self._bundle(name, found))

    def _set(self, request: Request) -> Response:
        refused = self._challenge(request, "set")
        if refused is not None:
            return refused
        body = request.json() or {}
        if not isinstance(body.get("value"), str):
            return arm_error(400, "BadParameter", "The secret value is required.")
        name = request.params["name"]
        self.set(name, body["value"], body.get("contentType"), body.get("tags"))
        found = self._version(name, "")
        assert found is not None
        return Response(200, self._bundle(name, found))
