"""Runner details: every field, the status in plain words, and Pause / Resume / Restart behind confirmations."""

from __future__ import annotations

from maia_tui.sandbox.fleet import runner_id
from maia_tui.sandbox.sandbox import Sandbox
from maia_tui.ui.modals.confirm import ConfirmModal
from maia_tui.ui.modals.error import ErrorModal
from maia_tui.ui.modals.typed_confirm import TypedConfirmModal
from maia_tui.ui.screens.runner_details import RunnerDetailsScreen
from tests.ui.helpers import (
    flat_text,
    make_app,
    notifications,
    open_runner,
    screen_text,
    settle,
    type_text,
    wait_until,
)


def commands(sandbox: Sandbox, name: str) -> int:
    return sandbox.maia.count("POST", rf"/v1/agents/{runner_id(name)}/commands")


async def test_shows_every_field_and_the_pipeline_count(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_runner(pilot, "aca-finance")
        text = screen_text(app)
        for expected in (
            runner_id("aca-finance"),
            "Azure Container App",
            "container app",
            "data_productivity_cloud",
            "Finance on Azure; custom secret name",
            "11.86.2",
            "yes → 11.87.0",
            "SUPPORTED",
            "Restricted access",
            "Pipelines running  0",
            "Finance/prod",
        ):
            assert expected in text, expected


async def test_unknown_after_a_refresh_says_what_to_do(maia_sandbox: Sandbox) -> None:
    maia_sandbox.state.refresh_secret(runner_id("etl-prod-eu"))
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, "etl-prod-eu")
        text = flat_text(app)
        assert "? Unknown" in text
        assert "apply the new secret on its platform and restart the runner" in text


async def test_paused_says_until_when_and_how_to_resume(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, "etl-batch-paused")
        text = flat_text(app)
        assert "Paused until" in text
        assert "Resume it (u)" in text


async def test_pause_needs_the_typed_words(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, "etl-prod-eu", "p")
        assert isinstance(app.screen, TypedConfirmModal)
        await type_text(pilot, "pause")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TypedConfirmModal)
        assert commands(maia_sandbox, "etl-prod-eu") == 0
        await type_text(pilot, " runner")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RunnerDetailsScreen)
        assert commands(maia_sandbox, "etl-prod-eu") == 1
        assert maia_sandbox.runner("etl-prod-eu").status in ("pausing", "paused")
        assert any("Pause sent" in m for _, m in notifications(app))


async def test_resume_and_restart_ask_first(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, "etl-batch-paused", "u")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")
        await settle(pilot)
        assert commands(maia_sandbox, "etl-batch-paused") == 0
        await pilot.press("u")
        await settle(pilot)
        await pilot.click("#confirm")
        await settle(pilot)
        assert commands(maia_sandbox, "etl-batch-paused") == 1
        assert maia_sandbox.runner("etl-batch-paused").status == "running"
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert app.screen.focused is app.screen.query_one("#cancel"), "Cancel is the default"
        await pilot.press("enter")  # Enter on the focused Cancel: nothing is sent
        await settle(pilot)
        assert commands(maia_sandbox, "etl-batch-paused") == 1
        await pilot.press("R")
        await settle(pilot)
        await pilot.click("#confirm")
        await settle(pilot)
        assert commands(maia_sandbox, "etl-batch-paused") == 2


async def test_actions_that_do_not_fit_the_status_are_disabled(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, "etl-staging-stopped", "p", "u", "R")
        screen = app.screen
        assert isinstance(screen, RunnerDetailsScreen)
        assert all(screen.query_one(f"#{a}").disabled for a in ("pause", "resume", "restart"))
    assert commands(maia_sandbox, "etl-staging-stopped") == 0


async def test_readonly_hides_every_action(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox, readonly=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, "etl-prod-eu", "p", "R")
        screen = app.screen
        assert isinstance(screen, RunnerDetailsScreen)
        assert not any(screen.query_one(f"#{a}").display for a in ("pause", "resume", "restart"))
        text = screen_text(app)
        assert "Pause" not in text and "Restart" not in text
        titles = [c.title for c in app.get_system_commands(screen)]
        assert not any(t.startswith(("Pause", "Resume", "Restart")) for t in titles)
    assert commands(maia_sandbox, "etl-prod-eu") == 0


async def test_a_refused_command_shows_the_remedy(maia_sandbox: Sandbox) -> None:
    maia_sandbox.maia.faults.add("POST", r"/dpc/v1/agents/.*/commands", status=409)
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, "etl-prod-eu", "R")
        await pilot.click("#confirm")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ErrorModal))
        assert "Refresh the runner's status" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RunnerDetailsScreen)


async def test_says_where_the_secret_lives(maia_sandbox: Sandbox) -> None:
    from maia_tui.core.settings import save_binding

    save_binding(
        maia_sandbox.config_path,
        runner_id("etl-prod-eu"),
        {"platform": "aws", "name": "etl-prod-eu", "region": "eu-west-1", "cluster": "c1", "service": "s1"},
    )
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_runner(pilot, "etl-prod-eu")
        assert "aws: region eu-west-1 · cluster c1 · service s1" in screen_text(app)
        await pilot.press("escape")
        await open_runner(pilot, "aca-finance")
        assert "not bound yet" in screen_text(app)
