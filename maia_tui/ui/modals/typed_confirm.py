"""The typed confirmation: only the exact word enables the destructive button; Escape cancels."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class TypedConfirmModal(ModalScreen[bool]):
    """Asks the operator to type `word` exactly (case and spaces count); returns True only then."""

    AUTO_FOCUS = "#typed"  # focused as the dialog opens, so keys typed at once land in it
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, *, title: str, body: str, word: str, confirm_label: str) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.body = body
        self.word = word
        self.confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -danger"):
            yield Static(self.title_text, classes="dialog-title")
            yield Static(self.body, classes="dialog-body")
            yield Label(f"Type [b]{self.word}[/b] to confirm:", classes="dialog-prompt")
            yield Input(placeholder=self.word, id="typed", select_on_focus=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.confirm_label, id="confirm", variant="error", disabled=True)

    @property
    def confirmed(self) -> bool:
        """True when the typed text is exactly the word: no other case, no extra spaces."""
        return self.query_one("#typed", Input).value == self.word

    @on(Input.Changed, "#typed")
    def _typed(self) -> None:
        self.query_one("#confirm", Button).disabled = not self.confirmed

    @on(Input.Submitted, "#typed")
    def _submitted(self) -> None:
        if self.confirmed:
            self.dismiss(True)

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        if self.confirmed:
            self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
