"""No cloud credentials on this host: apply and restart become console steps, and the engine still verifies."""

from __future__ import annotations

import json

import pytest

from maia_tui.core.maia import MaiaClient
from maia_tui.core.rotation.engine import ManualAnswer
from maia_tui.core.rotation.model import Confirmation, Decision, Outcome, Step, StepId, StepState
from maia_tui.sandbox.sandbox import Sandbox
from tests.rotation.helpers import make_rotation, refreshes


class Operator:
    """Does in the 'console' (plain boto3 on moto) what the instructions say, then answers done."""

    def __init__(self, sandbox: Sandbox, name: str) -> None:
        self.sandbox, self.name = sandbox, name
        self.instructions: dict[StepId, list[str]] = {}

    async def confirm(self, request: Confirmation) -> Decision:
        return Decision(True)

    async def manual(self, step: Step, instructions: list[str]) -> str:
        self.instructions[step.id] = instructions
        if step.id is StepId.APPLY:
            sm = self.sandbox.aws.client("secretsmanager")
            secret_id = f"{self.name}-oauth-credentials"
            document = json.loads(sm.get_secret_value(SecretId=secret_id)["SecretString"])
            document["client_secret"] = self.sandbox.runner(self.name).client_secret  # revealed in Maia
            sm.put_secret_value(SecretId=secret_id, SecretString=json.dumps(document))
        elif step.id is StepId.RESTART:
            self.sandbox.aws.client("ecs").update_service(
                cluster=f"{self.name}-cluster", service=f"{self.name}-service", forceNewDeployment=True
            )
        return ManualAnswer.DONE


async def test_manual_steps_then_verified_through_maia(
    sandbox: Sandbox, maia: MaiaClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulated = sandbox.runner("etl-prod-eu")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)  # this host has no AWS credentials (the sandbox's clients keep theirs)
    operator = Operator(sandbox, "etl-prod-eu")
    rotation, events = make_rotation(sandbox, maia, await maia.get_runner(emulated.id), hooks=operator)
    assert await rotation.run() is Outcome.SUCCEEDED
    assert rotation.manual
    assert events.states(StepId.APPLY) == [StepState.RUNNING, StepState.MANUAL, StepState.DONE]
    assert events.states(StepId.RESTART) == [StepState.RUNNING, StepState.MANUAL, StepState.DONE]
    assert "secret `etl-prod-eu-oauth-credentials`" in "\n".join(operator.instructions[StepId.APPLY])
    assert "Force new deployment" in "\n".join(operator.instructions[StepId.RESTART])
    assert "store not checked" in rotation.steps[StepId.VERIFY].detail
    assert emulated.status == "running" and emulated.connected
    assert refreshes(sandbox) == 1
