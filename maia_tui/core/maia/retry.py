"""How hard the API client tries again: bounded exponential backoff with full jitter, and Retry-After."""

from __future__ import annotations

import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from time import time


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Limits for retrying 5xx, connection errors and 429s; tests shrink the delays to near zero."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    rate_limit_waits: int = 5
    max_retry_after: float = 60.0

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before try `attempt + 1` (full jitter, so many clients do not retry in step)."""
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        return random.uniform(ceiling / 2, ceiling)

    def rate_limit_delay(self, retry_after: float | None, attempt: int) -> float:
        """Seconds to wait after a 429: the server's Retry-After if given, capped; else the backoff."""
        if retry_after is None:
            return self.backoff(attempt)
        return max(0.0, min(retry_after, self.max_retry_after))


def parse_retry_after(value: str | None) -> float | None:
    """Parse a Retry-After header: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time())
    except (TypeError, ValueError):
        return None
