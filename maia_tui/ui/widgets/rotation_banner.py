"""What the guided rotation says in words: the banner (where it stands, what to press), the target, log lines."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from maia_tui.core.rotation.engine import Rotation
from maia_tui.core.rotation.events import StepChanged
from maia_tui.core.rotation.journal import PendingRotation
from maia_tui.core.rotation.model import Confirmation, Outcome, StartMode, Step, StepState, format_duration

STEP_ICONS = {StepState.DONE: "✓", StepState.SKIPPED: "–", StepState.MANUAL: "☛", StepState.PENDING: "·"}


class RotationBanner(Static):
    """One or two lines above the panel: the intro and its keys, progress, or the outcome with its remedy."""

    DEFAULT_CSS = """
    RotationBanner { height: auto; padding: 0 1; margin: 1 1 0 1; border-left: thick $accent; }
    RotationBanner.-success { border-left: thick $success; color: $text-success; }
    RotationBanner.-error { border-left: thick $error; }
    RotationBanner.-warning { border-left: thick $warning; }
    """

    def show(self, rotation: Rotation, outcome: Outcome | None, pending: PendingRotation | None) -> None:
        text, style = _outcome(rotation, outcome)
        if not text:
            text, style = _intro(rotation, pending), ""
        self.update(text)
        self.set_classes(style)


def _outcome(rotation: Rotation, outcome: Outcome | None) -> tuple[Text, str]:
    name, text = rotation.runner.name, Text()
    if outcome is Outcome.SUCCEEDED:
        total = format_duration(rotation.elapsed())
        text.append(f"✓ Rotated in {total} · {name} is {rotation.runner.status_label}", style="bold")
        if rotation.fingerprints_match:
            fingerprint = rotation.credentials.client_secret.fingerprint() if rotation.credentials else ""
            text.append(f" · fingerprints match ({fingerprint})")
        elif rotation.manual:
            text.append(" · store not checked from this host (Maia verified)")
        return text, "-success"
    failed = rotation.failed_step
    if outcome is Outcome.FAILED and failed is not None:
        text.append(f"✗ Stopped at {failed.title}: {failed.error}\n", style="bold")
        text.append(f"→ {failed.remedy}  ·  r retries this step")
        return text, "-error"
    if outcome is Outcome.ABORTED:
        text.append("Aborted. ", style="bold")
        if rotation.refreshed:
            text.append(f"{name} stays Unknown until its new secret is applied: s continues, or open this again later.")
        else:
            text.append("Nothing was revoked. s starts again.")
        return text, "-warning"
    if outcome is Outcome.DECLINED:
        return Text("Not confirmed: nothing was changed. s starts again."), ""
    if rotation.running:
        text.append(f"Rotating {name} on {rotation.runner.platform.label}. ", style="bold")
        text.append("a aborts between steps.")
        return text, ""
    return text, ""


def _intro(rotation: Rotation, pending: PendingRotation | None) -> Text:
    runner, text = rotation.runner, Text()
    name = runner.name
    if rotation.mode is StartMode.RESUME and pending is not None:
        text.append(f"An unfinished rotation of {name} was found ", style="bold")
        text.append(f"(refreshed {pending.refreshed_at} by {pending.refreshed_by}). ")
        text.append(f"s continues at {pending.next_step.value}, reading the secret back from Maia: ")
        text.append("no second refresh. n sets it aside and refreshes again.")
    elif rotation.mode is StartMode.GIVEN:
        text.append(f"The secret of {name} was just refreshed: applying it now.", style="bold")
    elif rotation.mode is StartMode.CURRENT:
        text.append(f"Apply the secret Maia holds now to {name}, then restart it: no refresh. s starts.")
    else:
        text.append(f"Rotate the secret of {name} ({runner.platform.label}). ", style="bold")
        text.append("s runs the preflight checks first; nothing is revoked until you type refresh.")
        if not runner.healthy:
            text.append(f"\n{name} is {runner.status_label}: c applies the secret Maia holds now instead.")
    return text


class RotationTarget(Static):
    """Where the runner lives: the names preflight located (or the binding), and the time so far."""

    DEFAULT_CSS = """
    RotationTarget { height: auto; padding: 0 1; margin-top: 1; color: $text-muted; }
    """

    def show(self, rotation: Rotation) -> None:
        runner, target = rotation.runner, rotation.target
        text = Text()
        text.append("Runner    ", style="bold")
        text.append(f"{runner.name} · {runner.status_label}{'' if runner.connected else ', not connected'}\n")
        text.append("Platform  ", style="bold")
        text.append(f"{runner.platform.label}\n")
        text.append("Target    ", style="bold")
        text.append(target.summary if target is not None else "located by the preflight checks")
        if rotation.manual:
            text.append("\nBy hand   ", style="bold")
            text.append("this host cannot reach the platform")
        text.append("\nElapsed   ", style="bold")
        text.append(stamp(rotation.elapsed()).strip())
        self.update(text)


def stamp(elapsed: float) -> str:
    """Minutes:seconds since the rotation started, for the log."""
    minutes, seconds = divmod(int(elapsed), 60)
    return f"{minutes:2d}:{seconds:02d}"


def step_line(step: Step, event: StepChanged) -> Text:
    """A step's transition as a log line."""
    at = stamp(event.elapsed)
    if event.state is StepState.RUNNING:
        return Text(f"{at} ▶ {step.title}", style="bold")
    took = f" ({format_duration(event.duration)})" if event.duration is not None else ""
    if event.state is StepState.FAILED:
        return Text(f"{at} ✗ {step.title}{took}: {event.error}\n        → {event.remedy}", style="bold red")
    detail = f": {event.detail}" if event.detail else ""
    style = "green" if event.state is StepState.DONE else ""
    return Text(f"{at} {STEP_ICONS.get(event.state, '·')} {step.title}{detail}{took}", style=style)


def confirmation_body(request: Confirmation, pause: bool) -> str:
    """The typed confirmation's text: what the refresh does, the pipelines running, the pause decision."""
    lines = [
        "Refresh revokes the current secret at once: the runner disconnects (Unknown) until the new secret is "
        "applied and it restarts, which the next steps do.",
        "",
    ]
    if request.running_pipelines:
        names = ", ".join(request.running_pipelines[:4])
        lines.append(f"{len(request.running_pipelines)} pipeline(s) running: {names}.")
    if pause:
        lines.append("The runner is paused first, so they finish and new tasks queue.")
    elif request.pause_possible:
        lines.append("The runner is not paused first (Cancel, then p, to pause it).")
    return "\n".join(lines).rstrip()
