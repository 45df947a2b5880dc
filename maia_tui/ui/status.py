"""How a runner's status reads on screen: a glyph and word (monochrome-safe), a tone, and what to do next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from maia_tui.core.maia.models import Platform, Runner, RunnerStatus

# Every glyph is one cell wide and every status keeps its word, so the list reads without colour.
_GLYPHS = {
    RunnerStatus.RUNNING: "●",
    RunnerStatus.PENDING: "◌",
    RunnerStatus.UNKNOWN: "?",
    RunnerStatus.STOPPING: "▽",
    RunnerStatus.STOPPED: "■",
    RunnerStatus.PAUSING: "‖",
    RunnerStatus.PAUSED: "‖",
    RunnerStatus.OTHER: "?",
}

# Tones map to CSS component classes (ok/warn/bad/paused) and so to the theme's colours.
_TONES = {
    RunnerStatus.RUNNING: "ok",
    RunnerStatus.PENDING: "warn",
    RunnerStatus.UNKNOWN: "bad",
    RunnerStatus.STOPPING: "warn",
    RunnerStatus.STOPPED: "bad",
    RunnerStatus.PAUSING: "warn",
    RunnerStatus.PAUSED: "paused",
    RunnerStatus.OTHER: "bad",
}

# Sorting by status puts the runners that need attention first.
_SEVERITY = {
    RunnerStatus.UNKNOWN: 0,
    RunnerStatus.OTHER: 0,
    RunnerStatus.STOPPED: 1,
    RunnerStatus.STOPPING: 2,
    RunnerStatus.PENDING: 3,
    RunnerStatus.PAUSING: 4,
    RunnerStatus.PAUSED: 5,
    RunnerStatus.RUNNING: 6,
}


def status_text(runner: Runner) -> str:
    """'● Running', '? Unknown', ...: the glyph and the word."""
    return f"{_GLYPHS[runner.status]} {runner.status_label}"


def status_tone(runner: Runner) -> str:
    """ok, warn, bad or paused; a running runner that is not connected is a warning."""
    if runner.status is RunnerStatus.RUNNING and not runner.connected:
        return "warn"
    return _TONES[runner.status]


def status_rank(runner: Runner) -> int:
    """Sort key: problems first, healthy last."""
    return _SEVERITY[runner.status] * 2 + (0 if runner.connected else -1)


def connected_text(runner: Runner) -> str:
    return "✔ yes" if runner.connected else "✘ no"


def version_text(runner: Runner, *, compact: bool = False) -> str:
    """The runner version, marked '↑' (compact) or '↑ update' when Maia offers a newer one."""
    if runner.version is None or not runner.version.agent_version:
        return "–"
    text = runner.version.agent_version
    if runner.version.update_available:
        text += " ↑" if compact else " ↑ update"
    return text


def needs_attention(runner: Runner) -> bool:
    return status_tone(runner) == "bad"


def describe_duration(seconds: float) -> str:
    """A short human duration: '45 s', '12 min', '3 h 20 min', '2 days'."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"


@dataclass(frozen=True, slots=True)
class StatusExplanation:
    """What the status means in plain words, and the operator's next action."""

    meaning: str
    next_action: str


def explain_status(runner: Runner, now: datetime) -> StatusExplanation:
    """Plain-words meaning and next action for the runner's status, as an operator would want them."""
    if runner.platform is Platform.MATILLION_HOSTED:
        return StatusExplanation(
            "A Full SaaS runner: Matillion runs it and manages its credentials.",
            "Nothing to do here; its secret cannot be refreshed or applied by you.",
        )
    status = runner.status
    if status is RunnerStatus.RUNNING and runner.connected:
        return StatusExplanation("Connected to Maia and ready for pipelines.", "Nothing to do.")
    if status is RunnerStatus.RUNNING:
        return StatusExplanation(
            "Maia last saw it running, but it is not connected now.",
            "Wait for the next refresh; if it stays disconnected, restart it on its platform.",
        )
    if status is RunnerStatus.UNKNOWN:
        return StatusExplanation(
            "Maia cannot reach it, so it runs no pipelines. This is what a credentials refresh leaves "
            "behind until the runner has the new secret.",
            "If its secret was refreshed: apply the new secret on its platform and restart the runner "
            "(g starts the guided rotation). Otherwise check the runner's logs on its platform.",
        )
    if status is RunnerStatus.PENDING:
        return StatusExplanation(
            "Created in Maia, but it has never connected.",
            "Deploy it with its client id and secret (see Credentials) and start it on its platform.",
        )
    if status is RunnerStatus.STOPPING:
        return StatusExplanation(
            "Shutting down; tasks in flight, open transactions included, may finish.",
            "Wait until it shows Stopped, then start it on its platform when you need it.",
        )
    if status is RunnerStatus.STOPPED:
        return StatusExplanation(
            "Stopped: it runs no pipelines.",
            "Start it on its platform (ECS service, Container App revision, Helm release, Snowflake service); "
            "Maia cannot restart a runner that is not connected.",
        )
    if status is RunnerStatus.PAUSING:
        return StatusExplanation(
            "Pausing: finishing its current tasks; new work waits in Maia's queue.",
            "Wait until it shows Paused, or Resume (u) to take work again.",
        )
    if status is RunnerStatus.PAUSED:
        until = "until resumed"
        if runner.paused_until is not None:
            left = (runner.paused_until - now).total_seconds()
            stamp = runner.paused_until.strftime("%Y-%m-%d %H:%M %Z").strip()
            until = f"until {stamp} (in {describe_duration(left)})" if left > 0 else f"until {stamp}"
        return StatusExplanation(
            f"Paused {until}: new pipeline runs are queued, not lost.",
            "Resume it (u) to run the queued work now; otherwise it resumes by itself at that time.",
        )
    return StatusExplanation(
        f"Maia reports {runner.raw_status or 'no status'!r}, which maia-tui does not know.",
        "Check the runner in Maia; treat it as Unknown until it shows Running.",
    )
