"""A rotation interrupted after the refresh continues at apply with GET credentials: never a second refresh."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from maia_tui.core.maia import MaiaClient
from maia_tui.core.rotation.journal import Journal, record_external_refresh
from maia_tui.core.rotation.model import Outcome, StartMode, StepId, StepState
from maia_tui.sandbox.sandbox import Sandbox
from tests.rotation.helpers import make_rotation, refreshes, secret_json

# A real maia-tui process that dies (os._exit, like a kill -9) right after the refresh was journaled.
CRASHING_ROTATION = textwrap.dedent(
    """
    import asyncio, os, sys
    from maia_tui.core.maia import MaiaClient
    from maia_tui.core.platforms.registry import adapter_for
    from maia_tui.core.rotation.engine import AutoHooks, Rotation
    from maia_tui.core.rotation.events import StepChanged
    from maia_tui.core.settings import load_settings

    def crash(event):
        if isinstance(event, StepChanged) and event.step.value == "refresh" and event.state.value == "done":
            os._exit(137)

    async def main():
        settings = load_settings()
        async with MaiaClient.from_settings(settings) as client:
            runner = await client.get_runner(sys.argv[1])
            rotation = Rotation(runner, client=client, settings=settings, adapter=adapter_for("aws", settings),
                                hooks=AutoHooks(pause=False), on_event=crash)
            await rotation.run()

    asyncio.run(main())
    """
)


async def test_crash_between_refresh_and_apply_resumes_at_apply(sandbox: Sandbox, maia: MaiaClient) -> None:
    emulated = sandbox.runner("etl-prod-eu")
    env = {**os.environ, **sandbox.env}
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_ROTATION, emulated.id], env=env, capture_output=True, text=True, timeout=60
    )
    assert crashed.returncode == 137, crashed.stderr
    assert refreshes(sandbox) == 1
    assert emulated.status == "unknown"
    settings = sandbox.settings()
    pending = Journal(settings.state_dir).pending(emulated.id)
    assert pending is not None and pending.next_step is StepId.APPLY
    assert pending.fingerprint and pending.fingerprint != ""
    lock = settings.state_dir / "locks" / f"{emulated.id}.lock"
    assert lock.exists()  # left behind by the dead process

    runner = await maia.get_runner(emulated.id)
    rotation, events = make_rotation(sandbox, maia, runner, mode=StartMode.RESUME, pending=pending)
    assert rotation.id == pending.rotation_id
    assert rotation.steps[StepId.REFRESH].state is StepState.DONE
    assert await rotation.run() is Outcome.SUCCEEDED  # the stale lock was taken over
    assert refreshes(sandbox) == 1  # no second refresh
    assert sandbox.maia.count("GET", r"/v1/agents/[^/]+/credentials") >= 1
    assert "Reading the current secret back from Maia (GET credentials): no second refresh" in events.log()
    assert events.states(StepId.REFRESH) == []  # the refresh step never ran again
    assert secret_json(sandbox, "etl-prod-eu")["client_secret"] == emulated.client_secret
    assert emulated.status == "running" and emulated.connected
    assert Journal(settings.state_dir).pending(emulated.id) is None
    assert not lock.exists()


async def test_refresh_done_in_the_credentials_screen_is_applied_without_another(
    sandbox: Sandbox, maia: MaiaClient
) -> None:
    emulated = sandbox.runner("etl-legacy-plain")
    runner = await maia.get_runner(emulated.id)
    credentials = await maia.refresh_credentials(emulated.id)  # as the credentials screen does
    settings = sandbox.settings()
    rotation_id = record_external_refresh(settings, runner, credentials)
    pending = Journal(settings.state_dir).pending(emulated.id)
    assert pending is not None and pending.rotation_id == rotation_id and pending.next_step is StepId.APPLY

    rotation, _ = make_rotation(sandbox, maia, runner, mode=StartMode.GIVEN, credentials=credentials)
    assert await rotation.run() is Outcome.SUCCEEDED
    assert refreshes(sandbox) == 1
    assert emulated.status == "running" and emulated.connected


async def test_apply_current_secret_without_refreshing(sandbox: Sandbox, maia: MaiaClient) -> None:
    """A runner left Unknown by a refresh done in Maia's console: apply what Maia holds now."""
    emulated = sandbox.runner("etl-prod-eu")
    await maia.refresh_credentials(emulated.id)
    assert emulated.status == "unknown"
    rotation, events = make_rotation(sandbox, maia, await maia.get_runner(emulated.id), mode=StartMode.CURRENT)
    assert await rotation.run() is Outcome.SUCCEEDED
    assert refreshes(sandbox) == 1
    assert events.states(StepId.REFRESH) == []
    assert "the store holds" in events.log() and "cannot authenticate with it" in events.log()  # drift seen
    assert emulated.status == "running" and emulated.connected
