"""The rotation journal: one JSON line per transition in the state dir, for audit and to resume after a crash.

It never holds a secret value: only step states, names, client ids and fingerprints (8 hex of SHA-256).
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maia_tui.core.paths import ensure_private_dir
from maia_tui.core.rotation.model import Step, StepId, StepState

if TYPE_CHECKING:
    from maia_tui.core.maia.models import Runner, RunnerCredentials
    from maia_tui.core.rotation.engine import Rotation
    from maia_tui.core.settings import Settings

JOURNAL_NAME = "rotations.jsonl"


def who() -> dict[str, Any]:
    """The operator and process behind an entry: user, host and pid."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return {"user": user, "host": socket.gethostname(), "pid": os.getpid()}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class PendingRotation:
    """An unfinished rotation whose refresh already happened: the runner waits for its new secret."""

    rotation_id: str
    runner_id: str
    runner_name: str
    refreshed_at: str
    refreshed_by: str
    initial_status: str
    paused_by_rotation: bool
    done: set[StepId] = field(default_factory=set)
    client_id: str = ""
    fingerprint: str = ""

    @property
    def next_step(self) -> StepId:
        """Where the rotation continues: the first step after the refresh that is not done yet."""
        for step in (StepId.APPLY, StepId.RESTART, StepId.WAIT, StepId.RESUME, StepId.VERIFY):
            if step not in self.done:
                return step
        return StepId.VERIFY


class Journal:
    """Appends transitions to `rotations.jsonl` (mode 0600) and reads them back."""

    def __init__(self, state_dir: Path) -> None:
        self.path = Path(state_dir) / JOURNAL_NAME

    @classmethod
    def for_settings(cls, settings: Settings) -> Journal:
        return cls(settings.state_dir)

    def append(self, rotation_id: str, runner: Runner, event: str, **fields: Any) -> None:
        """Write one entry; the file is created 0600 in a 0700 directory and only ever appended to."""
        entry = {
            "ts": now_iso(),
            "rotation": rotation_id,
            "runner": runner.id,
            "name": runner.name,
            "event": event,
            **{k: (v.value if hasattr(v, "value") else v) for k, v in fields.items() if v not in (None, "")},
        }
        ensure_private_dir(self.path.parent)
        line = json.dumps(entry, separators=(",", ":"), default=str) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every readable entry, oldest first; a torn last line (a crash mid-write) is skipped."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict):
                yield entry

    def pending(self, runner_id: str) -> PendingRotation | None:
        """The runner's latest rotation if it refreshed but never finished (nor was set aside)."""
        found: dict[str, PendingRotation] = {}
        started: dict[str, dict[str, Any]] = {}
        order: list[str] = []
        for entry in self.entries():
            if entry.get("runner") != runner_id:
                continue
            rid = str(entry.get("rotation") or "")
            kind = entry.get("event")
            if kind == "started":
                started[rid] = entry
                order.append(rid)
            elif kind == "step":
                self._step(found, started, rid, entry)
            elif kind in ("finished", "abandoned") and (kind == "abandoned" or entry.get("outcome") == "succeeded"):
                found.pop(rid, None)
                started.pop(rid, None)
        for rid in reversed(order):
            if rid in found:
                return found[rid]
        return None

    @staticmethod
    def _step(
        found: dict[str, PendingRotation], started: dict[str, dict[str, Any]], rid: str, entry: dict[str, Any]
    ) -> None:
        try:
            step, state = StepId(str(entry.get("step"))), StepState(str(entry.get("state")))
        except ValueError:
            return
        begun = started.get(rid, {})
        if step is StepId.REFRESH and state is StepState.DONE:
            found[rid] = PendingRotation(
                rotation_id=rid,
                runner_id=str(entry.get("runner")),
                runner_name=str(entry.get("name") or ""),
                refreshed_at=str(entry.get("ts") or ""),
                refreshed_by=f"{entry.get('user') or begun.get('user', '?')}@{begun.get('host', '?')}",
                initial_status=str(begun.get("initial_status") or ""),
                paused_by_rotation=bool(begun.get("paused_by_rotation")),
                client_id=str(entry.get("client_id") or ""),
                fingerprint=str(entry.get("fingerprint") or ""),
            )
        pending = found.get(rid)
        if step is StepId.PAUSE and state is StepState.DONE:
            begun["paused_by_rotation"] = True
            if pending is not None:
                pending.paused_by_rotation = True
        if pending is None:
            return
        if state.finished:
            pending.done.add(step)
        else:
            pending.done.discard(step)

    def record_start(self, rotation: Rotation) -> None:
        """A rotation starts (or a pending one resumes, keeping its id): mode, platform, who, and from which state."""
        self.append(
            rotation.id,
            rotation.runner,
            "resumed" if rotation.pending is not None else "started",
            mode=rotation.mode,
            platform=rotation.runner.platform.value,
            initial_status=rotation.initial_status,
            options={"pause": rotation.options.pause, "wait_timeout": rotation.options.wait_timeout},
            **who(),
        )

    def record_step(self, rotation: Rotation, step: Step) -> None:
        """A step's transition; after the refresh and the apply, the client id and the secret's fingerprint."""
        extra: dict[str, Any] = {}
        credentials = rotation.credentials
        if step.id in (StepId.REFRESH, StepId.APPLY) and step.state is StepState.DONE and credentials:
            extra = {"client_id": credentials.client_id, "fingerprint": credentials.client_secret.fingerprint()}
        self.append(
            rotation.id,
            rotation.runner,
            "step",
            step=step.id,
            state=step.state,
            detail=step.detail,
            error=step.error,
            remedy=step.remedy,
            duration=round(step.duration, 3) if step.duration is not None else None,
            attempt=step.attempts,
            user=who()["user"],
            **extra,
        )

    def abandon(self, pending: PendingRotation, runner: Runner, reason: str) -> None:
        """The operator chose a new refresh over continuing: the old rotation stops being offered."""
        self.append(pending.rotation_id, runner, "abandoned", reason=reason, **who())


def new_rotation_id() -> str:
    return str(uuid.uuid4())


def record_external_refresh(
    settings: Settings, runner: Runner, credentials: RunnerCredentials, *, source: str = "credentials screen"
) -> str:
    """Journal a SECRET_REFRESH done outside the engine, so a crash before apply still offers to continue."""
    journal = Journal.for_settings(settings)
    rotation_id = new_rotation_id()
    journal.append(
        rotation_id, runner, "started", mode="given", source=source, initial_status=runner.status.value, **who()
    )
    journal.append(
        rotation_id,
        runner,
        "step",
        step=StepId.REFRESH,
        state=StepState.DONE,
        detail=f"refreshed in the {source}",
        client_id=credentials.client_id,
        fingerprint=credentials.client_secret.fingerprint(),
        **who(),
    )
    return rotation_id
