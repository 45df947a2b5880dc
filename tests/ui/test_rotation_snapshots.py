"""Snapshots of the guided rotation panel: mid-rotation (pausing) and done, at a fixed size, with a frozen clock."""

from __future__ import annotations

import itertools
import random
import urllib.request
import uuid
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import RichLog

from maia_tui.core.rotation.model import Outcome, StepId, StepState
from maia_tui.sandbox import maia_state
from maia_tui.sandbox.sandbox import Sandbox
from tests.ui.helpers import make_app, wait_until
from tests.ui.test_rotation_panel import confirm_refresh, open_panel

SIZE = (140, 42)


@pytest.fixture
def steady(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """Every random id the panel shows made repeatable: rotation id (uuid4), new secret, ECS deployment ids."""
    rng = random.Random(7)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=rng.getrandbits(128), version=4))
    numbers = itertools.count(1)
    monkeypatch.setattr(maia_state, "new_secret", lambda: f"snapshot-secret-{next(numbers):04d}")
    seed = urllib.request.Request(f"{sandbox.aws.url}/moto-api/seed?a=42", method="POST")
    urllib.request.urlopen(seed, timeout=5).close()
    return sandbox


def test_panel_mid_rotation_while_pausing(snap_compare: Any, steady: Sandbox) -> None:
    steady.state.drain_delay = 3600.0  # the runner keeps draining: the pause step stays running
    app = make_app(steady)

    async def run_before(pilot: Pilot[Any]) -> None:
        panel = await open_panel(pilot, steady, "etl-prod-eu")
        await pilot.press("s")
        await confirm_refresh(pilot)
        assert panel.rotation is not None
        pause = panel.rotation.steps[StepId.PAUSE]
        left = panel.query_one("#wait-left")
        assert await wait_until(pilot, lambda: pause.state is StepState.RUNNING and "left" in str(left.render()), 10)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_panel_done(snap_compare: Any, steady: Sandbox) -> None:
    app = make_app(steady)

    async def run_before(pilot: Pilot[Any]) -> None:
        panel = await open_panel(pilot, steady, "etl-prod-eu")
        await pilot.press("s")
        await confirm_refresh(pilot)
        assert await wait_until(pilot, lambda: panel.outcome is Outcome.SUCCEEDED, 15)
        await pilot.pause()
        log = panel.query_one(RichLog)
        log.scroll_home(animate=False)  # the preflight lines: the same on every run
        # How many lines the wait step logs depends on which poll saw the runner first: hide the thumb it sizes.
        log.styles.scrollbar_size_vertical = 0
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
