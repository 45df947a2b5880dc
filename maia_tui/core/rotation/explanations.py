"""First-timer explanations of each step: what maia-tui does, and the console steps it saves, names filled in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from maia_tui.core.rotation.model import StepId

if TYPE_CHECKING:
    from maia_tui.core.platforms.base import PlatformAdapter, PlatformTarget

# What the tool does, per step; {runner} and {platform} are filled in.
WHAT: dict[StepId, str] = {
    StepId.PREFLIGHT: (
        "Checks everything that can be checked before anything is revoked: the Maia API answers and lets this "
        "credential manage runners; {runner} is found and is not Matillion-hosted; its deployment on {platform} "
        "is located; its secret can be read; and whether pipelines are running on it. Nothing is changed."
    ),
    StepId.PAUSE: (
        "Sends PAUSE to {runner} and waits for Paused: the runner finishes the tasks in progress and Maia queues "
        "new ones, so no pipeline fails while the secret changes. Skipped when you choose not to pause."
    ),
    StepId.REFRESH: (
        "Asks Maia for a new client secret (SECRET_REFRESH). This revokes the old secret at once: {runner} "
        "disconnects and shows Unknown until the new secret is applied and the runner restarted. The new secret "
        "is kept in memory only; the journal records that the refresh happened, never the value."
    ),
    StepId.APPLY: (
        "Writes the new secret where {runner} reads it on {platform}, keeping everything else there as it was. "
        "A retry writes the same version again, never a second one."
    ),
    StepId.RESTART: (
        "Restarts {runner} on {platform}: a runner reads its secret only when it starts, so the running one "
        "still holds the revoked secret."
    ),
    StepId.WAIT: (
        "Follows the restart on {platform} (its events stream into the log) and polls Maia until {runner} is "
        "connected again. Fails at the timeout with the platform's own reasons (e.g. why tasks stopped)."
    ),
    StepId.RESUME: (
        "Sends RESUME, so {runner} runs the tasks queued while it was paused. Skipped when this rotation did not "
        "pause it (a runner you had paused yourself stays paused)."
    ),
    StepId.VERIFY: (
        "Reads {runner} back from Maia (it must be connected) and compares the fingerprint of the secret Maia "
        "holds with the one the platform store holds: they must match."
    ),
}

# The Maia console equivalents (docs.maia.ai: refresh-credentials, pause-runner, restart-runner).
MAIA_CONSOLE: dict[StepId, list[str]] = {
    StepId.PREFLIGHT: [
        "Maia → Runners & Instances → Runners: find {runner}; check its status and that it is not Matillion hosted.",
        "Check no pipelines are running on it (Maia → Pipeline runs).",
    ],
    StepId.PAUSE: [
        "Maia → Runners & Instances → Runners → {runner} → … → Pause runner.",
        "Type `pause runner` to confirm, then wait until the status is Paused.",
    ],
    StepId.REFRESH: [
        "Maia → Runners & Instances → Runners → {runner} → … → Runner details.",
        "Credentials tab → Refresh; type the word `refresh` and click Refresh credentials.",
        "Click Reveal to show the new secret.",
    ],
    StepId.WAIT: ["Maia → Runners & Instances → Runners: wait until {runner} shows Running."],
    StepId.RESUME: ["Maia → Runners & Instances → Runners → {runner} → … → Resume runner."],
    StepId.VERIFY: [
        "Maia → Runners: {runner} shows Running.",
        "Compare the secret Maia reveals with the value in the platform's secret store.",
    ],
}


def explain(step: StepId, *, runner: str, platform: str, console: list[str]) -> str:
    """The explanation of a step: what maia-tui does, then the console steps it replaces."""
    names = {"runner": runner, "platform": platform}
    lines = [WHAT[step].format(**names)]
    by_hand = [line.format(**names) for line in MAIA_CONSOLE.get(step, [])]
    by_hand.extend(console)
    if by_hand:
        lines.append("")
        lines.append("By hand, this is:")
        lines.extend(f"  {index}. {line}" for index, line in enumerate(by_hand, start=1))
    return "\n".join(lines)


def console_steps(adapter: PlatformAdapter | None, target: PlatformTarget | None, step: StepId) -> list[str]:
    """The platform's console steps for `step`, names filled in; [] when the adapter has none for it."""
    if adapter is None or target is None:
        return []
    try:
        return list(adapter.manual_steps(target, step.value))
    except Exception:  # an adapter without console steps for this step: the generic text stays
        return []
