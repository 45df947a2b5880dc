"""A step's Progress for adapters running in worker threads: every call hops back onto the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable


class ThreadProgress:
    """Implements platforms.base.Progress; safe to call from any thread, a no-op once the loop has closed."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        on_log: Callable[[str], None],
        on_fraction: Callable[[float | None], None] | None,
        cancel: threading.Event,
    ) -> None:
        self._loop = loop
        self._on_log = on_log
        self._on_fraction = on_fraction
        self._cancel = cancel
        self.stop = threading.Event()  # set when the step no longer needs this work (e.g. Maia saw the runner back)

    def _post(self, callback: Callable[..., None], *args: object) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is listening any more
            self._loop.call_soon_threadsafe(callback, *args)

    def log(self, line: str) -> None:
        self._post(self._on_log, str(line))

    def fraction(self, value: float | None) -> None:
        if self._on_fraction is not None:
            self._post(self._on_fraction, value)

    def cancelled(self) -> bool:
        return self.stop.is_set() or self._cancel.is_set()
