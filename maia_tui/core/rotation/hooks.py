"""How the engine asks the operator (confirmation after preflight, manual steps), and non-interactive answers."""

from __future__ import annotations

from typing import Protocol

from maia_tui.core.rotation.model import Confirmation, Decision, Step


class ManualAnswer:
    """What the operator said about a manual step."""

    DONE = "done"
    RETRY = "retry"  # try the automatic way again (e.g. after logging in to the platform)
    ABORT = "abort"


class RotationHooks(Protocol):
    """Where the engine asks the operator: the UI shows a modal or the panel; the CLI prompts or uses flags."""

    async def confirm(self, request: Confirmation) -> Decision:
        """After preflight, before anything changes: proceed? pause first?"""
        ...

    async def manual(self, step: Step, instructions: list[str]) -> str:
        """The operator does `step` by hand; return ManualAnswer.DONE, RETRY or ABORT."""
        ...


class AutoHooks:
    """Non-interactive answers: proceed (pausing as `pause` says, or as suggested) and refuse manual steps."""

    def __init__(self, pause: bool | None = None, *, proceed: bool = True) -> None:
        self.pause = pause
        self.proceed = proceed
        self.requests: list[Confirmation] = []

    async def confirm(self, request: Confirmation) -> Decision:
        self.requests.append(request)
        pause = request.pause_suggested if self.pause is None else self.pause
        return Decision(self.proceed, pause=pause and request.pause_possible)

    async def manual(self, step: Step, instructions: list[str]) -> str:
        return ManualAnswer.ABORT


class Aborted(Exception):
    """Raised inside a step when the operator cancelled a wait."""
