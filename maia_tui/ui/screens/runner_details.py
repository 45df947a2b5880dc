"""Runner details: every field Maia gives, the status in plain words, and Pause / Resume / Restart."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Footer, Static

from maia_tui.core.errors import MaiaTuiError
from maia_tui.core.maia import RunnerCommand, RunningPipelines
from maia_tui.core.maia.models import Platform, Runner, RunnerStatus
from maia_tui.ui.modals.confirm import ConfirmModal
from maia_tui.ui.modals.typed_confirm import TypedConfirmModal
from maia_tui.ui.screens.mutating import MutatingActions
from maia_tui.ui.status import connected_text, explain_status, status_text, status_tone
from maia_tui.ui.widgets.app_header import AppHeader

if TYPE_CHECKING:
    from maia_tui.ui.app import MaiaApp

# Agent fields shown under their own label; any other field the API sends is listed as it comes.
_KNOWN_FIELDS = {
    "agentId",
    "agentStatus",
    "agentType",
    "cloudProvider",
    "connected",
    "deployment",
    "description",
    "enableAutoUpdates",
    "name",
    "pausedUntil",
    "restrictedAccess",
    "versionDetails",
}
_TONE_STYLE = {"ok": "green", "warn": "yellow", "bad": "bold red", "paused": "blue"}


def _yes_no(value: bool | None) -> str:
    return "–" if value is None else ("yes" if value else "no")


def pipelines_text(pipelines: RunningPipelines | None, error: str = "") -> str:
    """'2: load_orders, refresh_customer_360', or why the number is not known."""
    if error:
        return f"unknown ({error})"
    if pipelines is None:
        return "counting…"
    if not pipelines.environments:
        return "unknown: no environment has this runner as its default"
    names = ", ".join(sorted({e.pipeline_name for e in pipelines.executions}))
    return f"{pipelines.count}: {names}" if names else "0"


def counted_in_text(pipelines: RunningPipelines | None) -> str:
    """Where the count comes from: Maia has no runner filter, so environments whose default runner this is."""
    if pipelines is None or not pipelines.environments:
        return "–"
    return ", ".join(pipelines.environments) + "  (environments whose default runner is this one)"


def binding_text(runner: Runner, binding: Mapping[str, Any] | None) -> str:
    """Where the runner's secret lives, as the config file binds it (the first rotation writes it)."""
    if runner.platform is Platform.MATILLION_HOSTED:
        return "managed by Matillion"
    if not binding:
        return "not bound yet: the next rotation finds it (or bind it in the config file)"
    details = " · ".join(f"{key} {value}" for key, value in binding.items() if key not in ("platform", "name"))
    return f"{binding.get('platform', '?')}: {details}" if details else str(binding.get("platform", "?"))


def field_table(
    runner: Runner, now: datetime, pipelines: tuple[str, str], binding: Mapping[str, Any] | None = None
) -> Table:
    """Label/value rows for every field of the agent object, and where its secret lives."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    version = runner.version
    rows: list[tuple[str, str | Text]] = [
        ("Name", runner.name),
        ("Id", runner.id),
        ("Status", Text(status_text(runner), style=_TONE_STYLE[status_tone(runner)])),
        ("Connected", connected_text(runner)),
        ("Platform", runner.platform.label),
        ("Cloud provider", runner.cloud_provider or "–"),
        ("Deployment", runner.deployment or "–"),
        ("Type", runner.agent_type or "–"),
        ("Description", runner.description or "–"),
        ("Secret lives in", binding_text(runner, binding)),
        ("Pipelines running", pipelines[0]),
        ("Counted in", pipelines[1]),
    ]
    if runner.paused_until is not None:
        rows.append(("Paused until", runner.paused_until.isoformat(timespec="minutes")))
    if version is not None:
        update = f"yes → {version.track_version}" if version.update_available else "no"
        rows += [
            ("Version", version.agent_version or "–"),
            ("Update available", update),
            ("Support", version.support or "–"),
            ("Track", f"{version.track_name or '–'} {version.track_version}"),
            ("Track released", version.track_release_date or "–"),
        ]
    rows += [
        ("Auto-updates", _yes_no(runner.enable_auto_updates)),
        ("Restricted access", _yes_no(runner.restricted_access)),
    ]
    for key, value in runner.raw.items():
        if key not in _KNOWN_FIELDS:
            rows.append((key, value if isinstance(value, str) else json.dumps(value)))
    for label, value in rows:
        table.add_row(label, value)
    return table


class RunnerDetailsScreen(MutatingActions, Screen[None]):
    """One runner, re-read every refresh interval while on screen; actions go through the Maia API."""

    app: MaiaApp

    AUTO_FOCUS = "#details-body"  # arrows and page keys scroll the fields; tab reaches the buttons
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("c", "credentials", "Credentials"),
        Binding("p", "pause", "Pause…"),
        Binding("u", "resume", "Resume…"),
        Binding("R", "restart", "Restart…"),
        Binding("r", "reload", "Reload"),
    ]
    MUTATING: ClassVar[set[str]] = {"pause", "resume", "restart"}

    def __init__(self, runner: Runner) -> None:
        super().__init__(id="runner-details")
        self.runner = runner
        self.pipelines: RunningPipelines | None = None
        self.pipelines_error = ""
        self._timer: Timer | None = None
        self._reloading = False

    def compose(self) -> ComposeResult:
        yield AppHeader("Runners", self.runner.name)
        with VerticalScroll(id="details-body"):
            yield Static(id="status-panel")
            yield Static(id="fields")
        with Horizontal(id="details-actions", classes="action-bar"):
            yield Button("Credentials", id="credentials", variant="primary", compact=True)
            yield Button("Pause…", id="pause", classes="mutating", compact=True)
            yield Button("Resume…", id="resume", classes="mutating", compact=True)
            yield Button("Restart…", id="restart", variant="warning", classes="mutating", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        for button in self.query(".mutating"):
            button.display = not self.app.settings.readonly
        self._draw()
        self._count_pipelines()

    def on_screen_resume(self) -> None:
        self._reload()
        self._timer = self.set_interval(self.app.settings.refresh_interval, self._tick)

    def _tick(self) -> None:
        # A reload still retrying is left to finish: restarting it would cancel it before it ever fails.
        if not self._reloading:
            self._reload()

    def on_screen_suspend(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    # ── data ───────────────────────────────────────────────────────────────

    @work(exclusive=True, group="runner", exit_on_error=False)
    async def _reload(self) -> None:
        self._reloading = True
        try:
            self.runner = await self.app.api(self.app.client.get_runner(self.runner.id))
        except MaiaTuiError as error:
            self.app.report_background_failure(error, title=f"Cannot refresh {self.runner.name}")
            return
        finally:
            self._reloading = False
        self.app.remember_runner(self.runner)
        self._draw()

    @work(exclusive=True, group="pipelines", exit_on_error=False)
    async def _count_pipelines(self) -> None:
        try:
            self.pipelines = await self.app.api(self.app.client.running_pipelines(self.runner.id))
            self.pipelines_error = ""
        except MaiaTuiError as error:
            self.pipelines_error = error.message
        self._draw()

    def _draw(self) -> None:
        runner = self.runner
        now = self.app.clock.now()
        why = explain_status(runner, now)
        panel = Text()
        panel.append(status_text(runner), style=_TONE_STYLE[status_tone(runner)])
        panel.append("  ·  connected" if runner.connected else "  ·  not connected", style="dim")
        panel.append(f"\n{why.meaning}\n")
        panel.append("Next: ", style="bold")
        panel.append(why.next_action)
        self.query_one("#status-panel", Static).update(panel)
        counts = (pipelines_text(self.pipelines, self.pipelines_error), counted_in_text(self.pipelines))
        fields = field_table(runner, now, counts, self.app.settings.binding(runner.id, runner.name))
        self.query_one("#fields", Static).update(fields)
        self.sync_action_buttons()

    # ── actions ────────────────────────────────────────────────────────────

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Mutating actions vanish in read-only mode and are greyed out when the status does not allow them."""
        if action not in self.MUTATING:
            return True
        if self.app.settings.readonly:
            return False
        runner = self.runner
        managed = runner.platform is not Platform.MATILLION_HOSTED
        allowed = {
            "pause": managed and runner.status is RunnerStatus.RUNNING and runner.connected,
            "resume": managed and runner.status in (RunnerStatus.PAUSED, RunnerStatus.PAUSING),
            "restart": managed and runner.connected,
        }[action]
        return True if allowed else None

    @on(Button.Pressed)
    async def _button(self, event: Button.Pressed) -> None:
        if event.button.id:
            await self.run_action(event.button.id)

    def action_back(self) -> None:
        self.dismiss()

    def action_reload(self) -> None:
        self._reload()
        self._count_pipelines()

    def action_credentials(self) -> None:
        self.app.open_credentials(self.runner)

    def _running_note(self) -> str:
        if self.pipelines is None or not self.pipelines.environments:
            return ""
        return f"\n\nPipelines running on it now: {self.pipelines.count}."

    def action_pause(self) -> None:
        if not self.check_action("pause", ()):
            return
        modal = TypedConfirmModal(
            title=f"Pause runner {self.runner.name}?",
            body=(
                f"{self.runner.name} finishes the tasks it is running, then stops taking work. Maia queues new "
                "pipeline runs until you resume it (or until the pause ends by itself)." + self._running_note()
            ),
            word="pause runner",
            confirm_label="Pause runner",
        )
        self.app.push_screen(modal, self._confirmed(RunnerCommand.PAUSE))

    def action_resume(self) -> None:
        if not self.check_action("resume", ()):
            return
        modal = ConfirmModal(
            title=f"Resume runner {self.runner.name}?",
            body=f"{self.runner.name} takes work again, starting with the pipeline runs Maia queued.",
            confirm_label="Resume",
            danger=False,
        )
        self.app.push_screen(modal, self._confirmed(RunnerCommand.RESUME))

    def action_restart(self) -> None:
        if not self.check_action("restart", ()):
            return
        modal = ConfirmModal(
            title=f"Restart runner {self.runner.name}?",
            body=(
                f"Maia tells {self.runner.name} to restart. Pipelines running on it are interrupted. At start it "
                "reads its secret again from its platform." + self._running_note()
            ),
            confirm_label="Yes, restart",
        )
        self.app.push_screen(modal, self._confirmed(RunnerCommand.RESTART))

    def _confirmed(self, command: RunnerCommand) -> Callable[[bool | None], None]:
        def act(confirmed: bool | None) -> None:
            if confirmed:
                self._send(command)

        return act

    @work(group="command", exit_on_error=False)
    async def _send(self, command: RunnerCommand) -> None:
        name = self.runner.name
        try:
            await self.app.api(self.app.client.send_command(self.runner.id, command))
        except MaiaTuiError as error:
            self.app.show_error(f"{command.value.capitalize()} of {name} failed", error)
            return
        done = {
            RunnerCommand.PAUSE: f"Pause sent to {name}: it finishes its tasks, then shows Paused.",
            RunnerCommand.RESUME: f"Resume sent to {name}: it takes work again.",
            RunnerCommand.RESTART: f"Restart sent to {name}: it reconnects in a moment.",
        }[command]
        self.notify(done, title=command.value.capitalize())
        self.action_reload()
