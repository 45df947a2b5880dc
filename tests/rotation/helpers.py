"""Shared helpers for rotation tests: fast options, an event recorder, and sandbox look-ups."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from maia_tui.core.maia import MaiaClient
from maia_tui.core.platforms.registry import adapter_for
from maia_tui.core.rotation.engine import AutoHooks, Rotation, RotationHooks
from maia_tui.core.rotation.events import LogLine, RotationEvent, RotationFinished, StepChanged
from maia_tui.core.rotation.model import RotationOptions, StartMode, StepId, StepState
from maia_tui.core.settings import Settings
from maia_tui.sandbox.sandbox import Sandbox

FAST = RotationOptions(poll_interval=0.02, wait_timeout=10.0, pause_timeout=10.0)
REFRESHES = r"/v1/agents/[^/]+/credentials"


@dataclass
class Recorder:
    """Collects engine events and answers questions about them."""

    events: list[RotationEvent] = field(default_factory=list)
    on_event: Any = None

    def __call__(self, event: RotationEvent) -> None:
        self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)

    def states(self, step: StepId) -> list[StepState]:
        return [e.state for e in self.events if isinstance(e, StepChanged) and e.step is step]

    def log(self) -> str:
        return "\n".join(e.line for e in self.events if isinstance(e, LogLine))

    def finished(self) -> RotationFinished:
        return [e for e in self.events if isinstance(e, RotationFinished)][-1]


def make_rotation(
    sandbox: Sandbox,
    maia: MaiaClient,
    runner: Any,
    *,
    hooks: RotationHooks | None = None,
    options: RotationOptions = FAST,
    settings: Settings | None = None,
    **kwargs: Any,
) -> tuple[Rotation, Recorder]:
    """A Rotation on the sandbox with fast polling, recording its events."""
    settings = settings or sandbox.settings()
    adapter = adapter_for("aws", settings)
    adapter.poll_interval = 0.02  # type: ignore[attr-defined]
    recorder = Recorder()
    rotation = Rotation(
        runner,
        client=maia,
        settings=settings,
        adapter=adapter,
        options=options,
        hooks=hooks or AutoHooks(pause=False),
        on_event=recorder,
        mode=kwargs.pop("mode", StartMode.REFRESH),
        **kwargs,
    )
    return rotation, recorder


def secret_text(sandbox: Sandbox, name: str) -> str:
    """What Secrets Manager holds now (AWSCURRENT) for a seeded runner."""
    sm = sandbox.aws.client("secretsmanager")
    return sm.get_secret_value(SecretId=f"{name}-oauth-credentials")["SecretString"]


def secret_json(sandbox: Sandbox, name: str) -> dict[str, Any]:
    return json.loads(secret_text(sandbox, name))


def versions(sandbox: Sandbox, name: str) -> list[str]:
    sm = sandbox.aws.client("secretsmanager")
    return sorted(v["VersionId"] for v in sm.list_secret_version_ids(SecretId=f"{name}-oauth-credentials")["Versions"])


def primary_deployment(sandbox: Sandbox, name: str) -> dict[str, Any]:
    ecs = sandbox.aws.client("ecs")
    service = ecs.describe_services(cluster=f"{name}-cluster", services=[f"{name}-service"])["services"][0]
    return next(d for d in service["deployments"] if d["status"] == "PRIMARY")


def refreshes(sandbox: Sandbox) -> int:
    """SECRET_REFRESH calls Maia received (POST .../credentials)."""
    return sandbox.maia.count("POST", REFRESHES)
