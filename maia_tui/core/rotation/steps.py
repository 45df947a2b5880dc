"""What each step does, for any platform: Maia calls here, platform calls through the adapter in threads."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from maia_tui.core.errors import (
    ConflictError,
    MaiaApiError,
    PermissionDeniedError,
    PlatformError,
    PlatformUnreachable,
    RotationError,
)
from maia_tui.core.maia.models import Platform, Runner, RunnerCommand, RunnerStatus
from maia_tui.core.platforms.base import Check, CheckLevel, PlatformTarget
from maia_tui.core.rotation.model import Step, StepId, StepState, format_duration
from maia_tui.core.settings import save_binding

if TYPE_CHECKING:
    from maia_tui.core.rotation.engine import Rotation

StepResult = tuple[StepState, str]


class RetryAutomatic(Exception):
    """The operator asked to retry a manual step the automatic way."""


def _mark(check: Check) -> str:
    if check.ok:
        return "✓"
    return "✗" if check.level is CheckLevel.ERROR else "!"


# ── preflight ──────────────────────────────────────────────────────────────


async def preflight(rot: Rotation, step: Step) -> StepResult:
    """Check all that can be checked before the refresh; any blocking finding fails the step with its remedy."""
    checks: list[Check] = []
    rot.log(step, f"Reading {rot.runner.name} from Maia")
    runner = await rot.client.get_runner(rot.runner.id)
    rot.remember(runner)
    state = runner.status_label + (", connected" if runner.connected else ", not connected")
    checks.append(Check("Maia API", True, f"{runner.name} is {state}"))
    if runner.platform is Platform.MATILLION_HOSTED:
        checks.append(
            Check(
                "Runner",
                False,
                f"{runner.name} is hosted by Matillion",
                remedy="Matillion manages the credentials of hosted runners: there is nothing to rotate.",
            )
        )
    checks.append(await _maia_permission(rot, runner))
    if rot.adapter is None:
        checks.append(
            Check(
                "Platform",
                False,
                f"maia-tui has no adapter for {runner.platform.label}",
                remedy="Rotate this runner by hand: refresh in Maia, update its secret, restart it.",
            )
        )
    else:
        checks.extend(await _platform_checks(rot, step, runner))
    if rot.mode.refreshes and runner.healthy:
        checks.append(await _pipelines(rot, runner))
    rot.checks = checks
    for check in checks:
        text = f"{_mark(check)} {check.name}: {check.detail}"
        rot.log(step, text, level="info" if check.ok else ("error" if check.blocks else "warning"))
    blocking = [c for c in checks if c.blocks]
    if blocking:
        message = "; ".join(f"{c.name}: {c.detail}" for c in blocking)
        remedy = " ".join(dict.fromkeys(c.remedy for c in blocking if c.remedy)) or "Fix the checks above, then retry."
        raise RotationError(message, remedy=remedy)
    warnings = sum(1 for c in checks if not c.ok)
    detail = f"{sum(1 for c in checks if c.ok)} checks passed" + (f", {warnings} warning(s)" if warnings else "")
    return StepState.DONE, detail


async def _maia_permission(rot: Rotation, runner: Runner) -> Check:
    """GET credentials proves the API credential may manage runners, and gives Maia's current secret."""
    try:
        rot.maia_current = await rot.client.get_credentials(runner.id)
    except PermissionDeniedError as error:
        return Check("Maia permission", False, error.message, remedy=error.remedy)
    return Check("Maia permission", True, "this API credential can manage runners")


async def _platform_checks(rot: Rotation, step: Step, runner: Runner) -> list[Check]:
    adapter = rot.adapter
    assert adapter is not None
    checks: list[Check] = []
    available, why = await rot.call_platform(adapter.available)
    if not available:
        rot.manual = True
        checks.append(
            Check(
                "Platform access",
                False,
                f"{why}: apply and restart will be manual steps",
                level=CheckLevel.WARNING,
                remedy="Log in to the platform from this host to let maia-tui do them.",
            )
        )
    binding = rot.settings.binding(runner.id, runner.name)
    try:
        target = await rot.call_platform(adapter.locate, runner, binding)
    except PlatformUnreachable as error:
        rot.manual = True
        target = rot.provisional_target() or PlatformTarget(adapter.name, runner.id, runner.name, "not located")
        checks.append(Check("Locate", False, error.message, level=CheckLevel.WARNING, remedy=error.remedy))
    except PlatformError as error:
        checks.append(Check("Locate", False, error.message, remedy=error.remedy))
        return checks
    rot.target = target
    rot.explain()
    checks.append(Check("Locate", True, target.summary or f"{target.platform} target of {runner.name}"))
    if not rot.dry_run and not rot.manual and binding_changed(binding, target):
        save_binding(rot.settings.config_path, runner.id, target.binding())
        rot.log(step, f"Remembered where {runner.name} lives in the config file (maia-tui info shows it)")
    if rot.manual:
        return checks
    checks.extend(await rot.call_platform(adapter.preflight, target, rot.progress_for(step)))
    checks.append(await _drift(rot, target))
    return checks


def binding_changed(binding: dict[str, object] | None, target: PlatformTarget) -> bool:
    wanted = {k: str(v) for k, v in target.binding().items()}
    have = {k: str(v) for k, v in (binding or {}).items()}
    return wanted != have


async def _drift(rot: Rotation, target: PlatformTarget) -> Check:
    """Does the store hold Maia's current secret? (If not, the runner cannot be authenticating now.)"""
    assert rot.adapter is not None
    try:
        stored = await rot.call_platform(rot.adapter.stored_fingerprint, target)
    except PlatformError as error:
        return Check("Stored secret", False, error.message, level=CheckLevel.WARNING, remedy=error.remedy)
    if rot.maia_current is None or stored is None:
        return Check("Stored secret", True, f"fingerprint {stored or 'unknown'}", level=CheckLevel.INFO)
    current = rot.maia_current.client_secret.fingerprint()
    if stored == current:
        return Check("Stored secret", True, "the store holds Maia's current secret", level=CheckLevel.INFO)
    return Check(
        "Stored secret",
        False,
        f"the store holds {stored}, Maia's current secret is {current}: the runner cannot authenticate with it",
        level=CheckLevel.WARNING,
        remedy="The rotation writes the new secret and both will match again.",
    )


async def _pipelines(rot: Rotation, runner: Runner) -> Check:
    try:
        found = await rot.client.running_pipelines(runner.id)
    except MaiaApiError as error:
        return Check("Pipelines", False, f"could not list running pipelines: {error.message}", level=CheckLevel.WARNING)
    rot.running_pipelines = tuple(e.pipeline_name for e in found.executions)
    if not found.count:
        return Check("Pipelines", True, "no pipelines running on this runner")
    where = ", ".join(found.environments)
    names = ", ".join(rot.running_pipelines[:5])
    return Check(
        "Pipelines",
        False,
        f"{found.count} running ({names}) in {where}: pause first so they finish",
        level=CheckLevel.WARNING,
        remedy="Pause the runner first: it drains its tasks and Maia queues new ones.",
    )


# ── Maia steps ─────────────────────────────────────────────────────────────


async def poll_runner(
    rot: Rotation, step: Step, until: Callable[[Runner], bool], *, timeout: float, what: str
) -> Runner:
    """Poll Maia until `until(runner)`, logging status changes and the time left; raises at the timeout."""
    start = rot.now()
    last = ""
    while True:
        runner = await rot.client.get_runner(rot.runner.id)
        rot.remember(runner)
        seen = f"{runner.status_label}, {'connected' if runner.connected else 'not connected'}"
        if seen != last:
            rot.log(step, f"Maia: {runner.name} is {seen}")
            last = seen
        if until(runner):
            return runner
        waited = rot.now() - start
        rot.progress(step, min(1.0, waited / timeout) if timeout else None, max(0.0, timeout - waited))
        if rot.cancel_requested:
            from maia_tui.core.rotation.engine import Aborted

            raise Aborted()
        if waited >= timeout:
            raise RotationError(
                f"{runner.name} did not become {what} within {format_duration(timeout)} (it is {seen})",
                remedy="Retry to keep waiting; check the log above for what the platform reported.",
            )
        await rot.sleep(rot.options.poll_interval)


async def pause(rot: Rotation, step: Step) -> StepResult:
    if not rot.pause_chosen:
        return StepState.SKIPPED, "not pausing (chosen)"
    runner = await rot.client.get_runner(rot.runner.id)
    rot.remember(runner)
    if runner.status is RunnerStatus.PAUSED:
        return StepState.SKIPPED, "already paused"
    if runner.status is not RunnerStatus.PAUSING:
        if not runner.healthy:
            return StepState.SKIPPED, f"{runner.name} is {runner.status_label}: nothing to drain"
        await rot.client.send_command(runner.id, RunnerCommand.PAUSE)
        rot.log(step, f"Sent PAUSE to {runner.name}: it finishes its tasks; Maia queues new ones")
    rot.paused_by_rotation = True
    await poll_runner(
        rot, step, lambda r: r.status is RunnerStatus.PAUSED, timeout=rot.options.pause_timeout, what="Paused"
    )
    return StepState.DONE, "paused: new tasks are queued until resume"


async def refresh(rot: Rotation, step: Step) -> StepResult:
    rot.log(step, f"SECRET_REFRESH for {rot.runner.name}: the current secret is revoked now")
    rot.credentials = await rot.client.refresh_credentials(rot.runner.id)
    fingerprint = rot.credentials.client_secret.fingerprint()
    rot.log(step, f"Maia issued a new secret (fingerprint {fingerprint}); it stays in memory only")
    rot.log(step, f"{rot.runner.name} is disconnected (Unknown) until the new secret is applied and it restarts")
    return StepState.DONE, f"new secret {fingerprint}"


async def ensure_credentials(rot: Rotation, step: Step) -> None:
    """The secret to apply: from the refresh if this process did it, else read back with GET credentials."""
    if rot.credentials is None:
        rot.log(step, "Reading the current secret back from Maia (GET credentials): no second refresh")
        rot.credentials = await rot.client.get_credentials(rot.runner.id)
    if not rot.credentials.client_secret:
        raise RotationError(
            "Maia returned no client secret for this runner",
            remedy="Reveal it on the runner's Credentials tab in Maia; if empty there too, refresh again.",
        )


# ── platform steps ─────────────────────────────────────────────────────────


async def apply(rot: Rotation, step: Step) -> StepResult:
    await ensure_credentials(rot, step)
    assert rot.credentials is not None
    fingerprint = rot.credentials.client_secret.fingerprint()
    if rot.manual or rot.adapter is None or rot.target is None:
        return await rot.run_manual(step, f"write the secret {fingerprint} in the console")
    try:
        await rot.call_platform(
            rot.adapter.apply_secret,
            rot.target,
            rot.credentials,
            token=rot.apply_token(rot.credentials),
            progress=rot.progress_for(step),
        )
    except PlatformUnreachable as error:
        rot.log(step, f"{error.message}: continuing by hand", level="warning")
        return await rot.run_manual(step, error.message)
    return StepState.DONE, f"secret {fingerprint} written"


async def restart(rot: Rotation, step: Step) -> StepResult:
    if rot.manual or rot.adapter is None or rot.target is None:
        return await rot.run_manual(step, "restart it in the console")
    try:
        await rot.call_platform(rot.adapter.restart, rot.target, rot.progress_for(step))
    except PlatformUnreachable as error:
        rot.log(step, f"{error.message}: continuing by hand", level="warning")
        return await rot.run_manual(step, error.message)
    return StepState.DONE, "restart started"


async def wait(rot: Rotation, step: Step) -> StepResult:
    """Follow the platform's restart in a thread while polling Maia; done when both say the runner is back."""
    timeout = rot.options.wait_timeout
    progress = rot.progress_for(step, fractions=False)
    platform: asyncio.Future[None] | None = None
    if not rot.manual and rot.adapter is not None and rot.target is not None:
        rot.log(step, f"Following the restart on {rot.runner.platform.label} (timeout {format_duration(timeout)})")
        platform = asyncio.ensure_future(rot.call_platform(rot.adapter.wait_healthy, rot.target, progress, timeout))

    def ready(runner: Runner) -> bool:
        if platform is not None:
            if not platform.done():
                return False
            platform.result()  # the platform's failure (stopped tasks, rollback) ends the wait now
        return rot.back(runner)

    try:
        runner = await poll_runner(rot, step, ready, timeout=timeout, what="connected")
    finally:
        progress.stop.set()
        if platform is not None:
            with contextlib.suppress(Exception):
                await platform
    return StepState.DONE, f"{runner.name} is {runner.status_label} and connected"


async def resume(rot: Rotation, step: Step) -> StepResult:
    if not rot.paused_by_rotation:
        if rot.was_paused:
            return StepState.SKIPPED, "it was paused before this rotation: left paused"
        return StepState.SKIPPED, "not paused by this rotation"
    try:
        await rot.client.send_command(rot.runner.id, RunnerCommand.RESUME)
        rot.log(step, f"Sent RESUME to {rot.runner.name}: it runs the queued tasks")
    except ConflictError as error:  # resumed already (by someone, or by pausedUntil)
        rot.log(step, f"Maia: {error.message}", level="warning")
    await poll_runner(rot, step, lambda r: r.healthy, timeout=rot.options.pause_timeout, what="Running")
    return StepState.DONE, "resumed"


async def verify(rot: Rotation, step: Step) -> StepResult:
    runner = await rot.client.get_runner(rot.runner.id)
    rot.remember(runner)
    wanted_running = rot.paused_by_rotation or not rot.was_paused
    back = runner.healthy if wanted_running else rot.back(runner)
    if not back:
        raise RotationError(
            f"{runner.name} is {runner.status_label}{'' if runner.connected else ', not connected'}",
            remedy="Retry verify in a moment; if it stays so, the runner's details screen explains its status.",
        )
    maia = await rot.client.get_credentials(runner.id)
    maia_fp = maia.client_secret.fingerprint()
    rot.log(step, f"Maia: {runner.name} is {runner.status_label}, connected; its secret is {maia_fp}")
    if rot.manual or rot.adapter is None or rot.target is None:
        rot.fingerprints_match = None
        return StepState.DONE, f"{runner.status_label}; store not checked (platform not reachable from here)"
    stored = await rot.call_platform(rot.adapter.stored_fingerprint, rot.target)
    if stored is None:  # e.g. a Key Vault this host may not read: the reconnect above is the proof that is left
        rot.fingerprints_match = None
        rot.log(step, "The platform store cannot be read from this host: its fingerprint is not compared")
        return StepState.DONE, f"{runner.status_label}; store not readable from here, Maia confirms the reconnect"
    rot.log(step, f"Platform store holds {stored}")
    if stored != maia_fp:
        rot.fingerprints_match = False
        raise RotationError(
            f"the platform store holds {stored}, Maia holds {maia_fp}",
            remedy="Someone changed the secret during the rotation: apply again (continue the rotation), then verify.",
        )
    rot.fingerprints_match = True
    return StepState.DONE, f"{runner.status_label}; fingerprints match ({maia_fp})"


IMPLEMENTATIONS: dict[StepId, Callable[[Rotation, Step], Awaitable[StepResult]]] = {
    StepId.PREFLIGHT: preflight,
    StepId.PAUSE: pause,
    StepId.REFRESH: refresh,
    StepId.APPLY: apply,
    StepId.RESTART: restart,
    StepId.WAIT: wait,
    StepId.RESUME: resume,
    StepId.VERIFY: verify,
}
