"""The shape of a rotation: its steps, their states, how it starts, and the options an operator can set."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class StepId(StrEnum):
    """The steps of a rotation, in the order they run (design.md §3 says why this order)."""

    PREFLIGHT = "preflight"
    PAUSE = "pause"
    REFRESH = "refresh"
    APPLY = "apply"
    RESTART = "restart"
    WAIT = "wait"
    RESUME = "resume"
    VERIFY = "verify"


STEP_ORDER: tuple[StepId, ...] = tuple(StepId)

TITLES: dict[StepId, str] = {
    StepId.PREFLIGHT: "Preflight checks",
    StepId.PAUSE: "Pause the runner",
    StepId.REFRESH: "Refresh in Maia",
    StepId.APPLY: "Apply the new secret",
    StepId.RESTART: "Restart the runner",
    StepId.WAIT: "Wait until it reconnects",
    StepId.RESUME: "Resume the runner",
    StepId.VERIFY: "Verify",
}


class StepState(StrEnum):
    """Where one step is; `manual` means the operator does it in a console and tells us when done."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"
    MANUAL = "manual"

    @property
    def finished(self) -> bool:
        """Done or skipped: the engine moves past it."""
        return self in (StepState.DONE, StepState.SKIPPED)


class StartMode(StrEnum):
    """How a rotation begins: whether it refreshes, or applies a secret Maia already issued."""

    REFRESH = "refresh"  # the full rotation: SECRET_REFRESH after a typed confirmation
    CURRENT = "current"  # no refresh: apply the secret Maia holds now (GET credentials)
    GIVEN = "given"  # refreshed elsewhere (the credentials screen): apply those credentials
    RESUME = "resume"  # continue an unfinished rotation from the journal (GET credentials)

    @property
    def refreshes(self) -> bool:
        return self is StartMode.REFRESH


class Outcome(StrEnum):
    """How a call to `Rotation.run()` ended."""

    SUCCEEDED = "succeeded"  # every step done or skipped, runner back and verified
    FAILED = "failed"  # stopped at a failed step; `retry` runs it again
    ABORTED = "aborted"  # the operator cancelled between steps
    DECLINED = "declined"  # the operator did not confirm; nothing was changed


@dataclass
class Step:
    """One step of a rotation as the panel and the CLI show it."""

    id: StepId
    title: str
    explanation: str = ""
    state: StepState = StepState.PENDING
    detail: str = ""
    error: str = ""
    remedy: str = ""
    started: float | None = None
    duration: float | None = None
    instructions: list[str] = field(default_factory=list)
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class RotationOptions:
    """What the operator chose, and the timeouts; `pause=None` pauses only when pipelines are running."""

    pause: bool | None = None
    wait_timeout: float = 600.0
    pause_timeout: float = 900.0
    poll_interval: float = 2.0


@dataclass(frozen=True, slots=True)
class Decision:
    """The operator's answer to the confirmation after preflight."""

    proceed: bool
    pause: bool = False


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What the operator is asked after preflight: the word to type (empty when none) and whether to pause."""

    runner_name: str
    mode: StartMode
    word: str
    running_pipelines: tuple[str, ...]
    pause_suggested: bool
    pause_possible: bool
    plan: tuple[str, ...]


def format_duration(seconds: float | None) -> str:
    """A short duration for the panel and the CLI: '<1s', '42s', '3m 05s'."""
    if seconds is None:
        return ""
    if seconds < 1:
        return "<1s"
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"
