"""The Azure adapter against the sandbox's ARM emulator, in the engine's order, with honest simulated runners."""

from __future__ import annotations

import asyncio
import logging

import pytest

from maia_tui.core.errors import PlatformError
from maia_tui.core.maia import MaiaClient
from maia_tui.core.platforms.azure import AzureAdapter
from maia_tui.core.platforms.base import CheckLevel
from maia_tui.sandbox.fleet import runner_id
from maia_tui.sandbox.sandbox import Sandbox
from tests.platforms.azure_helpers import REFRESHES, Progress, azure, connected, locate, rotate

ANALYTICS, FINANCE = "aca-analytics", "aca-finance"


@pytest.fixture
def adapter(sandbox: Sandbox) -> AzureAdapter:
    built = AzureAdapter(sandbox.settings())
    yield built
    built.session.close()


async def test_terraform_runner_rotates_and_other_secrets_keep_their_values(
    sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    az = azure(sandbox)
    rid = runner_id(ANALYTICS)
    before = {s["name"]: s.get("value") for s in az.app_for(rid).secrets}
    _, target = await locate(adapter, maia, sandbox, ANALYTICS)
    assert target.fields["secret"] == "matillion-client-secret"
    assert target.fields["app"].startswith("aca-analytics-app-")

    checks = await asyncio.to_thread(adapter.preflight, target, Progress())
    assert not [c for c in checks if c.blocks], checks
    assert {c.name for c in checks} >= {"Container App", "Runner identity", "Read secrets (listSecrets)"}

    progress = Progress()
    credentials = await rotate(adapter, maia, target, progress)
    new = credentials.client_secret.reveal()

    after = {s["name"]: s.get("value") for s in az.app_for(rid).secrets}
    assert after["matillion-client-secret"] == new
    assert after["db-password"] == before["db-password"]  # the unrelated secret survived the wholesale PATCH
    assert after["matillion-client-id"] == before["matillion-client-id"]
    assert set(after) == set(before)
    assert sandbox.wait_for(lambda: connected(sandbox, ANALYTICS), 5)
    fingerprint = await asyncio.to_thread(adapter.stored_fingerprint, target)
    assert fingerprint == credentials.client_secret.fingerprint()
    assert "Running" in progress.text() and "2/2 replicas ready" in progress.text()
    assert progress.fractions[-1] == 1.0
    for text in (progress.text(), caplog.text, repr(target), str(checks)):
        assert new not in text and before["db-password"] not in text


async def test_non_default_secret_name_is_followed_through_the_env_var(
    sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter
) -> None:
    az = azure(sandbox)
    rid = runner_id(FINANCE)
    registry_password = az.secret_value(rid, "registry-password")
    _, target = await locate(adapter, maia, sandbox, FINANCE)
    assert target.fields["secret"] == "runner-oauth-secret"
    credentials = await rotate(adapter, maia, target, Progress())
    assert az.secret_value(rid, "runner-oauth-secret") == credentials.client_secret.reveal()
    assert az.secret_value(rid, "matillion-client-secret") is None  # no default-named secret invented
    assert az.secret_value(rid, "registry-password") == registry_password
    assert sandbox.wait_for(lambda: connected(sandbox, FINANCE), 5)


async def test_secret_update_without_restart_leaves_the_runner_unknown(
    sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter
) -> None:
    _, target = await locate(adapter, maia, sandbox, ANALYTICS)
    host = azure(sandbox).hosts[runner_id(ANALYTICS)]
    generation = host.generation()
    credentials = await maia.refresh_credentials(target.runner_id)
    await asyncio.to_thread(adapter.apply_secret, target, credentials, token="t", progress=Progress())
    assert sandbox.settle()
    assert host.generation() == generation  # a secret change restarts nothing on Container Apps
    assert (await maia.get_runner(target.runner_id)).status_label == "Unknown"
    assert not sandbox.runner(ANALYTICS).connected

    await asyncio.to_thread(adapter.restart, target, Progress())
    await asyncio.to_thread(adapter.wait_healthy, target, Progress(), 10.0)
    assert sandbox.wait_for(lambda: connected(sandbox, ANALYTICS), 5)


async def test_forbidden_list_secrets_fails_preflight(
    sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter
) -> None:
    az = azure(sandbox)
    az.fail("POST", r".*/listSecrets", 403, message="The client may not perform listSecrets", count=10)
    _, target = await locate(adapter, maia, sandbox, ANALYTICS)
    checks = await asyncio.to_thread(adapter.preflight, target, Progress())
    blocking = [c for c in checks if c.blocks]
    assert [c.name for c in blocking] == ["Read secrets (listSecrets)"]
    assert "403" in blocking[0].detail
    assert "Microsoft.App/containerApps/listSecrets/action" in blocking[0].remedy
    assert sandbox.maia.count("POST", REFRESHES) == 0


async def test_patch_500_then_retry_succeeds_without_a_second_refresh(
    sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter
) -> None:
    az = azure(sandbox)
    _, target = await locate(adapter, maia, sandbox, ANALYTICS)
    credentials = await maia.refresh_credentials(target.runner_id)
    # Four 500s outlast the SDK's own three retries, so the step fails and the operator retries it.
    az.fail("PATCH", r".*/containerApps/[^/]+", 500, count=4, retry_after=0.01)
    with pytest.raises(PlatformError) as failed:
        await asyncio.to_thread(adapter.apply_secret, target, credentials, token="t", progress=Progress())
    assert "500" in failed.value.message and "retry" in failed.value.remedy.lower()
    assert credentials.client_secret.reveal() not in failed.value.explain()

    await asyncio.to_thread(adapter.apply_secret, target, credentials, token="t", progress=Progress())
    await asyncio.to_thread(adapter.restart, target, Progress())
    await asyncio.to_thread(adapter.wait_healthy, target, Progress(), 10.0)
    assert sandbox.wait_for(lambda: connected(sandbox, ANALYTICS), 5)
    assert sandbox.maia.count("POST", REFRESHES) == 1


async def test_a_single_500_is_absorbed_by_the_sdk_retry(
    sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter
) -> None:
    az = azure(sandbox)
    _, target = await locate(adapter, maia, sandbox, FINANCE)
    az.fail("PATCH", r".*/containerApps/[^/]+", 500)
    credentials = await rotate(adapter, maia, target, Progress())
    assert az.count("PATCH", r".*/containerApps/[^/]+") == 2
    assert az.secret_value(target.runner_id, "runner-oauth-secret") == credentials.client_secret.reveal()


async def test_apply_again_writes_nothing(sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter) -> None:
    az = azure(sandbox)
    _, target = await locate(adapter, maia, sandbox, ANALYTICS)
    credentials = await maia.refresh_credentials(target.runner_id)
    await asyncio.to_thread(adapter.apply_secret, target, credentials, token="t", progress=Progress())
    progress = Progress()
    await asyncio.to_thread(adapter.apply_secret, target, credentials, token="t", progress=progress)
    assert az.count("PATCH", r".*/containerApps/[^/]+") == 1
    assert "already holds the new secret" in progress.text()


async def test_sync_and_async_update_both_complete(sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter) -> None:
    az = azure(sandbox)
    az.state.lro = "sync"  # 200 with the app: no polling at all
    _, target = await locate(adapter, maia, sandbox, ANALYTICS)
    credentials = await maia.refresh_credentials(target.runner_id)
    await asyncio.to_thread(adapter.apply_secret, target, credentials, token="t", progress=Progress())
    assert az.count("GET", r".*/containerappOperationStatuses/.*") == 0
    az.state.lro, az.state.lro_polls = "async", 3
    credentials = await maia.refresh_credentials(target.runner_id)
    progress = Progress()
    await asyncio.to_thread(adapter.apply_secret, target, credentials, token="t", progress=progress)
    assert az.count("GET", r".*/containerappOperationStatuses/.*") >= 3
    assert "InProgress" in progress.text() and "Succeeded" in progress.text()


async def test_wrong_app_in_binding_blocks_preflight(sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter) -> None:
    runner = await maia.get_runner(runner_id(ANALYTICS))
    finance = sandbox.settings().binding(runner_id(FINANCE), FINANCE)
    assert finance is not None
    target = await asyncio.to_thread(adapter.locate, runner, finance)
    checks = await asyncio.to_thread(adapter.preflight, target, Progress())
    identity = next(c for c in checks if c.name == "Runner identity")
    assert identity.blocks and "another runner" in identity.detail


async def test_denied_restart_shows_in_preflight(sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter) -> None:
    azure(sandbox).state.denied.add("Microsoft.App/containerApps/revisions/restart/action")
    _, target = await locate(adapter, maia, sandbox, ANALYTICS)
    checks = await asyncio.to_thread(adapter.preflight, target, Progress())
    rights = next(c for c in checks if c.name == "Write and restart rights")
    assert rights.blocks and "revisions/restart/action" in rights.detail
    assert rights.level is CheckLevel.ERROR


async def test_manual_steps_name_the_real_things(sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter) -> None:
    _, target = await locate(adapter, maia, sandbox, FINANCE)
    apply = "\n".join(adapter.manual_steps(target, "apply"))
    for name in (target.fields["app"], target.fields["resource_group"], "runner-oauth-secret", "OAUTH_CLIENT_SECRET"):
        assert name in apply
    assert "Settings → Secrets" in apply and "Save" in apply
    restart = "\n".join(adapter.manual_steps(target, "restart"))
    assert f"az containerapp revision restart -n {target.fields['app']} -g {target.fields['resource_group']}" in restart
