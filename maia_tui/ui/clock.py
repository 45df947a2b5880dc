"""The UI's sense of time, passed in so tests and snapshots can freeze it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Clock:
    """Monotonic seconds for ages ("updated 3 s ago") and wall time for dates ("paused until …")."""

    monotonic: Callable[[], float] = time.monotonic
    now: Callable[[], datetime] = field(default=_utc_now)


def frozen_clock(moment: datetime | None = None) -> Clock:
    """A clock that never moves: every age reads 0 s and every date is `moment`."""
    fixed = moment or datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    return Clock(monotonic=lambda: 1000.0, now=lambda: fixed)
