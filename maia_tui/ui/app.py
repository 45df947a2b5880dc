"""The maia-tui Textual application (the runner list is its first screen)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

from maia_tui.core.maia.client import MaiaClient
from maia_tui.core.settings import Settings


class MaiaApp(App[int]):
    """Lists the runners of the configured account."""

    TITLE = "maia-tui"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, settings: Settings, client: MaiaClient) -> None:
        super().__init__()
        self.settings = settings
        self.client = client

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="runners")
        yield Footer()

    async def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Name", "Status", "Platform")
        for runner in await self.client.list_runners():
            table.add_row(runner.name, runner.status_label, runner.platform.label)


def run_app(settings: Settings) -> int:
    """Run the TUI until the operator quits; returns the process exit code."""
    app = MaiaApp(settings, MaiaClient.from_settings(settings))
    return app.run() or 0
