"""The maia-tui command: help, version, errors without tracebacks, runners, info and the sandbox exports."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from maia_tui import __version__
from maia_tui.cli import main
from maia_tui.sandbox.process import READY
from maia_tui.sandbox.sandbox import Sandbox


def test_version_and_help() -> None:
    out = subprocess.run([sys.executable, "-m", "maia_tui", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"maia-tui {__version__}"
    help_text = subprocess.run([sys.executable, "-m", "maia_tui", "--help"], capture_output=True, text=True).stdout
    for command in ("demo", "sandbox", "runners", "info"):
        assert command in help_text


@pytest.mark.parametrize("argv", [[], ["runners"], ["runners", "--json"]])
def test_without_credentials_says_what_to_set(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "MAIA_CLIENT_ID" in err and "MAIA_CLIENT_SECRET" in err
    assert "maia-tui demo" in err
    assert "Traceback" not in err


def test_malformed_config_is_one_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "broken.yaml"
    config.write_text("maia:\n  region: eu1\n runners: [\n")
    monkeypatch.setenv("MAIA_TUI_CONFIG", str(config))
    result = subprocess.run([sys.executable, "-m", "maia_tui", "info"], capture_output=True, text=True)
    assert result.returncode == 2
    assert str(config) in result.stderr and "line 3" in result.stderr
    assert "Traceback" not in result.stderr


def test_info_shows_paths(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert str(tmp_path / "config.yaml") in out and str(tmp_path / "state") in out and "(not set" in out


async def test_runners_json_lists_the_fleet(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    from maia_tui.cli import _runners

    assert await _runners(sandbox.settings(), as_json=True) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["etl-prod-eu"]["status"] == "running" and rows["etl-prod-eu"]["platform"] == "AWS Fargate"
    assert rows["etl-batch-paused"]["status"] == "paused" and rows["etl-batch-paused"]["pausedUntil"]
    assert rows["etl-staging-stopped"]["connected"] is False
    assert await _runners(sandbox.settings(), as_json=False) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split()[:3] == ["NAME", "STATUS", "CONNECTED"]


def test_sandbox_exports_work_in_another_shell(tmp_path: Path) -> None:
    """As in the README: start `maia-tui sandbox`, eval its exports in a shell, list runners from there."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAIA_", "AWS_"))}
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "maia_tui", "sandbox", "--startup-delay", "0.05"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert sandbox.stdout is not None
        exports = []
        for line in sandbox.stdout:
            if line.startswith(READY):
                break
            exports.append(line)
        script = tmp_path / "sandbox.env"
        script.write_text("".join(exports))
        maia_tui = shutil.which("maia-tui", path=os.path.dirname(sys.executable)) or f"{sys.executable} -m maia_tui"
        shell = subprocess.run(
            ["bash", "-c", f'eval "$(grep ^export {script})" && {maia_tui} runners --json'],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert shell.returncode == 0, shell.stderr
        statuses = {row["name"]: row["status"] for row in json.loads(shell.stdout)}
        assert statuses["etl-prod-eu"] == "running"
        assert statuses["etl-new-pending"] == "pending"
        config = Path(next(e for e in exports if "MAIA_TUI_CONFIG" in e).split("=", 1)[1].strip())
        assert config.exists()
    finally:
        sandbox.send_signal(signal.SIGINT)
        assert sandbox.wait(timeout=20) == 0
    assert not config.exists()  # its files are gone with it
