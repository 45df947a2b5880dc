"""The embedded sandbox: the Maia emulator, each platform's emulator and the simulated fleet, on loopback."""

from __future__ import annotations

import importlib
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from maia_tui.core.settings import Settings, load_settings
from maia_tui.core.yamlfile import YamlDocument
from maia_tui.sandbox.fleet import SEED_FLEET, make_runner, runner_id, synthetic_runners
from maia_tui.sandbox.maia_emulator import MaiaEmulator
from maia_tui.sandbox.maia_state import EmulatedRunner, MaiaState
from maia_tui.sandbox.runners import RunnerHost, RunnerSimulator

# The platform emulators the sandbox knows; adding a platform adds a line here and nothing else.
PLATFORM_SANDBOXES: dict[str, str] = {
    "aws": "maia_tui.sandbox.aws:AwsSandbox",
    "azure": "maia_tui.sandbox.azure:AzureSandbox",
}

_ACTIVE = threading.Lock()  # moto keeps its state per process: one sandbox at a time


class PlatformSandbox(Protocol):
    """One platform's emulator: deploys runners there and says how other processes reach it."""

    name: str

    def start(self, workdir: Path) -> Any: ...

    def stop(self) -> None: ...

    def env(self) -> dict[str, str]: ...

    def deploy(self, runner: EmulatedRunner, variant: str) -> RunnerHost: ...

    def binding(self, runner: EmulatedRunner) -> dict[str, Any]: ...


def _load_platform(name: str) -> PlatformSandbox:
    module, _, cls = PLATFORM_SANDBOXES[name].partition(":")
    sandbox: PlatformSandbox = getattr(importlib.import_module(module), cls)()
    return sandbox


class Sandbox:
    """Starts everything on 127.0.0.1 with free ports and stops it all again (threads, ports, files)."""

    def __init__(
        self,
        *,
        startup_delay: float = 3.0,
        drain_delay: float = 2.0,
        extra_runners: int = 0,
        workdir: Path | None = None,
        platforms: tuple[str, ...] | None = None,
        tick: float = 0.05,
        refresh_interval: float = 5.0,
    ) -> None:
        self.startup_delay = startup_delay
        self.extra_runners = extra_runners
        self.refresh_interval = refresh_interval
        self._own_workdir = workdir is None
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="maia-sandbox-"))
        self.state = MaiaState(drain_delay=drain_delay)
        self.maia = MaiaEmulator(self.state)
        self.platform_names = tuple(platforms if platforms is not None else PLATFORM_SANDBOXES)
        self.platforms: dict[str, PlatformSandbox] = {}
        self.simulator: RunnerSimulator | None = None
        self.tick = tick
        self.api_credential = self.state.add_api_credential("admin")
        self.member_credential = self.state.add_api_credential("member")
        self._started = False

    # ── lifecycle ──────────────────────────────────────────────────────────

    def start(self) -> Sandbox:
        if not _ACTIVE.acquire(blocking=False):
            raise RuntimeError("another Sandbox is running in this process; stop it first")
        try:
            self._start()
        except BaseException:
            self._teardown()
            _ACTIVE.release()
            raise
        self._started = True
        return self

    def _start(self) -> None:
        self.maia.start()
        self.simulator = RunnerSimulator(
            self.state, base_url=self.maia.server.url, startup_delay=self.startup_delay, tick=self.tick
        )
        for name in self.platform_names:
            platform = _load_platform(name)
            self.platforms[name] = platform
            platform.start(self.workdir)
        bindings: dict[str, dict[str, Any]] = {}
        for seed in SEED_FLEET:
            runner = self.state.add_runner(make_runner(seed))
            platform_name, _, variant = seed.host.partition(":")
            deployed_on = self.platforms.get(platform_name)
            if deployed_on is None:
                continue  # a Maia-only runner (hosted, never deployed, or its platform is not emulated)
            self.simulator.attach(runner.id, deployed_on.deploy(runner, variant))
            bindings[runner.id] = deployed_on.binding(runner)
        for runner in synthetic_runners(self.extra_runners):
            self.state.add_runner(runner)
        self._seed_projects()
        self._write_config(bindings)
        self.simulator.start()

    def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        try:
            self._teardown()
        finally:
            _ACTIVE.release()

    def _teardown(self) -> None:
        if self.simulator is not None:
            self.simulator.stop()
        self.state.close()
        for platform in reversed(list(self.platforms.values())):
            platform.stop()
        self.maia.stop()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ── what other code needs ──────────────────────────────────────────────

    @property
    def aws(self) -> Any:
        """The AWS platform sandbox (moto), for tests that act on it with plain boto3."""
        return self.platforms["aws"]

    @property
    def config_path(self) -> Path:
        return self.workdir / "config.yaml"

    @property
    def env(self) -> dict[str, str]:
        """One variable per thing another shell needs: Maia URLs and credential, platform access, config."""
        env = {
            "MAIA_API_URL": self.maia.api_url,
            "MAIA_TOKEN_URL": self.maia.token_url,
            "MAIA_REGION": "eu1",
            "MAIA_CLIENT_ID": self.api_credential.client_id,
            "MAIA_CLIENT_SECRET": self.api_credential.client_secret,
            "MAIA_TUI_CONFIG": str(self.config_path),
            "MAIA_TUI_STATE_DIR": str(self.workdir / "state"),
            "MAIA_TUI_LOG_DIR": str(self.workdir / "log"),
        }
        for platform in self.platforms.values():
            env.update(platform.env())
        return env

    def settings(self, **overrides: Any) -> Settings:
        settings = load_settings(self.env)
        if overrides:
            from dataclasses import replace

            settings = replace(settings, **overrides)
        return settings

    def runner(self, name: str) -> EmulatedRunner:
        """A seeded runner by name (the emulator's own record, for assertions)."""
        return self.state.runners[runner_id(name)]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0, interval: float = 0.02) -> bool:
        """Poll `condition` until true or `timeout`; True when it held."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(interval)
        return condition()

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait until the simulator has looked at every platform again and no runner is still booting."""
        assert self.simulator is not None
        target = self.simulator.ticks + 3
        simulator = self.simulator
        return self.wait_for(lambda: simulator.ticks >= target and simulator.idle, timeout)

    # ── seeding ───────────────────────────────────────────────────────────

    def _seed_projects(self) -> None:
        ids = {seed.name: runner_id(seed.name) for seed in SEED_FLEET}
        analytics = self.state.add_project(
            "Analytics", {"production": ids["etl-prod-eu"], "development": ids["aca-analytics"]}
        )
        self.state.add_project("Finance", {"prod": ids["aca-finance"], "batch": ids["etl-batch-paused"]})
        self.state.add_execution(analytics, "production", "load_orders")
        self.state.add_execution(analytics, "production", "refresh_customer_360")
        self.state.add_execution(analytics, "production", "daily_revenue", status="SUCCESS")
        self.state.add_execution(analytics, "development", "dev_sandbox_check")

    def _write_config(self, bindings: dict[str, dict[str, Any]]) -> None:
        doc = YamlDocument.load_or_new(self.config_path)
        doc.data["sandbox"] = True
        doc.data["maia"] = {"region": "eu1", "account": "sandbox"}
        doc.data["ui"] = {"refresh_interval": self.refresh_interval}
        doc.data["runners"] = bindings
        doc.data.yaml_set_start_comment(
            "maia-tui sandbox configuration: throw-away, removed when the sandbox stops.\n"
            "Platform bindings say where each runner's secret lives."
        )
        doc.save()
