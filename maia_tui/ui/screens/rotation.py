"""The guided rotation panel: the engine's steps with live state, what each does, a live log, and the controls."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, OptionList, RichLog

from maia_tui.core.maia.models import Runner, RunnerCredentials
from maia_tui.core.platforms.registry import adapter_for, supported
from maia_tui.core.rotation.engine import ManualAnswer, Rotation
from maia_tui.core.rotation.events import (
    LogLine,
    ManualStep,
    RotationEvent,
    RotationFinished,
    StepChanged,
    StepProgress,
)
from maia_tui.core.rotation.journal import Journal, PendingRotation
from maia_tui.core.rotation.model import (
    Confirmation,
    Decision,
    Outcome,
    RotationOptions,
    StartMode,
    Step,
    StepId,
    StepState,
)
from maia_tui.ui.modals.typed_confirm import TypedConfirmModal
from maia_tui.ui.widgets.app_header import AppHeader
from maia_tui.ui.widgets.rotation_banner import (
    RotationBanner,
    RotationTarget,
    confirmation_body,
    stamp,
    step_line,
)
from maia_tui.ui.widgets.rotation_steps import StepList, StepStory, WaitBar

if TYPE_CHECKING:
    from maia_tui.core.maia.client import MaiaClient
    from maia_tui.core.settings import Settings

FOLLOWED = (StepState.RUNNING, StepState.FAILED, StepState.MANUAL)
LEVEL_STYLES = {"info": "", "warning": "yellow", "error": "bold red"}


class RotationScreen(Screen[None]):
    """Runs one Rotation for one runner; the engine does the work, this screen shows it and asks the operator."""

    CSS_PATH = "rotation.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "start", "Start"),
        Binding("c", "current", "Apply current secret"),
        Binding("n", "fresh", "New refresh instead"),
        Binding("r", "retry", "Retry step"),
        Binding("d", "done", "Done"),
        Binding("y", "copy", "Copy secret"),
        Binding("p", "toggle_pause", "Pause first"),
        Binding("a", "abort", "Abort"),
        Binding("escape", "close", "Close"),
    ]

    class EngineEvent(Message):
        """One engine event, delivered on the screen's message queue."""

        def __init__(self, event: RotationEvent) -> None:
            super().__init__()
            self.event = event

    def __init__(
        self,
        *,
        runner: Runner,
        client: MaiaClient,
        settings: Settings,
        credentials: RunnerCredentials | None = None,
    ) -> None:
        super().__init__(id="rotation")
        self.runner = runner
        self.client = client
        self.settings = settings
        self.credentials = credentials
        self.journal = Journal.for_settings(settings)
        self.pending: PendingRotation | None = None
        self.rotation: Rotation | None = None
        self.outcome: Outcome | None = None
        self._manual: asyncio.Future[str] | None = None
        self._pause_touched = False
        self._follow = True
        self._auto_index: int | None = None

    # ── layout ─────────────────────────────────────────────────────────────

    def compose(self) -> ComposeResult:
        yield AppHeader("Runners", self.runner.name, "Guided rotation")
        yield RotationBanner(id="rotation-banner", markup=False)
        with Horizontal(id="rotation-main"):
            with Vertical(id="rotation-left"):
                yield StepList(id="rotation-steps")
                yield Checkbox("Pause the runner first (p)", id="pause-first", compact=True)
                yield RotationTarget(id="rotation-target", markup=False)
            with Vertical(id="rotation-right"):
                yield StepStory(id="rotation-story")
                log = RichLog(id="rotation-log", wrap=True, min_width=20, markup=False)
                log.border_title = "Log"
                yield log
        yield WaitBar(id="rotation-wait")
        with Horizontal(id="rotation-actions", classes="action-bar"):
            yield Button("Start", id="start", variant="primary", compact=True)
            yield Button("Apply current secret", id="current", compact=True)
            yield Button("New refresh instead", id="fresh", compact=True)
            yield Button("Retry", id="retry", variant="warning", compact=True)
            yield Button("Done", id="done", variant="success", compact=True)
            yield Button("Copy secret", id="copy", compact=True)
            yield Button("Abort", id="abort", variant="error", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.pending = self.journal.pending(self.runner.id)
        if self.credentials is not None:
            mode = StartMode.GIVEN
            fingerprint = self.credentials.client_secret.fingerprint()
            if self.pending is not None and self.pending.fingerprint != fingerprint:
                self.journal.abandon(self.pending, self.runner, "a newer refresh was made in the credentials screen")
                self.pending = None
        elif self.pending is not None:
            mode = StartMode.RESUME
        else:
            mode = StartMode.REFRESH
        self._build(mode)
        self.set_interval(0.1, self._tick)
        if mode is StartMode.GIVEN:
            self._run()

    def on_unmount(self) -> None:
        if self.rotation is not None:
            self.rotation.cancel()
            self.rotation.lock.release()
        if self._manual is not None and not self._manual.done():
            self._manual.set_result(ManualAnswer.ABORT)

    def _clock(self) -> Any:
        clock = getattr(self.app, "clock", None)
        return clock.monotonic if clock is not None else time.monotonic

    def _build(self, mode: StartMode) -> None:
        """A new Rotation in `mode`; the panel shows its steps, nothing runs yet."""
        family = self.runner.platform.family
        adapter = adapter_for(family, self.settings) if supported(family) else None
        self.rotation = Rotation(
            self.runner,
            client=self.client,
            settings=self.settings,
            adapter=adapter,
            options=RotationOptions(poll_interval=0.25 if self.settings.sandbox else 2.0),
            mode=mode,
            credentials=self.credentials if mode is StartMode.GIVEN else None,
            pending=self.pending if mode in (StartMode.RESUME, StartMode.GIVEN) else None,
            hooks=_PanelHooks(self),
            on_event=self._post_event,
            clock=self._clock(),
        )
        self.outcome = None
        self._follow = True
        self._draw_steps()
        self._select(self._current_step())
        self._banner()
        self._buttons()

    def _post_event(self, event: RotationEvent) -> None:
        """The engine's callback: hand the event to this screen's message queue."""
        self.post_message(self.EngineEvent(event))

    # ── drawing ────────────────────────────────────────────────────────────

    @property
    def steps(self) -> list[Step]:
        return self.rotation.ordered_steps if self.rotation else []

    def _draw_steps(self) -> None:
        now = self._clock()()
        self.query_one(StepList).show(self.steps, frame=int(now * 10), now=now)

    def _tick(self) -> None:
        if any(s.state is StepState.RUNNING for s in self.steps):
            self._draw_steps()
            if self.rotation is not None:
                self.query_one(RotationTarget).show(self.rotation)

    def _current_step(self) -> Step:
        followed = [s for s in self.steps if s.state in FOLLOWED]
        pending = [s for s in self.steps if not s.state.finished]
        return (followed or pending or self.steps[-1:])[0]

    def _select(self, step: Step) -> None:
        """Highlight `step` (the panel following the rotation) and explain it."""
        steps = self.query_one(StepList)
        index = [s.id for s in self.steps].index(step.id)
        self._auto_index = index
        if steps.highlighted != index:
            steps.highlighted = index
        self.query_one(StepStory).show(step)

    @on(OptionList.OptionHighlighted, "#rotation-steps")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.rotation is None or event.option_index >= len(self.steps):
            return
        if event.option_index != self.query_one(StepList).highlighted:
            return  # stale: the panel moved on since this was posted
        step = self.steps[event.option_index]
        if event.option_index != self._auto_index:  # the operator moved: stop following until they come back
            self._follow = step.id is self._current_step().id
        self.query_one(StepStory).show(step)

    def _banner(self) -> None:
        if self.rotation is not None:
            self.query_one(RotationBanner).show(self.rotation, self.outcome, self.pending)
            self.query_one(RotationTarget).show(self.rotation)

    def _buttons(self) -> None:
        for button in self.query("#rotation-actions Button"):
            action = str(button.id)
            allowed = self.check_action(action, ())
            button.display = allowed is not False
            button.disabled = allowed is None
        start = self.query_one("#start", Button)
        start.label = "Continue" if self.rotation and self.rotation.mode is StartMode.RESUME else "Start"
        self.query_one("#pause-first", Checkbox).disabled = not self.check_action("toggle_pause", ())
        self.refresh_bindings()

    # ── engine events ──────────────────────────────────────────────────────

    @on(EngineEvent)
    def _engine_event(self, message: EngineEvent) -> None:
        event = message.event
        log = self.query_one(RichLog)
        at = stamp(event.elapsed)
        if isinstance(event, StepChanged):
            self._draw_steps()
            step = self.rotation.steps[event.step] if self.rotation else None
            if step is not None:
                log.write(step_line(step, event))
                if event.state in FOLLOWED and self._follow:
                    self._select(step)
                elif self.query_one(StepList).highlighted == list(StepId).index(event.step):
                    self.query_one(StepStory).show(step)
                if event.state is StepState.RUNNING:
                    self.query_one(WaitBar).reset(step.title)
            self._banner()
            self._buttons()
        elif isinstance(event, LogLine):
            log.write(Text(f"{at}   {event.line}", style=LEVEL_STYLES.get(event.level, "")))
        elif isinstance(event, StepProgress) and self.rotation is not None:
            self.query_one(WaitBar).show(self.rotation.steps[event.step].title, event.fraction, event.remaining)
        elif isinstance(event, ManualStep):
            log.write(Text(f"{at} ☛ your turn: see the steps on the right, then press d", style="bold yellow"))
        elif isinstance(event, RotationFinished):
            self.outcome = event.outcome
            log.write(Text(f"{at} {event.summary}", style="bold"))
            self._finished(event)

    def _finished(self, event: RotationFinished) -> None:
        self._draw_steps()
        if self._follow:
            self._select(self._current_step())
        self._banner()
        self._buttons()
        if event.outcome is Outcome.SUCCEEDED:
            self.query_one(WaitBar).show("Done", 1.0, None)
            self.notify(event.summary, title="Rotation complete", timeout=8)
            remember = getattr(self.app, "remember_runner", None)
            if remember is not None and self.rotation is not None:
                remember(self.rotation.runner)  # the runner list shows it Running at once
        elif event.outcome is Outcome.FAILED:
            self.query_one(WaitBar).reset()

    # ── running ────────────────────────────────────────────────────────────

    @work(exclusive=True, group="rotation", exit_on_error=False)
    async def _run(self) -> None:
        """Run the engine from its first unfinished step; its hooks ask the operator when needed."""
        assert self.rotation is not None
        self.outcome = None
        self._follow = True
        self._banner()
        self._buttons()
        await self.rotation.run()
        self._buttons()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only the actions that make sense now: False hides them, None greys them out."""
        rotation = self.rotation
        if rotation is None:
            return True
        running, manual = rotation.running, self._manual is not None and not self._manual.done()
        finished = self.outcome is Outcome.SUCCEEDED
        if action == "start":
            return not running and not finished and rotation.failed_step is None
        if action == "current":
            fresh = rotation.mode is StartMode.REFRESH and not rotation.refreshed and not running
            return fresh and not self.runner.healthy and self.outcome is None
        if action == "fresh":
            return rotation.mode is StartMode.RESUME and not running and not finished
        if action == "retry":
            return manual or (not running and rotation.failed_step is not None)
        if action in ("done", "copy"):
            return manual
        if action == "toggle_pause":
            return rotation.mode is StartMode.REFRESH and not rotation.refreshed and not running and not finished
        if action == "abort":
            return running
        if action == "close":
            return not running or None
        return True

    def action_start(self) -> None:
        if self.check_action("start", ()):
            self._run()

    def action_retry(self) -> None:
        if self._manual is not None and not self._manual.done():
            self._manual.set_result(ManualAnswer.RETRY)
        elif self.check_action("retry", ()):
            self._run()

    def action_current(self) -> None:
        if self.check_action("current", ()):
            self._build(StartMode.CURRENT)
            self._run()

    def action_fresh(self) -> None:
        if self.check_action("fresh", ()) and self.pending is not None:
            self.journal.abandon(self.pending, self.runner, "the operator chose a new refresh in the panel")
            self.pending = None
            self._build(StartMode.REFRESH)

    def action_done(self) -> None:
        if self._manual is not None and not self._manual.done():
            self._manual.set_result(ManualAnswer.DONE)

    def action_copy(self) -> None:
        credentials = self.rotation.credentials if self.rotation else None
        if credentials is None or not credentials.client_secret:
            self.notify("No secret to copy yet.", severity="warning")
            return
        self.app.copy_to_clipboard(credentials.client_secret.reveal())
        self.notify("New client secret copied (OSC 52): paste it in the console.", title="Copied")

    def action_toggle_pause(self) -> None:
        if self.check_action("toggle_pause", ()):
            box = self.query_one("#pause-first", Checkbox)
            box.value = not box.value

    @on(Checkbox.Changed, "#pause-first")
    def _pause_changed(self, event: Checkbox.Changed) -> None:
        self._pause_touched = True

    def action_abort(self) -> None:
        if self._manual is not None and not self._manual.done():
            self._manual.set_result(ManualAnswer.ABORT)
        if self.rotation is not None and self.rotation.running:
            self.rotation.cancel()
            self.notify("Aborting at the end of this step…", title="Abort")

    def action_close(self) -> None:
        if self.rotation is not None and self.rotation.running:
            self.notify("A rotation is running: a aborts it first.", severity="warning")
            return
        if self.rotation is not None and self.rotation.refreshed and self.outcome is not Outcome.SUCCEEDED:
            self.notify(
                f"{self.runner.name} keeps waiting for its new secret; open the guided rotation again to continue.",
                title="Rotation unfinished",
                severity="warning",
                timeout=10,
            )
        self.dismiss()

    @on(Button.Pressed, "#rotation-actions Button")
    async def _button(self, event: Button.Pressed) -> None:
        if event.button.id:
            await self.run_action(event.button.id)

    # ── hooks the engine calls ─────────────────────────────────────────────

    async def confirm(self, request: Confirmation) -> Decision:
        """Before the refresh: the typed word, with the plan and the pause decision in the dialog."""
        if not request.word:
            return Decision(True)
        box = self.query_one("#pause-first", Checkbox)
        if request.pause_suggested and not self._pause_touched:
            box.value = True
            self._pause_touched = False
        pause = box.value and request.pause_possible
        modal = TypedConfirmModal(
            title=f"Refresh the secret of {request.runner_name}?",
            body=confirmation_body(request, pause),
            word=request.word,
            confirm_label="Refresh and rotate",
        )
        confirmed = await self.app.push_screen_wait(modal)
        return Decision(bool(confirmed), pause=pause)

    async def manual(self, step: Step, instructions: list[str]) -> str:
        """The operator does the step in a console; Done, Retry or Abort answers."""
        self._manual = asyncio.get_running_loop().create_future()
        self._follow = True
        self._select(step)
        self._buttons()
        self.notify(f"{step.title}: this host cannot do it. Follow the steps, then press d.", title="Your turn")
        try:
            return await self._manual
        finally:
            self._manual = None
            self._buttons()


class _PanelHooks:
    """The engine's hooks, answered by the panel."""

    def __init__(self, screen: RotationScreen) -> None:
        self.screen = screen

    async def confirm(self, request: Confirmation) -> Decision:
        return await self.screen.confirm(request)

    async def manual(self, step: Step, instructions: list[str]) -> str:
        return await self.screen.manual(step, instructions)
