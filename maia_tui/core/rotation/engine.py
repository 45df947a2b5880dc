"""The rotation engine: runs the steps in order for any platform, journals each transition, stops at a failure.

The UI and the headless CLI drive the same `Rotation`: they pass hooks (confirmation, manual steps) and an
event callback, call `run()`, and call it again to retry the failed step. Adapters run in worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from maia_tui.core.errors import MaiaTuiError, RotationError
from maia_tui.core.maia.models import Runner, RunnerCredentials, RunnerStatus
from maia_tui.core.platforms.base import Check, PlatformAdapter, PlatformTarget
from maia_tui.core.rotation import steps as step_impl
from maia_tui.core.rotation.events import (
    LogLine,
    ManualStep,
    RotationEvent,
    RotationFinished,
    StepChanged,
    StepProgress,
)
from maia_tui.core.rotation.explanations import console_steps, explain
from maia_tui.core.rotation.hooks import Aborted, AutoHooks, ManualAnswer, RotationHooks
from maia_tui.core.rotation.journal import Journal, PendingRotation, new_rotation_id
from maia_tui.core.rotation.lock import RunnerLock
from maia_tui.core.rotation.model import (
    STEP_ORDER,
    TITLES,
    Confirmation,
    Outcome,
    RotationOptions,
    StartMode,
    Step,
    StepId,
    StepState,
    format_duration,
)
from maia_tui.core.rotation.plan import mark_started
from maia_tui.core.rotation.progress import ThreadProgress
from maia_tui.core.secret import MASK

if TYPE_CHECKING:
    from maia_tui.core.maia.client import MaiaClient
    from maia_tui.core.settings import Settings

log = logging.getLogger(__name__)

EventCallback = Callable[[RotationEvent], None]


class Rotation:
    """One rotation of one runner's secret; stateful, so a failed step can be retried without a new refresh."""

    def __init__(
        self,
        runner: Runner,
        *,
        client: MaiaClient,
        settings: Settings,
        adapter: PlatformAdapter | None,
        options: RotationOptions | None = None,
        mode: StartMode = StartMode.REFRESH,
        credentials: RunnerCredentials | None = None,
        pending: PendingRotation | None = None,
        hooks: RotationHooks | None = None,
        on_event: EventCallback | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if mode is StartMode.GIVEN and credentials is None:
            raise ValueError("StartMode.GIVEN needs the credentials the refresh returned")
        if mode is StartMode.RESUME and pending is None:
            raise ValueError("StartMode.RESUME needs the pending rotation from the journal")
        self.runner = runner
        self.client = client
        self.settings = settings
        self.adapter = adapter
        self.options = options or RotationOptions()
        self.mode = mode
        self.credentials = credentials
        self.pending = pending
        self.hooks: RotationHooks = hooks or AutoHooks(self.options.pause)
        self.on_event = on_event
        self._clock = clock
        self.id = pending.rotation_id if pending else new_rotation_id()
        self.journal = Journal.for_settings(settings)
        self.lock = RunnerLock(settings.state_dir, runner.id, runner.name)
        self.steps: dict[StepId, Step] = {sid: Step(sid, TITLES[sid]) for sid in STEP_ORDER}
        self.target: PlatformTarget | None = None
        self.checks: list[Check] = []
        self.running_pipelines: tuple[str, ...] = ()
        self.maia_current: RunnerCredentials | None = None  # Maia's secret as read in preflight
        self.manual = False  # the platform cannot be reached from this host: apply/restart are manual
        self.initial_status = pending.initial_status if pending else runner.status.value
        self.paused_by_rotation = bool(pending and pending.paused_by_rotation)
        self.pause_chosen = False
        self.fingerprints_match: bool | None = None
        self.dry_run = False
        self._confirmed = mode is not StartMode.REFRESH
        self._started_at: float | None = None
        self._journal_started = False
        self._running = False
        self._cancel = threading.Event()
        self._wake = asyncio.Event()
        mark_started(self.steps, self.mode, self.pending)
        self.explain()

    # ── set-up ──────────────────────────────────────────────────────────────

    def explain(self) -> None:
        """(Re)write each step's explanation with the names known so far (the target, once located)."""
        target = self.target or self.provisional_target()
        for step in self.steps.values():
            console = (
                console_steps(self.adapter, target, step.id) if step.id.value in ("apply", "restart", "wait") else []
            )
            step.explanation = explain(
                step.id, runner=self.runner.name, platform=self.runner.platform.label, console=console
            )

    def provisional_target(self) -> PlatformTarget | None:
        """A target built from the config binding alone (no platform call), for names before preflight."""
        binding = self.settings.binding(self.runner.id, self.runner.name)
        if not binding or self.adapter is None:
            return None
        fields = {k: str(v) for k, v in binding.items() if k not in ("platform", "name")}
        summary = "as bound in the config file: " + ", ".join(f"{k} {v}" for k, v in fields.items())
        return PlatformTarget(self.adapter.name, self.runner.id, self.runner.name, summary, fields)

    # ── what callers read ───────────────────────────────────────────────────

    @property
    def ordered_steps(self) -> list[Step]:
        return [self.steps[sid] for sid in STEP_ORDER]

    @property
    def failed_step(self) -> Step | None:
        return next((s for s in self.ordered_steps if s.state is StepState.FAILED), None)

    @property
    def finished(self) -> bool:
        return all(s.state.finished for s in self.ordered_steps)

    @property
    def running(self) -> bool:
        return self._running

    @property
    def was_paused(self) -> bool:
        return self.initial_status in (RunnerStatus.PAUSED.value, RunnerStatus.PAUSING.value)

    @property
    def refreshed(self) -> bool:
        """Maia's old secret is revoked already: stopping now leaves the runner Unknown."""
        return self.steps[StepId.REFRESH].state is StepState.DONE

    def elapsed(self) -> float:
        return 0.0 if self._started_at is None else self._clock() - self._started_at

    def now(self) -> float:
        return self._clock()

    # ── control ─────────────────────────────────────────────────────────────

    def cancel(self) -> None:
        """Stop between steps; waits in progress stop at their next poll. Call from the event loop."""
        self._cancel.set()
        self._wake.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds`, or less if the operator cancels."""
        self._wake.clear()
        if self._cancel.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)

    async def preflight_only(self) -> bool:
        """The dry run: preflight without the lock, the journal or saving the binding; True when it passes."""
        self.dry_run = True
        self._started_at = self._clock()
        step = self.steps[StepId.PREFLIGHT]
        return await self._run_step(step)

    async def run(self) -> Outcome:
        """Run from the first unfinished step (a failed one is retried) until done, a failure, or a cancel."""
        if self._running:
            raise RotationError("this rotation is already running")
        self._running = True
        self._cancel.clear()
        self.dry_run = False
        if self._started_at is None:
            self._started_at = self._clock()
        try:
            return await self._run()
        finally:
            self._running = False

    async def _run(self) -> Outcome:
        try:
            self.lock.acquire(self.id)
        except MaiaTuiError as error:
            blocked = self._next_step() or self.steps[StepId.PREFLIGHT]
            self._set(blocked, StepState.FAILED, error=error.message, remedy=error.remedy)
            return self._stop(Outcome.FAILED, f"{error.message}", blocked)
        self._journal_start()
        while (step := self._next_step()) is not None:
            if self._cancel.is_set():
                return self._stop(Outcome.ABORTED, "aborted by the operator", step)
            if step.id is not StepId.PREFLIGHT and not self._confirmed and not await self._confirm():
                return self._stop(Outcome.DECLINED, "not confirmed: nothing was changed", None)
            if not await self._run_step(step):
                if self._cancel.is_set() and step.state is StepState.PENDING:
                    return self._stop(Outcome.ABORTED, "aborted by the operator", step)
                return self._stop(Outcome.FAILED, f"{step.title} failed: {step.error}", step)
        return self._succeed()

    def _next_step(self) -> Step | None:
        return next((s for s in self.ordered_steps if not s.state.finished), None)

    async def _confirm(self) -> bool:
        pause_possible = (
            self.mode is StartMode.REFRESH
            and self.steps[StepId.PAUSE].state is StepState.PENDING
            and self.runner.healthy
        )
        request = Confirmation(
            runner_name=self.runner.name,
            mode=self.mode,
            word="refresh" if self.mode is StartMode.REFRESH else "",
            running_pipelines=self.running_pipelines,
            pause_suggested=pause_possible and bool(self.running_pipelines),
            pause_possible=pause_possible,
            plan=tuple(self.plan()),
        )
        decision = await self.hooks.confirm(request)
        if not decision.proceed:
            return False
        self._confirmed = True
        self.pause_chosen = decision.pause and pause_possible
        return True

    def plan(self) -> list[str]:
        """What the remaining steps will do, one line each, with the names filled in."""
        from maia_tui.core.rotation.plan import plan_lines

        return plan_lines(self)

    async def close(self) -> None:
        """Release the lock (the panel closed or the CLI is done); the journal keeps an unfinished rotation."""
        self.cancel()
        self.lock.release()

    # ── running one step ────────────────────────────────────────────────────

    async def _run_step(self, step: Step) -> bool:
        """Run `step`; True when it ends done or skipped. Failures keep the error and remedy on the step."""
        step.attempts += 1
        while True:
            self._set(step, StepState.RUNNING)
            try:
                state, detail = await step_impl.IMPLEMENTATIONS[step.id](self, step)
            except Aborted:
                self._set(step, StepState.PENDING, detail="aborted by the operator")
                return False
            except step_impl.RetryAutomatic:
                continue
            except MaiaTuiError as error:
                self._set(step, StepState.FAILED, error=self.scrub(error.message), remedy=self.scrub(error.remedy))
                return False
            except Exception as error:  # a bug or an SDK surprise: still a clear stop with a way on
                log.exception("step %s failed unexpectedly", step.id.value)
                self._set(
                    step,
                    StepState.FAILED,
                    error=self.scrub(f"unexpected {type(error).__name__}: {error}"),
                    remedy="Retry this step; if it keeps failing, report it with the log file.",
                )
                return False
            self._set(step, state, detail=self.scrub(detail))
            return True

    async def run_manual(self, step: Step, reason: str) -> tuple[StepState, str]:
        """Hand `step` to the operator with console instructions; the engine carries on once they say done."""
        instructions = console_steps(self.adapter, self.target or self.provisional_target(), step.id)
        if not instructions:
            instructions = [f"Do this step for {self.runner.name} in the {self.runner.platform.label} console."]
        step.instructions = instructions
        self._set(step, StepState.MANUAL, detail=reason)
        self.emit(ManualStep(**self._base(), step=step.id, instructions=tuple(instructions)))
        answer = await self.hooks.manual(step, instructions)
        if answer == ManualAnswer.RETRY:
            self.manual = False
            raise step_impl.RetryAutomatic()
        if answer != ManualAnswer.DONE:
            raise Aborted()
        return StepState.DONE, "done by hand in the console"

    def progress_for(self, step: Step, *, fractions: bool = True) -> ThreadProgress:
        """A thread-safe Progress whose log lines and fractions become this step's events."""
        return ThreadProgress(
            asyncio.get_running_loop(),
            on_log=lambda line: self.log(step, line),
            on_fraction=(lambda value: self.progress(step, value)) if fractions else None,
            cancel=self._cancel,
        )

    async def call_platform(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a blocking adapter call in a worker thread, off the event loop."""
        return await asyncio.to_thread(func, *args, **kwargs)

    # ── events, journal ─────────────────────────────────────────────────────

    def _base(self) -> dict[str, Any]:
        return {"rotation_id": self.id, "elapsed": self.elapsed()}

    def emit(self, event: RotationEvent) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception:  # a broken listener must not break the rotation
            log.exception("rotation event listener failed")

    def log(self, step: Step, line: str, level: str = "info") -> None:
        self.emit(LogLine(**self._base(), step=step.id, line=self.scrub(line), level=level))

    def progress(self, step: Step, fraction: float | None, remaining: float | None = None) -> None:
        self.emit(StepProgress(**self._base(), step=step.id, fraction=fraction, remaining=remaining))

    def scrub(self, text: str) -> str:
        """Mask any secret value this rotation holds, should an SDK message ever echo one."""
        for creds in (self.credentials, self.maia_current):
            value = creds.client_secret.reveal() if creds is not None else ""
            if value and value in text:
                text = text.replace(value, MASK)
        return text

    def _set(self, step: Step, state: StepState, *, detail: str = "", error: str = "", remedy: str = "") -> None:
        now = self._clock()
        if state is StepState.RUNNING:
            step.started, step.duration = now, None
        elif state is not StepState.MANUAL and step.started is not None:
            step.duration = now - step.started
        step.state, step.detail, step.error, step.remedy = state, detail, error, remedy
        self._journal_step(step)  # written ahead of the event: a crash right after still finds it
        self.emit(
            StepChanged(
                **self._base(),
                step=step.id,
                state=state,
                detail=detail,
                error=error,
                remedy=remedy,
                duration=step.duration if state is not StepState.RUNNING else None,
            )
        )

    def _journal_start(self) -> None:
        if self._journal_started or self.dry_run:
            return
        self._journal_started = True
        self.journal.record_start(self)

    def _journal_step(self, step: Step) -> None:
        if not self.dry_run and self._journal_started:
            self.journal.record_step(self, step)

    def _stop(self, outcome: Outcome, summary: str, step: Step | None) -> Outcome:
        if self._journal_started:
            self.journal.append(
                self.id, self.runner, "finished", outcome=outcome, step=step.id if step else None, summary=summary
            )
        self.emit(
            RotationFinished(
                **self._base(),
                outcome=outcome,
                summary=summary,
                runner_status=self.runner.status_label,
                failed_step=step.id if step is not None and outcome is Outcome.FAILED else None,
            )
        )
        return outcome

    def _succeed(self) -> Outcome:
        total = format_duration(self.elapsed())
        match = ""
        if self.fingerprints_match:
            match = f"; fingerprints match ({self.credentials.client_secret.fingerprint() if self.credentials else ''})"
        summary = f"{self.runner.name} is {self.runner.status_label} again after {total}{match}"
        self.journal.append(self.id, self.runner, "finished", outcome=Outcome.SUCCEEDED, summary=summary)
        self.lock.release()
        self.emit(
            RotationFinished(
                **self._base(),
                outcome=Outcome.SUCCEEDED,
                summary=summary,
                runner_status=self.runner.status_label,
                fingerprints_match=self.fingerprints_match,
            )
        )
        return Outcome.SUCCEEDED

    # ── helpers the steps share ─────────────────────────────────────────────

    def apply_token(self, credentials: RunnerCredentials) -> str:
        """An idempotency token tied to this rotation and this secret: a retry writes the same version."""
        return str(uuid.uuid5(uuid.UUID(self.id), f"apply:{credentials.client_secret.fingerprint()}"))

    def back(self, runner: Runner) -> bool:
        """Is the runner back? Running and connected, or Paused and connected when it was (or got) paused."""
        if not runner.connected:
            return False
        if runner.status is RunnerStatus.RUNNING:
            return True
        paused = runner.status in (RunnerStatus.PAUSED, RunnerStatus.PAUSING)
        return paused and (self.paused_by_rotation or self.was_paused)

    def remember(self, runner: Runner) -> None:
        """Keep the freshest copy of the runner Maia returned (its status shows in the panel and summary)."""
        self.runner = runner
