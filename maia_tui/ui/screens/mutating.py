"""Screens whose mutating actions each have a button (id = action name) as well as a key in the footer."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.widgets import Button


class MutatingActions:
    """Keeps buttons and footer in step with `check_action`: greyed out when not allowed, hidden in read-only."""

    MUTATING: ClassVar[set[str]] = set()
    _allowed: tuple[bool | None, ...] = ()

    def sync_action_buttons(self: Any) -> None:
        """Enable each action's button as `check_action` says; rebuild the footer only when that changed."""
        actions = sorted(self.MUTATING)
        allowed = tuple(self.check_action(action, ()) for action in actions)
        for action, state in zip(actions, allowed, strict=True):
            self.query_one(f"#{action}", Button).disabled = not state
        if allowed != self._allowed:  # the footer rebuilds itself on every refresh_bindings: only when needed
            self._allowed = allowed
            self.refresh_bindings()
