"""Helpers for the UI tests: build the app on the sandbox, wait for it to settle, read the screen as text."""

from __future__ import annotations

import asyncio
import io
from typing import Any

from rich.console import Console
from textual.pilot import Pilot

from maia_tui.core.maia import MaiaClient
from maia_tui.sandbox.fleet import runner_id
from maia_tui.sandbox.sandbox import Sandbox
from maia_tui.ui.app import MaiaApp
from maia_tui.ui.clock import frozen_clock
from tests.conftest import FAST_RETRY


def make_app(sandbox: Sandbox, **overrides: Any) -> MaiaApp:
    """The app on the sandbox with fast retries and a frozen clock (ages read 0s, dates are fixed)."""
    settings = sandbox.settings(**overrides)
    return MaiaApp(settings, MaiaClient.from_settings(settings, retry=FAST_RETRY), clock=frozen_clock())


async def settle(pilot: Pilot[Any]) -> None:
    """Let messages, workers and the refreshes they cause run out."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app: MaiaApp) -> str:
    """What the terminal shows right now, as plain text (dialogs over their screen included)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, record=True)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False)


def notifications(app: MaiaApp) -> list[tuple[str, str]]:
    """(severity, message) of every notification the app raised."""
    return [(n.severity, n.message) for n in app._notifications]


async def wait_until(pilot: Pilot[Any], condition: Any, timeout: float = 5.0) -> bool:
    """Let the app run until `condition()` holds or `timeout` passes (a deadline, never a fixed sleep)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if condition():
            return True
        await pilot.pause(0.02)
    return bool(condition())


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type characters one key at a time (spaces included)."""
    await pilot.press(*("space" if ch == " " else ch for ch in text))


async def open_runner(pilot: Pilot[Any], name: str, *then: str) -> None:
    """From the list: put the cursor on `name`, open its details, then press `then` (e.g. "c")."""
    app = pilot.app
    await settle(pilot)
    assert app.runner_list is not None
    assert app.runner_list.table.select_runner(runner_id(name)), name
    await pilot.press("enter")
    await settle(pilot)
    for key in then:
        await pilot.press(key)
        await settle(pilot)


_BOX = str.maketrans("", "", "█▌▐▎▊│╭╮╰╯─▔▁▄▀")


def flat_text(app: MaiaApp) -> str:
    """The screen text with borders removed and whitespace collapsed, for phrases that wrap."""
    return " ".join(screen_text(app).translate(_BOX).split())
