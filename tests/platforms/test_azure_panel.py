"""Both Azure runners rotate through the guided panel, driven by keys; its steps name the real Azure things."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from maia_tui.core.rotation.model import Outcome, StepId, StepState
from maia_tui.sandbox.fleet import runner_id
from maia_tui.sandbox.sandbox import Sandbox
from maia_tui.ui.modals.typed_confirm import TypedConfirmModal
from maia_tui.ui.screens.rotation import RotationScreen
from maia_tui.ui.widgets.rotation_steps import StepList
from tests.platforms.azure_helpers import REFRESHES, azure, deploy_extra
from tests.ui.helpers import flat_text, make_app, open_runner, screen_text, settle, type_text, wait_until

SECRET_OF = {"aca-analytics": "matillion-client-secret", "aca-finance": "runner-oauth-secret"}


async def _start(pilot: Pilot[Any], name: str) -> RotationScreen:
    """Runner list → details → credentials → guided rotation; start it and type the confirmation."""
    await open_runner(pilot, name, "c", "g")
    panel = pilot.app.screen
    assert isinstance(panel, RotationScreen)
    await pilot.press("s")
    assert await wait_until(pilot, lambda: isinstance(pilot.app.screen, TypedConfirmModal), 10)
    await type_text(pilot, "refresh")
    await pilot.press("enter")
    return panel


@pytest.mark.parametrize("name", ["aca-analytics", "aca-finance"])
async def test_azure_runner_rotates_through_the_panel(sandbox: Sandbox, name: str) -> None:
    az = azure(sandbox)
    app_name = az.app_for(runner_id(name)).name
    app = make_app(sandbox)
    async with app.run_test(size=(240, 50)) as pilot:  # wide: the explanation's lines do not wrap
        panel = await _start(pilot, name)
        assert await wait_until(pilot, lambda: panel.outcome is not None, 20)
        await settle(pilot)
        assert panel.outcome is Outcome.SUCCEEDED, flat_text(app)
        text = flat_text(app)
        assert "✓ Rotated in" in text and "fingerprints match" in text
        assert app_name in text and SECRET_OF[name] in text
        # The Apply step explains the portal procedure of Matillion's page with this app's names in it.
        steps = panel.query_one(StepList)
        steps.focus()
        for _ in range(steps.highlighted - list(StepId).index(StepId.APPLY)):  # type: ignore[operator]
            await pilot.press("up")
        await settle(pilot)
        story = screen_text(app)
        for phrase in (
            f"open the Container App {app_name}",
            "Application → Containers, then the Environment variables tab",
            f"OAUTH_CLIENT_SECRET references the secret {SECRET_OF[name]}",
            f"Settings → Secrets and find {SECRET_OF[name]}",
            "Tick the box that acknowledges the change, then click Save",
        ):
            assert phrase in story, phrase
        emulated = sandbox.runner(name)
        assert emulated.client_secret not in flat_text(app)
    assert az.secret_value(runner_id(name), SECRET_OF[name]) == emulated.client_secret
    assert emulated.status == "running" and emulated.connected
    assert sandbox.maia.count("POST", REFRESHES) == 1


async def test_unwritable_key_vault_is_a_manual_step_in_the_panel(sandbox: Sandbox) -> None:
    az = azure(sandbox)
    assert az.vault is not None
    deploy_extra(sandbox, "aca-vault", "keyvault")
    az.vault.denied.add("set")  # this host may read the vault but not write it
    app = make_app(sandbox)
    async with app.run_test(size=(240, 50)) as pilot:
        panel = await _start(pilot, "aca-vault")
        rotation = panel.rotation
        assert rotation is not None
        assert await wait_until(pilot, lambda: rotation.steps[StepId.APPLY].state is StepState.MANUAL, 20)
        # No settle() here: the rotation's worker waits for the operator, so it never completes on its own.
        assert await wait_until(pilot, lambda: "In the console:" in screen_text(app), 5)
        text = screen_text(app)
        assert "This host cannot do this step. In the console:" in text
        assert "secret aca-vault-client-secret" in text and "+ New Version" in text
        az.vault.set("aca-vault-client-secret", sandbox.runner("aca-vault").client_secret)  # done in the portal
        await pilot.press("d")
        assert await wait_until(pilot, lambda: panel.outcome is not None, 20)
        await settle(pilot)
        assert panel.outcome is Outcome.SUCCEEDED, flat_text(app)
    assert sandbox.runner("aca-vault").connected
