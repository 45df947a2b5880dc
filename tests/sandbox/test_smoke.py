"""The sandbox starts, serves the seeded fleet, and the client lists it."""

from maia_tui.core.maia import MaiaClient, RunnerStatus
from maia_tui.sandbox.sandbox import Sandbox


async def test_lists_seeded_fleet(sandbox: Sandbox, maia: MaiaClient) -> None:
    runners = {r.name: r for r in await maia.list_runners()}
    assert runners["etl-prod-eu"].status is RunnerStatus.RUNNING
    assert runners["etl-batch-paused"].status is RunnerStatus.PAUSED
    assert runners["etl-new-pending"].status is RunnerStatus.PENDING
