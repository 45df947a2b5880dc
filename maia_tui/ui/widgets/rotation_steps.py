"""The guided rotation's widgets: the step list with live state, the selected step's story, the wait bar."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from maia_tui.core.rotation.model import Step, StepState, format_duration

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
ICONS = {
    StepState.PENDING: ("·", "dim"),
    StepState.DONE: ("✓", "bold green"),
    StepState.FAILED: ("✗", "bold red"),
    StepState.SKIPPED: ("–", "dim"),
    StepState.MANUAL: ("☛", "bold yellow"),
}
STATE_WORDS = {
    StepState.PENDING: "pending",
    StepState.RUNNING: "running",
    StepState.DONE: "done",
    StepState.FAILED: "failed",
    StepState.SKIPPED: "skipped",
    StepState.MANUAL: "your turn",
}


def step_prompt(step: Step, frame: int, now: float) -> Table:
    """One row: icon (a spinner while running), title, and the duration (or time so far)."""
    if step.state is StepState.RUNNING:
        icon, style = SPINNER[frame % len(SPINNER)], "bold cyan"
    else:
        icon, style = ICONS[step.state]
    if step.state is StepState.RUNNING and step.started is not None:
        took = format_duration(max(0.0, now - step.started))
    elif step.state in (StepState.DONE, StepState.FAILED) and step.duration is not None:
        took = format_duration(step.duration)
    else:
        took = ""
    row = Table.grid(expand=True)
    row.add_column(width=2)
    row.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    row.add_column(justify="right", width=7)
    title = Text(step.title, style="bold" if step.state in (StepState.RUNNING, StepState.MANUAL) else "")
    if step.state is StepState.SKIPPED:
        title.stylize("dim")
    row.add_row(Text(icon, style=style), title, Text(took, style="dim"))
    return row


class StepList(OptionList):
    """The steps in order; the highlighted one is explained beside it."""

    DEFAULT_CSS = """
    StepList { height: auto; max-height: 100%; border: round $primary; padding: 0 1; }
    StepList:focus { border: round $accent; }
    """

    def show(self, steps: list[Step], *, frame: int, now: float) -> None:
        """Draw every step (cheap: eight rows)."""
        if self.option_count != len(steps):
            self.set_options(Option(step_prompt(s, frame, now), id=s.id.value) for s in steps)
            return
        for index, step in enumerate(steps):
            self.replace_option_prompt_at_index(index, step_prompt(step, frame, now))


class StepStory(VerticalScroll):
    """The selected step: its state, error and remedy, manual instructions, and the first-timer explanation."""

    DEFAULT_CSS = """
    StepStory { border: round $primary; padding: 0 1; height: 1fr; }
    StepStory #story { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="story", markup=False)

    def show(self, step: Step) -> None:
        self.border_title = step.title
        text = Text()
        text.append(f"{STATE_WORDS[step.state].capitalize()}", style="bold")
        if step.detail:
            text.append(f": {step.detail}")
        text.append("\n")
        if step.state is StepState.FAILED:
            text.append(f"\n✗ {step.error}\n", style="bold red")
            text.append(f"→ {step.remedy}\n", style="yellow")
            text.append("Retry (r) runs this step again; nothing before it is repeated.\n", style="dim")
        if step.state is StepState.MANUAL and step.instructions:
            text.append("\nThis host cannot do this step. In the console:\n", style="bold yellow")
            for index, line in enumerate(step.instructions, start=1):
                text.append(f"  {index}. {line}\n")
            text.append("Then press Done (d). Copy (y) puts the new secret on the clipboard.\n", style="dim")
        text.append("\n")
        text.append(step.explanation)
        self.query_one("#story", Static).update(text)


class WaitBar(Horizontal):
    """A progress bar with the time left before the running step's timeout."""

    DEFAULT_CSS = """
    WaitBar { height: 1; padding: 0 1; }
    WaitBar #wait-label { width: auto; padding-right: 2; }
    WaitBar ProgressBar { width: auto; }
    WaitBar #wait-left { width: auto; padding-left: 2; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Label("", id="wait-label")
        yield ProgressBar(total=100, show_eta=False, id="wait-bar")
        yield Label("", id="wait-left")

    def show(self, title: str, fraction: float | None, remaining: float | None) -> None:
        self.query_one("#wait-label", Label).update(title)
        if fraction is not None:
            self.query_one(ProgressBar).update(progress=round(fraction * 100, 1))
        left = f"{format_duration(remaining)} left before the timeout" if remaining is not None else ""
        self.query_one("#wait-left", Label).update(left)

    def reset(self, title: str = "") -> None:
        self.query_one(ProgressBar).update(progress=0)
        self.query_one("#wait-label", Label).update(title)
        self.query_one("#wait-left", Label).update("")
