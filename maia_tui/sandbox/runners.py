"""Honest simulated runners: each reads its secret from its platform store at start and logs in to Maia with it."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from maia_tui.sandbox.maia_state import MaiaState

log = logging.getLogger(__name__)


class StartFailure(Exception):
    """The platform could not start the runner's container (e.g. the secret reference does not resolve)."""


class RunnerHost(Protocol):
    """The platform side of one simulated runner: where it reads its secret and how it gets restarted."""

    def generation(self) -> str:
        """A value that changes whenever the platform restarts the runner (a deployment or revision id)."""
        ...

    def read_credentials(self) -> tuple[str, str]:
        """The client id and secret the runner's container receives at start; raises StartFailure."""
        ...

    def starting(self) -> None:
        """The platform began replacing the runner's instances."""
        ...

    def started(self, ok: bool, reason: str) -> None:
        """The instances are up (ok) or failed to start (reason)."""
        ...


@dataclass
class _Boot:
    runner_id: str
    due: float


class RunnerSimulator:
    """One thread that watches every runner's platform and (re)starts runners when their platform does."""

    def __init__(self, state: MaiaState, *, base_url: str, startup_delay: float, tick: float = 0.05) -> None:
        self.state = state
        self.token_url = f"{base_url}/oauth/dpc/token"
        self.connect_url = f"{base_url}/_runner/connect"
        self.startup_delay = startup_delay
        self.tick = tick
        self.hosts: dict[str, RunnerHost] = {}
        self._generations: dict[str, str] = {}
        self._boots: dict[str, _Boot] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.events: list[tuple[str, str]] = []  # (runner id, what happened), for tests and the demo log
        self.ticks = 0

    def attach(self, runner_id: str, host: RunnerHost, *, boot: bool = True) -> None:
        """Put a runner on its platform; with `boot`, it starts now (reads its secret and connects)."""
        self.hosts[runner_id] = host
        self._generations[runner_id] = host.generation()
        if boot:
            self._boot(runner_id)

    def start(self) -> RunnerSimulator:
        self._thread = threading.Thread(target=self._run, name="runner-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            try:
                self._step()
            except Exception:  # keep simulating: one bad host must not stop the fleet
                log.exception("runner simulator step failed")

    @property
    def idle(self) -> bool:
        """No runner is waiting to boot."""
        return not self._boots

    def _step(self) -> None:
        self.ticks += 1
        now = time.monotonic()
        for runner_id in self.state.take_restart_requests():
            self._schedule(runner_id, now, reason="restart requested by Maia")
        for runner_id, host in list(self.hosts.items()):
            try:
                generation = host.generation()
            except Exception:
                continue
            if generation != self._generations.get(runner_id):
                self._generations[runner_id] = generation
                host.starting()
                self._schedule(runner_id, now, reason="restarted on its platform")
        for runner_id, boot in list(self._boots.items()):
            if boot.due <= now:
                del self._boots[runner_id]
                self._boot(runner_id)

    def _schedule(self, runner_id: str, now: float, *, reason: str) -> None:
        with self.state.lock:
            runner = self.state.runners.get(runner_id)
            if runner is None:
                return
            if runner.connected:
                self.state.disconnect(runner_id, "stopping")
        self.events.append((runner_id, reason))
        self._boots[runner_id] = _Boot(runner_id, now + self.startup_delay)

    def _boot(self, runner_id: str) -> None:
        host = self.hosts.get(runner_id)
        if host is None:  # a Maia-only runner: it comes back with the credentials it already had
            with self.state.lock:
                runner = self.state.runners[runner_id]
                client_id, secret = runner.client_id, runner.client_secret
        else:
            try:
                client_id, secret = host.read_credentials()
            except StartFailure as exc:
                host.started(False, str(exc))
                self.state.disconnect(runner_id, "unknown")
                self.events.append((runner_id, f"failed to start: {exc}"))
                return
            host.started(True, "")
        if self._login(client_id, secret):
            self.events.append((runner_id, "connected"))
        else:
            self.state.disconnect(runner_id, "unknown")
            self.events.append((runner_id, "authentication rejected by Maia"))

    def _login(self, client_id: str, secret: str) -> bool:
        """Authenticate to the Maia emulator over HTTP exactly as a runner would, then connect."""
        form = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
                "audience": "https://api.matillion.com",
            }
        ).encode()
        try:
            with urllib.request.urlopen(self.token_url, data=form, timeout=5) as answer:
                token = json.loads(answer.read())["access_token"]
            request = urllib.request.Request(
                self.connect_url, data=b"{}", method="POST", headers={"Authorization": f"Bearer {token}"}
            )
            with urllib.request.urlopen(request, timeout=5):
                return True
        except (urllib.error.URLError, KeyError, ValueError, OSError):
            return False
