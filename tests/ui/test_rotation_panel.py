"""The guided rotation panel, driven by keys on the sandbox: it shows the engine's steps and asks at the right time."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual.pilot import Pilot

from maia_tui.core.maia import MaiaClient
from maia_tui.core.rotation.model import Outcome, StepId, StepState
from maia_tui.sandbox.sandbox import Sandbox
from maia_tui.ui.modals.typed_confirm import TypedConfirmModal
from maia_tui.ui.screens.rotation import RotationScreen
from tests.rotation.helpers import refreshes, secret_json
from tests.ui.helpers import make_app, open_runner, screen_text, settle, type_text, wait_until


async def test_whole_rotation_by_keyboard(sandbox: Sandbox) -> None:
    emulated = sandbox.runner("etl-prod-eu")
    app = make_app(sandbox)
    async with app.run_test(size=(140, 45)) as pilot:
        await open_runner(pilot, "etl-prod-eu", "c", "g")
        panel = app.screen
        assert isinstance(panel, RotationScreen)
        assert "nothing is revoked until you type refresh" in screen_text(app)
        await pilot.press("s")
        assert await wait_until(pilot, lambda: isinstance(app.screen, TypedConfirmModal), 10)
        text = screen_text(app)
        assert "2 pipeline(s) running" in text and "paused first" in text
        assert refreshes(sandbox) == 0  # preflight passed, nothing revoked yet
        await type_text(pilot, "refresh")
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: panel.outcome is not None, 20)
        await settle(pilot)
        assert panel.outcome is Outcome.SUCCEEDED, screen_text(app)
        text = screen_text(app)
        assert "✓ Rotated in" in text and "etl-prod-eu is Running" in text and "fingerprints match" in text
        assert emulated.client_secret not in text
        assert panel.rotation is not None
        assert panel.rotation.steps[StepId.PAUSE].state is StepState.DONE
        assert panel.rotation.steps[StepId.RESUME].state is StepState.DONE
    assert refreshes(sandbox) == 1
    assert secret_json(sandbox, "etl-prod-eu")["client_secret"] == emulated.client_secret
    assert emulated.status == "running" and emulated.connected


async def open_panel(pilot: Pilot[Any], sandbox: Sandbox, name: str, **kwargs: Any) -> RotationScreen:
    """Open the guided rotation for `name` straight from the app, as the credentials screen's g does."""
    app = pilot.app
    await settle(pilot)
    runner = await app.client.get_runner(sandbox.runner(name).id)
    app.start_rotation(runner, **kwargs)
    await settle(pilot)
    assert isinstance(app.screen, RotationScreen)
    return app.screen


async def confirm_refresh(pilot: Pilot[Any]) -> None:
    assert await wait_until(pilot, lambda: isinstance(pilot.app.screen, TypedConfirmModal), 10)
    await type_text(pilot, "refresh")
    await pilot.press("enter")


async def test_preflight_refusal_shows_error_and_remedy_and_never_asks(sandbox: Sandbox) -> None:
    secret = sandbox.aws.secrets_backend().secrets["etl-legacy-plain-oauth-credentials"]
    secret.rotation_requested = secret.rotation_enabled = True
    app = make_app(sandbox)
    async with app.run_test(size=(140, 45)) as pilot:
        panel = await open_panel(pilot, sandbox, "etl-legacy-plain")
        await pilot.press("s")
        assert await wait_until(pilot, lambda: panel.outcome is Outcome.FAILED, 10)
        await settle(pilot)
        text = screen_text(app)
        assert "✗ Stopped at Preflight checks" in text and "automatic rotation enabled" in text
        assert "Turn rotation off" in text
        assert not isinstance(app.screen, TypedConfirmModal)
    assert refreshes(sandbox) == 0


async def test_access_denied_then_retry_in_the_panel(sandbox: Sandbox) -> None:
    emulated = sandbox.runner("etl-legacy-plain")
    sandbox.aws.deny("secretsmanager:PutSecretValue")
    app = make_app(sandbox)
    async with app.run_test(size=(140, 45)) as pilot:
        panel = await open_panel(pilot, sandbox, "etl-legacy-plain")
        await pilot.press("s")
        await confirm_refresh(pilot)
        assert await wait_until(pilot, lambda: panel.outcome is Outcome.FAILED, 10)
        await settle(pilot)
        text = screen_text(app)
        assert "✗ Stopped at Apply the new secret" in text
        assert "Grant secretsmanager:PutSecretValue" in text
        sandbox.aws.allow("secretsmanager:PutSecretValue")
        await pilot.press("r")
        assert await wait_until(pilot, lambda: panel.outcome is Outcome.SUCCEEDED, 10)
    assert refreshes(sandbox) == 1
    assert emulated.status == "running" and emulated.connected


async def test_unfinished_rotation_is_offered_and_continues_without_refresh(sandbox: Sandbox) -> None:
    from maia_tui.cli import main

    emulated = sandbox.runner("etl-legacy-plain")
    sandbox.aws.deny("secretsmanager:PutSecretValue")
    failed = await asyncio.to_thread(main, ["rotate", "etl-legacy-plain", "--yes"])
    assert failed == 1  # refreshed, then stopped at apply
    sandbox.aws.allow("secretsmanager:PutSecretValue")
    app = make_app(sandbox)
    async with app.run_test(size=(140, 45)) as pilot:
        panel = await open_panel(pilot, sandbox, "etl-legacy-plain")
        text = screen_text(app)
        assert "An unfinished rotation of etl-legacy-plain was found" in text
        assert "s continues at apply" in text
        await pilot.press("s")
        assert await wait_until(pilot, lambda: panel.outcome is Outcome.SUCCEEDED, 10)
        assert not any(isinstance(s, TypedConfirmModal) for s in app.screen_stack)
    assert refreshes(sandbox) == 1
    assert emulated.status == "running" and emulated.connected


async def test_refresh_in_the_credentials_screen_then_guided_rotation(sandbox: Sandbox) -> None:
    from maia_tui.core.rotation.journal import Journal

    emulated = sandbox.runner("etl-legacy-plain")
    app = make_app(sandbox)
    async with app.run_test(size=(140, 45)) as pilot:
        await open_runner(pilot, "etl-legacy-plain", "c", "f")
        await type_text(pilot, "refresh")
        await pilot.press("enter")
        await settle(pilot)
        assert emulated.status == "unknown"
        assert Journal(sandbox.settings().state_dir).pending(emulated.id) is not None  # a crash now can resume
        await pilot.press("g")
        await settle(pilot)
        panel = app.screen
        assert isinstance(panel, RotationScreen)
        assert await wait_until(pilot, lambda: panel.outcome is Outcome.SUCCEEDED, 10)  # it starts by itself
    assert refreshes(sandbox) == 1
    assert emulated.status == "running" and emulated.connected
    assert Journal(sandbox.settings().state_dir).pending(emulated.id) is None


async def test_unknown_runner_offers_to_apply_the_current_secret(sandbox: Sandbox, maia: MaiaClient) -> None:
    emulated = sandbox.runner("etl-prod-eu")
    await maia.refresh_credentials(emulated.id)  # done in Maia's console: the runner is Unknown now
    app = make_app(sandbox)
    async with app.run_test(size=(140, 45)) as pilot:
        panel = await open_panel(pilot, sandbox, "etl-prod-eu")
        assert "c applies the secret Maia holds now instead" in screen_text(app)
        await pilot.press("c")
        assert await wait_until(pilot, lambda: panel.outcome is Outcome.SUCCEEDED, 10)
    assert refreshes(sandbox) == 1
    assert emulated.status == "running" and emulated.connected


async def test_manual_steps_wait_for_done(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    emulated = sandbox.runner("etl-legacy-plain")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    app = make_app(sandbox)
    async with app.run_test(size=(140, 45)) as pilot:
        panel = await open_panel(pilot, sandbox, "etl-legacy-plain")
        await pilot.press("s")
        await confirm_refresh(pilot)
        assert panel.rotation is not None
        steps = panel.rotation.steps
        assert await wait_until(pilot, lambda: steps[StepId.APPLY].state is StepState.MANUAL, 10)
        await pilot.pause()  # not settle(): the rotation's worker waits for Done
        text = screen_text(app)
        assert "This host cannot do this step" in text and "etl-legacy-plain-oauth-credentials" in text
        await pilot.press("y")  # copies the new secret for the console
        sandbox.aws.client("secretsmanager").put_secret_value(
            SecretId="etl-legacy-plain-oauth-credentials", SecretString=emulated.client_secret
        )
        await pilot.press("d")
        assert await wait_until(pilot, lambda: steps[StepId.RESTART].state is StepState.MANUAL, 10)
        sandbox.aws.client("ecs").update_service(
            cluster="etl-legacy-plain-cluster", service="etl-legacy-plain-service", forceNewDeployment=True
        )
        await pilot.press("d")
        assert await wait_until(pilot, lambda: panel.outcome is Outcome.SUCCEEDED, 10)
    assert emulated.status == "running" and emulated.connected


async def test_abort_during_a_wait_leaves_it_resumable(sandbox: Sandbox) -> None:
    from maia_tui.core.rotation.journal import Journal

    emulated = sandbox.runner("etl-legacy-plain")
    assert sandbox.simulator is not None
    sandbox.simulator.startup_delay = 3600  # it will not come back during this test
    app = make_app(sandbox)
    async with app.run_test(size=(140, 45)) as pilot:
        panel = await open_panel(pilot, sandbox, "etl-legacy-plain")
        await pilot.press("s")
        await confirm_refresh(pilot)
        assert panel.rotation is not None
        steps = panel.rotation.steps
        assert await wait_until(pilot, lambda: steps[StepId.WAIT].state is StepState.RUNNING, 10)
        await pilot.press("a")
        assert await wait_until(pilot, lambda: panel.outcome is Outcome.ABORTED, 10)
        await settle(pilot)
        assert "stays Unknown until its new secret is applied" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, RotationScreen)
    pending = Journal(sandbox.settings().state_dir).pending(emulated.id)
    assert pending is not None and pending.next_step is StepId.WAIT
