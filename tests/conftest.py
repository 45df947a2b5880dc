"""Fixtures shared by every test: an isolated environment, the sandbox, and a Maia client on it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from maia_tui.core.maia import MaiaClient, RetryPolicy
from maia_tui.sandbox.sandbox import Sandbox

# Retries as in production, with delays shrunk so tests stay fast.
FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, rate_limit_waits=5, max_retry_after=2.0)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's Maia, AWS or Azure settings, or writes to their XDG dirs."""
    for name in list(os.environ):
        if name.startswith(("MAIA_", "AWS_", "AZURE_", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("MAIA_TUI_CONFIG", str(tmp_path / "config.yaml"))
    monkeypatch.setenv("MAIA_TUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("MAIA_TUI_LOG_DIR", str(tmp_path / "log"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Sandbox]:
    """A running sandbox with near-instant runner start-up; its exports are in os.environ."""
    box = Sandbox(startup_delay=0.05, drain_delay=0.05, workdir=tmp_path / "sandbox", tick=0.01)
    box.start()
    for name, value in box.env.items():
        monkeypatch.setenv(name, value)
    try:
        yield box
    finally:
        box.stop()


@pytest.fixture
async def maia(sandbox: Sandbox) -> AsyncIterator[MaiaClient]:
    """A Maia API client on the sandbox, with fast retries."""
    client = MaiaClient.from_settings(sandbox.settings(), retry=FAST_RETRY)
    try:
        yield client
    finally:
        await client.aclose()
