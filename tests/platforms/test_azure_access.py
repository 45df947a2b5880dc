"""Finding the app and reaching Azure: discovery by AGENT_ID, credentials, TLS, endpoints, several revisions."""

from __future__ import annotations

import asyncio
import os

import pytest

from maia_tui.core.errors import PlatformError, PlatformNotFound, PlatformUnreachable
from maia_tui.core.maia import MaiaClient
from maia_tui.core.platforms.azure import AzureAdapter
from maia_tui.sandbox.fleet import runner_id
from maia_tui.sandbox.sandbox import Sandbox
from tests.platforms.azure_helpers import Progress, azure, connected, deploy_extra, rotate


@pytest.fixture
def adapter(sandbox: Sandbox) -> AzureAdapter:
    built = AzureAdapter(sandbox.settings())
    yield built
    built.session.close()


async def test_discovers_the_app_by_agent_id(sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter) -> None:
    runner = await maia.get_runner(runner_id("aca-finance"))
    target = await asyncio.to_thread(adapter.locate, runner, None)  # subscription and endpoint from the env
    assert target.fields["app"] == azure(sandbox).app_for(runner.id).name
    assert target.fields["resource_group"] == "rg-aca-finance"
    assert target.fields["secret"] == "runner-oauth-secret"
    scoped = await asyncio.to_thread(adapter.locate, runner, {"resource_group": "rg-aca-finance"})
    assert scoped.fields["app"] == target.fields["app"]
    binding = target.binding()
    assert binding["platform"] == "azure" and binding["subscription"] == os.environ["AZURE_SUBSCRIPTION_ID"]


async def test_an_unknown_runner_is_not_found_with_a_remedy(
    sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter
) -> None:
    runner = await maia.get_runner(runner_id("etl-prod-eu"))  # runs on AWS: no Container App claims it
    with pytest.raises(PlatformNotFound) as missing:
        await asyncio.to_thread(adapter.locate, runner, None)
    assert f"AGENT_ID={runner.id}" in missing.value.message
    assert "resource_group" in missing.value.remedy and runner.id in missing.value.remedy


async def test_without_credentials_azure_is_unreachable(
    sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PATH", str(tmp_path))  # no `az` at all
    ok, why = await asyncio.to_thread(adapter.available)
    assert not ok and "credential" in why
    runner = await maia.get_runner(runner_id("aca-analytics"))
    binding = sandbox.settings().binding(runner.id, runner.name)
    with pytest.raises(PlatformUnreachable) as unreachable:
        await asyncio.to_thread(AzureAdapter(sandbox.settings()).locate, runner, binding)
    assert "az login" in unreachable.value.remedy


async def test_tls_is_verified_against_the_emulator(
    sandbox: Sandbox, maia: MaiaClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")  # the sandbox's CA is not trusted any more
    adapter = AzureAdapter(sandbox.settings())
    runner = await maia.get_runner(runner_id("aca-analytics"))
    with pytest.raises(PlatformUnreachable) as unreachable:
        await asyncio.to_thread(adapter.locate, runner, sandbox.settings().binding(runner.id, runner.name))
    assert "CERTIFICATE_VERIFY_FAILED" in unreachable.value.message or "certificate" in unreachable.value.message


async def test_plain_http_endpoint_is_refused(sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter) -> None:
    runner = await maia.get_runner(runner_id("aca-analytics"))
    binding = dict(sandbox.settings().binding(runner.id, runner.name) or {})
    binding["arm_endpoint"] = binding["arm_endpoint"].replace("https://", "http://")
    with pytest.raises(PlatformError) as refused:
        await asyncio.to_thread(adapter.locate, runner, binding)
    assert "https" in refused.value.remedy


async def test_every_active_revision_is_restarted(sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter) -> None:
    binding = deploy_extra(sandbox, "aca-bluegreen", "multi")
    runner = await maia.get_runner(sandbox.runner("aca-bluegreen").id)
    target = await asyncio.to_thread(adapter.locate, runner, binding)
    app = azure(sandbox).app_for(runner.id)
    assert len(app.active_revisions()) == 2
    progress = Progress()
    await rotate(adapter, maia, target, progress)
    assert [r.restarts for r in app.active_revisions()] == [1, 1]
    assert progress.text().count("Restarting revision") == 2
    assert sandbox.wait_for(lambda: connected(sandbox, "aca-bluegreen"), 5)


async def test_restart_needs_revision_read_and_a_cancel_stops_the_wait(
    sandbox: Sandbox, maia: MaiaClient, adapter: AzureAdapter
) -> None:
    runner = await maia.get_runner(runner_id("aca-analytics"))
    target = await asyncio.to_thread(adapter.locate, runner, sandbox.settings().binding(runner.id, runner.name))
    azure(sandbox).state.denied.add("Microsoft.App/containerApps/revisions/read")
    with pytest.raises(PlatformError) as denied:
        await asyncio.to_thread(adapter.restart, target, Progress())
    assert "revisions/read" in denied.value.remedy
    azure(sandbox).state.denied.clear()
    await asyncio.to_thread(adapter.restart, target, Progress())
    sandbox.simulator.startup_delay = 30  # type: ignore[union-attr]  # the replicas will not come up soon
    progress = Progress(cancel=True)
    with pytest.raises(PlatformError) as stopped:
        await asyncio.to_thread(adapter.wait_healthy, target, progress, 10.0)
    assert "stopped waiting" in stopped.value.message
