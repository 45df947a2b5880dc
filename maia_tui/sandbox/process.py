"""Run the sandbox as a process: `maia-tui sandbox` prints its exports; `maia-tui demo` starts one as a child."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

READY = "# maia-tui sandbox ready"


def export_lines(env: dict[str, str]) -> list[str]:
    """`export NAME=value` lines a POSIX shell can eval."""
    return [f"export {name}={shlex.quote(value)}" for name, value in env.items()]


def serve(
    *, runners: int, startup_delay: float, watch_stdin: bool, out: TextIO = sys.stdout, refresh_interval: float = 5.0
) -> int:
    """Start a sandbox, print its exports and a ready line, and run until interrupted (or stdin closes)."""
    from maia_tui.sandbox.sandbox import Sandbox

    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    sandbox = Sandbox(startup_delay=startup_delay, extra_runners=runners, refresh_interval=refresh_interval)
    try:
        sandbox.start()
        for line in export_lines(sandbox.env):
            print(line, file=out)
        print(f"{READY}: {len(sandbox.state.runners)} runners; Ctrl+C stops it and removes its files", file=out)
        out.flush()
        if watch_stdin:
            threading.Thread(target=_wait_for_eof, args=(stop,), daemon=True).start()
        stop.wait()
    finally:
        sandbox.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _wait_for_eof(stop: threading.Event) -> None:
    """The parent (maia-tui demo) holds our stdin open; when it dies, the pipe closes and we stop."""
    try:
        while sys.stdin.buffer.read(1024):
            pass
    except (OSError, ValueError):
        pass
    stop.set()


class SandboxStartError(RuntimeError):
    """The sandbox child process died before it was ready."""


@contextmanager
def child_sandbox(
    *, runners: int = 0, startup_delay: float = 3.0, refresh_interval: float = 5.0
) -> Iterator[dict[str, str]]:
    """Start `maia-tui sandbox` as a child process and yield its environment; stop it on exit."""
    command = [
        sys.executable,
        "-m",
        "maia_tui",
        "sandbox",
        "--runners",
        str(runners),
        "--startup-delay",
        str(startup_delay),
        "--refresh",
        str(refresh_interval),
        "--watch-stdin",
    ]
    errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed once the child has exited
    child = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
        start_new_session=True,  # Ctrl+C in the TUI must not reach the sandbox before the TUI has left
    )
    env: dict[str, str] = {}
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith(READY):
                break
            if line.startswith("export "):
                name, _, value = line[len("export ") :].strip().partition("=")
                env[name] = shlex.split(value)[0] if value else ""
        else:
            child.wait(timeout=10)
            errors.seek(0)
            error = errors.read()
            raise SandboxStartError(f"the sandbox did not start:\n{error.strip()[-2000:]}")
        yield env
    finally:
        if child.stdin:
            child.stdin.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        errors.close()
