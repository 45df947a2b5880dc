"""Helpers for the Azure tests: a progress recorder, extra sandbox runners, and the adapter's steps in order."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from maia_tui.core.maia import MaiaClient
from maia_tui.core.maia.models import Runner, RunnerCredentials
from maia_tui.core.platforms.azure import AzureAdapter
from maia_tui.core.platforms.base import PlatformTarget
from maia_tui.core.settings import save_binding
from maia_tui.sandbox.azure import AzureSandbox
from maia_tui.sandbox.fleet import RunnerSeed, make_runner, runner_id
from maia_tui.sandbox.sandbox import Sandbox

REFRESHES = r"/v1/agents/[^/]+/credentials"


@dataclass
class Progress:
    """Records what an adapter reports, as the engine's ThreadProgress would receive it."""

    lines: list[str] = field(default_factory=list)
    fractions: list[float | None] = field(default_factory=list)
    cancel: bool = False

    def log(self, line: str) -> None:
        self.lines.append(line)

    def fraction(self, value: float | None) -> None:
        self.fractions.append(value)

    def cancelled(self) -> bool:
        return self.cancel

    def text(self) -> str:
        return "\n".join(self.lines)


def azure(sandbox: Sandbox) -> AzureSandbox:
    platform = sandbox.platforms["azure"]
    assert isinstance(platform, AzureSandbox)
    return platform


def deploy_extra(sandbox: Sandbox, name: str, variant: str) -> dict[str, Any]:
    """Add a Maia runner deployed as a Container App of `variant`, running; returns its binding."""
    runner = sandbox.state.add_runner(make_runner(RunnerSeed(name, "azure", "container app")))
    host = azure(sandbox).deploy(runner, variant)
    assert sandbox.simulator is not None
    sandbox.simulator.attach(runner.id, host)
    assert sandbox.wait_for(lambda: sandbox.runner(name).connected, 5)
    binding = azure(sandbox).binding(runner)
    save_binding(sandbox.config_path, runner.id, binding)  # as the sandbox does for its seeded runners
    return binding


def connected(sandbox: Sandbox, name: str) -> bool:
    runner = sandbox.runner(name)
    return runner.connected and runner.status == "running"


async def locate(adapter: AzureAdapter, maia: MaiaClient, sandbox: Sandbox, name: str) -> tuple[Runner, PlatformTarget]:
    runner = await maia.get_runner(runner_id(name))
    binding = sandbox.settings().binding(runner.id, runner.name)
    return runner, await asyncio.to_thread(adapter.locate, runner, binding)


async def rotate(
    adapter: AzureAdapter, maia: MaiaClient, target: PlatformTarget, progress: Progress
) -> RunnerCredentials:
    """Refresh in Maia, then apply, restart and wait on Azure, in the engine's order."""
    credentials = await maia.refresh_credentials(target.runner_id)
    await asyncio.to_thread(adapter.apply_secret, target, credentials, token="t1", progress=progress)
    await asyncio.to_thread(adapter.restart, target, progress)
    await asyncio.to_thread(adapter.wait_healthy, target, progress, 10.0)
    return credentials
