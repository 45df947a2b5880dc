"""A virtual (Line API) table of runners: it renders only the visible rows, so 5,000 runners stay instant."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from maia_tui.core.maia.models import Runner
from maia_tui.ui.status import connected_text, status_rank, status_text, status_tone, version_text

GAP = 2
LEFT_PAD = 1


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its key, title, fixed width (0 = takes what is left) and sort key."""

    key: str
    title: str
    width: int
    sort_key: Callable[[Runner], Any]


def _version_key(runner: Runner) -> tuple[int, ...]:
    text = runner.version.agent_version if runner.version else ""
    return tuple(int(part) if part.isdigit() else -1 for part in text.split(".")) if text else ()


COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", 0, lambda r: r.name.lower()),
    Column("status", "Status", 11, lambda r: (status_rank(r), r.name.lower())),
    Column("platform", "Platform", 19, lambda r: (r.platform.label, r.name.lower())),
    Column("connected", "Connected", 9, lambda r: (r.connected, r.name.lower())),
    Column("version", "Version", 16, lambda r: (_version_key(r), r.name.lower())),
)
COMPACT_VERSION_WIDTH = 10
NAME_MIN = 12


def _fit(text: str, width: int) -> str:
    """Pad or cut `text` to exactly `width` cells, marking a cut with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def search_key(runner: Runner) -> str:
    """What `/` matches against: name, platform and status, lower-cased once per update."""
    return f"{runner.name}\t{runner.platform.label}\t{runner.status_label}\t{runner.id}".lower()


def matches(query: str, key: str) -> bool:
    """Every word of the query is in the key; a leading '!' inverts the match (as in k9s)."""
    invert = query.startswith("!")
    words = query[1:].split() if invert else query.split()
    found = all(word in key for word in words)
    return not found if invert else found


class RunnerTable(ScrollView, can_focus=True):
    """Rows of runners keyed by id: updates land in place and the cursor stays on its runner."""

    DEFAULT_CSS = """
    RunnerTable {
        height: 1fr;
        overflow-x: hidden;
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    RunnerTable > .runner-table--header { text-style: bold; background: $panel; color: $text; }
    RunnerTable > .runner-table--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    RunnerTable:focus > .runner-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    RunnerTable > .runner-table--ok { color: $text-success; }
    RunnerTable > .runner-table--warn { color: $text-warning; }
    RunnerTable > .runner-table--bad { color: $text-error; text-style: bold; }
    RunnerTable > .runner-table--paused { color: $text-primary; }
    RunnerTable > .runner-table--muted { color: $text-muted; }
    RunnerTable > .runner-table--update { color: $text-accent; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "runner-table--header",
        "runner-table--cursor",
        "runner-table--ok",
        "runner-table--warn",
        "runner-table--bad",
        "runner-table--paused",
        "runner-table--muted",
        "runner-table--update",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Details", show=True),
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
    ]

    class Opened(Message):
        """The operator asked for a runner's details (Enter or a double click)."""

        def __init__(self, runner: Runner) -> None:
            super().__init__()
            self.runner = runner

    class ViewChanged(Message):
        """Rows, filter or sort changed: the screen updates its counts."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._runners: dict[str, Runner] = {}
        self._search: dict[str, str] = {}
        self._view: list[str] = []
        self.filter_text = ""
        self.sort_column = "name"
        self.sort_reverse = False
        self.cursor = 0
        self.empty_message = "Loading runners…"

    # ── data ───────────────────────────────────────────────────────────────

    @property
    def total(self) -> int:
        return len(self._runners)

    @property
    def shown(self) -> int:
        return len(self._view)

    @property
    def runners(self) -> list[Runner]:
        """Every runner the table knows, in no particular order."""
        return list(self._runners.values())

    def visible_runners(self) -> list[Runner]:
        """The runners that pass the filter, in display order."""
        return [self._runners[i] for i in self._view]

    @property
    def selected(self) -> Runner | None:
        if 0 <= self.cursor < len(self._view):
            return self._runners[self._view[self.cursor]]
        return None

    def upsert(self, runners: Iterable[Runner], *, retain: set[str] | None = None) -> bool:
        """Add or update runners in place (and drop those not in `retain`); True when anything changed."""
        changed = False
        for runner in runners:
            if self._runners.get(runner.id) != runner:
                self._runners[runner.id] = runner
                self._search[runner.id] = search_key(runner)
                changed = True
        if retain is not None:
            for gone in [i for i in self._runners if i not in retain]:
                del self._runners[gone]
                del self._search[gone]
                changed = True
        if changed:
            self._rebuild()
        return changed

    def set_filter(self, text: str) -> None:
        text = text.strip().lower()
        if text != self.filter_text:
            self.filter_text = text
            self._rebuild()

    def sort_by(self, column: str, reverse: bool | None = None) -> None:
        """Sort by a column key; without `reverse`, picking the current column again flips the order."""
        if reverse is None:
            reverse = not self.sort_reverse if column == self.sort_column else False
        self.sort_column, self.sort_reverse = column, reverse
        self._rebuild()

    def select_runner(self, runner_id: str) -> bool:
        try:
            self._move_to(self._view.index(runner_id))
        except ValueError:
            return False
        return True

    def _rebuild(self) -> None:
        keep = self.selected.id if self.selected else None
        column = next(c for c in COLUMNS if c.key == self.sort_column)
        ids: Iterable[str] = self._runners.keys()
        if self.filter_text:
            search = self._search
            query = self.filter_text
            ids = [i for i in ids if matches(query, search[i])]
        runners = self._runners
        self._view = sorted(ids, key=lambda i: column.sort_key(runners[i]), reverse=self.sort_reverse)
        if keep is not None and keep in runners:
            try:
                self.cursor = self._view.index(keep)
            except ValueError:
                self.cursor = min(self.cursor, max(0, len(self._view) - 1))
        else:
            self.cursor = min(self.cursor, max(0, len(self._view) - 1))
        self.virtual_size = Size(0, len(self._view) + 1)
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.ViewChanged())

    # ── cursor ─────────────────────────────────────────────────────────────

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    def _move_to(self, index: int) -> None:
        if not self._view:
            return
        self.cursor = max(0, min(index, len(self._view) - 1))
        self._scroll_cursor_into_view()
        self.refresh()

    def _scroll_cursor_into_view(self) -> None:
        rows_visible = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + rows_visible:
            self.scroll_to(y=self.cursor - rows_visible + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move_to(self.cursor + direction * self._page)

    def action_jump(self, index: int) -> None:
        self._move_to(index if index >= 0 else len(self._view) - 1)

    def action_open(self) -> None:
        if self.selected is not None:
            self.post_message(self.Opened(self.selected))

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._column_at(offset.x)
            if column is not None:
                self.sort_by(column)
            return
        index = int(self.scroll_offset.y) + offset.y - 1
        if index < len(self._view):
            already = index == self.cursor
            self._move_to(index)
            if event.chain >= 2 or already:
                self.action_open()

    def _on_resize(self, event: events.Resize) -> None:
        self._scroll_cursor_into_view()

    # ── rendering ──────────────────────────────────────────────────────────

    def _widths(self, width: int) -> list[int]:
        """Column widths for this width: version goes compact below ~96 cells, the name takes the rest."""
        widths = [c.width for c in COLUMNS]
        fixed = sum(widths) + GAP * (len(COLUMNS) - 1) + LEFT_PAD
        if width - fixed < 24:
            widths[-1] = COMPACT_VERSION_WIDTH
            fixed -= COLUMNS[-1].width - COMPACT_VERSION_WIDTH
        widths[0] = max(NAME_MIN, width - fixed)
        return widths

    def _column_at(self, x: int) -> str | None:
        position = LEFT_PAD
        for column, width in zip(COLUMNS, self._widths(self.scrollable_content_region.width), strict=True):
            if position <= x < position + width + GAP:
                return column.key
            position += width + GAP
        return None

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"runner-table--{name}")

    def _line(self, cells: list[tuple[str, Style]], widths: list[int], width: int, base: Style) -> Strip:
        segments = [Segment(" " * LEFT_PAD, base)]
        for index, ((text, style), cell_width) in enumerate(zip(cells, widths, strict=True)):
            if index:
                segments.append(Segment(" " * GAP, base))
            segments.append(Segment(_fit(text, cell_width), style))
        return Strip(segments).crop_extend(0, width, base)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        widths = self._widths(width)
        if y == 0:
            header = base + self._style("header")
            titles = []
            for column in COLUMNS:
                title = column.title
                if column.key == self.sort_column:
                    title += " ▼" if self.sort_reverse else " ▲"
                titles.append((title, header))
            return self._line(titles, widths, width, header)
        index = int(self.scroll_offset.y) + y - 1
        if index >= len(self._view):
            if not self._view and y == 1:
                return Strip([Segment(" " * LEFT_PAD + self.empty_message, base + self._style("muted"))]).crop_extend(
                    0, width, base
                )
            return Strip.blank(width, base)
        runner = self._runners[self._view[index]]
        compact = widths[-1] == COMPACT_VERSION_WIDTH
        row_base = base + self._style("cursor") if index == self.cursor else base
        on_cursor = index == self.cursor
        tone = status_tone(runner)

        def styled(name: str) -> Style:
            return row_base if on_cursor else base + self._style(name)

        update = runner.version is not None and runner.version.update_available
        cells = [
            (runner.name, row_base),
            (status_text(runner), styled(tone)),
            (runner.platform.label, row_base),
            (connected_text(runner), row_base if runner.connected else styled("warn")),
            (version_text(runner, compact=compact), styled("update") if update else row_base),
        ]
        return self._line(cells, widths, width, row_base)
