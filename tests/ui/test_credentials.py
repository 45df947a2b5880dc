"""Credentials screen: masked by default, Reveal re-masks on its own and on leaving, Copy, read-back, read-only."""

from __future__ import annotations

import logging

import pytest

from maia_tui.core.maia import RunnerCredentials
from maia_tui.sandbox import maia_state
from maia_tui.sandbox.fleet import runner_id
from maia_tui.sandbox.sandbox import Sandbox
from maia_tui.ui.modals.error import ErrorModal
from maia_tui.ui.screens.credentials import CredentialsScreen
from maia_tui.ui.widgets.secret_view import SecretView
from tests.ui.helpers import make_app, notifications, open_runner, screen_text, settle, type_text, wait_until

RUNNER = "etl-prod-eu"


async def refresh_through_the_modal(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f")
    await settle(pilot)
    await type_text(pilot, "refresh")
    await pilot.press("enter")
    await settle(pilot)


async def test_secret_is_masked_until_revealed(maia_sandbox: Sandbox) -> None:
    secret = maia_sandbox.runner(RUNNER).client_secret
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, RUNNER, "c")
        text = screen_text(app)
        assert maia_sandbox.runner(RUNNER).client_id in text
        assert secret not in text
        assert "revokes the current secret at once" in text
        assert "Pipelines running on this runner: 2" in text
        await pilot.press("v")
        await settle(pilot)
        assert secret in screen_text(app)
        await pilot.press("v")
        await settle(pilot)
        assert secret not in screen_text(app)


async def test_reveal_masks_itself_again(maia_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SecretView, "REMASK_AFTER", 0.3)
    secret = maia_sandbox.runner(RUNNER).client_secret
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, RUNNER, "c", "v")
        view = app.screen.query_one(SecretView)
        assert view.revealed
        assert secret in screen_text(app)
        assert await wait_until(pilot, lambda: not view.revealed, timeout=5)
        await pilot.pause()
        assert secret not in screen_text(app)
        assert str(app.screen.query_one("#reveal").label) == "Reveal"


async def test_leaving_the_screen_masks_the_secret(maia_sandbox: Sandbox) -> None:
    secret = maia_sandbox.runner(RUNNER).client_secret
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, RUNNER, "c", "v")
        screen = app.screen
        assert screen.query_one(SecretView).revealed
        await pilot.press("f")  # a dialog on top: the screen below must not keep the value on show
        await settle(pilot)
        assert not screen.query_one(SecretView).revealed
        assert secret not in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert secret not in screen_text(app)
        await pilot.press("v", "escape")
        await settle(pilot)
        assert secret not in screen_text(app)


async def test_copy_puts_the_secret_on_the_clipboard(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, RUNNER, "c", "y")
        assert app.clipboard == maia_sandbox.runner(RUNNER).client_secret
        assert maia_sandbox.runner(RUNNER).client_secret not in screen_text(app)
        assert any("copied" in message.lower() for _, message in notifications(app))


async def test_after_a_refresh_reveal_and_copy_use_the_new_secret(maia_sandbox: Sandbox) -> None:
    old = maia_sandbox.runner(RUNNER).client_secret
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, RUNNER, "c")
        await refresh_through_the_modal(pilot)
        new = maia_sandbox.runner(RUNNER).client_secret
        assert new != old
        text = screen_text(app)
        assert new not in text, "the new secret is shown masked"
        assert "? Unknown" in text
        assert any("refreshed" in message for _, message in notifications(app))
        await pilot.press("v")
        await settle(pilot)
        assert new in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == new
    assert maia_sandbox.maia.count("POST", rf"/v1/agents/{runner_id(RUNNER)}/credentials") == 1


async def test_a_closed_screen_does_not_lose_the_secret(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, RUNNER, "c")
        await refresh_through_the_modal(pilot)
        await pilot.press("escape", "escape")
        await settle(pilot)
        await open_runner(pilot, RUNNER, "c", "v")
        assert maia_sandbox.runner(RUNNER).client_secret in screen_text(app)
    assert maia_sandbox.maia.count("POST", rf"/v1/agents/{runner_id(RUNNER)}/credentials") == 1


async def test_readonly_hides_refresh_and_rotation(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox, readonly=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, RUNNER, "c")
        screen = app.screen
        assert isinstance(screen, CredentialsScreen)
        assert not screen.query_one("#refresh_secret").display
        assert not screen.query_one("#rotate").display
        text = screen_text(app)
        assert "Refresh secret" not in text
        assert "Guided rotation" not in text
        assert "READ-ONLY" in text
        await pilot.press("f", "g")
        await settle(pilot)
        assert app.screen is screen
        titles = [command.title for command in app.get_system_commands(screen)]
        assert "Copy secret (etl-prod-eu)" in titles
        assert not any("Refresh secret" in t or "rotation" in t for t in titles)
        await pilot.press("y")  # reading is not mutating: copy still works
        await settle(pilot)
        assert app.clipboard == maia_sandbox.runner(RUNNER).client_secret
    assert maia_sandbox.maia.count("POST", r"/v1/agents/.*/credentials") == 0


async def test_a_failed_refresh_shows_the_remedy_and_the_app_carries_on(maia_sandbox: Sandbox) -> None:
    maia_sandbox.maia.faults.add("POST", r"/dpc/v1/agents/.*/credentials", status=403)
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, RUNNER, "c")
        await refresh_through_the_modal(pilot)
        assert isinstance(app.screen, ErrorModal)
        text = screen_text(app)
        assert "Manage runners" in text, "the remedy line of a 403"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CredentialsScreen)
        assert app.screen.refreshed is None
    assert maia_sandbox.runner(RUNNER).connected


async def test_matillion_hosted_runner_cannot_be_refreshed(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, "matillion-hosted", "c", "f")
        assert isinstance(app.screen, CredentialsScreen)
        assert app.screen.query_one("#refresh_secret").disabled
    assert maia_sandbox.maia.count("POST", r"/v1/agents/.*/credentials") == 0


async def test_guided_rotation_starts_from_here_with_the_fresh_credentials(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, RUNNER, "c")
        await refresh_through_the_modal(pilot)
        fresh = app.screen.refreshed
        await pilot.press("g")
        # No settle here: the rotation panel runs its own long-lived workers.
        await wait_until(pilot, lambda: not isinstance(app.screen, CredentialsScreen) or bool(notifications(app)))
        screen = app.screen
        if isinstance(screen, CredentialsScreen):  # the rotation panel is not there yet: the entry point says so
            assert any("Guided rotation for AWS Fargate is coming" in m for _, m in notifications(app))
        else:
            assert type(screen).__name__ == "RotationScreen"
            handed = [v for v in vars(screen).values() if isinstance(v, RunnerCredentials)]
            assert handed == [fresh], "the rotation must reuse the refresh just made, not refresh again"
    assert maia_sandbox.maia.count("POST", rf"/v1/agents/{runner_id(RUNNER)}/credentials") == 1


async def test_a_canary_secret_stays_off_screen_out_of_notifications_and_logs(
    maia_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    canary = "CANARY-not-for-your-eyes-7d41"
    monkeypatch.setattr(maia_state, "new_secret", lambda: canary)
    caplog.set_level(logging.DEBUG)
    app = make_app(maia_sandbox)
    seen: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, RUNNER, "c")
        await refresh_through_the_modal(pilot)
        seen.append(screen_text(app))
        await pilot.press("y")
        await settle(pilot)
        seen.append(screen_text(app))
        await pilot.press("escape")
        await settle(pilot)
        seen.append(app.export_screenshot())
        await pilot.press("escape", "escape")
        await settle(pilot)
        seen.append(screen_text(app))
        assert app.clipboard == canary  # the one place it was asked to go
    assert maia_sandbox.runner(RUNNER).client_secret == canary
    assert not any(canary in text for text in seen)
    assert not any(canary in message for _, message in notifications(app))
    assert canary not in caplog.text
