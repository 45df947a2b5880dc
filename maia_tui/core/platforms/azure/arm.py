"""The Azure SDK seam: credentials, the Container Apps client, and Azure errors mapped to the error tree.

The SDKs are imported here, inside functions, so importing maia_tui costs nothing until a rotation
needs Azure. TLS verification stays on: the only test seam is the configurable ARM endpoint.
"""

from __future__ import annotations

import ipaddress
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from maia_tui.core.errors import (
    PlatformAccessDenied,
    PlatformError,
    PlatformNotFound,
    PlatformRefused,
    PlatformUnreachable,
)

PUBLIC_ARM = "https://management.azure.com"
ARM_ENDPOINT_ENV = "MAIA_TUI_AZURE_ARM_ENDPOINT"
# Sovereign clouds take tokens for their own audience; anything else (public Azure, the sandbox) for public ARM.
_ARM_AUDIENCES = {
    "management.chinacloudapi.cn": "https://management.chinacloudapi.cn/.default",
    "management.usgovcloudapi.net": "https://management.usgovcloudapi.net/.default",
}
LOGIN_REMEDY = (
    "Log in to Azure on this host: `az login` (then `az account set --subscription <id>`), a managed "
    "identity, or AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET for a service principal."
)

T = TypeVar("T")


def arm_endpoint(binding: Mapping[str, Any] | None, env: Mapping[str, str] = os.environ) -> str:
    """The ARM endpoint: the runner's binding, else MAIA_TUI_AZURE_ARM_ENDPOINT, else public Azure."""
    endpoint = str((binding or {}).get("arm_endpoint") or env.get(ARM_ENDPOINT_ENV) or PUBLIC_ARM).rstrip("/")
    if urlsplit(endpoint).scheme != "https":
        raise PlatformError(
            f"arm_endpoint {endpoint!r} is not https: Azure sends bearer tokens only over TLS",
            platform="azure",
            remedy=f"Set arm_endpoint to an https URL (public Azure is {PUBLIC_ARM}).",
        )
    return endpoint


def subscription_of(binding: Mapping[str, Any] | None, env: Mapping[str, str] = os.environ) -> str:
    """The subscription: the runner's binding, else AZURE_SUBSCRIPTION_ID."""
    subscription = str((binding or {}).get("subscription") or env.get("AZURE_SUBSCRIPTION_ID") or "").strip()
    if not subscription:
        raise PlatformNotFound(
            "no Azure subscription is configured for this runner",
            platform="azure",
            remedy="Set AZURE_SUBSCRIPTION_ID, or add 'subscription: <id>' to the runner's binding in the config file.",
        )
    return subscription


def is_loopback(url: str) -> bool:
    """True for https://127.0.0.1:…, [::1] or localhost: only the sandbox's emulators live there."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain(model: Any) -> Any:
    """An SDK model as plain JSON (Azure's camelCase field names), so code reads it like the REST docs."""
    if hasattr(model, "as_dict"):
        return model.as_dict()
    return model


class AzureSession:
    """One credential and one Container Apps client per (subscription, endpoint), shared by the adapter's threads."""

    def __init__(self, *, retries: int = 3) -> None:
        self.retries = retries
        self._lock = threading.Lock()
        self._credential: Any = None
        self._clients: dict[tuple[str, str], Any] = {}

    @property
    def credential(self) -> Any:
        with self._lock:
            if self._credential is None:
                from azure.identity import DefaultAzureCredential

                self._credential = DefaultAzureCredential()
            return self._credential

    def container_apps(self, subscription: str, endpoint: str) -> Any:
        """The ContainerAppsAPIClient for a subscription at an ARM endpoint."""
        credential = self.credential
        with self._lock:
            key = (subscription, endpoint)
            if key not in self._clients:
                from azure.mgmt.appcontainers import ContainerAppsAPIClient

                self._clients[key] = ContainerAppsAPIClient(
                    credential,
                    subscription,
                    base_url=endpoint,
                    credential_scopes=[arm_scope(endpoint)],
                    retry_total=self.retries,
                    retry_connect=1,  # a refused connection or an untrusted certificate rarely heals in seconds
                    connection_timeout=15,
                    read_timeout=60,
                )
            return self._clients[key]

    def secret_client(self, vault_url: str) -> Any:
        """A Key Vault SecretClient for the vault (the resource check is skipped only for a loopback vault)."""
        from azure.keyvault.secrets import SecretClient

        # Key Vault's challenge check wants the vault host to be a subdomain of the challenge resource
        # (vault.azure.net), which no loopback address can be; only the sandbox's vault lives there.
        return SecretClient(
            vault_url,
            self.credential,
            verify_challenge_resource=not is_loopback(vault_url),
            retry_total=self.retries,
            retry_connect=1,
            connection_timeout=15,
            read_timeout=60,
        )

    def token_check(self, endpoint: str) -> str:
        """Get an ARM token once; returns the credential's name, raises PlatformUnreachable when there is none."""
        call(lambda: self.credential.get_token(arm_scope(endpoint)), action="get an Azure token", subject=endpoint)
        return type(self.credential).__name__

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()


def arm_scope(endpoint: str) -> str:
    return _ARM_AUDIENCES.get(urlsplit(endpoint).hostname or "", f"{PUBLIC_ARM}/.default")


def call(fn: Callable[[], T], *, action: str, subject: str, permission: str = "") -> T:
    """Run one SDK call and turn any Azure failure into the matching PlatformError (no secret in it)."""
    try:
        return fn()
    except PlatformError:
        raise
    except Exception as exc:
        raise translate(exc, action=action, subject=subject, permission=permission) from exc


def translate(exc: Exception, *, action: str, subject: str, permission: str = "") -> PlatformError:
    """Map an azure-core / azure-identity exception to the error tree, with a remedy an operator can follow."""
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ServiceRequestError,
        ServiceResponseError,
    )

    status = getattr(exc, "status_code", None)
    if isinstance(exc, ClientAuthenticationError) and status is None:
        return PlatformUnreachable(
            f"could not {action}: no usable Azure credential on this host ({_first_line(exc)})",
            platform="azure",
            remedy=LOGIN_REMEDY,
        )
    if isinstance(exc, ServiceRequestError | ServiceResponseError):
        return PlatformUnreachable(
            f"could not {action}: {subject} is unreachable ({_first_line(exc)})",
            platform="azure",
            remedy="Check the network, proxy and TLS trust from this host to Azure, then retry this step.",
        )
    if not isinstance(exc, HttpResponseError) or status is None:
        return PlatformError(f"could not {action} ({subject}): {_first_line(exc)}", platform="azure")
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None) or exc.reason or str(status)
    detail = getattr(error, "message", None) or _first_line(exc)
    message = f"could not {action} ({subject}): {status} {code}: {detail}"
    if status == 401:
        return PlatformUnreachable(message, platform="azure", remedy=f"The Azure token was refused. {LOGIN_REMEDY}")
    if status == 403:
        need = f"the permission {permission}" if permission else "the missing permission"
        return PlatformAccessDenied(
            message,
            platform="azure",
            remedy=(
                f"Give the identity this host uses {need} on {subject} (the built-in Contributor role on the app "
                "or its resource group has it), wait a minute for it to apply, then retry this step."
            ),
        )
    if status == 404:
        return PlatformNotFound(
            message,
            platform="azure",
            remedy="Check subscription, resource_group and app in the runner's binding (maia-tui info shows where).",
        )
    if status == 409:
        return PlatformRefused(
            message, platform="azure", remedy="Another change to the app is still running: wait for it, then retry."
        )
    if status == 429:
        return PlatformError(message, platform="azure", remedy="Azure is throttling this host: wait a minute, retry.")
    if status >= 500:
        return PlatformError(
            message, platform="azure", remedy="Azure failed on its side: retry this step (nothing was refreshed twice)."
        )
    return PlatformError(message, platform="azure")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
