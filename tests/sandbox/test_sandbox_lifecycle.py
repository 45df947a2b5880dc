"""The sandbox stops cleanly (threads, ports, files), and its Maia side behaves as Maia documents."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

from maia_tui.core.maia import MaiaClient, RunnerCommand, RunnerStatus
from maia_tui.sandbox.sandbox import Sandbox
from tests.conftest import FAST_RETRY


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_stops_without_leaving_threads_ports_or_files() -> None:
    before = {t.name for t in threading.enumerate()}
    box = Sandbox(startup_delay=0.01, tick=0.01).start()
    ports = [box.maia.server.port, int(box.aws.url.rsplit(":", 1)[1])]
    workdir = box.workdir
    assert box.config_path.exists()
    box.stop()
    leftover = {t.name for t in threading.enumerate()} - before
    assert not {n for n in leftover if "server" in n or "simulator" in n}
    assert all(port_is_free(port) for port in ports)
    assert not workdir.exists()


def test_config_binds_every_deployed_runner(sandbox: Sandbox) -> None:
    bindings = sandbox.settings().bindings
    aws = {b["name"] for b in bindings.values() if b["platform"] == "aws"}
    assert aws == {"etl-prod-eu", "etl-legacy-plain", "etl-batch-paused"}
    assert sandbox.settings().sandbox is True


async def test_pause_drains_then_resume_runs(tmp_path: Path) -> None:
    with Sandbox(startup_delay=0.01, drain_delay=0.2, platforms=(), workdir=tmp_path / "s", tick=0.01) as box:
        client = MaiaClient.from_settings(box.settings(), retry=FAST_RETRY)
        runner = box.runner("etl-prod-eu")
        await client.send_command(runner.id, RunnerCommand.PAUSE)
        pausing = await client.get_runner(runner.id)
        assert pausing.status is RunnerStatus.PAUSING and pausing.paused_until is not None
        assert box.wait_for(lambda: runner.status == "paused")
        assert (await client.running_pipelines(runner.id)).count == 0  # drained
        await client.send_command(runner.id, RunnerCommand.RESUME)
        assert (await client.get_runner(runner.id)).status is RunnerStatus.RUNNING
        await client.aclose()


async def test_paused_runner_restarted_with_new_secret_stays_paused(sandbox: Sandbox, maia: MaiaClient) -> None:
    runner = sandbox.runner("etl-batch-paused")
    new = await maia.refresh_credentials(runner.id)
    assert (await maia.get_runner(runner.id)).connected is False
    arn = sandbox.settings().bindings[runner.id]["secret"]
    sm = sandbox.aws.client("secretsmanager")
    import json

    document = json.loads(sm.get_secret_value(SecretId=arn)["SecretString"])
    document["client_secret"] = new.client_secret.reveal()
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps(document))
    sandbox.aws.client("ecs").update_service(
        cluster="etl-batch-paused-cluster", service="etl-batch-paused-service", forceNewDeployment=True
    )
    assert sandbox.wait_for(lambda: runner.connected)
    assert (await maia.get_runner(runner.id)).status is RunnerStatus.PAUSED
    await maia.send_command(runner.id, RunnerCommand.RESUME)
    assert (await maia.get_runner(runner.id)).status is RunnerStatus.RUNNING


async def test_maia_restart_of_a_disconnected_runner_is_refused(sandbox: Sandbox, maia: MaiaClient) -> None:
    from maia_tui.core.errors import ConflictError

    runner = sandbox.runner("etl-prod-eu")
    await maia.refresh_credentials(runner.id)
    try:
        await maia.send_command(runner.id, RunnerCommand.RESTART)
    except ConflictError as error:
        assert "cloud platform" in (error.detail or "")
    else:
        raise AssertionError("a disconnected runner accepted RESTART")


async def test_maia_restart_rereads_the_store(sandbox: Sandbox, maia: MaiaClient) -> None:
    runner = sandbox.runner("etl-prod-eu")
    await maia.send_command(runner.id, RunnerCommand.RESTART)
    assert sandbox.wait_for(lambda: sum(1 for e in sandbox.simulator.events if e == (runner.id, "connected")) >= 2)
    assert (await maia.get_runner(runner.id)).healthy


async def test_faults_can_be_injected_from_another_process(sandbox: Sandbox, maia: MaiaClient) -> None:
    import httpx

    from maia_tui.core.errors import NotFoundError

    runner = sandbox.runner("etl-prod-eu")
    admin = f"{sandbox.maia.server.url}/_sandbox/faults"
    async with httpx.AsyncClient() as http:
        spec = {"method": "GET", "path": f"/dpc/v1/agents/{runner.id}", "status": 404, "count": 1}
        assert (await http.post(admin, json=spec)).status_code == 201
        try:
            await maia.get_runner(runner.id)
        except NotFoundError:
            pass
        else:
            raise AssertionError("the injected 404 did not arrive")
        assert (await maia.get_runner(runner.id)).healthy
        await http.post(admin, json={**spec, "count": 5})
        assert (await http.delete(admin)).status_code == 204
    assert (await maia.get_runner(runner.id)).healthy
