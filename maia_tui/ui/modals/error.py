"""An error the operator must read: what failed and the remedy line, closed with Enter or Escape."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from maia_tui.core.errors import MaiaTuiError


class ErrorModal(ModalScreen[None]):
    """Shows a MaiaTuiError's message and remedy; decides nothing."""

    AUTO_FOCUS = "#ok"  # focused as the dialog opens, so keys typed at once land in it
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    def __init__(self, title: str, error: MaiaTuiError) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -error"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.error.message, classes="dialog-body", markup=False)
            yield Static(f"→ {self.error.remedy}", classes="dialog-remedy", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="ok", variant="primary")

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
