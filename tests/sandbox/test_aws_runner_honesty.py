"""A simulated AWS runner reconnects only when the new secret is in Secrets Manager AND ECS redeployed it.

These tests use plain boto3 against moto, as an operator would in the console, not maia-tui's adapter.
"""

from __future__ import annotations

import json

from maia_tui.core.maia import MaiaClient, RunnerStatus
from maia_tui.sandbox.sandbox import Sandbox


def secret_arn(sandbox: Sandbox, name: str) -> str:
    return sandbox.settings().bindings[sandbox.runner(name).id]["secret"]


async def status_of(maia: MaiaClient, sandbox: Sandbox, name: str) -> tuple[RunnerStatus, bool]:
    runner = await maia.get_runner(sandbox.runner(name).id)
    return runner.status, runner.connected


def redeploy(sandbox: Sandbox, name: str) -> None:
    sandbox.aws.client("ecs").update_service(
        cluster=f"{name}-cluster", service=f"{name}-service", forceNewDeployment=True
    )


def put_json_secret(sandbox: Sandbox, name: str, **changes: str) -> None:
    sm = sandbox.aws.client("secretsmanager")
    arn = secret_arn(sandbox, name)
    document = json.loads(sm.get_secret_value(SecretId=arn)["SecretString"])
    document.update(changes)
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps(document))


async def test_refresh_drops_the_runner_to_unknown(sandbox: Sandbox, maia: MaiaClient) -> None:
    assert await status_of(maia, sandbox, "etl-prod-eu") == (RunnerStatus.RUNNING, True)
    await maia.refresh_credentials(sandbox.runner("etl-prod-eu").id)
    assert await status_of(maia, sandbox, "etl-prod-eu") == (RunnerStatus.UNKNOWN, False)


async def test_new_secret_and_redeploy_bring_it_back(sandbox: Sandbox, maia: MaiaClient) -> None:
    runner = sandbox.runner("etl-prod-eu")
    new = await maia.refresh_credentials(runner.id)
    put_json_secret(sandbox, "etl-prod-eu", client_secret=new.client_secret.reveal())
    redeploy(sandbox, "etl-prod-eu")
    assert sandbox.wait_for(lambda: runner.status == "running" and runner.connected)
    assert await status_of(maia, sandbox, "etl-prod-eu") == (RunnerStatus.RUNNING, True)
    service = sandbox.aws.client("ecs").describe_services(
        cluster="etl-prod-eu-cluster", services=["etl-prod-eu-service"]
    )["services"][0]
    assert [d["rolloutState"] for d in service["deployments"]] == ["COMPLETED"]


async def test_new_secret_without_redeploy_stays_unknown(sandbox: Sandbox, maia: MaiaClient) -> None:
    runner = sandbox.runner("etl-prod-eu")
    new = await maia.refresh_credentials(runner.id)
    put_json_secret(sandbox, "etl-prod-eu", client_secret=new.client_secret.reveal())
    assert sandbox.settle()
    assert await status_of(maia, sandbox, "etl-prod-eu") == (RunnerStatus.UNKNOWN, False)


async def test_redeploy_without_new_secret_stays_unknown(sandbox: Sandbox, maia: MaiaClient) -> None:
    runner = sandbox.runner("etl-prod-eu")
    await maia.refresh_credentials(runner.id)
    redeploy(sandbox, "etl-prod-eu")
    assert sandbox.wait_for(lambda: (runner.id, "authentication rejected by Maia") in sandbox.simulator.events)
    assert await status_of(maia, sandbox, "etl-prod-eu") == (RunnerStatus.UNKNOWN, False)


async def test_secret_under_the_wrong_json_key_fails_the_tasks(sandbox: Sandbox, maia: MaiaClient) -> None:
    runner = sandbox.runner("etl-prod-eu")
    new = await maia.refresh_credentials(runner.id)
    sm = sandbox.aws.client("secretsmanager")
    sm.put_secret_value(
        SecretId=secret_arn(sandbox, "etl-prod-eu"),
        SecretString=json.dumps({"client_id": new.client_id, "clientSecret": new.client_secret.reveal()}),
    )
    redeploy(sandbox, "etl-prod-eu")
    ecs = sandbox.aws.client("ecs")

    def rollout_failed() -> bool:
        service = ecs.describe_services(cluster="etl-prod-eu-cluster", services=["etl-prod-eu-service"])["services"][0]
        return service["deployments"][0]["rolloutState"] == "FAILED"

    assert sandbox.wait_for(rollout_failed)
    stopped = ecs.list_tasks(cluster="etl-prod-eu-cluster", desiredStatus="STOPPED")["taskArns"]
    reasons = [t["stoppedReason"] for t in ecs.describe_tasks(cluster="etl-prod-eu-cluster", tasks=stopped)["tasks"]]
    assert any("did not contain json key client_secret" in r for r in reasons)
    assert await status_of(maia, sandbox, "etl-prod-eu") == (RunnerStatus.UNKNOWN, False)


async def test_plain_string_secret_runner(sandbox: Sandbox, maia: MaiaClient) -> None:
    runner = sandbox.runner("etl-legacy-plain")
    new = await maia.refresh_credentials(runner.id)
    sandbox.aws.client("secretsmanager").put_secret_value(
        SecretId=secret_arn(sandbox, "etl-legacy-plain"), SecretString=new.client_secret.reveal()
    )
    redeploy(sandbox, "etl-legacy-plain")
    assert sandbox.wait_for(lambda: runner.status == "running" and runner.connected)


async def test_forced_deployment_shows_in_progress_at_once(sandbox: Sandbox) -> None:
    sandbox.simulator.startup_delay = 30  # hold the new tasks so the rollout can be observed
    redeploy(sandbox, "etl-prod-eu")
    service = sandbox.aws.client("ecs").describe_services(
        cluster="etl-prod-eu-cluster", services=["etl-prod-eu-service"]
    )["services"][0]
    assert [(d["status"], d["rolloutState"]) for d in service["deployments"]] == [
        ("PRIMARY", "IN_PROGRESS"),
        ("ACTIVE", "COMPLETED"),
    ]
