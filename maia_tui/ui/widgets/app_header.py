"""The one-line header: where you are, which Maia account and region, SANDBOX / READ-ONLY, and the link state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

if TYPE_CHECKING:
    from maia_tui.ui.app import MaiaApp


class AppHeader(Horizontal):
    """Breadcrumbs on the left; connection state, account/region and mode badges on the right."""

    def __init__(self, *crumbs: str) -> None:
        super().__init__(id="app-header")
        self.crumbs = crumbs

    def compose(self) -> ComposeResult:
        app: MaiaApp = self.app  # type: ignore[assignment]
        settings = app.settings
        yield Label("maia-tui", id="app-name")
        yield Label(" › ".join(self.crumbs), id="crumbs")
        yield Label("", id="link-state")
        context = settings.region + (f" · {settings.account}" if settings.account else "")
        yield Label(context, id="context")
        if settings.sandbox:
            yield Label(" SANDBOX ", id="sandbox-badge")
        if settings.readonly:
            yield Label(" READ-ONLY ", id="readonly-badge")

    def on_mount(self) -> None:
        self.watch(self.app, "link_problem", self._show_link, init=True)

    def set_crumbs(self, *crumbs: str) -> None:
        self.crumbs = crumbs
        self.query_one("#crumbs", Label).update(" › ".join(crumbs))

    def _show_link(self, problem: str) -> None:
        label = self.query_one("#link-state", Label)
        label.update(f"⚠ {problem}" if problem else "")
        label.display = bool(problem)
