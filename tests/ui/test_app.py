"""App conventions: first run, help, palette, quitting, header badges, themes."""

from __future__ import annotations

from dataclasses import replace

from maia_tui.core.settings import load_settings
from maia_tui.sandbox.sandbox import Sandbox
from maia_tui.ui.app import MaiaApp
from maia_tui.ui.clock import frozen_clock
from maia_tui.ui.screens.first_run import FirstRunScreen
from maia_tui.ui.screens.help import HelpScreen
from maia_tui.ui.screens.runner_details import RunnerDetailsScreen
from tests.ui.helpers import flat_text, make_app, notifications, screen_text, settle, type_text, wait_until


async def test_first_run_explains_what_to_set_and_offers_the_demo() -> None:
    settings = load_settings()
    assert settings.credentials is None
    app = MaiaApp(settings, None, clock=frozen_clock())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FirstRunScreen)
        text = flat_text(app)
        for expected in ("MAIA_CLIENT_ID", "MAIA_CLIENT_SECRET", "MAIA_REGION", "Manage runners", "demo"):
            assert expected in text, expected
        assert str(settings.config_path) in text
        await pilot.press("d")
        await settle(pilot)
    assert app.demo_requested
    assert app.return_code == 0


async def test_q_quits_from_the_list(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
    assert app.return_code == 0
    assert not app.demo_requested


async def test_ctrl_c_tells_how_to_quit_and_ctrl_q_quits(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await settle(pilot)
        assert app.is_running
        assert any("to quit" in m for _, m in notifications(app))
        await pilot.press("ctrl+q")
        await settle(pilot)
    assert app.return_code == 0


async def test_help_lists_every_key(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 60)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = flat_text(app)
        for expected in ("On this screen (Runner list)", "Filter", "Auto-refresh", "Refresh secret", "Pause", "ctrl+p"):
            assert expected in text, expected
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_goes_to_a_runner(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await type_text(pilot, "snow")
        assert await wait_until(pilot, lambda: "Go to runner snow-native" in screen_text(app))
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, RunnerDetailsScreen))
        assert app.screen.runner.name == "snow-native"


async def test_palette_offers_the_screen_actions(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Filter", "Reload", "Credentials", "Help", "Theme"} <= set(titles)


async def test_header_badges_and_the_ansi_theme(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox, theme="ansi-dark", readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "ansi-dark"
        text = screen_text(app)
        assert "SANDBOX" in text and "READ-ONLY" in text


async def test_an_unknown_theme_is_a_warning_not_a_crash(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox, theme="no-such-theme")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        assert any(s == "warning" and "no-such-theme" in m for s, m in notifications(app))


async def test_no_sandbox_badge_on_a_real_account(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    app.settings = replace(app.settings, sandbox=False, account="acme")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "SANDBOX" not in text
        assert "eu1 · acme" in text


async def test_an_unexpected_failure_in_a_worker_is_reported_not_fatal(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)

    async def broken() -> None:
        raise ValueError("unexpected shape")

    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.run_worker(broken(), exit_on_error=False)
        assert await wait_until(pilot, lambda: any("unexpected shape" in m for _, m in notifications(app)))
        assert app.is_running
