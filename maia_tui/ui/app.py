"""The maia-tui Textual application: screens, shared state (link health, known runners) and app-wide actions."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import ClassVar, TypeVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from maia_tui.core.errors import ApiConnectionError, ApiTimeoutError, MaiaTuiError
from maia_tui.core.maia.client import MaiaClient
from maia_tui.core.maia.models import Runner, RunnerCredentials
from maia_tui.core.settings import Settings
from maia_tui.ui.clock import Clock
from maia_tui.ui.commands import RunnerCommands
from maia_tui.ui.modals.error import ErrorModal
from maia_tui.ui.screens.credentials import CredentialsScreen
from maia_tui.ui.screens.first_run import FirstRunScreen
from maia_tui.ui.screens.help import HelpScreen, screen_keys
from maia_tui.ui.screens.runner_details import RunnerDetailsScreen
from maia_tui.ui.screens.runner_list import RunnerListScreen

T = TypeVar("T")
log = logging.getLogger(__name__)

SCREEN_TITLES: dict[type[Screen], str] = {
    RunnerListScreen: "Runner list",
    RunnerDetailsScreen: "Runner details",
    CredentialsScreen: "Credentials",
    FirstRunScreen: "Welcome",
}
RETRY_WARNING_GRACE = 5.0
DIALOG_KEYS = [("esc", "Cancel (nothing is sent)"), ("enter", "Confirm, once the typed word matches exactly")]


class MaiaApp(App[int]):
    """Runner list first; details, credentials and dialogs on top. Takes the Maia client (None: first run)."""

    CSS_PATH = "app.tcss"
    TITLE = "maia-tui"
    COMMANDS = App.COMMANDS | {RunnerCommands}
    BINDINGS: ClassVar[list[BindingType]] = [Binding("question_mark", "help", "Help")]

    link_problem: reactive[str] = reactive("")
    """Empty while Maia answers; otherwise what the header shows ("disconnected, retrying")."""

    def __init__(self, settings: Settings, client: MaiaClient | None, *, clock: Clock | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.client: MaiaClient = client  # type: ignore[assignment]  # None only behind the first-run screen
        self.clock = clock or Clock()
        self.demo_requested = False
        self._failing = False
        self.runner_list: RunnerListScreen | None = None
        self._retry_lapse: Timer | None = None

    def get_default_screen(self) -> Screen:
        if self.client is None:
            return FirstRunScreen()
        self.runner_list = RunnerListScreen()
        return self.runner_list

    def on_mount(self) -> None:
        theme = self.settings.theme
        if theme:
            if theme in self.available_themes:
                self.theme = theme
            else:
                names = ", ".join(sorted(self.available_themes))
                self.notify(f"Unknown theme {theme!r}; using the default. Themes: {names}", severity="warning")
        if self.client is not None:
            self.client.retry_listeners.append(self._on_retry)

    async def on_unmount(self) -> None:
        if self.client is not None:
            if self._on_retry in self.client.retry_listeners:
                self.client.retry_listeners.remove(self._on_retry)
            await self.client.aclose()

    # ── talking to Maia ────────────────────────────────────────────────────

    async def api(self, call: Awaitable[T]) -> T:
        """Await one Maia call and keep the header's link state true to what happened."""
        try:
            result = await call
        except (ApiConnectionError, ApiTimeoutError):
            self.link_problem = "disconnected from Maia"
            raise
        self.link_ok()
        return result

    def link_ok(self) -> None:
        """Maia answered: clear the warning, and say so if it had been failing."""
        if self._failing:
            self.notify("Connected to Maia again.", title="Reconnected", timeout=4)
        self._failing = False
        self.link_problem = ""

    def _on_retry(self, reason: str, delay: float) -> None:
        """The client is retrying a call (any screen's): warn now; the warning lapses if no failure follows."""
        transport = "cannot reach" in reason or "timed out" in reason
        self.link_problem = "disconnected, retrying" if transport else "Maia error, retrying"
        if self._retry_lapse is not None:
            self._retry_lapse.stop()
        # Calls that do not go through `api()` (the rotation engine's) never clear it: let it lapse instead.
        self._retry_lapse = self.set_timer(delay + RETRY_WARNING_GRACE, self._lapse_retry_warning)

    def _lapse_retry_warning(self) -> None:
        self._retry_lapse = None
        if not self._failing:
            self.link_problem = ""

    def report_background_failure(self, error: MaiaTuiError, *, title: str) -> None:
        """A refresh nobody asked for failed: the header shows it; only the first of a streak notifies."""
        lost = isinstance(error, ApiConnectionError | ApiTimeoutError)
        self.link_problem = "disconnected, retrying" if lost else "Maia error, retrying"
        if not self._failing:
            self.report_error(error, title=title)
        self._failing = True

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker died of something no screen expected (a bug, not an API error): say so, keep running."""
        if event.state is WorkerState.ERROR and not isinstance(event.worker.error, MaiaTuiError):
            error = event.worker.error
            log.error("worker %s failed", event.worker.name, exc_info=error)
            self.notify(
                f"{type(error).__name__}: {error}\n→ This is a maia-tui bug; the log file has the details.",
                title="Unexpected error",
                severity="error",
                timeout=12,
                markup=False,
            )

    def report_error(self, error: MaiaTuiError, *, title: str) -> None:
        """A notification with the message and its remedy line (markup off: Maia's text is not ours)."""
        self.notify(f"{error.message}\n→ {error.remedy}", title=title, severity="error", timeout=12, markup=False)

    def show_error(self, title: str, error: MaiaTuiError) -> None:
        """An action the operator asked for failed: a dialog they must close, with the remedy."""
        self.push_screen(ErrorModal(title, error))

    # ── runners and navigation ─────────────────────────────────────────────

    def known_runners(self) -> list[Runner]:
        return self.runner_list.table.runners if self.runner_list is not None and self.runner_list.is_mounted else []

    def remember_runner(self, runner: Runner) -> None:
        """A screen read a fresher copy of a runner: the list shows it too, in place."""
        if self.runner_list is not None and self.runner_list.is_mounted:
            self.runner_list.table.upsert([runner])

    def open_details(self, runner: Runner) -> None:
        self.push_screen(RunnerDetailsScreen(runner))

    def open_credentials(self, runner: Runner) -> None:
        self.push_screen(CredentialsScreen(runner))

    async def go_to_runner(self, runner_id: str) -> None:
        """From anywhere: back to the list, cursor on the runner, its details open."""
        runner = next((r for r in self.known_runners() if r.id == runner_id), None)
        if runner is None or self.runner_list is None:
            return
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        self.runner_list.table.select_runner(runner_id)
        self.open_details(runner)

    def start_rotation(self, runner: Runner, credentials: RunnerCredentials | None = None) -> None:
        """Open the guided rotation for the runner; `credentials` from a refresh just made skip a second one."""
        try:
            from maia_tui.ui.screens.rotation import RotationScreen
        except ImportError:
            self.notify(f"Guided rotation for {runner.platform.label} is coming.", title="Guided rotation")
            return
        self.push_screen(
            RotationScreen(runner=runner, client=self.client, settings=self.settings, credentials=credentials)
        )

    def request_demo(self) -> None:
        """First-run screen: leave, and let the command line start the demo."""
        self.demo_requested = True
        self.exit(0)

    # ── help and palette ───────────────────────────────────────────────────

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        kind = type(screen)
        title = SCREEN_TITLES.get(kind, "Dialog")
        current = screen_keys(screen) if kind in SCREEN_TITLES else DIALOG_KEYS
        others = [(name, screen_keys(cls)) for cls, name in SCREEN_TITLES.items() if cls is not kind]
        others.append(("Dialogs", DIALOG_KEYS))
        self.push_screen(HelpScreen((title, current), others))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's commands, Help, and every action the current screen allows right now."""
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Every key of every screen", self.action_help)
        runner = getattr(screen, "runner", None)
        suffix = f" ({runner.name})" if isinstance(runner, Runner) else ""
        for binding in getattr(screen, "BINDINGS", []):
            if not isinstance(binding, Binding) or binding.action.startswith("app.") or not binding.description:
                continue
            if screen.check_action(binding.action, ()) is not True:
                continue
            title = binding.description.rstrip("…") + suffix
            yield SystemCommand(title, f"key: {binding.key}", _runner(screen, binding.action))


def _runner(screen: Screen, action: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await screen.run_action(action)

    return run


def run_app(settings: Settings, *, start_demo: Callable[[], int] | None = None) -> int:
    """Run the TUI until the operator quits; returns the process exit code."""
    client = MaiaClient.from_settings(settings) if settings.credentials is not None else None
    app = MaiaApp(settings, client)
    code = app.run()
    if app.demo_requested and start_demo is not None:
        return start_demo()
    return code or 0
