"""One rotation per runner at a time: a lock file (pid, host, user, since) in the state dir."""

from __future__ import annotations

import contextlib
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from maia_tui.core.errors import RotationLocked
from maia_tui.core.paths import ensure_private_dir
from maia_tui.core.rotation.journal import now_iso, who


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds a runner's lock, as written in the lock file."""

    pid: int
    host: str
    user: str
    since: str
    rotation: str = ""

    def describe(self) -> str:
        return f"{self.user}@{self.host} (pid {self.pid}) since {self.since}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by someone else
        return True
    return True


class RunnerLock:
    """An exclusive lock on rotating one runner, refused (with the holder) when another process has it."""

    def __init__(self, state_dir: Path, runner_id: str, runner_name: str = "") -> None:
        self.path = Path(state_dir) / "locks" / f"{runner_id}.lock"
        self.runner_name = runner_name or runner_id
        self.held = False

    def holder(self) -> LockHolder | None:
        """The current holder, or None when the lock is free (or unreadable)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return LockHolder(
                pid=int(data["pid"]),
                host=str(data["host"]),
                user=str(data.get("user", "?")),
                since=str(data.get("since", "?")),
                rotation=str(data.get("rotation", "")),
            )
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None

    def acquire(self, rotation_id: str = "") -> None:
        """Take the lock; a stale lock (its pid is gone on this host) is taken over; raises RotationLocked."""
        if self.held:
            return
        ensure_private_dir(self.path.parent)
        me = who()
        body = json.dumps({**me, "since": now_iso(), "rotation": rotation_id}).encode()
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                holder = self.holder()
                if holder is None or (holder.host == socket.gethostname() and not _alive(holder.pid)):
                    with contextlib.suppress(FileNotFoundError):
                        self.path.unlink()
                    continue
                raise RotationLocked(
                    f"{self.runner_name} is being rotated by {holder.describe()}",
                    remedy=(
                        "Wait for that rotation to finish. If that process is gone (another host, or killed), "
                        f"remove the lock file {self.path}."
                    ),
                ) from None
            try:
                os.write(fd, body)
            finally:
                os.close(fd)
            self.held = True
            return
        raise RotationLocked(f"could not take the lock for {self.runner_name}", remedy=f"Remove {self.path} and retry.")

    def release(self) -> None:
        """Give the lock back, only if this process still holds it."""
        if not self.held:
            return
        self.held = False
        holder = self.holder()
        if holder is not None and holder.pid == os.getpid() and holder.host == socket.gethostname():
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
