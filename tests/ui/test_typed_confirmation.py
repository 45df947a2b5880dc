"""The typed `refresh` confirmation: only the exact word sends SECRET_REFRESH, and exactly once."""

from __future__ import annotations

from maia_tui.sandbox.fleet import runner_id
from maia_tui.sandbox.sandbox import Sandbox
from maia_tui.ui.modals.typed_confirm import TypedConfirmModal
from maia_tui.ui.screens.credentials import CredentialsScreen
from tests.ui.helpers import make_app, open_runner, settle, type_text

RUNNER = "etl-prod-eu"
REFRESH_PATH = rf"/v1/agents/{runner_id(RUNNER)}/credentials"


def refresh_calls(sandbox: Sandbox) -> int:
    return sandbox.maia.count("POST", REFRESH_PATH)


WRONG = {
    "wrong case": "Refresh",
    "trailing space": "refresh ",
    "leading space": " refresh",
    "empty": "",
    "extra word": "refresh now",
    "other word": "pause runner",
}


async def test_anything_but_the_exact_word_sends_nothing(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, RUNNER, "c", "f")
        modal = app.screen
        assert isinstance(modal, TypedConfirmModal)
        for case, typed in WRONG.items():
            await pilot.press("home", "ctrl+k")
            await type_text(pilot, typed)
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is modal, f"{case}: Enter must not confirm"
            assert modal.query_one("#confirm").disabled, f"{case}: the button must stay disabled"
        await pilot.click("#confirm")
        await settle(pilot)
        assert app.screen is modal, "clicking the disabled button must do nothing"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CredentialsScreen)
    assert refresh_calls(maia_sandbox) == 0
    assert maia_sandbox.runner(RUNNER).connected


async def test_escape_after_the_exact_word_still_sends_nothing(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, RUNNER, "c", "f")
        await type_text(pilot, "refresh")
        assert not app.screen.query_one("#confirm").disabled
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CredentialsScreen)
    assert refresh_calls(maia_sandbox) == 0


async def test_exact_word_and_enter_refreshes_exactly_once(maia_sandbox: Sandbox) -> None:
    old_secret = maia_sandbox.runner(RUNNER).client_secret
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, RUNNER, "c", "f")
        await type_text(pilot, "refresh")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CredentialsScreen)
        assert screen.refreshed is not None
        assert screen.refreshed.client_secret.reveal() == maia_sandbox.runner(RUNNER).client_secret
    assert refresh_calls(maia_sandbox) == 1
    assert maia_sandbox.runner(RUNNER).client_secret != old_secret
    assert maia_sandbox.runner(RUNNER).status == "unknown"


async def test_exact_word_and_the_button_refreshes_exactly_once(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, RUNNER, "c", "f")
        await type_text(pilot, "refresh")
        await pilot.click("#confirm")
        await settle(pilot)
        assert isinstance(app.screen, CredentialsScreen)
    assert refresh_calls(maia_sandbox) == 1
