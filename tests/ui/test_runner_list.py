"""Runner list: statuses that read without colour, filter, sort, in-place refresh, errors and outages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import maia_tui.ui.app as app_module
from maia_tui.core.maia.models import RunnerStatus
from maia_tui.sandbox.fleet import runner_id
from maia_tui.sandbox.sandbox import Sandbox
from maia_tui.ui.screens.runner_details import RunnerDetailsScreen
from maia_tui.ui.screens.runner_list import RunnerListScreen
from tests.ui.helpers import make_app, notifications, open_runner, screen_text, settle, type_text, wait_until

AGENTS = r"/dpc/v1/agents"


def names(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.name for r in app.runner_list.table.visible_runners()]


async def test_lists_every_runner_with_a_status_word_and_glyph(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        for expected in (
            "● Running",
            "‖ Paused",
            "◌ Pending",
            "■ Stopped",
            "AWS Fargate",
            "Azure Container App",
            "GKE",
            "Snowflake",
            "Matillion hosted",
            "11.86.2 ↑ update",
            "✘ no",
            "10 runners",
            "updated 0s ago",
            "SANDBOX",
            "eu1 · sandbox",
        ):
            assert expected in text, expected
        assert names(app) == sorted(names(app))


async def test_filter_by_name_platform_or_status_and_invert(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.runner_list.table
        await pilot.press("slash")
        await type_text(pilot, "azure")
        assert await wait_until(pilot, lambda: table.filter_text == "azure")
        assert names(app) == ["aca-analytics", "aca-finance"]
        assert "2 of 10 match “azure”" in screen_text(app)
        for query, expected in (
            ("paused", ["etl-batch-paused"]),
            ("etl stopped", ["etl-staging-stopped"]),
            ("!running", ["etl-batch-paused", "etl-new-pending", "etl-staging-stopped"]),
        ):
            await pilot.press("slash", "home", "ctrl+k")
            await type_text(pilot, query)
            await pilot.press("enter")  # Enter applies at once (no debounce) and returns to the table
            await settle(pilot)
            assert names(app) == expected, query
        assert app.focused is table
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RunnerDetailsScreen)
        assert app.screen.runner.name == "etl-staging-stopped", "the cursor keeps its runner across filters"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")  # clears the filter
        await settle(pilot)
        assert len(names(app)) == 10
        assert not app.screen.query_one("#filter-bar").display


async def test_filter_typing_is_debounced(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.runner_list.table
        applied: list[str] = []
        original = table.set_filter
        table.set_filter = lambda text: (applied.append(text), original(text))  # type: ignore[method-assign]
        await pilot.press("slash", "g", "k", "e")
        assert await wait_until(pilot, lambda: table.filter_text == "gke")
        assert applied[-1] == "gke"
        assert len(applied) < 3, f"one filter pass per pause in typing, not per key: {applied}"
        assert names(app) == ["gke-ml"]


async def test_sort_by_key_and_by_clicking_a_column(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.runner_list.table
        await pilot.press("s")  # name → status: problems first
        await settle(pilot)
        first = table.visible_runners()[0]
        assert first.status is RunnerStatus.STOPPED
        assert table.visible_runners()[-1].status is RunnerStatus.RUNNING
        await pilot.press("S")
        await settle(pilot)
        assert table.visible_runners()[0].status is RunnerStatus.RUNNING
        title_row = screen_text(app).splitlines()[2]
        await pilot.click("#runners", offset=(title_row.index("Platform"), 0))
        await settle(pilot)
        assert table.sort_column == "platform"
        assert table.visible_runners()[0].platform.label == "AWS Fargate"
        assert "Platform ▲" in screen_text(app)


async def test_rows_update_in_place_and_the_cursor_stays_on_its_runner(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.runner_list.table
        table.select_runner(runner_id("etl-prod-eu"))
        before = table.selected
        maia_sandbox.state.refresh_secret(runner_id("etl-prod-eu"))
        await pilot.press("s", "r")  # sort by status, then reload now
        await settle(pilot)
        after = table.selected
        assert after is not None and after.id == before.id
        assert after.status is RunnerStatus.UNKNOWN
        assert table.visible_runners()[0].name == "etl-prod-eu", "Unknown sorts first"
        assert app.runner_list.table is table


async def test_auto_refresh_and_its_pause_key(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox, refresh_interval=0.1)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.runner_list.table
        maia_sandbox.state.refresh_secret(runner_id("gke-ml"))
        assert await wait_until(pilot, lambda: any(r.name == "gke-ml" and not r.connected for r in table.runners))
        await pilot.press("a")
        screen = app.runner_list
        assert screen.next_poll_at is None
        assert "auto-refresh paused" in screen_text(app)
        calls = maia_sandbox.maia.count("GET", r"/v1/agents")
        await pilot.press("a")
        assert await wait_until(pilot, lambda: maia_sandbox.maia.count("GET", r"/v1/agents") > calls)


async def test_an_api_error_is_a_notification_with_the_remedy_not_a_crash(maia_sandbox: Sandbox) -> None:
    maia_sandbox.maia.faults.add("GET", AGENTS, status=500, count=4)  # every retry of the first load
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, RunnerListScreen)
        errors = [m for severity, m in notifications(app) if severity == "error"]
        assert errors and "status.matillion.com" in errors[0], errors
        assert app.link_problem == "Maia error, retrying"
        assert "Could not load the runners" in screen_text(app)
        await pilot.press("r")
        await settle(pilot)
        assert app.link_problem == ""
        assert len(names(app)) == 10
        assert any("Connected to Maia again" in m for _, m in notifications(app))


async def test_a_network_cut_shows_disconnected_and_recovers_by_itself(maia_sandbox: Sandbox) -> None:
    maia_sandbox.maia.faults.add("GET", AGENTS, drop=True, count=6)  # the first poll and part of the next
    app = make_app(maia_sandbox, refresh_interval=0.05)
    seen: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        app.watch(app, "link_problem", lambda value: seen.append(value))
        assert await wait_until(pilot, lambda: len(names(app)) == 10, timeout=10)
        assert app.link_problem == ""
    assert any(s.startswith("disconnected, retrying") for s in seen), seen
    assert any("Connected to Maia again" in m for _, m in notifications(app))


@pytest.fixture
def big_sandbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Sandbox]:
    box = Sandbox(startup_delay=0.05, workdir=tmp_path / "sandbox", tick=0.5, platforms=(), extra_runners=5000)
    box.start()
    try:
        yield box
    finally:
        box.stop()


async def test_five_thousand_runners(big_sandbox: Sandbox) -> None:
    app = make_app(big_sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await wait_until(pilot, lambda: app.runner_list.table.total == 5010, timeout=30)
        await pilot.press("slash")
        await type_text(pilot, "runner-042")
        await pilot.press("enter")
        await settle(pilot)
        assert len(names(app)) == 100
        await pilot.press("end")
        await settle(pilot)
        assert "runner-04299" in screen_text(app)


async def test_a_retry_warning_from_another_caller_lapses_by_itself(
    maia_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "RETRY_WARNING_GRACE", 0.1)
    app = make_app(maia_sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        maia_sandbox.maia.faults.add("GET", AGENTS + "/.*", drop=True, count=1)
        await app.client.get_runner(runner_id("gke-ml"))  # as the rotation engine calls it: not through app.api
        assert app.link_problem == "disconnected, retrying"
        assert await wait_until(pilot, lambda: app.link_problem == "")


async def test_details_refresh_failures_notify_once(maia_sandbox: Sandbox) -> None:
    app = make_app(maia_sandbox, refresh_interval=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_runner(pilot, "gke-ml")
        maia_sandbox.maia.faults.add("GET", AGENTS + "/[^/]+", status=503, count=40)
        calls = maia_sandbox.maia.count("GET", r"/v1/agents/[^/]+")
        assert await wait_until(pilot, lambda: maia_sandbox.maia.count("GET", r"/v1/agents/[^/]+") > calls + 12)
        errors = [m for severity, m in notifications(app) if severity == "error"]
        assert len(errors) == 1, errors
        assert app.link_problem == "Maia error, retrying"
        assert isinstance(app.screen, RunnerDetailsScreen)


async def test_a_big_fleet_refreshes_within_a_request_budget(tmp_path: Path) -> None:
    """Three pages of runners at two pages a second: the list refreshes every 1.5 s, not every 0.5 s."""
    with Sandbox(startup_delay=0.01, extra_runners=250, platforms=(), workdir=tmp_path / "s", tick=0.5) as box:
        app = make_app(box, refresh_interval=0.5)
        async with app.run_test(size=(100, 30)) as pilot:
            assert await wait_until(pilot, lambda: app.runner_list.fetched_at is not None, timeout=10)
            screen = app.runner_list
            assert screen.pages == 3
            assert screen.interval == 1.5
            await settle(pilot)
            screen._show_status()
            assert "every 1.5s" in screen_text(app)
