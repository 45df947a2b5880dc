"""Every way a rotation can stop gives the error and its remedy, and a retry never refreshes twice."""

from __future__ import annotations

import os
import socket

import pytest

from maia_tui.core.maia import MaiaClient
from maia_tui.core.rotation.engine import AutoHooks
from maia_tui.core.rotation.lock import RunnerLock
from maia_tui.core.rotation.model import Outcome, RotationOptions, StepId, StepState
from maia_tui.sandbox.sandbox import Sandbox
from tests.rotation.helpers import make_rotation, primary_deployment, refreshes, secret_json, versions


async def test_access_denied_on_put_then_retry_without_second_refresh(sandbox: Sandbox, maia: MaiaClient) -> None:
    emulated = sandbox.runner("etl-prod-eu")
    sandbox.aws.deny("secretsmanager:PutSecretValue")
    rotation, events = make_rotation(sandbox, maia, await maia.get_runner(emulated.id))
    assert await rotation.run() is Outcome.FAILED
    apply = rotation.steps[StepId.APPLY]
    assert apply.state is StepState.FAILED
    assert "PutSecretValue on etl-prod-eu-oauth-credentials was denied" in apply.error
    assert "Grant secretsmanager:PutSecretValue on etl-prod-eu-oauth-credentials" in apply.remedy
    assert events.finished().failed_step is StepId.APPLY
    assert emulated.status == "unknown"  # refreshed, not applied: it cannot reconnect
    assert len(versions(sandbox, "etl-prod-eu")) == 1

    sandbox.aws.allow("secretsmanager:PutSecretValue")
    assert await rotation.run() is Outcome.SUCCEEDED  # the retry starts at the failed step
    assert refreshes(sandbox) == 1
    assert events.states(StepId.REFRESH).count(StepState.RUNNING) == 1
    assert apply.attempts == 2
    assert secret_json(sandbox, "etl-prod-eu")["client_secret"] == emulated.client_secret
    assert len(versions(sandbox, "etl-prod-eu")) == 2
    assert emulated.status == "running" and emulated.connected


async def test_rotation_enabled_secret_is_refused_before_any_refresh(sandbox: Sandbox, maia: MaiaClient) -> None:
    emulated = sandbox.runner("etl-prod-eu")
    secret = sandbox.aws.secrets_backend().secrets["etl-prod-eu-oauth-credentials"]
    # As RotateSecret with a rotation Lambda leaves it (moto would try to invoke the Lambda).
    secret.rotation_requested = secret.rotation_enabled = True
    secret.rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:rotate-maia"
    secret.auto_rotate_after_days = 30
    rotation, _ = make_rotation(sandbox, maia, await maia.get_runner(emulated.id))
    assert await rotation.run() is Outcome.FAILED
    preflight = rotation.steps[StepId.PREFLIGHT]
    assert preflight.state is StepState.FAILED
    assert "automatic rotation enabled" in preflight.error
    assert "Turn rotation off" in preflight.remedy
    assert refreshes(sandbox) == 0
    assert emulated.status == "running" and emulated.connected
    assert rotation.steps[StepId.REFRESH].state is StepState.PENDING


async def test_version_stuck_in_awspending_is_refused(sandbox: Sandbox, maia: MaiaClient) -> None:
    emulated = sandbox.runner("etl-legacy-plain")
    sandbox.aws.client("secretsmanager").put_secret_value(
        SecretId="etl-legacy-plain-oauth-credentials", SecretString="half-rotated", VersionStages=["AWSPENDING"]
    )
    rotation, _ = make_rotation(sandbox, maia, await maia.get_runner(emulated.id))
    assert await rotation.run() is Outcome.FAILED
    assert "stuck in AWSPENDING" in rotation.steps[StepId.PREFLIGHT].error
    assert refreshes(sandbox) == 0


async def test_second_rotation_of_the_same_runner_is_refused_with_the_holder(
    sandbox: Sandbox, maia: MaiaClient
) -> None:
    emulated = sandbox.runner("etl-prod-eu")
    other = RunnerLock(sandbox.settings().state_dir, emulated.id, "etl-prod-eu")
    other.acquire("another-rotation")  # this process is alive: the lock is not stale
    try:
        rotation, _ = make_rotation(sandbox, maia, await maia.get_runner(emulated.id))
        assert await rotation.run() is Outcome.FAILED
        step = rotation.steps[StepId.PREFLIGHT]
        assert "etl-prod-eu is being rotated by " in step.error
        assert f"@{socket.gethostname()} (pid {os.getpid()}) since " in step.error
        assert "remove the lock file" in step.remedy
        assert refreshes(sandbox) == 0
    finally:
        other.release()
    assert await rotation.run() is Outcome.SUCCEEDED  # free again: the retry takes it


def test_stale_lock_is_taken_over_but_another_hosts_is_not(tmp_path: os.PathLike[str]) -> None:
    from maia_tui.core.errors import RotationLocked

    lock = RunnerLock(tmp_path, "runner-1", "etl")
    lock.path.parent.mkdir(parents=True)
    lock.path.write_text(f'{{"pid": 999999999, "host": "{socket.gethostname()}", "user": "bob", "since": "x"}}')
    lock.acquire()  # that pid is gone on this host: stale
    assert lock.holder() is not None and lock.holder().pid == os.getpid()  # type: ignore[union-attr]
    lock.release()
    lock.path.write_text('{"pid": 999999999, "host": "bastion-2", "user": "bob", "since": "2026-01-01T10:00:00Z"}')
    with pytest.raises(RotationLocked, match=r"bob@bastion-2 \(pid 999999999\) since 2026-01-01T10:00:00Z"):
        lock.acquire()


async def test_declining_the_confirmation_changes_nothing(sandbox: Sandbox, maia: MaiaClient) -> None:
    emulated = sandbox.runner("etl-prod-eu")
    deployment = primary_deployment(sandbox, "etl-prod-eu")["id"]
    rotation, _ = make_rotation(sandbox, maia, await maia.get_runner(emulated.id), hooks=AutoHooks(proceed=False))
    assert await rotation.run() is Outcome.DECLINED
    assert refreshes(sandbox) == 0
    assert primary_deployment(sandbox, "etl-prod-eu")["id"] == deployment
    assert emulated.status == "running"


async def test_cancel_during_the_pause_stops_before_the_refresh(sandbox: Sandbox, maia: MaiaClient) -> None:
    emulated = sandbox.runner("etl-prod-eu")
    sandbox.state.drain_delay = 30.0  # the pause takes long enough to cancel it
    rotation, events = make_rotation(sandbox, maia, await maia.get_runner(emulated.id), hooks=AutoHooks(pause=True))

    def cancel_when_pausing(event: object) -> None:
        if getattr(event, "step", None) is StepId.PAUSE and getattr(event, "kind", "") == "progress":
            rotation.cancel()

    events.on_event = cancel_when_pausing
    assert await rotation.run() is Outcome.ABORTED
    assert rotation.steps[StepId.PAUSE].state is StepState.PENDING
    assert refreshes(sandbox) == 0


async def test_wrong_json_key_stays_unknown_and_the_stopped_reason_is_shown(sandbox: Sandbox, maia: MaiaClient) -> None:
    """Honesty check: the secret written under another key does not bring the runner back."""
    emulated = sandbox.runner("etl-prod-eu")
    rotation, _ = make_rotation(sandbox, maia, await maia.get_runner(emulated.id))
    assert await rotation.preflight_only()
    assert rotation.target is not None and rotation.adapter is not None
    from dataclasses import replace

    from maia_tui.core.platforms.aws import SecretRef

    credentials = await maia.refresh_credentials(emulated.id)
    adapter = rotation.adapter
    details = adapter._details[emulated.id]  # type: ignore[attr-defined]
    wrong = replace(details, secret=SecretRef(details.secret.arn, "clientSecret"))
    adapter._details[emulated.id] = wrong  # type: ignore[attr-defined]
    progress = _NullProgress()
    adapter.apply_secret(rotation.target, credentials, token=rotation.apply_token(credentials), progress=progress)
    adapter._details[emulated.id] = details  # type: ignore[attr-defined]
    adapter.restart(rotation.target, progress)
    assert sandbox.settle()
    assert emulated.status == "unknown" and not emulated.connected
    assert secret_json(sandbox, "etl-prod-eu")["clientSecret"] == credentials.client_secret.reveal()


async def test_applied_without_restart_stays_unknown_until_restarted(sandbox: Sandbox, maia: MaiaClient) -> None:
    emulated = sandbox.runner("etl-prod-eu")
    rotation, _ = make_rotation(sandbox, maia, await maia.get_runner(emulated.id))
    assert await rotation.preflight_only()
    assert rotation.target is not None and rotation.adapter is not None
    credentials = await maia.refresh_credentials(emulated.id)
    progress = _NullProgress()
    rotation.adapter.apply_secret(
        rotation.target, credentials, token=rotation.apply_token(credentials), progress=progress
    )
    assert sandbox.settle()
    assert emulated.status == "unknown"  # the secret landed, but no task has read it
    rotation.adapter.restart(rotation.target, progress)
    assert sandbox.wait_for(lambda: emulated.status == "running" and emulated.connected)


async def test_missing_json_key_fails_the_wait_with_the_stopped_task_reason(sandbox: Sandbox, maia: MaiaClient) -> None:
    emulated = sandbox.runner("etl-prod-eu")
    rotation, _ = make_rotation(sandbox, maia, await maia.get_runner(emulated.id))
    # Someone rewrote the secret without the key the task definition reads.
    sandbox.aws.client("secretsmanager").put_secret_value(
        SecretId="etl-prod-eu-oauth-credentials", SecretString='{"client_id": "x", "secret": "y"}'
    )
    rotation.options = RotationOptions(poll_interval=0.02, wait_timeout=10.0)
    assert await rotation.preflight_only()  # a missing key is a warning: apply adds it back
    assert rotation.target is not None and rotation.adapter is not None
    rotation.adapter.restart(rotation.target, _NullProgress())
    from maia_tui.core.errors import PlatformError

    with pytest.raises(PlatformError) as failure:
        rotation.adapter.wait_healthy(rotation.target, _NullProgress(), 10.0)
    assert "did not contain json key client_secret" in failure.value.message
    assert "valueFrom" in failure.value.remedy


class _NullProgress:
    def log(self, line: str) -> None:
        pass

    def fraction(self, value: float | None) -> None:
        pass

    def cancelled(self) -> bool:
        return False
