"""Key Vault-referenced Container App secrets: the new value becomes a new version of the vault's secret."""

from __future__ import annotations

from dataclasses import dataclass

from maia_tui.core.errors import PlatformAccessDenied, PlatformError, PlatformUnreachable
from maia_tui.core.platforms.azure.arm import AzureSession, call
from maia_tui.core.platforms.azure.steps import vault_name
from maia_tui.core.secret import Secret


@dataclass(frozen=True, slots=True)
class VaultSecretRef:
    """A keyVaultUrl split into vault, secret name and (when the app pins one) version."""

    url: str
    vault_url: str
    name: str
    version: str

    @classmethod
    def parse(cls, url: str) -> VaultSecretRef:
        from azure.keyvault.secrets import KeyVaultSecretIdentifier

        try:
            ident = KeyVaultSecretIdentifier(url)
        except ValueError as exc:
            raise PlatformError(f"keyVaultUrl {url!r} is not a Key Vault secret URL: {exc}", platform="azure") from None
        return cls(url, ident.vault_url, ident.name, ident.version or "")

    @property
    def label(self) -> str:
        return f"Key Vault {vault_name(self.vault_url)} secret {self.name}"


def read(session: AzureSession, ref: VaultSecretRef) -> Secret:
    """The value the app gets: the pinned version, else the latest one."""
    client = session.secret_client(ref.vault_url)
    bundle = call(
        lambda: client.get_secret(ref.name, ref.version or None),
        action="read the Key Vault secret",
        subject=ref.label,
        permission="secrets get (Key Vault Secrets User)",
    )
    return Secret(bundle.value or "")


def write(session: AzureSession, ref: VaultSecretRef, value: Secret) -> str:
    """Store `value` as a new version (keeping content type and tags); returns the new version's id URL.

    When the latest version already holds the value (a retried step), nothing is written.
    """
    client = session.secret_client(ref.vault_url)
    subject = ref.label
    try:
        current = client.get_secret(ref.name)
    except Exception as exc:
        raise _unreachable(exc, subject, "get") from exc
    if current.value is not None and Secret(current.value) == value:
        return str(current.id)
    props = current.properties
    try:
        created = client.set_secret(ref.name, value.reveal(), content_type=props.content_type, tags=props.tags)
    except Exception as exc:
        raise _unreachable(exc, subject, "set") from exc
    return str(created.id)


def _unreachable(exc: Exception, subject: str, permission: str) -> PlatformError:
    """A vault failure, with the remedy to do this step by hand when the vault cannot be reached from here."""
    from maia_tui.core.platforms.azure.arm import translate

    error = translate(
        exc, action=f"{permission} the Key Vault secret", subject=subject, permission=f"secrets {permission}"
    )
    hand = "Or set the new version by hand (the step's manual instructions show where), then retry to verify."
    kind = PlatformUnreachable if isinstance(error, PlatformAccessDenied | PlatformUnreachable) else type(error)
    return kind(error.message, platform="azure", remedy=f"{error.remedy} {hand}")
