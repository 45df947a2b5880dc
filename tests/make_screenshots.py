"""Write SVG screenshots of every screen into screenshots/ (masked secrets only), from the sandbox.

Run from the repository root:  /work/venv/bin/python tests/make_screenshots.py [--out screenshots]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: make `tests` importable

from maia_tui.core.maia import MaiaClient
from maia_tui.core.rotation.model import Outcome, StepId, StepState
from maia_tui.core.settings import load_settings
from maia_tui.sandbox.fleet import runner_id
from maia_tui.sandbox.sandbox import Sandbox
from maia_tui.ui.app import MaiaApp
from maia_tui.ui.clock import frozen_clock
from tests.ui.helpers import open_runner, settle, type_text, wait_until
from tests.ui.test_rotation_panel import confirm_refresh, open_panel
from tests.ui.test_snapshots import steady

SIZE = (100, 30)
Steps = Callable[[Pilot[Any], Sandbox], Awaitable[None]]


async def runner_list(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    """The first screen."""


async def filtered(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    sandbox.state.refresh_secret(runner_id("etl-prod-eu"))
    await pilot.press("slash")
    await type_text(pilot, "aws")
    await pilot.press("enter", "s")


async def details(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    await open_runner(pilot, "etl-batch-paused")


async def credentials(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    await open_runner(pilot, "etl-prod-eu", "c")


async def refresh_confirmation(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    await open_runner(pilot, "etl-prod-eu", "c", "f")
    await type_text(pilot, "refres")


async def after_refresh(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    await refresh_confirmation(pilot, sandbox)
    await type_text(pilot, "h")
    await pilot.press("enter")


async def pause_confirmation(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    await open_runner(pilot, "etl-prod-eu", "p")


async def keys(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    await pilot.press("question_mark")


async def rotation_running(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    sandbox.simulator.startup_delay = 3600.0  # the new ECS tasks keep starting: the wait step stays running
    panel = await open_panel(pilot, sandbox, "etl-prod-eu")
    await pilot.press("p", "s")  # no pause first: straight to refresh → apply → restart → wait
    await confirm_refresh(pilot)
    assert panel.rotation is not None
    wait = panel.rotation.steps[StepId.WAIT]
    await wait_until(pilot, lambda: wait.state is StepState.RUNNING, 15)


async def rotation_done(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    panel = await open_panel(pilot, sandbox, "etl-prod-eu")
    await pilot.press("s")
    await confirm_refresh(pilot)
    await wait_until(pilot, lambda: panel.outcome is Outcome.SUCCEEDED, 30)


async def disconnected(pilot: Pilot[Any], sandbox: Sandbox) -> None:
    sandbox.maia.faults.add("GET", r"/dpc/v1/agents", drop=True, count=4)
    await pilot.press("r")


SCENES: list[tuple[str, Steps, dict[str, Any]]] = [
    ("01-runner-list", runner_list, {}),
    ("02-runner-list-filtered-by-status", filtered, {}),
    ("03-runner-details-paused", details, {}),
    ("04-credentials-masked", credentials, {}),
    ("05-typed-refresh-confirmation", refresh_confirmation, {}),
    ("06-credentials-after-refresh", after_refresh, {}),
    ("07-typed-pause-confirmation", pause_confirmation, {}),
    ("08-help", keys, {}),
    ("09-readonly-disconnected", disconnected, {"readonly": True, "refresh_interval": 30.0}),
    ("11-guided-rotation-waiting", rotation_running, {}),
    ("12-guided-rotation-done", rotation_done, {}),
]
NEEDS_AWS = {"11-guided-rotation-waiting", "12-guided-rotation-done"}


def shoot(name: str, steps: Steps, overrides: dict[str, Any], out: Path) -> None:
    platforms = ("aws",) if name in NEEDS_AWS else ()
    with Sandbox(
        startup_delay=0.5, drain_delay=1.0, platforms=platforms, tick=0.05, workdir=Path(tempfile.mkdtemp())
    ) as sandbox:
        saved = dict(os.environ)
        os.environ.update(sandbox.env)  # the AWS adapter reaches moto the way production reaches AWS
        settings = sandbox.settings(**overrides)
        app = MaiaApp(settings, MaiaClient.from_settings(settings))  # real clock: "paused until" must match

        async def auto_pilot(pilot: Pilot[Any]) -> None:
            await settle(pilot)
            await steps(pilot, sandbox)
            steady(app)
            if name in NEEDS_AWS:  # the rotation's workers run on: let the screen catch up, do not wait for them
                for _ in range(3):
                    await pilot.pause()
            else:
                await settle(pilot)
            pilot.app.exit(app.export_screenshot(title=f"maia-tui · {name[3:].replace('-', ' ')}"))

        size = (120, 35) if name in NEEDS_AWS else SIZE
        svg = app.run(headless=True, size=size, auto_pilot=auto_pilot)
        assert isinstance(svg, str)
        (out / f"{name}.svg").write_text(svg)
        os.environ.clear()
        os.environ.update(saved)


def first_run(out: Path) -> None:
    settings = replace(load_settings(), config_path=Path("~/.config/maia-tui/config.yaml"))
    app = MaiaApp(settings, None, clock=frozen_clock())

    async def auto_pilot(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        pilot.app.exit(app.export_screenshot(title="maia-tui · first run"))

    (out / "10-first-run.svg").write_text(app.run(headless=True, size=SIZE, auto_pilot=auto_pilot) or "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(exist_ok=True)
    for name, steps, overrides in SCENES:
        shoot(name, steps, overrides, args.out)
        print(f"wrote {args.out / name}.svg")
    first_run(args.out)
    print(f"wrote {args.out / '10-first-run'}.svg")


if __name__ == "__main__":
    main()
