"""Fixtures for the UI tests: a Maia-only sandbox (the screens here talk to Maia alone), started in milliseconds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from maia_tui.sandbox.sandbox import Sandbox


@pytest.fixture
def maia_sandbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Sandbox]:
    """The sandbox's Maia emulator and seeded fleet without the cloud emulators; its exports are in os.environ."""
    box = Sandbox(startup_delay=0.05, drain_delay=0.05, workdir=tmp_path / "sandbox", tick=0.5, platforms=())
    box.start()
    for name, value in box.env.items():
        monkeypatch.setenv(name, value)
    try:
        yield box
    finally:
        box.stop()
