"""What a running rotation reports: plain dataclasses the UI turns into messages and the CLI prints."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any

from maia_tui.core.rotation.model import Outcome, StepId, StepState


@dataclass(frozen=True, kw_only=True)
class RotationEvent:
    """Every event names its rotation and the seconds since that rotation started."""

    rotation_id: str
    elapsed: float

    @property
    def kind(self) -> str:
        return _KINDS[type(self)]


@dataclass(frozen=True, kw_only=True)
class StepChanged(RotationEvent):
    """A step changed state; `duration` is set once it is done, failed or skipped."""

    step: StepId
    state: StepState
    detail: str = ""
    error: str = ""
    remedy: str = ""
    duration: float | None = None


@dataclass(frozen=True, kw_only=True)
class StepProgress(RotationEvent):
    """How far a step is (0..1, None when unknown) and, during waits, the seconds left before the timeout."""

    step: StepId
    fraction: float | None
    remaining: float | None = None


@dataclass(frozen=True, kw_only=True)
class LogLine(RotationEvent):
    """One line for the live log (a check, a service event, a status change); never a secret."""

    step: StepId
    line: str
    level: str = "info"  # info | warning | error


@dataclass(frozen=True, kw_only=True)
class ManualStep(RotationEvent):
    """The platform cannot be reached from here: the operator does `step` by hand, then says done."""

    step: StepId
    instructions: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class RotationFinished(RotationEvent):
    """`run()` returned: succeeded, failed (retry possible), aborted or declined."""

    outcome: Outcome
    summary: str
    runner_status: str = ""
    fingerprints_match: bool | None = None
    failed_step: StepId | None = None


_KINDS: dict[type, str] = {
    StepChanged: "step",
    StepProgress: "progress",
    LogLine: "log",
    ManualStep: "manual",
    RotationFinished: "finished",
}


def event_to_dict(event: RotationEvent) -> dict[str, Any]:
    """A JSON-ready dict of an event (for `maia-tui rotate --json`); enums become their values."""
    data = {"event": event.kind, **asdict(event)}
    for key, value in list(data.items()):
        if isinstance(value, Enum):
            data[key] = value.value
        elif isinstance(value, tuple):
            data[key] = list(value)
        elif isinstance(value, float):
            data[key] = round(value, 3)
    return data
