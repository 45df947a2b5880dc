"""A runner's credentials: client id, the refresh warning, the typed Refresh, Reveal, Copy, guided rotation."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Label, Static

from maia_tui.core.errors import MaiaTuiError
from maia_tui.core.maia import RunnerCredentials, RunningPipelines
from maia_tui.core.maia.models import Platform, Runner
from maia_tui.core.secret import Secret
from maia_tui.ui.modals.typed_confirm import TypedConfirmModal
from maia_tui.ui.screens.mutating import MutatingActions
from maia_tui.ui.screens.runner_details import pipelines_text
from maia_tui.ui.status import explain_status, status_text
from maia_tui.ui.widgets.app_header import AppHeader
from maia_tui.ui.widgets.secret_view import SecretView

if TYPE_CHECKING:
    from maia_tui.ui.app import MaiaApp

# The warning from Matillion's "Refresh Maia runner credentials" page, in maia-tui's words.
REFRESH_WARNING = (
    "Refresh revokes the current secret at once and disconnects the runner. "
    "Make sure no pipelines are running on it. "
    "The runner stays Unknown until the new secret is applied on its platform and the runner is restarted."
)


class CredentialsScreen(MutatingActions, Screen[None]):
    """Never renders the secret unless revealed; Reveal and Copy read it back from Maia when needed."""

    app: MaiaApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("f", "refresh_secret", "Refresh secret…"),
        Binding("v", "reveal", "Reveal/hide"),
        Binding("y", "copy", "Copy secret"),
        Binding("g", "rotate", "Guided rotation"),
        Binding("r", "reload", "Reload"),
    ]
    MUTATING: ClassVar[set[str]] = {"refresh_secret", "rotate"}

    def __init__(self, runner: Runner) -> None:
        super().__init__(id="credentials")
        self.runner = runner
        self.client_id = ""
        self.pipelines: RunningPipelines | None = None
        self.pipelines_error = ""
        self.refreshed: RunnerCredentials | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        yield AppHeader("Runners", self.runner.name, "Credentials")
        with VerticalScroll(id="credentials-body"):
            yield Static(id="runner-state")
            with Horizontal(classes="cred-row"):
                yield Label("Client id", classes="cred-label")
                yield Static("loading…", id="client-id", markup=False)
            with Horizontal(classes="cred-row"):
                yield Label("Client secret", classes="cred-label")
                yield SecretView(clock=self.app.clock.monotonic, id="secret")
            yield Static(id="refresh-warning")
        with Horizontal(id="credentials-actions", classes="action-bar"):
            yield Button("Refresh secret…", id="refresh_secret", variant="error", classes="mutating", compact=True)
            yield Button("Reveal", id="reveal", compact=True)
            yield Button("Copy", id="copy", compact=True)
            yield Button("Guided rotation", id="rotate", variant="primary", classes="mutating", compact=True)
        yield Footer()

    @property
    def secret_view(self) -> SecretView:
        return self.query_one(SecretView)

    def on_mount(self) -> None:
        for button in self.query(".mutating"):
            button.display = not self.app.settings.readonly
        self._draw()
        self._load()

    def on_screen_suspend(self) -> None:
        # Leaving the screen (or a dialog on top of it) masks the secret; unmounting drops the widget with it.
        self.secret_view.mask()

    # ── data ───────────────────────────────────────────────────────────────

    @work(exclusive=True, group="load", exit_on_error=False)
    async def _load(self) -> None:
        """Client id (the secret that comes with it is dropped), runner status and running pipelines."""
        client = self.app.client
        try:
            credentials = await self.app.api(client.get_credentials(self.runner.id))
            self.client_id = credentials.client_id
            self.runner = await self.app.api(client.get_runner(self.runner.id))
            self.app.remember_runner(self.runner)
        except MaiaTuiError as error:
            self.app.report_error(error, title=f"Could not read the credentials of {self.runner.name}")
            self.client_id = self.client_id or "unavailable"
        self._draw()
        try:
            self.pipelines = await self.app.api(client.running_pipelines(self.runner.id))
            self.pipelines_error = ""
        except MaiaTuiError as error:
            self.pipelines_error = error.message
        self._draw()

    def _draw(self) -> None:
        runner = self.runner
        why = explain_status(runner, self.app.clock.now())
        state = Text()
        state.append(f"{runner.name}  ", style="bold")
        state.append(f"{status_text(runner)}  ·  {runner.platform.label}", style="bold")
        if self.refreshed is not None:
            state.append(
                f"\nNext: apply the new secret on {runner.platform.label} and restart the runner; "
                "g starts the guided rotation.",
                style="bold",
            )
        elif not runner.healthy:
            state.append(f"\n{why.next_action}", style="dim")
        self.query_one("#runner-state", Static).update(state)
        self.query_one("#client-id", Static).update(self.client_id or "loading…")
        warning = Text("⚠ ", style="bold")
        warning.append(REFRESH_WARNING)
        count = pipelines_text(self.pipelines, self.pipelines_error)
        running = self.pipelines.count if self.pipelines else 0
        warning.append("\nPipelines running on this runner: ", style="bold")
        warning.append(count, style="bold red" if running else "")
        self.query_one("#refresh-warning", Static).update(warning)
        self.query_one("#refresh-warning").set_class(running > 0, "-busy")
        self.sync_action_buttons()

    # ── refresh ────────────────────────────────────────────────────────────

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Refresh and rotation vanish in read-only mode; Matillion-hosted runners cannot be refreshed."""
        if action not in self.MUTATING:
            return True
        if self.app.settings.readonly:
            return False
        if self.runner.platform is Platform.MATILLION_HOSTED:
            return None
        return None if self._busy else True

    def action_refresh_secret(self) -> None:
        if not self.check_action("refresh_secret", ()):
            return
        running = self.pipelines.count if self.pipelines else 0
        note = f"\n\n{running} pipeline(s) are running on it now; they will fail." if running else ""
        modal = TypedConfirmModal(
            title=f"Refresh the secret of {self.runner.name}?",
            body=REFRESH_WARNING + note,
            word="refresh",
            confirm_label="Refresh credentials",
        )
        self.app.push_screen(modal, self._refresh_confirmed)

    def _refresh_confirmed(self, confirmed: bool | None) -> None:
        if confirmed and not self._busy:
            self._busy = True
            self._draw()
            self._refresh()

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def _refresh(self) -> None:
        """SECRET_REFRESH, exactly once per confirmation."""
        try:
            credentials = await self.app.api(self.app.client.refresh_credentials(self.runner.id))
        except MaiaTuiError as error:
            self.app.show_error(f"The refresh of {self.runner.name} failed", error)
            return
        finally:
            self._busy = False
            self._draw()
        self._on_refreshed(credentials)

    def _on_refreshed(self, credentials: RunnerCredentials) -> None:
        """The refresh succeeded: keep the new secret for Reveal, Copy and the rotation, and say what comes next."""
        self.refreshed = credentials
        from maia_tui.core.rotation.journal import record_external_refresh  # journaled: a crash can still resume

        record_external_refresh(self.app.settings, self.runner, credentials)
        self.client_id = credentials.client_id or self.client_id
        self.secret_view.mask()
        self.notify(
            f"Credentials of {self.runner.name} refreshed. It is disconnected until the new secret is applied "
            "and it is restarted. v reveals the new secret, y copies it.",
            title="Secret refreshed",
            timeout=10,
        )
        self._load()

    # ── reveal and copy ────────────────────────────────────────────────────

    def action_reveal(self) -> None:
        if self.secret_view.revealed:
            self.secret_view.mask()
        else:
            self._with_secret("reveal")

    def action_copy(self) -> None:
        self._with_secret("copy")

    @work(group="secret", exit_on_error=False)
    async def _with_secret(self, purpose: str) -> None:
        """Use the secret from the refresh if there was one, else read the current one back (GET credentials)."""
        secret: Secret
        if self.refreshed is not None:
            secret = self.refreshed.client_secret
        else:
            try:
                credentials = await self.app.api(self.app.client.get_credentials(self.runner.id))
            except MaiaTuiError as error:
                self.app.report_error(error, title="Could not read the secret")
                return
            secret = credentials.client_secret
        if not secret:
            self.notify("Maia returned no secret for this runner.", severity="warning")
            return
        if purpose == "reveal":
            if self.is_current:
                self.secret_view.reveal(secret)
        else:
            self.app.copy_to_clipboard(secret.reveal())
            self.notify(
                "Client secret copied (OSC 52). Over SSH your terminal must allow clipboard writes; "
                "in tmux: set -s set-clipboard on.",
                title="Copied",
            )

    @on(SecretView.VisibilityChanged)
    def _visibility(self, event: SecretView.VisibilityChanged) -> None:
        self.query_one("#reveal", Button).label = "Hide" if event.revealed else "Reveal"

    # ── navigation ─────────────────────────────────────────────────────────

    @on(Button.Pressed)
    async def _button(self, event: Button.Pressed) -> None:
        if event.button.id:
            await self.run_action(event.button.id)

    def action_rotate(self) -> None:
        if self.check_action("rotate", ()):
            self.app.start_rotation(self.runner, self.refreshed)

    def action_reload(self) -> None:
        self._load()

    def action_back(self) -> None:
        self.secret_view.mask()
        self.dismiss()
