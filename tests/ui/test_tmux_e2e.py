"""The real `maia-tui demo` in tmux by keyboard: list, filter, details, credentials, refresh, reveal, copy."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator

import pytest

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


class Tmux:
    """A private tmux server (own socket, no user config) running one pane."""

    def __init__(self) -> None:
        self.socket = f"maia-tui-test-{uuid.uuid4().hex[:8]}"

    def __call__(self, *args: str) -> str:
        # COLUMNS/LINES of the test process would pin every app in the panes to 80x24, whatever the pane size.
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        result = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args], capture_output=True, text=True, timeout=10, env=env
        )
        return result.stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        self("send-keys", "-t", "app", *(["-l"] if literal else []), *keys)

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "app")

    def wait(self, condition: Callable[[str], bool], what: str, timeout: float = 15.0) -> str:
        """Poll the pane every 50 ms until `condition(text)` holds; fail with the last screen otherwise."""
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if condition(text):
                return text
            time.sleep(0.05)  # polling a real terminal: there is no event to wait on
        state = self("display-message", "-p", "-t", "app", "#{pane_dead}:#{pane_dead_status}:#{pane_dead_signal}")
        raise AssertionError(f"timed out waiting for {what} ({state.strip()}); the screen was:\n{text}")

    def wait_for(self, needle: str, timeout: float = 15.0) -> str:
        return self.wait(lambda text: needle in text, repr(needle), timeout)


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    server = Tmux()
    try:
        yield server
    finally:
        server("kill-server")


def test_rotate_the_secret_by_keyboard_only(tmux: Tmux) -> None:
    command = f"env TERM=xterm-256color {sys.executable} -m maia_tui demo --startup-delay 0.2"
    tmux("new-session", "-d", "-s", "app", "-x", "100", "-y", "30", command)
    tmux("set-option", "-s", "set-clipboard", "on")
    tmux("set-option", "-s", "escape-time", "0")
    tmux("set-option", "-t", "app", "remain-on-exit", "on")

    tmux.wait(lambda s: "etl-prod-eu" in s and "SANDBOX" in s, "the runner list", timeout=90)
    tmux.keys("/")
    tmux.keys("prod", literal=True)
    tmux.wait_for("1 of 10 match “prod”")
    tmux.keys("Enter")
    tmux.keys("Enter")
    tmux.wait_for("Pipelines running")
    tmux.keys("c")
    tmux.wait(lambda s: "Client secret" in s and "masked" in s and "agent-" in s, "the credentials screen")

    tmux.keys("f")
    tmux.wait_for("to confirm")
    tmux.keys("refresh", literal=True)
    tmux.keys("Enter")
    tmux.wait(lambda s: "Unknown" in s and "Next: apply the new secret" in s, "the refreshed credentials")
    assert "masked" in tmux.screen()

    tmux.keys("v")
    shown = tmux.wait_for("masks again in")
    secret = re.search(r"Client secret\s+(\S+)", shown)
    assert secret is not None and "•" not in secret.group(1), shown
    tmux.keys("y")
    tmux.wait(lambda _: tmux("show-buffer") == secret.group(1), "the secret in the tmux paste buffer", timeout=5)

    tmux.keys("Escape")
    tmux.wait_for("Track released")
    tmux.keys("Escape")
    listed = tmux.wait(lambda s: re.search(r"etl-prod-eu\s+\? Unknown", s) is not None, "etl-prod-eu Unknown")
    assert secret.group(1) not in listed
    tmux.keys("Escape")  # clear the filter; wait, or Escape and q arrive together and read as Alt+q
    tmux.wait_for("10 runners")
    tmux.keys("q")
    tmux.wait(lambda _: tmux("display-message", "-p", "-t", "app", "#{pane_dead}").strip() == "1", "the app to quit")
    # tmux 3.3 sometimes reports a dead pane without its status; when it has one, it must be 0.
    assert tmux("display-message", "-p", "-t", "app", "#{pane_dead_status}").strip() in ("", "0")
