"""A whole rotation on the sandbox: the runner comes back only because the secret landed and ECS redeployed."""

from __future__ import annotations

import json
import os
import stat

from maia_tui.core.maia import MaiaClient, RunnerStatus
from maia_tui.core.rotation.engine import AutoHooks
from maia_tui.core.rotation.events import StepChanged
from maia_tui.core.rotation.journal import Journal
from maia_tui.core.rotation.model import Outcome, StepId, StepState
from maia_tui.sandbox.sandbox import Sandbox
from tests.rotation.helpers import make_rotation, primary_deployment, refreshes, secret_json, secret_text, versions


async def test_json_secret_running_unknown_running(sandbox: Sandbox, maia: MaiaClient) -> None:
    emulated = sandbox.runner("etl-prod-eu")
    before = secret_json(sandbox, "etl-prod-eu")
    deployment = primary_deployment(sandbox, "etl-prod-eu")["id"]
    runner = await maia.get_runner(emulated.id)
    assert runner.status is RunnerStatus.RUNNING and runner.connected
    seen: list[str] = []
    rotation, events = make_rotation(sandbox, maia, runner)

    def watch(event: object) -> None:
        if isinstance(event, StepChanged) and event.state is StepState.DONE:
            seen.append(f"{event.step.value}:{emulated.status}")

    events.on_event = watch
    assert await rotation.run() is Outcome.SUCCEEDED

    # Unknown from the refresh until the restart brought it back.
    assert "refresh:unknown" in seen and "apply:unknown" in seen and "restart:unknown" in seen
    assert emulated.status == "running" and emulated.connected
    after = secret_json(sandbox, "etl-prod-eu")
    assert after["client_secret"] == emulated.client_secret  # landed under the right JSON key
    assert after["client_id"] == before["client_id"]
    assert list(after) == list(before)
    assert primary_deployment(sandbox, "etl-prod-eu")["id"] != deployment  # and the service was redeployed
    assert refreshes(sandbox) == 1
    assert events.finished().fingerprints_match is True
    assert [e.outcome for e in events.events if e.kind == "finished"] == [Outcome.SUCCEEDED]
    assert StepState.SKIPPED in events.states(StepId.PAUSE)


async def test_plain_string_secret_is_replaced_whole(sandbox: Sandbox, maia: MaiaClient) -> None:
    emulated = sandbox.runner("etl-legacy-plain")
    rotation, _ = make_rotation(sandbox, maia, await maia.get_runner(emulated.id))
    assert await rotation.run() is Outcome.SUCCEEDED
    assert secret_text(sandbox, "etl-legacy-plain") == emulated.client_secret
    assert emulated.status == "running" and emulated.connected


async def test_other_json_keys_and_order_are_kept_and_paused_runner_stays_paused(
    sandbox: Sandbox, maia: MaiaClient
) -> None:
    emulated = sandbox.runner("etl-batch-paused")
    before = secret_json(sandbox, "etl-batch-paused")
    rotation, events = make_rotation(sandbox, maia, await maia.get_runner(emulated.id), hooks=AutoHooks())
    assert await rotation.run() is Outcome.SUCCEEDED
    after = secret_json(sandbox, "etl-batch-paused")
    assert list(after) == ["managed_by", "client_id", "client_secret", "proxy_password"] == list(before)
    assert {k: v for k, v in after.items() if k != "client_secret"} == {
        k: v for k, v in before.items() if k != "client_secret"
    }
    assert after["client_secret"] == emulated.client_secret != before["client_secret"]
    # Paused before the rotation: it reconnects Paused and is not resumed behind the operator's back.
    assert emulated.status == "paused" and emulated.connected
    assert events.states(StepId.RESUME)[-1] is StepState.SKIPPED


async def test_pause_first_when_pipelines_run_then_resume(sandbox: Sandbox, maia: MaiaClient) -> None:
    emulated = sandbox.runner("etl-prod-eu")
    hooks = AutoHooks()  # pause as suggested
    rotation, events = make_rotation(sandbox, maia, await maia.get_runner(emulated.id), hooks=hooks)
    assert await rotation.run() is Outcome.SUCCEEDED
    assert hooks.requests[0].pause_suggested and hooks.requests[0].word == "refresh"
    assert set(hooks.requests[0].running_pipelines) == {"load_orders", "refresh_customer_360"}
    assert events.states(StepId.PAUSE)[-1] is StepState.DONE
    assert events.states(StepId.RESUME)[-1] is StepState.DONE
    assert emulated.status == "running" and emulated.connected
    running = sandbox.state.find_executions({"status": "RUNNING", "environmentName": "production"})
    assert running == []  # drained by the pause, none failed


async def test_discovery_finds_the_service_and_remembers_the_binding(sandbox: Sandbox, maia: MaiaClient) -> None:
    from maia_tui.core.yamlfile import YamlDocument

    emulated = sandbox.runner("etl-legacy-plain")
    doc = YamlDocument.load(sandbox.config_path)
    del doc.data["runners"][emulated.id]
    doc.save()
    settings = sandbox.settings()
    assert settings.binding(emulated.id) is None
    rotation, events = make_rotation(
        sandbox, maia, await maia.get_runner(emulated.id), settings=settings, hooks=AutoHooks(proceed=False)
    )
    assert await rotation.run() is Outcome.DECLINED
    binding = sandbox.settings().binding(emulated.id)
    assert binding is not None
    assert binding["cluster"] == "etl-legacy-plain-cluster" and binding["service"] == "etl-legacy-plain-service"
    assert binding["secret_key"] == ""
    assert "Remembered where etl-legacy-plain lives" in events.log()
    assert refreshes(sandbox) == 0


async def test_journal_records_every_transition_without_the_secret(sandbox: Sandbox, maia: MaiaClient) -> None:
    emulated = sandbox.runner("etl-prod-eu")
    rotation, _ = make_rotation(sandbox, maia, await maia.get_runner(emulated.id))
    assert await rotation.run() is Outcome.SUCCEEDED
    journal = Journal(sandbox.settings().state_dir)
    text = journal.path.read_text()
    assert emulated.client_secret not in text  # the canary: the live secret never reaches the journal
    assert stat.S_IMODE(os.stat(journal.path).st_mode) == 0o600
    entries = [json.loads(line) for line in text.splitlines()]
    steps = [(e["step"], e["state"]) for e in entries if e["event"] == "step"]
    for step in ("preflight", "refresh", "apply", "restart", "wait", "verify"):
        assert (step, "running") in steps and (step, "done") in steps
    assert entries[0]["event"] == "started" and entries[-1]["event"] == "finished"
    assert entries[-1]["outcome"] == "succeeded"
    assert journal.pending(emulated.id) is None
    assert not rotation.lock.path.exists()


async def test_retried_apply_writes_no_second_version(sandbox: Sandbox, maia: MaiaClient) -> None:
    emulated = sandbox.runner("etl-prod-eu")
    rotation, _ = make_rotation(sandbox, maia, await maia.get_runner(emulated.id))
    assert await rotation.run() is Outcome.SUCCEEDED
    assert rotation.adapter is not None and rotation.target is not None and rotation.credentials is not None
    count = len(versions(sandbox, "etl-prod-eu"))
    token = rotation.apply_token(rotation.credentials)
    sm = sandbox.aws.client("secretsmanager")
    # The same PutSecretValue again, as a retry after a lost answer would send it.
    sm.put_secret_value(
        SecretId="etl-prod-eu-oauth-credentials",
        SecretString=secret_text(sandbox, "etl-prod-eu"),
        ClientRequestToken=token,
    )
    assert len(versions(sandbox, "etl-prod-eu")) == count
