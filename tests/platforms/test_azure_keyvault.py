"""Key Vault-referenced Container App secrets: a new version in the vault, or exact manual steps when unreachable."""

from __future__ import annotations

import asyncio

import pytest

from maia_tui.core.errors import PlatformError, PlatformUnreachable
from maia_tui.core.maia import MaiaClient
from maia_tui.core.platforms.azure import AzureAdapter
from maia_tui.core.platforms.base import CheckLevel
from maia_tui.sandbox.sandbox import Sandbox
from tests.platforms.azure_helpers import Progress, azure, connected, deploy_extra, rotate


@pytest.fixture
def adapter(sandbox: Sandbox) -> AzureAdapter:
    built = AzureAdapter(sandbox.settings())
    yield built
    built.session.close()


async def _target(sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter, name: str, variant: str):  # type: ignore[no-untyped-def]
    binding = deploy_extra(sandbox, name, variant)
    runner = await maia.get_runner(sandbox.runner(name).id)
    return binding, await asyncio.to_thread(adapter.locate, runner, binding)


async def test_key_vault_reference_gets_a_new_version(
    sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter
) -> None:
    az = azure(sandbox)
    assert az.vault is not None
    binding, target = await _target(sandbox, maia, adapter, "aca-vault", "keyvault")
    assert target.fields["key_vault_url"] == binding["key_vault_url"]
    checks = await asyncio.to_thread(adapter.preflight, target, Progress())
    vault_check = next(c for c in checks if c.name == "Key Vault secret")
    assert vault_check.ok and "aca-vault-client-secret" in vault_check.detail
    before = len(az.vault.secrets["aca-vault-client-secret"])

    credentials = await rotate(adapter, maia, target, Progress())
    versions = az.vault.secrets["aca-vault-client-secret"]
    assert len(versions) == before + 1 and versions[-1].value == credentials.client_secret.reveal()
    assert versions[-1].content_type == "text/plain"  # the new version keeps the old one's attributes
    reference = next(s for s in az.app_for(target.runner_id).secrets if s["name"] == "matillion-client-secret")
    assert "value" not in reference and reference["keyVaultUrl"] == binding["key_vault_url"]
    assert az.count("PATCH", r".*/containerApps/[^/]+") == 0  # an unversioned reference needs no app change
    assert sandbox.wait_for(lambda: connected(sandbox, "aca-vault"), 5)
    fingerprint = await asyncio.to_thread(adapter.stored_fingerprint, target)
    assert fingerprint == credentials.client_secret.fingerprint()


async def test_pinned_key_vault_version_is_re_pointed(
    sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter
) -> None:
    az = azure(sandbox)
    assert az.vault is not None
    _, target = await _target(sandbox, maia, adapter, "aca-pinned", "keyvault-pinned")
    credentials = await rotate(adapter, maia, target, Progress())
    newest = az.vault.secrets["aca-pinned-client-secret"][-1]
    reference = next(s for s in az.app_for(target.runner_id).secrets if s["name"] == "matillion-client-secret")
    assert reference["keyVaultUrl"].endswith(f"/{newest.version}")
    others = {s["name"]: s.get("value") for s in az.app_for(target.runner_id).secrets}
    assert others["matillion-client-id"]  # re-sent with its value in the same PATCH
    assert sandbox.wait_for(lambda: connected(sandbox, "aca-pinned"), 5)
    assert newest.value == credentials.client_secret.reveal()


async def test_unreachable_vault_becomes_a_manual_step(
    sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter
) -> None:
    az = azure(sandbox)
    assert az.vault is not None
    _, target = await _target(sandbox, maia, adapter, "aca-locked", "keyvault")
    az.vault.denied.update({"get", "set"})
    checks = await asyncio.to_thread(adapter.preflight, target, Progress())
    vault_check = next(c for c in checks if c.name == "Key Vault secret")
    assert not vault_check.ok and vault_check.level is CheckLevel.WARNING and not vault_check.blocks
    assert "+ New Version" in vault_check.remedy

    credentials = await maia.refresh_credentials(target.runner_id)
    with pytest.raises(PlatformUnreachable) as unreachable:
        await asyncio.to_thread(adapter.apply_secret, target, credentials, token="t", progress=Progress())
    assert "403" in unreachable.value.message and "by hand" in unreachable.value.remedy
    steps = "\n".join(adapter.manual_steps(target, "apply"))
    vault_host = target.fields["key_vault_url"].split("/")[2]
    assert vault_host in steps and "aca-locked-client-secret" in steps and "+ New Version" in steps

    az.vault.set("aca-locked-client-secret", credentials.client_secret.reveal())  # the operator, in the portal
    await asyncio.to_thread(adapter.restart, target, Progress())
    await asyncio.to_thread(adapter.wait_healthy, target, Progress(), 10.0)
    assert sandbox.wait_for(lambda: connected(sandbox, "aca-locked"), 5)


async def test_missing_vault_secret_fails_the_revision_start(
    sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter
) -> None:
    az = azure(sandbox)
    assert az.vault is not None
    _, target = await _target(sandbox, maia, adapter, "aca-purged", "keyvault")
    az.vault.secrets.pop("aca-purged-client-secret")  # someone purged it
    progress = Progress()
    await asyncio.to_thread(adapter.restart, target, progress)
    with pytest.raises(PlatformError) as failed:
        await asyncio.to_thread(adapter.wait_healthy, target, progress, 10.0)
    assert "failed to start" in failed.value.message and "unable to fetch secret" in failed.value.message
    assert "Failed" in progress.text()
