"""The Maia API client against the emulator: auth, retries, rate limits, errors and paging."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from maia_tui.core.errors import (
    ApiConnectionError,
    ApiTimeoutError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
)
from maia_tui.core.maia import MaiaClient, RetryPolicy, RunnerCommand, RunnerStatus
from maia_tui.core.secret import Secret
from maia_tui.sandbox.sandbox import Sandbox
from tests.conftest import FAST_RETRY

CANARY = "canary-api-secret-5d1b"


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Sandbox]:
    """These tests need only the Maia emulator: no platform emulators, so each starts in milliseconds."""
    with Sandbox(startup_delay=0.01, drain_delay=0.01, platforms=(), workdir=tmp_path / "sandbox", tick=0.01) as box:
        for name, value in box.env.items():
            monkeypatch.setenv(name, value)
        yield box


class RecordingSleep:
    """Stands in for asyncio.sleep so tests can read how long the client chose to wait."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def client_for(sandbox: Sandbox, **kwargs: object) -> MaiaClient:
    kwargs.setdefault("retry", FAST_RETRY)
    return MaiaClient.from_settings(sandbox.settings(), **kwargs)  # type: ignore[arg-type]


async def test_token_is_cached_across_calls(sandbox: Sandbox, maia: MaiaClient) -> None:
    runner = sandbox.runner("etl-prod-eu")
    await maia.list_runners()
    await maia.get_runner(runner.id)
    await maia.get_credentials(runner.id)
    assert maia.token_requests == 1
    assert sandbox.maia.server.count("POST", "/oauth/dpc/token") >= 1
    token_calls = [c for c in sandbox.maia.server.calls if c.path == "/oauth/dpc/token"]
    assert len([c for c in token_calls if c.status == 200]) >= 1


async def test_expired_token_is_renewed_once_on_401(sandbox: Sandbox, maia: MaiaClient) -> None:
    runner = sandbox.runner("etl-prod-eu")
    await maia.get_runner(runner.id)
    sandbox.state.expire_tokens()
    fetched = await maia.get_runner(runner.id)
    assert fetched.name == "etl-prod-eu"
    assert maia.token_requests == 2


async def test_wrong_api_secret_is_an_authentication_error_without_the_secret(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = sandbox.settings()
    client = MaiaClient(
        api_url=settings.api_url,
        token_url=settings.token_url,
        client_id=sandbox.api_credential.client_id,
        client_secret=Secret(CANARY),
        retry=FAST_RETRY,
    )
    with pytest.raises(AuthenticationError) as error:
        await client.list_runners()
    await client.aclose()
    assert "MAIA_CLIENT_ID" in error.value.remedy
    for text in (str(error.value), repr(error.value), error.value.explain(), caplog.text):
        assert CANARY not in text


async def test_429_waits_retry_after_then_succeeds(sandbox: Sandbox) -> None:
    runner = sandbox.runner("etl-prod-eu")
    sleep = RecordingSleep()
    client = client_for(sandbox, sleep=sleep)
    sandbox.maia.faults.add("GET", f"/dpc/v1/agents/{runner.id}", status=429, retry_after=1.5, count=2)
    fetched = await client.get_runner(runner.id)
    await client.aclose()
    assert fetched.id == runner.id
    assert sleep.delays == [1.5, 1.5]


async def test_429_really_waits(sandbox: Sandbox, maia: MaiaClient) -> None:
    runner = sandbox.runner("etl-prod-eu")
    sandbox.maia.faults.add("GET", f"/dpc/v1/agents/{runner.id}", status=429, retry_after=0.3)
    started = time.monotonic()
    await maia.get_runner(runner.id)
    assert time.monotonic() - started >= 0.3


async def test_429_gives_up_after_the_allowed_waits(sandbox: Sandbox) -> None:
    runner = sandbox.runner("etl-prod-eu")
    sleep = RecordingSleep()
    client = client_for(sandbox, sleep=sleep, retry=RetryPolicy(rate_limit_waits=2))
    sandbox.maia.faults.add("GET", f"/dpc/v1/agents/{runner.id}", status=429, retry_after=7, count=10)
    with pytest.raises(RateLimitedError) as error:
        await client.get_runner(runner.id)
    await client.aclose()
    assert error.value.retry_after == 7
    assert sleep.delays == [7, 7]
    assert "1000 requests a minute" in error.value.remedy


async def test_5xx_is_retried_then_succeeds(sandbox: Sandbox, maia: MaiaClient) -> None:
    runner = sandbox.runner("etl-prod-eu")
    sandbox.maia.faults.add("GET", f"/dpc/v1/agents/{runner.id}", status=503, count=2)
    retries: list[str] = []
    maia.retry_listeners.append(lambda reason, delay: retries.append(reason))
    fetched = await maia.get_runner(runner.id)
    assert fetched.status is RunnerStatus.RUNNING
    assert sandbox.maia.count("GET", f"/v1/agents/{runner.id}") == 3
    assert len(retries) == 2 and "503" in retries[0]


async def test_5xx_retries_are_bounded_and_backoff_grows(sandbox: Sandbox) -> None:
    runner = sandbox.runner("etl-prod-eu")
    sleep = RecordingSleep()
    client = client_for(sandbox, sleep=sleep, retry=RetryPolicy(attempts=4, base_delay=1, max_delay=8))
    sandbox.maia.faults.add("GET", f"/dpc/v1/agents/{runner.id}", status=500, count=10)
    with pytest.raises(ServerError) as error:
        await client.get_runner(runner.id)
    await client.aclose()
    assert sandbox.maia.count("GET", f"/v1/agents/{runner.id}") == 4
    assert len(sleep.delays) == 3
    assert 0.5 <= sleep.delays[0] <= 1 and 2 <= sleep.delays[2] <= 4  # full jitter in [ceiling/2, ceiling]
    assert error.value.status == 500
    assert "status.matillion.com" in error.value.remedy


async def test_refresh_is_never_retried_blindly(sandbox: Sandbox, maia: MaiaClient) -> None:
    runner = sandbox.runner("etl-prod-eu")
    before = runner.client_secret
    sandbox.maia.faults.add("POST", f"/dpc/v1/agents/{runner.id}/credentials", status=502)
    with pytest.raises(ServerError) as error:
        await maia.refresh_credentials(runner.id)
    assert sandbox.maia.count("POST", f"/v1/agents/{runner.id}/credentials") == 1
    assert "may or may not" in error.value.remedy
    assert runner.client_secret == before


async def test_problem_json_maps_to_typed_errors(sandbox: Sandbox, maia: MaiaClient) -> None:
    with pytest.raises(NotFoundError) as missing:
        await maia.get_runner("no-such-runner")
    assert "no-such-runner" in missing.value.message
    assert "not found" in missing.value.message.lower()
    assert missing.value.instance == "/dpc/v1/agents/no-such-runner"

    stopped = sandbox.runner("etl-staging-stopped")
    with pytest.raises(ConflictError) as conflict:
        await maia.send_command(stopped.id, RunnerCommand.PAUSE)
    assert "stopped" in (conflict.value.detail or "")


async def test_member_role_gets_permission_remedy(sandbox: Sandbox) -> None:
    settings = sandbox.settings()
    member = MaiaClient(
        api_url=settings.api_url,
        token_url=settings.token_url,
        client_id=sandbox.member_credential.client_id,
        client_secret=Secret(sandbox.member_credential.client_secret),
        retry=FAST_RETRY,
    )
    runner = sandbox.runner("etl-prod-eu")
    assert len(await member.list_runners()) >= 10
    with pytest.raises(PermissionDeniedError) as error:
        await member.refresh_credentials(runner.id)
    await member.aclose()
    assert "Manage runners" in error.value.remedy
    assert sandbox.maia.count("POST", f"/v1/agents/{runner.id}/credentials") == 1


async def test_dropped_connection_is_retried(sandbox: Sandbox, maia: MaiaClient) -> None:
    sandbox.maia.faults.add("GET", "/dpc/v1/agents", drop=True)
    runners = await maia.list_runners()
    assert len(runners) == 10


async def test_unreachable_api_is_a_connection_error(sandbox: Sandbox) -> None:
    client = MaiaClient(
        api_url="http://127.0.0.1:9/dpc",
        token_url="http://127.0.0.1:9/token",
        client_id="x",
        client_secret=Secret("y"),
        retry=FAST_RETRY,
    )
    with pytest.raises(ApiConnectionError) as error:
        await client.list_runners()
    assert "network" in error.value.remedy


async def test_slow_answer_is_a_timeout(sandbox: Sandbox) -> None:
    runner = sandbox.runner("etl-prod-eu")
    client = client_for(sandbox, timeout=0.2, retry=RetryPolicy(attempts=1))
    await client.list_runners()  # token first, so only the slow call times out
    sandbox.maia.faults.add("GET", f"/dpc/v1/agents/{runner.id}", status=0, delay=0.6)
    with pytest.raises(ApiTimeoutError):
        await client.get_runner(runner.id)
    await client.aclose()


async def test_credentials_refresh_and_read_back(sandbox: Sandbox, maia: MaiaClient) -> None:
    runner = sandbox.runner("etl-prod-eu")
    old = await maia.get_credentials(runner.id)
    new = await maia.refresh_credentials(runner.id)
    assert new.client_id == old.client_id
    assert new.client_secret != old.client_secret
    assert (await maia.get_credentials(runner.id)).client_secret == new.client_secret
    assert new.client_secret.reveal() not in repr(new)


async def test_running_pipelines_follow_default_environments(sandbox: Sandbox, maia: MaiaClient) -> None:
    busy = await maia.running_pipelines(sandbox.runner("etl-prod-eu").id)
    assert busy.count == 2
    assert {e.pipeline_name for e in busy.executions} == {"load_orders", "refresh_customer_360"}
    assert busy.environments == ["Analytics/production"]
    idle = await maia.running_pipelines(sandbox.runner("aca-finance").id)
    assert idle.count == 0 and idle.environments == ["Finance/prod"]


async def test_pages_through_more_than_a_thousand_runners(tmp_path: Path) -> None:
    with Sandbox(startup_delay=0.01, extra_runners=1050, platforms=(), workdir=tmp_path / "big") as box:
        client = MaiaClient.from_settings(box.settings(), retry=FAST_RETRY)
        runners = await client.list_runners()
        await client.aclose()
        assert len(runners) == 1060
        assert len({r.id for r in runners}) == 1060
        assert box.maia.count("GET", "/v1/agents") == 11


async def test_accepts_a_bare_array_of_agents() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": "t", "expires_in": 1800})
        return httpx.Response(200, json=[{"agentId": "a1", "name": "one", "agentStatus": "RUNNING", "connected": True}])

    client = MaiaClient(
        api_url="https://example.invalid/dpc",
        token_url="https://example.invalid/token",
        client_id="c",
        client_secret=Secret("s"),
        transport=httpx.MockTransport(handler),
    )
    runners = await client.list_runners()
    assert [(r.id, r.status) for r in runners] == [("a1", RunnerStatus.RUNNING)]
