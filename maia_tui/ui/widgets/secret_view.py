"""Shows a runner secret masked, or its value for a short while; never an Input, whose Ctrl+C copies plaintext."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from maia_tui.core.secret import MASK, Secret

MASKED_TEXT = MASK * 2
MASKED_HINT = "masked"


class SecretView(Vertical):
    """Masked by default; `reveal()` shows the value and re-masks itself after REMASK_AFTER seconds."""

    REMASK_AFTER: ClassVar[float] = 30.0

    class VisibilityChanged(Message):
        """The value was revealed or masked again (by the operator, the timer or leaving the screen)."""

        def __init__(self, revealed: bool) -> None:
            super().__init__()
            self.revealed = revealed

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, id: str | None = None) -> None:
        super().__init__(id=id)
        self._clock = clock
        self._timer: Timer | None = None
        self._ticker: Timer | None = None
        self._masks_at = 0.0
        self.revealed = False

    def compose(self) -> ComposeResult:
        yield Static(MASKED_TEXT, id="secret-value", markup=False)
        yield Static(MASKED_HINT, id="secret-hint")

    def reveal(self, secret: Secret) -> None:
        """Show the value and start the countdown to masking it again."""
        self._stop_timers()
        self.query_one("#secret-value", Static).update(secret.reveal())
        self.revealed = True
        self.add_class("-revealed")
        self._masks_at = self._clock() + self.REMASK_AFTER
        self._timer = self.set_timer(self.REMASK_AFTER, self.mask)
        self._ticker = self.set_interval(1.0, self._show_countdown)
        self._show_countdown()
        self.post_message(self.VisibilityChanged(True))

    def mask(self) -> None:
        """Hide the value again; safe to call when it is already masked."""
        self._stop_timers()
        if not self.is_mounted:
            return
        self.query_one("#secret-value", Static).update(MASKED_TEXT)
        self.query_one("#secret-hint", Static).update(MASKED_HINT)
        self.remove_class("-revealed")
        if self.revealed:
            self.revealed = False
            self.post_message(self.VisibilityChanged(False))

    def _show_countdown(self) -> None:
        left = max(0, round(self._masks_at - self._clock()))
        self.query_one("#secret-hint", Static).update(f"visible · masks again in {left}s")

    def _stop_timers(self) -> None:
        for timer in (self._timer, self._ticker):
            if timer is not None:
                timer.stop()
        self._timer = self._ticker = None

    def on_unmount(self) -> None:
        self._stop_timers()
