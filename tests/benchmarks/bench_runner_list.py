"""Figures for the runner list with 5,000 runners: first rows, full load, filter keystrokes, refresh cost.

Run:  /work/venv/bin/python tests/benchmarks/bench_runner_list.py [--runners 5000]
Not a test (pytest does not collect it): it prints numbers to compare before and after a change.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from maia_tui.core.maia import MaiaClient
from maia_tui.sandbox.sandbox import Sandbox
from maia_tui.ui.app import MaiaApp


class LoopLag:
    """Measures how long the event loop is blocked: a 5 ms ticker records how late it wakes up."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, loop.time() - before - 0.005)

    def start(self) -> None:
        self.worst = 0.0
        self._task = asyncio.create_task(self._tick())

    def stop(self) -> float:
        assert self._task is not None
        self._task.cancel()
        return self.worst


async def until(condition, timeout: float = 60.0) -> float:  # type: ignore[no-untyped-def]
    """Seconds until `condition()` holds, polling every millisecond."""
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > timeout:
            raise TimeoutError
        await asyncio.sleep(0.001)
    return time.perf_counter() - start


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


async def measure(sandbox: Sandbox, size: tuple[int, int]) -> None:
    settings = sandbox.settings()
    app = MaiaApp(settings, MaiaClient.from_settings(settings))
    total = len(sandbox.state.runners)
    start = time.perf_counter()
    async with app.run_test(size=size) as pilot:
        entered = time.perf_counter() - start
        table = app.runner_list.table  # type: ignore[union-attr]
        first_rows = entered + await until(lambda: table.total > 0)
        all_rows = entered + await until(lambda: table.total == total)
        await pilot.pause()
        print(f"  app mounted (first frame)        {ms(entered)}")
        print(f"  first page of rows on screen     {ms(first_rows)}")
        print(f"  all {total:,} runners loaded       {ms(all_rows)}")

        # One full refresh (51 pages) and how long it blocks the event loop at worst.
        lag = LoopLag()
        lag.start()
        before = time.perf_counter()
        app.runner_list.poll_now()  # type: ignore[union-attr]
        await app.workers.wait_for_complete()
        refresh = time.perf_counter() - before
        print(f"  one refresh of every page        {ms(refresh)}   (loop blocked at most {ms(lag.stop())})")

        # The filter itself: recomputing the visible rows for each prefix of a query.
        costs = []
        for end in range(1, len("runner-042") + 1):
            t = time.perf_counter()
            table.set_filter("runner-042"[:end])
            costs.append(time.perf_counter() - t)
        table.set_filter("")
        print(f"  filter recompute per keystroke   {ms(statistics.median(costs))} median, {ms(max(costs))} max")

        # End to end through the pilot: a keystroke in the filter box until the app is idle again.
        await pilot.press("slash")
        keys = []
        for ch in "runner-042":
            t = time.perf_counter()
            await pilot.press(ch)
            keys.append(time.perf_counter() - t)
        shown = await until(lambda: table.filter_text == "runner-042" and table.shown == 100)
        print(f"  key → idle (pilot, incl. render) {ms(statistics.median(keys))} median, {ms(max(keys))} max")
        print(f"  last key → 100 rows (debounced)  {ms(shown)}")

        # Rendering the visible rows of the table.
        t = time.perf_counter()
        for y in range(table.size.height):
            table.render_line(y)
        print(f"  render every visible line        {ms(time.perf_counter() - t)}")

        await pilot.press("escape")
        t = time.perf_counter()
        await pilot.press("end")
        print(f"  End (jump to runner {total:,})      {ms(time.perf_counter() - t)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runners", type=int, default=5000)
    args = parser.parse_args()
    start = time.perf_counter()
    sandbox = Sandbox(
        startup_delay=0.05, extra_runners=args.runners, platforms=(), tick=0.5, workdir=Path(tempfile.mkdtemp())
    )
    sandbox.start()
    print(f"sandbox with {len(sandbox.state.runners):,} runners started in {ms(time.perf_counter() - start)}")
    try:
        for size in ((100, 30), (80, 24)):
            print(f"terminal {size[0]}x{size[1]}:")
            asyncio.run(measure(sandbox, size))
    finally:
        sandbox.stop()


if __name__ == "__main__":
    main()
