"""`maia-tui rotate`: the same engine headless; exit 0 only when the runner is back and verified."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from maia_tui.cli import main
from maia_tui.core.rotation.journal import Journal
from maia_tui.sandbox.sandbox import Sandbox
from tests.rotation.helpers import primary_deployment, refreshes, secret_json, secret_text, versions


def test_rotate_json_lines_by_name(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    emulated = sandbox.runner("etl-prod-eu")
    assert main(["rotate", "etl-prod-eu", "--yes", "--json"]) == 0
    out = capsys.readouterr().out
    events = [json.loads(line) for line in out.splitlines()]
    assert events[-1]["event"] == "finished" and events[-1]["outcome"] == "succeeded"
    assert events[-1]["fingerprints_match"] is True
    done = [e["step"] for e in events if e["event"] == "step" and e["state"] == "done"]
    assert done == ["preflight", "pause", "refresh", "apply", "restart", "wait", "resume", "verify"]
    assert emulated.client_secret not in out  # the canary: no secret on stdout
    assert secret_json(sandbox, "etl-prod-eu")["client_secret"] == emulated.client_secret
    assert emulated.status == "running" and emulated.connected


def test_rotate_by_id_without_pause(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    emulated = sandbox.runner("etl-prod-eu")
    assert main(["rotate", emulated.id, "--yes", "--no-pause"]) == 0
    out = capsys.readouterr().out
    assert "– Pause the runner: not pausing (chosen)" in out
    assert "Pipelines are running and the runner will not be paused" in out
    assert "✓ succeeded: etl-prod-eu is Running again" in out
    assert emulated.client_secret not in out


def test_dry_run_changes_nothing(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    emulated = sandbox.runner("etl-prod-eu")
    config = sandbox.config_path.read_bytes()
    secret, secret_versions = secret_text(sandbox, "etl-prod-eu"), versions(sandbox, "etl-prod-eu")
    deployment = primary_deployment(sandbox, "etl-prod-eu")["id"]
    assert main(["rotate", "etl-prod-eu", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Plan (dry run: nothing was changed):" in out
    assert "3. Refresh in Maia: SECRET_REFRESH" in out
    assert "secret etl-prod-eu-oauth-credentials key client_secret" in out
    assert refreshes(sandbox) == 0
    assert sandbox.maia.count("POST", r"/v1/agents/[^/]+/commands") == 0
    assert sandbox.config_path.read_bytes() == config
    assert (secret_text(sandbox, "etl-prod-eu"), versions(sandbox, "etl-prod-eu")) == (secret, secret_versions)
    assert primary_deployment(sandbox, "etl-prod-eu")["id"] == deployment
    state_dir = sandbox.settings().state_dir
    assert not Journal(state_dir).path.exists() and not (state_dir / "locks" / f"{emulated.id}.lock").exists()
    assert emulated.status == "running"


def test_dry_run_reports_a_refused_secret(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    sandbox.aws.client("secretsmanager").put_secret_value(
        SecretId="etl-legacy-plain-oauth-credentials", SecretString="half", VersionStages=["AWSPENDING"]
    )
    assert main(["rotate", "etl-legacy-plain", "--dry-run", "--json"]) == 1
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    failed = [e for e in events if e["event"] == "step" and e["state"] == "failed"]
    assert failed[0]["step"] == "preflight" and "AWSPENDING" in failed[0]["error"]
    assert events[-1]["event"] == "plan" and events[-1]["dry_run"] is True


def test_without_yes_and_without_a_terminal_nothing_is_refreshed(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # noqa: SIM115 - closed by pytest's monkeypatch teardown
    assert main(["rotate", "etl-legacy-plain"]) == 1
    out = capsys.readouterr().out
    assert "Not confirmed: pass --yes" in out
    assert refreshes(sandbox) == 0


def test_unknown_runner_is_a_clear_error(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rotate", "no-such-runner", "--yes"]) == 1
    err = capsys.readouterr().err
    assert "no runner named 'no-such-runner'" in err and "maia-tui runners" in err


def test_failed_rotation_exits_1_and_the_next_run_continues_without_refresh(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    emulated = sandbox.runner("etl-legacy-plain")
    sandbox.aws.deny("secretsmanager:PutSecretValue")
    assert main(["rotate", "etl-legacy-plain", "--yes"]) == 1
    out = capsys.readouterr().out
    assert "✗ Apply the new secret" in out and "→ Grant secretsmanager:PutSecretValue" in out
    sandbox.aws.allow("secretsmanager:PutSecretValue")
    assert main(["rotate", "etl-legacy-plain", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "continues at apply, reading the secret back from Maia: no second refresh" in out
    assert refreshes(sandbox) == 1
    assert secret_text(sandbox, "etl-legacy-plain") == emulated.client_secret
    assert emulated.status == "running" and emulated.connected


def test_rotate_in_a_real_process(sandbox: Sandbox) -> None:
    emulated = sandbox.runner("etl-legacy-plain")
    env = {**os.environ, **sandbox.env}
    done = subprocess.run(
        [sys.executable, "-m", "maia_tui", "rotate", "etl-legacy-plain", "--yes"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✓ Verify: Running; fingerprints match" in done.stdout
    assert emulated.client_secret not in done.stdout + done.stderr
    assert emulated.status == "running" and emulated.connected
