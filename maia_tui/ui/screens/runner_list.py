"""The first screen: every runner with its status, auto-refreshed, filterable and sortable."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, Static
from textual.worker import get_current_worker

from maia_tui.core.errors import MaiaTuiError
from maia_tui.ui.status import needs_attention
from maia_tui.ui.widgets.app_header import AppHeader
from maia_tui.ui.widgets.runner_table import COLUMNS, RunnerTable

if TYPE_CHECKING:
    from maia_tui.ui.app import MaiaApp

MAX_BACKOFF = 60.0
# Maia allows ~1000 requests a minute per account: the list keeps to 2 a second (a page each), so a big fleet
# refreshes less often instead of starving rotations and other operators of the same account.
LIST_PAGES_PER_SECOND = 2.0
FILTER_DEBOUNCE = 0.15


class RunnerListScreen(Screen[None]):
    """Polls Maia every few seconds (backing off on errors) and updates the rows in place."""

    app: MaiaApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", priority=True),  # priority: keys typed right after it land in the filter
        Binding("escape", "clear_filter", "Clear filter"),
        Binding("s", "sort", "Sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False),
        Binding("r", "reload", "Reload"),
        Binding("a", "toggle_auto_refresh", "Auto-refresh"),
        Binding("c", "credentials", "Credentials"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__(id="runner-list")
        self.auto_refresh = True
        self.failures = 0
        self.pages = 0  # how many pages the last full refresh took
        self.fetched_at: float | None = None
        self.next_poll_at: float | None = None
        self._poll_timer: Timer | None = None
        self._filter_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader("Runners")
        with Horizontal(id="filter-bar"):
            yield Label("Filter /", id="filter-label")
            yield Input(placeholder="name, platform or status · ! inverts · Esc clears", id="filter", compact=True)
        yield Static("", id="list-status")
        yield RunnerTable(id="runners")
        yield Footer()

    @property
    def table(self) -> RunnerTable:
        return self.query_one(RunnerTable)

    def on_mount(self) -> None:
        self.query_one("#filter-bar").display = False
        self.table.focus()
        self.set_interval(1.0, self._show_status)

    def on_screen_resume(self) -> None:
        self.poll_now()

    def on_screen_suspend(self) -> None:
        # Nobody sees the list while another screen is on top: stop polling; resuming polls at once.
        self._cancel_timer()
        self.workers.cancel_group(self, "poll")

    # ── polling ────────────────────────────────────────────────────────────

    def poll_now(self) -> None:
        self._cancel_timer()
        self._poll()

    def _cancel_timer(self) -> None:
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None
        self.next_poll_at = None

    @property
    def interval(self) -> float:
        """Seconds to the next refresh: the configured interval, stretched for big fleets, backed off on errors."""
        base = max(self.app.settings.refresh_interval, self.pages / LIST_PAGES_PER_SECOND)
        return base if not self.failures else min(MAX_BACKOFF, base * 2**self.failures)

    @work(exclusive=True, group="poll", exit_on_error=False)
    async def _poll(self) -> None:
        """Fetch every page; the first load shows each page as it arrives, later loads apply once."""
        table = self.table
        try:
            seen: set[str] = set()
            collected = []
            progressive = table.total == 0
            pages = 0
            async for page in self.app.client.iter_runner_pages():
                pages += 1
                seen.update(r.id for r in page)
                if progressive:
                    table.upsert(page)
                else:
                    collected.extend(page)
            table.upsert(collected, retain=seen)
            table.empty_message = "No runners in this account." if not seen else "No runner matches the filter."
            table.refresh()
            self.fetched_at = self.app.clock.monotonic()
            self.pages = pages
            self.failures = 0
            self.app.link_ok()
        except MaiaTuiError as error:
            self.failures += 1
            self.app.report_background_failure(error, title="Cannot refresh the runner list")
            if table.total == 0:
                table.empty_message = f"Could not load the runners: {error.message}"
                table.refresh()
        finally:
            if not get_current_worker().is_cancelled:
                self._schedule()
            self._show_status()

    def _schedule(self) -> None:
        self._cancel_timer()
        if self.auto_refresh and self.is_current:
            delay = self.interval
            self.next_poll_at = self.app.clock.monotonic() + delay
            self._poll_timer = self.set_timer(delay, self._poll)

    # ── status line ────────────────────────────────────────────────────────

    def _show_status(self) -> None:
        table = self.table
        now = self.app.clock.monotonic()
        if table.filter_text:
            parts = [f"{table.shown:,} of {table.total:,} match “{table.filter_text}”"]
        else:
            parts = [f"{table.total:,} runners"]
        attention = sum(
            1 for r in (table.visible_runners() if table.filter_text else table.runners) if needs_attention(r)
        )
        if attention:
            parts.append(f"{attention:,} {'needs' if attention == 1 else 'need'} attention")
        if self.fetched_at is None:
            parts.append("loading…" if not self.failures else "not loaded")
        else:
            parts.append(f"updated {max(0, int(now - self.fetched_at))}s ago")
        if not self.auto_refresh:
            parts.append("auto-refresh paused (a resumes)")
        elif self.failures and self.next_poll_at is not None:
            parts.append(f"retrying in {max(0, round(self.next_poll_at - now))}s")
        else:
            parts.append(f"every {self.interval:g}s")
        self.query_one("#list-status", Static).update(" · ".join(parts))

    @on(RunnerTable.ViewChanged)
    def _view_changed(self) -> None:
        self._show_status()

    # ── filter ─────────────────────────────────────────────────────────────

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Esc (clear filter) is offered only while there is a filter to clear."""
        if action == "clear_filter":
            return bool(self.query_one("#filter-bar").display or self.table.filter_text)
        return True

    def action_filter(self) -> None:
        self.query_one("#filter-bar").display = True
        # Focus now, not after a refresh: keys typed right after "/" must land in the filter.
        self.set_focus(self.query_one("#filter", Input))
        self.refresh_bindings()

    @on(Input.Changed, "#filter")
    def _filter_typed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        value = event.value
        self._filter_timer = self.set_timer(FILTER_DEBOUNCE, lambda: self.table.set_filter(value))

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self.table.set_filter(event.value)
        if not event.value.strip():
            self.query_one("#filter-bar").display = False
        self.table.focus()
        self.refresh_bindings()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if self._filter_timer is not None:
            self._filter_timer.stop()
        box.value = ""
        self.query_one("#filter-bar").display = False
        self.table.set_filter("")
        self.table.focus()
        self.refresh_bindings()

    # ── other actions ──────────────────────────────────────────────────────

    def action_sort(self) -> None:
        keys = [c.key for c in COLUMNS]
        self.table.sort_by(keys[(keys.index(self.table.sort_column) + 1) % len(keys)], reverse=False)

    def action_reverse_sort(self) -> None:
        self.table.sort_by(self.table.sort_column, reverse=not self.table.sort_reverse)

    def action_reload(self) -> None:
        self.poll_now()
        self.notify("Reloading the runner list…", timeout=2)

    def action_toggle_auto_refresh(self) -> None:
        self.auto_refresh = not self.auto_refresh
        if self.auto_refresh:
            self.poll_now()
        else:
            self._cancel_timer()
        self._show_status()

    def action_credentials(self) -> None:
        runner = self.table.selected
        if runner is not None:
            self.app.open_credentials(runner)

    @on(RunnerTable.Opened)
    def _open(self, event: RunnerTable.Opened) -> None:
        self.app.open_details(event.runner)
