"""`?`: every key of the screen you came from, then the keys of every other screen."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

GLOBAL_KEYS = (
    ("?", "This help"),
    ("ctrl+p", "Command palette: go to runner …, every action, themes"),
    ("ctrl+q", "Quit"),
    ("ctrl+c", "Copy the selected text (tells you how to quit when nothing is selected)"),
    ("tab / shift+tab", "Move between buttons and fields"),
    ("mouse", "Click rows, column titles (sort) and buttons; the wheel scrolls"),
    ("themes", "ctrl+p → Theme; --theme ansi-dark (or ansi-light) for terminals without truecolor"),
)
TABLE_KEYS = (
    ("↑ ↓ / k j", "Move the cursor"),
    ("pgup pgdn home end", "Jump"),
    ("enter / double click", "Open the runner's details"),
)


def _key(key: str) -> str:
    return {"slash": "/", "question_mark": "?", "escape": "esc"}.get(key, key)


def _keys_table(title: str, rows: list[tuple[str, str]]) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", show_header=False, box=None, expand=True)
    table.add_column(style="bold", no_wrap=True, width=16)
    table.add_column(ratio=1)
    for key, description in rows:
        table.add_row(key, description)
    return table


def screen_keys(screen: type[Screen] | Screen) -> list[tuple[str, str]]:
    """The (key, description) pairs a screen class declares."""
    rows = []
    for binding in getattr(screen, "BINDINGS", []):
        if isinstance(binding, Binding):
            rows.append((", ".join(_key(k) for k in binding.key.split(",")), binding.description or binding.action))
    return rows


class HelpScreen(ModalScreen[None]):
    """A scrollable list of every key; Escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close"),
    ]

    def __init__(self, current: tuple[str, list[tuple[str, str]]], others: list[tuple[str, list[tuple[str, str]]]]):
        super().__init__(classes="dialog-screen")
        self.current = current
        self.others = others

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help-dialog"):
            yield Static("Keys", classes="dialog-title")
            with VerticalScroll():
                title, rows = self.current
                yield Static(_keys_table(f"On this screen ({title})", rows))
                yield Static(_keys_table("Everywhere", list(GLOBAL_KEYS)))
                yield Static(_keys_table("In the runner list", list(TABLE_KEYS)))
                for title, rows in self.others:
                    yield Static(_keys_table(title, rows))
            yield Static("esc closes", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
