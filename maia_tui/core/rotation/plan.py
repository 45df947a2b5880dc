"""The plan of a rotation in words (what `--dry-run` prints), and the steps a start without a refresh skips."""

from __future__ import annotations

from typing import TYPE_CHECKING

from maia_tui.core.rotation.model import StartMode, Step, StepId, StepState, format_duration

if TYPE_CHECKING:
    from maia_tui.core.rotation.engine import Rotation
    from maia_tui.core.rotation.journal import PendingRotation


def mark_started(steps: dict[StepId, Step], mode: StartMode, pending: PendingRotation | None) -> None:
    """Mark what a start without a refresh has already done (or will never do)."""
    refresh, pause = steps[StepId.REFRESH], steps[StepId.PAUSE]
    if mode is StartMode.CURRENT:
        refresh.state, refresh.detail = StepState.SKIPPED, "no refresh: applying the secret Maia holds now"
        pause.state, pause.detail = StepState.SKIPPED, "no refresh, nothing to drain"
    elif mode is StartMode.GIVEN:
        refresh.state, refresh.detail = StepState.DONE, "refreshed in the credentials screen"
        pause.state, pause.detail = StepState.SKIPPED, "refreshed already"
    elif mode is StartMode.RESUME and pending is not None:
        refresh.state = StepState.DONE
        refresh.detail = f"refreshed at {pending.refreshed_at} by {pending.refreshed_by}"
        pause.state = StepState.DONE if pending.paused_by_rotation else StepState.SKIPPED
        pause.detail = "paused before the interruption" if pending.paused_by_rotation else "not paused"
        for sid in pending.done:
            if sid in (StepId.APPLY, StepId.RESTART, StepId.WAIT, StepId.RESUME):
                steps[sid].state, steps[sid].detail = StepState.DONE, "done before the interruption"


def _action(rot: Rotation, step: StepId) -> str:
    name = rot.runner.name
    where = rot.target.summary if rot.target and rot.target.summary else rot.runner.platform.label
    by_hand = " (by hand: this host cannot reach the platform)" if rot.manual else ""
    options = rot.options
    if step is StepId.PAUSE:
        running = len(rot.running_pipelines)
        why = f"{running} pipeline(s) running" if running else "no pipelines running"
        return f"PAUSE {name} and wait for Paused, if chosen ({why})"
    if step is StepId.REFRESH:
        return f"SECRET_REFRESH in Maia: revokes the current secret; {name} shows Unknown until restarted"
    if step is StepId.APPLY:
        return f"write the new secret to {where}{by_hand}"
    if step is StepId.RESTART:
        return f"restart {name} on {rot.runner.platform.label}{by_hand}"
    if step is StepId.WAIT:
        return f"wait up to {format_duration(options.wait_timeout)} for {name} to reconnect"
    if step is StepId.RESUME:
        return f"RESUME {name} if this rotation paused it"
    if step is StepId.VERIFY:
        return "check Maia reports it connected and the store's fingerprint matches Maia's"
    return "check access and state; change nothing"


def plan_lines(rot: Rotation) -> list[str]:
    """One numbered line per step: done/skipped ones say so, the rest say what they will do."""
    lines = []
    for index, step in enumerate(rot.ordered_steps, start=1):
        if step.state is StepState.DONE and step.id is not StepId.PREFLIGHT:
            what = f"done ({step.detail})" if step.detail else "done"
        elif step.state is StepState.SKIPPED:
            what = f"skipped ({step.detail})" if step.detail else "skipped"
        elif step.id is StepId.PREFLIGHT and step.state is StepState.DONE:
            what = f"passed ({step.detail})"
        else:
            what = _action(rot, step.id)
        lines.append(f"{index}. {step.title}: {what}")
    return lines
