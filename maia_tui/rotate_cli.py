"""`maia-tui rotate RUNNER`: the rotation engine without the TUI, one line per event; exit 0 only when verified."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from maia_tui.core.errors import RotationError
from maia_tui.core.rotation.engine import ManualAnswer, Rotation
from maia_tui.core.rotation.events import (
    LogLine,
    ManualStep,
    RotationEvent,
    RotationFinished,
    StepChanged,
    StepProgress,
    event_to_dict,
)
from maia_tui.core.rotation.journal import Journal
from maia_tui.core.rotation.model import (
    TITLES,
    Confirmation,
    Decision,
    Outcome,
    RotationOptions,
    StartMode,
    Step,
    StepState,
    format_duration,
)

if TYPE_CHECKING:
    from maia_tui.core.maia.client import MaiaClient
    from maia_tui.core.maia.models import Runner
    from maia_tui.core.settings import Settings

EXIT_OK, EXIT_FAILED = 0, 1
ICONS = {
    StepState.RUNNING: "▶",
    StepState.DONE: "✓",
    StepState.FAILED: "✗",
    StepState.SKIPPED: "–",
    StepState.MANUAL: "☛",
    StepState.PENDING: "·",
}


def add_rotate_parser(commands: Any) -> None:
    """The `rotate` subcommand and its flags."""
    rotate = commands.add_parser(
        "rotate",
        help="rotate a runner's secret and bring it back, without the TUI",
        description="Preflight, (pause), refresh, apply, restart, wait, (resume), verify: the same steps as the TUI.",
    )
    rotate.add_argument("runner", metavar="RUNNER", help="the runner's name or id")
    rotate.add_argument(
        "--dry-run", action="store_true", help="run the preflight checks, print the plan, change nothing"
    )
    rotate.add_argument("--yes", action="store_true", help="don't ask for the typed 'refresh' confirmation")
    pause = rotate.add_mutually_exclusive_group()
    pause.add_argument("--pause", dest="pause", action="store_true", default=None, help="pause the runner first")
    pause.add_argument(
        "--no-pause", dest="pause", action="store_false", help="never pause, even with pipelines running"
    )
    rotate.add_argument("--json", action="store_true", help="print one JSON object per line")
    rotate.add_argument(
        "--timeout", type=float, default=600.0, metavar="SECONDS", help="how long to wait for the runner to reconnect"
    )
    rotate.add_argument(
        "--current-secret",
        action="store_true",
        help="don't refresh: apply the secret Maia holds now (a runner left Unknown by a refresh done elsewhere)",
    )
    rotate.add_argument("--new-refresh", action="store_true", help="set an unfinished rotation aside and refresh again")


def run_rotate(args: argparse.Namespace, settings: Settings) -> int:
    """Entry point from cli.main."""
    return asyncio.run(_rotate(args, settings))


async def find_runner(client: MaiaClient, text: str) -> Runner:
    """The runner whose id or name is `text` (exact, then case-insensitive); ambiguous names are refused."""
    runners = await client.list_runners()
    for runner in runners:
        if runner.id == text:
            return runner
    for matches in ([r for r in runners if r.name == text], [r for r in runners if r.name.lower() == text.lower()]):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            ids = ", ".join(r.id for r in matches)
            raise RotationError(f"several runners are named {text!r}: {ids}", remedy="Pass the runner's id instead.")
    raise RotationError(f"no runner named {text!r} or with that id", remedy="`maia-tui runners` lists them.")


async def _rotate(args: argparse.Namespace, settings: Settings) -> int:
    from maia_tui.core.maia.client import MaiaClient
    from maia_tui.core.platforms.registry import adapter_for, supported

    printer = EventPrinter(as_json=args.json)
    async with MaiaClient.from_settings(settings) as client:
        runner = await find_runner(client, args.runner)
        journal = Journal.for_settings(settings)
        pending = journal.pending(runner.id)
        mode = StartMode.CURRENT if args.current_secret else StartMode.REFRESH
        if pending is not None and not args.new_refresh:
            mode = StartMode.RESUME
            printer.note(
                f"An unfinished rotation of {runner.name} (refreshed {pending.refreshed_at} by {pending.refreshed_by}) "
                f"continues at {pending.next_step.value}, reading the secret back from Maia: no second refresh."
            )
        elif pending is not None and not args.dry_run:
            journal.abandon(pending, runner, "the operator asked for a new refresh (--new-refresh)")
            pending = None
        family = runner.platform.family
        options = RotationOptions(
            pause=args.pause, wait_timeout=args.timeout, poll_interval=0.2 if settings.sandbox else 2.0
        )
        rotation = Rotation(
            runner,
            client=client,
            settings=settings,
            adapter=adapter_for(family, settings) if supported(family) else None,
            options=options,
            mode=mode,
            pending=pending if mode is StartMode.RESUME else None,
            hooks=CliHooks(printer, yes=args.yes, pause=args.pause),
            on_event=printer.event,
        )
        try:
            if args.dry_run:
                passed = await rotation.preflight_only()
                printer.plan(rotation.plan(), dry_run=True)
                return EXIT_OK if passed else EXIT_FAILED
            outcome = await rotation.run()
        finally:
            await rotation.close()
    return EXIT_OK if outcome is Outcome.SUCCEEDED else EXIT_FAILED


class CliHooks:
    """The operator's answers on a terminal: the typed word (or --yes), and Enter after a manual step."""

    def __init__(self, printer: EventPrinter, *, yes: bool, pause: bool | None) -> None:
        self.printer = printer
        self.yes = yes
        self.pause = pause

    async def confirm(self, request: Confirmation) -> Decision:
        self.printer.plan(request.plan)
        pause = request.pause_suggested if self.pause is None else self.pause
        if self.pause and not request.pause_possible:
            self.printer.note("Not pausing: the runner is not Running and connected.")
        pause = pause and request.pause_possible
        if request.pause_suggested and not pause:
            self.printer.note("Pipelines are running and the runner will not be paused (--no-pause): they may fail.")
        if not request.word or self.yes:
            return Decision(True, pause=pause)
        if not sys.stdin.isatty():
            self.printer.note("Not confirmed: pass --yes to rotate without a prompt (nothing was changed).")
            return Decision(False)
        prompt = f"Type {request.word} to revoke the current secret of {request.runner_name} and go on: "
        answer = await asyncio.to_thread(_ask, prompt)
        return Decision(answer.strip() == request.word, pause=pause)

    async def manual(self, step: Step, instructions: list[str]) -> str:
        if step.id.value == "apply":
            self.printer.note("The new secret: Maia → Runner details → Credentials → Reveal (never printed here).")
        if self.yes or not sys.stdin.isatty():
            self.printer.note("This host cannot do this step and no one can confirm it here: stopping.")
            return ManualAnswer.ABORT
        answer = await asyncio.to_thread(_ask, "Press Enter when done, type retry to try again, or abort: ")
        word = answer.strip().lower()
        return {"": ManualAnswer.DONE, "done": ManualAnswer.DONE, "retry": ManualAnswer.RETRY}.get(
            word, ManualAnswer.ABORT
        )


def _ask(prompt: str) -> str:
    """Prompt on stderr (stdout stays clean for --json) and read one line."""
    print(prompt, end="", file=sys.stderr, flush=True)
    return sys.stdin.readline()


class EventPrinter:
    """Prints each engine event as one line (or one JSON object); never a secret, since events carry none."""

    def __init__(self, *, as_json: bool, out: TextIO | None = None, progress_every: float = 2.0) -> None:
        self.as_json = as_json
        self.out = out or sys.stdout
        self.progress_every = progress_every
        self._last_progress = 0.0

    def _write(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def _json(self, data: dict[str, Any]) -> None:
        self._write(json.dumps(data, ensure_ascii=False))

    def note(self, line: str) -> None:
        if self.as_json:
            self._json({"event": "note", "line": line})
        else:
            self._write(f"  {line}")

    def plan(self, lines: list[str] | tuple[str, ...], *, dry_run: bool = False) -> None:
        if self.as_json:
            self._json({"event": "plan", "dry_run": dry_run, "lines": list(lines)})
            return
        self._write("Plan (dry run: nothing was changed):" if dry_run else "Plan:")
        for line in lines:
            self._write(f"  {line}")

    def event(self, event: RotationEvent) -> None:
        if self.as_json:
            if not isinstance(event, StepProgress) or self._due():
                self._json(event_to_dict(event))
            return
        stamp = f"[{event.elapsed:6.1f}s]"
        if isinstance(event, StepChanged):
            self._step(stamp, event)
        elif isinstance(event, LogLine):
            self._write(f"{stamp}   {event.line}")
        elif isinstance(event, StepProgress) and event.remaining is not None and self._due():
            percent = f"{event.fraction:.0%}" if event.fraction is not None else "…"
            self._write(f"{stamp}   {event.step.value}: {percent}, {format_duration(event.remaining)} left")
        elif isinstance(event, ManualStep):
            self._write(f"{stamp} ☛ {TITLES[event.step]}: do it by hand, then confirm:")
            for index, line in enumerate(event.instructions, start=1):
                self._write(f"           {index}. {line}")
        elif isinstance(event, RotationFinished):
            icon = "✓" if event.outcome is Outcome.SUCCEEDED else "✗"
            self._write(f"{stamp} {icon} {event.outcome.value}: {event.summary}")

    def _step(self, stamp: str, event: StepChanged) -> None:
        title = TITLES[event.step]
        icon = ICONS[event.state]
        if event.state is StepState.RUNNING:
            self._write(f"{stamp} {icon} {title}")
            return
        took = f" in {format_duration(event.duration)}" if event.duration is not None else ""
        detail = f": {event.detail}" if event.detail else ""
        if event.state is StepState.FAILED:
            self._write(f"{stamp} {icon} {title}{took}: {event.error}")
            self._write(f"           → {event.remedy}")
        elif event.state is not StepState.MANUAL:
            self._write(f"{stamp} {icon} {title}{detail}{took}")

    def _due(self) -> bool:
        """Progress is printed at most every `progress_every` seconds (it arrives at each poll)."""
        now = time.monotonic()
        if now - self._last_progress < self.progress_every:
            return False
        self._last_progress = now
        return True
