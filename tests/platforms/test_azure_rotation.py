"""Azure runners through the rotation engine and `maia-tui rotate`: refreshed once, applied, restarted, verified."""

from __future__ import annotations

import json
from typing import Any

import pytest

from maia_tui.cli import main
from maia_tui.core.maia import MaiaClient
from maia_tui.core.platforms.azure import AzureAdapter
from maia_tui.core.rotation.engine import AutoHooks, ManualAnswer, Rotation
from maia_tui.core.rotation.events import LogLine, RotationEvent, StepChanged
from maia_tui.core.rotation.model import Outcome, RotationOptions, Step, StepId, StepState
from maia_tui.sandbox.fleet import runner_id
from maia_tui.sandbox.sandbox import Sandbox
from tests.platforms.azure_helpers import REFRESHES, azure, deploy_extra

FAST = RotationOptions(pause=False, poll_interval=0.02, wait_timeout=10.0, pause_timeout=10.0)
SECRET_OF = {"aca-analytics": "matillion-client-secret", "aca-finance": "runner-oauth-secret"}


class Hooks(AutoHooks):
    """Proceed without pausing; a manual step is done by `by_hand` (the operator in the portal)."""

    def __init__(self, by_hand: Any = None) -> None:
        super().__init__(pause=False)
        self.by_hand = by_hand
        self.instructions: list[str] = []

    async def manual(self, step: Step, instructions: list[str]) -> str:
        self.instructions = instructions
        if self.by_hand is None:
            return ManualAnswer.ABORT
        self.by_hand()
        return ManualAnswer.DONE


async def _rotation(sandbox: Sandbox, maia: MaiaClient, name: str, hooks: Hooks | None = None) -> tuple[Rotation, list]:
    events: list[RotationEvent] = []
    settings = sandbox.settings()
    rotation = Rotation(
        await maia.get_runner(sandbox.runner(name).id),
        client=maia,
        settings=settings,
        adapter=AzureAdapter(settings),
        options=FAST,
        hooks=hooks or Hooks(),
        on_event=events.append,
    )
    return rotation, events


@pytest.mark.parametrize("name", ["aca-analytics", "aca-finance"])
def test_maia_tui_rotate_brings_the_azure_runner_back(
    sandbox: Sandbox, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    az = azure(sandbox)
    rid = runner_id(name)
    others = {s["name"]: s.get("value") for s in az.app_for(rid).secrets if s["name"] != SECRET_OF[name]}
    assert main(["rotate", name, "--yes", "--json"]) == 0
    out = capsys.readouterr().out
    events = [json.loads(line) for line in out.splitlines()]
    assert events[-1]["event"] == "finished" and events[-1]["outcome"] == "succeeded"
    assert events[-1]["fingerprints_match"] is True
    done = [e["step"] for e in events if e["event"] == "step" and e["state"] == "done"]
    assert {"preflight", "refresh", "apply", "restart", "wait", "verify"} <= set(done)
    emulated = sandbox.runner(name)
    assert az.secret_value(rid, SECRET_OF[name]) == emulated.client_secret
    assert {s["name"]: s.get("value") for s in az.app_for(rid).secrets if s["name"] != SECRET_OF[name]} == others
    assert emulated.status == "running" and emulated.connected
    log = "\n".join(e.get("line", "") for e in events if e["event"] == "log")
    assert "Restarting revision" in log and "replicas ready" in log
    assert emulated.client_secret not in out
    assert sandbox.maia.count("POST", REFRESHES) == 1


async def test_forbidden_list_secrets_stops_the_rotation_before_the_refresh(sandbox: Sandbox, maia: MaiaClient) -> None:
    azure(sandbox).state.denied.add("Microsoft.App/containerApps/listSecrets/action")
    rotation, _ = await _rotation(sandbox, maia, "aca-analytics")
    assert await rotation.run() is Outcome.FAILED
    preflight = rotation.steps[StepId.PREFLIGHT]
    assert preflight.state is StepState.FAILED and "listSecrets" in preflight.error
    assert "Microsoft.App/containerApps/listSecrets/action" in preflight.remedy
    assert rotation.steps[StepId.REFRESH].state is StepState.PENDING
    assert sandbox.maia.count("POST", REFRESHES) == 0
    assert sandbox.runner("aca-analytics").connected


async def test_patch_500_fails_apply_and_the_retry_needs_no_second_refresh(sandbox: Sandbox, maia: MaiaClient) -> None:
    az = azure(sandbox)
    az.fail("PATCH", r".*/containerApps/[^/]+", 500, count=4, retry_after=0.01)  # outlasts the SDK's retries
    rotation, _ = await _rotation(sandbox, maia, "aca-finance")
    assert await rotation.run() is Outcome.FAILED
    apply = rotation.steps[StepId.APPLY]
    assert apply.state is StepState.FAILED and "500" in apply.error and apply.remedy
    assert sandbox.runner("aca-finance").status == "unknown"

    assert await rotation.run() is Outcome.SUCCEEDED
    assert sandbox.maia.count("POST", REFRESHES) == 1
    assert apply.attempts == 2 and rotation.fingerprints_match is True
    assert (
        az.secret_value(runner_id("aca-finance"), "runner-oauth-secret") == sandbox.runner("aca-finance").client_secret
    )


async def test_unwritable_key_vault_is_done_by_hand_then_verified(sandbox: Sandbox, maia: MaiaClient) -> None:
    az = azure(sandbox)
    assert az.vault is not None
    vault = az.vault
    deploy_extra(sandbox, "aca-vault", "keyvault")
    vault.denied.add("set")  # this host may read the vault (Key Vault Secrets User) but not write it

    def operator_in_the_portal() -> None:
        vault.set("aca-vault-client-secret", sandbox.runner("aca-vault").client_secret)

    hooks = Hooks(by_hand=operator_in_the_portal)
    rotation, events = await _rotation(sandbox, maia, "aca-vault", hooks)
    assert await rotation.run() is Outcome.SUCCEEDED
    assert rotation.steps[StepId.APPLY].detail == "done by hand in the console"
    steps = "\n".join(hooks.instructions)
    assert "aca-vault-client-secret" in steps and "+ New Version" in steps
    assert rotation.fingerprints_match is True
    assert sandbox.runner("aca-vault").connected
    log = "\n".join(e.line for e in events if isinstance(e, LogLine))
    assert "continuing by hand" in log


async def test_a_vault_this_host_cannot_read_back_is_not_compared(sandbox: Sandbox, maia: MaiaClient) -> None:
    """If reading the vault is refused after the apply, the runner's reconnect is the proof left: not a failure."""
    az = azure(sandbox)
    assert az.vault is not None
    vault = az.vault
    deploy_extra(sandbox, "aca-vault", "keyvault")
    rotation, events = await _rotation(sandbox, maia, "aca-vault")

    def access_revoked_before_verify(event: RotationEvent) -> None:
        events.append(event)
        if isinstance(event, StepChanged) and event.step is StepId.VERIFY and event.state is StepState.RUNNING:
            vault.denied.add("get")

    rotation.on_event = access_revoked_before_verify
    assert await rotation.run() is Outcome.SUCCEEDED
    assert rotation.fingerprints_match is None
    assert "store not readable from here" in rotation.steps[StepId.VERIFY].detail
    assert sandbox.runner("aca-vault").connected
