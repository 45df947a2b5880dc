"""One snapshot per screen and dialog at 100x30 and 80x24: frozen clock, masked secrets (a revealed one is fake)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from maia_tui.core.settings import load_settings
from maia_tui.sandbox.fleet import runner_id
from maia_tui.sandbox.sandbox import Sandbox
from maia_tui.ui.app import MaiaApp
from maia_tui.ui.clock import frozen_clock
from tests.ui.helpers import make_app, open_runner, settle, type_text

SIZES = pytest.mark.parametrize("size", [(100, 30), (80, 24)], ids=["100x30", "80x24"])
FAKE_SECRET = "FAKE-SECRET-FOR-SNAPSHOT"

Steps = Callable[[Pilot[Any]], Awaitable[None]]


def steady(app: MaiaApp) -> None:
    """No blinking cursor in a snapshot: it would flip between runs."""
    for screen in app.screen_stack:
        for box in screen.query(Input):
            box.cursor_blink = False


def before(steps: Steps) -> Steps:
    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await steps(pilot)
        steady(pilot.app)  # type: ignore[arg-type]
        await settle(pilot)

    return run


async def nothing(pilot: Pilot[Any]) -> None:
    """The first screen as it opens."""


@SIZES
def test_runner_list(maia_sandbox: Sandbox, snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(maia_sandbox), terminal_size=size, run_before=before(nothing))


@SIZES
def test_runner_list_filtered_and_sorted(maia_sandbox: Sandbox, snap_compare: Any, size: tuple[int, int]) -> None:
    maia_sandbox.state.refresh_secret(runner_id("etl-prod-eu"))

    async def steps(pilot: Pilot[Any]) -> None:
        await pilot.press("slash")
        await type_text(pilot, "aws")
        await pilot.press("enter", "s")

    assert snap_compare(make_app(maia_sandbox), terminal_size=size, run_before=before(steps))


@SIZES
def test_runner_list_readonly_and_disconnected(maia_sandbox: Sandbox, snap_compare: Any, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        maia_sandbox.maia.faults.add("GET", r"/dpc/v1/agents", drop=True, count=4)
        await pilot.press("r")
        await settle(pilot)
        pilot.app.clear_notifications()

    app = make_app(maia_sandbox, readonly=True, refresh_interval=10.0)
    assert snap_compare(app, terminal_size=size, run_before=before(steps))


@SIZES
def test_runner_details(maia_sandbox: Sandbox, snap_compare: Any, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await open_runner(pilot, "etl-prod-eu")

    assert snap_compare(make_app(maia_sandbox), terminal_size=size, run_before=before(steps))


@SIZES
def test_runner_details_unknown(maia_sandbox: Sandbox, snap_compare: Any, size: tuple[int, int]) -> None:
    maia_sandbox.state.refresh_secret(runner_id("aca-finance"))

    async def steps(pilot: Pilot[Any]) -> None:
        await open_runner(pilot, "aca-finance")

    assert snap_compare(make_app(maia_sandbox), terminal_size=size, run_before=before(steps))


@SIZES
def test_credentials_masked(maia_sandbox: Sandbox, snap_compare: Any, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await open_runner(pilot, "etl-prod-eu", "c")

    assert snap_compare(make_app(maia_sandbox), terminal_size=size, run_before=before(steps))


@SIZES
def test_credentials_revealed_fake_secret(maia_sandbox: Sandbox, snap_compare: Any, size: tuple[int, int]) -> None:
    maia_sandbox.runner("etl-prod-eu").client_secret = FAKE_SECRET

    async def steps(pilot: Pilot[Any]) -> None:
        await open_runner(pilot, "etl-prod-eu", "c", "v")

    assert snap_compare(make_app(maia_sandbox), terminal_size=size, run_before=before(steps))


@SIZES
def test_credentials_after_refresh(maia_sandbox: Sandbox, snap_compare: Any, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await open_runner(pilot, "etl-prod-eu", "c", "f")
        await type_text(pilot, "refresh")
        await pilot.press("enter")

    assert snap_compare(make_app(maia_sandbox), terminal_size=size, run_before=before(steps))


@SIZES
def test_typed_refresh_confirmation(maia_sandbox: Sandbox, snap_compare: Any, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await open_runner(pilot, "etl-prod-eu", "c", "f")
        await type_text(pilot, "Refresh")

    assert snap_compare(make_app(maia_sandbox), terminal_size=size, run_before=before(steps))


@SIZES
def test_typed_pause_confirmation(maia_sandbox: Sandbox, snap_compare: Any, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await open_runner(pilot, "etl-prod-eu", "p")
        await type_text(pilot, "pause runner")

    assert snap_compare(make_app(maia_sandbox), terminal_size=size, run_before=before(steps))


@SIZES
def test_restart_confirmation(maia_sandbox: Sandbox, snap_compare: Any, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await open_runner(pilot, "etl-prod-eu", "R")

    assert snap_compare(make_app(maia_sandbox), terminal_size=size, run_before=before(steps))


@SIZES
def test_error_dialog(maia_sandbox: Sandbox, snap_compare: Any, size: tuple[int, int]) -> None:
    maia_sandbox.maia.faults.add("POST", r"/dpc/v1/agents/.*/commands", status=403)

    async def steps(pilot: Pilot[Any]) -> None:
        await open_runner(pilot, "etl-prod-eu", "R")
        await pilot.click("#confirm")

    assert snap_compare(make_app(maia_sandbox), terminal_size=size, run_before=before(steps))


@SIZES
def test_help(maia_sandbox: Sandbox, snap_compare: Any, size: tuple[int, int]) -> None:
    async def steps(pilot: Pilot[Any]) -> None:
        await pilot.press("question_mark")

    assert snap_compare(make_app(maia_sandbox), terminal_size=size, run_before=before(steps))


@SIZES
def test_first_run(snap_compare: Any, size: tuple[int, int]) -> None:
    settings = replace(load_settings(), config_path=Path("/home/operator/.config/maia-tui/config.yaml"))
    app = MaiaApp(settings, None, clock=frozen_clock())
    assert snap_compare(app, terminal_size=size, run_before=before(nothing))
