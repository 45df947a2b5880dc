"""The interface every platform adapter implements (AWS, Azure, GKE, Snowflake): locate, check, apply, restart, wait.

Adapters are synchronous (the cloud SDKs are); the rotation engine runs them in worker threads and
passes a `Progress` whose methods are safe to call from any thread.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Protocol

from maia_tui.core.maia.models import Runner, RunnerCredentials
from maia_tui.core.settings import Settings


@dataclass(frozen=True, slots=True)
class PlatformTarget:
    """Where one runner's secret lives and what restarts it: the concrete names an operator would look for."""

    platform: str
    runner_id: str
    runner_name: str
    summary: str
    fields: Mapping[str, str] = field(default_factory=dict)

    def binding(self) -> dict[str, Any]:
        """What the config file remembers for this runner, so the next rotation skips discovery."""
        return {"platform": self.platform, "name": self.runner_name, **dict(self.fields)}


class CheckLevel(StrEnum):
    """How much a failed preflight check matters: an error blocks the refresh, a warning asks first."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Check:
    """One preflight finding, with the remedy when it did not pass."""

    name: str
    ok: bool
    detail: str = ""
    level: CheckLevel = CheckLevel.ERROR
    remedy: str = ""

    @property
    def blocks(self) -> bool:
        return not self.ok and self.level is CheckLevel.ERROR


class Progress(Protocol):
    """The engine's ear for a running step; every method is thread-safe."""

    def log(self, line: str) -> None:
        """A line for the live log (a service event, a helm line); never a secret."""
        ...

    def fraction(self, value: float | None) -> None:
        """How far the step is, 0..1, or None when it cannot be told."""
        ...

    def cancelled(self) -> bool:
        """True when the operator asked to abort; long waits should stop early."""
        ...


class PlatformAdapter(ABC):
    """Applies a runner's new secret on one platform and restarts the runner there."""

    name: ClassVar[str]
    label: ClassVar[str]

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @abstractmethod
    def available(self) -> tuple[bool, str]:
        """Whether this host can reach the platform (credentials, tools); when not, why, in one line."""

    @abstractmethod
    def locate(self, runner: Runner, binding: Mapping[str, Any] | None) -> PlatformTarget:
        """Find the runner's target from its config binding, or discover it (raises PlatformNotFound)."""

    @abstractmethod
    def preflight(self, target: PlatformTarget, progress: Progress) -> list[Check]:
        """Everything that can be checked before the secret is revoked: access, state, permissions."""

    @abstractmethod
    def apply_secret(
        self, target: PlatformTarget, credentials: RunnerCredentials, *, token: str, progress: Progress
    ) -> None:
        """Write the new secret where the runner reads it, keeping all else; `token` makes a retry idempotent."""

    @abstractmethod
    def restart(self, target: PlatformTarget, progress: Progress) -> None:
        """Start the platform's restart of the runner (it reads secrets only at start)."""

    @abstractmethod
    def wait_healthy(self, target: PlatformTarget, progress: Progress, timeout: float) -> None:
        """Block until the platform side is healthy again, streaming its events; raises on failure or timeout."""

    @abstractmethod
    def stored_fingerprint(self, target: PlatformTarget) -> str | None:
        """The fingerprint of the secret the store holds now (for verify and drift), None if unreadable."""

    @abstractmethod
    def manual_steps(self, target: PlatformTarget, step: str) -> list[str]:
        """Console instructions for `step` ("apply" or "restart") with the real names filled in."""
