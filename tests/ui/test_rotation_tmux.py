"""The whole guided rotation in the real `maia-tui demo`, in tmux, by keyboard only: Running → Unknown → Running."""

from __future__ import annotations

import re
import shutil
import sys

import pytest

from tests.ui.test_tmux_e2e import Tmux, tmux  # noqa: F401 - the fixture is used by name

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def test_guided_rotation_by_keyboard(tmux: Tmux) -> None:  # noqa: F811
    # The shell prints the exit status in the pane: tmux's own pane_dead_status is not always filled in.
    demo = f"env TERM=xterm-256color {sys.executable} -m maia_tui demo --startup-delay 1.0"
    command = f"sh -c '{demo}; echo maia-tui-exit=$?; sleep 30'"
    tmux("new-session", "-d", "-s", "app", "-x", "140", "-y", "45", command)
    tmux("set-option", "-s", "escape-time", "0")
    tmux("resize-window", "-t", "app", "-x", "140", "-y", "45")

    tmux.wait(lambda s: "etl-legacy-plain" in s and "SANDBOX" in s, "the runner list", timeout=90)
    tmux.keys("/")
    tmux.wait_for("Filter /")
    tmux.keys("legacy", literal=True)
    tmux.wait(lambda s: "1 of 10 match" in s and "aca-analytics" not in s, "the list filtered to etl-legacy-plain")
    tmux.keys("Enter")
    tmux.keys("Enter")
    tmux.wait_for("Pipelines running")  # the runner's details
    tmux.keys("c")
    tmux.wait(lambda s: "Client secret" in s and "etl-legacy-plain" in s, "the credentials screen")
    tmux.keys("g")
    tmux.wait_for("nothing is revoked until you type refresh")

    tmux.keys("s")
    tmux.wait_for("to confirm")
    tmux.keys("refresh", literal=True)
    tmux.keys("Enter")
    tmux.wait(lambda s: re.search(r"etl-legacy-plain · Unknown", s) is not None, "the runner Unknown after refresh")
    done = tmux.wait_for("✓ Rotated in", timeout=30)
    assert "etl-legacy-plain is Running" in done and "fingerprints match" in done
    assert "PutSecretValue: etl-legacy-plain-oauth-credentials now holds" in done or "✓ Verify" in done

    tmux.keys("Escape")  # the panel
    tmux.wait(lambda s: "Client secret" in s and "Guided rotation" not in s.splitlines()[0], "the credentials")
    tmux.keys("Escape")
    tmux.wait_for("Pipelines running")  # the details
    tmux.keys("Escape")
    tmux.wait(lambda s: re.search(r"etl-legacy-plain\s+● Running", s) is not None, "etl-legacy-plain Running")
    tmux.keys("Escape")  # clear the filter
    tmux.wait_for("10 runners")
    tmux.keys("q")
    tmux.wait_for("maia-tui-exit=0")
