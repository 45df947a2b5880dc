"""Azure preflight: everything that can be checked on a Container App before the runner's secret is revoked."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from typing import Any

from maia_tui.core.errors import PlatformError, PlatformRefused
from maia_tui.core.platforms.azure import app as aca
from maia_tui.core.platforms.azure import keyvault, steps
from maia_tui.core.platforms.azure.arm import AzureSession
from maia_tui.core.platforms.azure.ops import RESTART, WRITE, ContainerAppOps
from maia_tui.core.platforms.base import Check, CheckLevel, PlatformTarget, Progress


def run_preflight(
    ops: ContainerAppOps, session: AzureSession, target: PlatformTarget, progress: Progress
) -> list[Check]:
    """The app exists and runs this runner; the secret its env var references can be read and written; restart."""
    checks: list[Check] = []
    try:
        app = ops.get()
    except PlatformError as exc:
        return [Check("Container App", False, exc.message, remedy=exc.remedy)]
    state = (app.get("properties") or {}).get("provisioningState", "")
    checks.append(Check("Container App", True, f"{ops.name} in resource group {ops.group} ({state})"))
    if state and state != "Succeeded":
        checks.append(
            Check(
                "No change in progress",
                False,
                f"the app's provisioning state is {state}",
                CheckLevel.WARNING,
                "Wait until the app shows Succeeded, or the secret update may be refused (409).",
            )
        )
    checks.append(_agent_check(app, target))
    try:
        ref = aca.secret_reference(app)
    except PlatformRefused as exc:
        return [*checks, Check("Secret reference", False, exc.message, remedy=exc.remedy)]
    checks.append(Check("Secret reference", True, f"{ref.env_var} → secret {ref.secret} (container {ref.container})"))
    try:
        secrets = ops.secrets()
    except PlatformError as exc:
        return [*checks, Check("Read secrets (listSecrets)", False, exc.message, remedy=exc.remedy)]
    checks.append(Check("Read secrets (listSecrets)", True, f"{len(secrets)} secrets on the app"))
    entry = aca.find_secret(secrets, ref.secret)
    if entry is None:
        return [
            *checks,
            Check(
                "Referenced secret exists",
                False,
                f"{ref.env_var} references {ref.secret}, which the app does not define",
                remedy="Fix the app's secrets in the portal (Settings → Secrets); the runner cannot start as is.",
            ),
        ]
    others = len(secrets) - 1
    checks.append(Check("Referenced secret exists", True, f"{ref.secret}; {others} other secrets kept as they are"))
    if entry.key_vault_url:
        checks.append(_vault_check(session, target, entry))
    checks.append(_permission_check(ops, app))
    checks.append(_revision_check(ops))
    progress.log(f"{ops.subject}: {sum(c.ok for c in checks)}/{len(checks)} checks passed")
    return checks


def _agent_check(app: Mapping[str, Any], target: PlatformTarget) -> Check:
    agent = aca.env_value(app, "AGENT_ID")
    if agent == target.runner_id:
        return Check("Runner identity", True, f"AGENT_ID = {agent}")
    if agent is None:
        return Check(
            "Runner identity",
            False,
            f"the app has no AGENT_ID env var: cannot confirm it runs {target.runner_name}",
            CheckLevel.WARNING,
            "Make sure the binding points at this runner's app before refreshing.",
        )
    return Check(
        "Runner identity",
        False,
        f"the app's AGENT_ID is {agent}, not {target.runner_id}: it runs another runner",
        remedy="Fix the runner's binding in the config file (resource_group and app).",
    )


def _vault_check(session: AzureSession, target: PlatformTarget, entry: aca.AppSecret) -> Check:
    ref = keyvault.VaultSecretRef.parse(entry.key_vault_url)
    try:
        keyvault.read(session, ref)
    except PlatformError as exc:
        manual = " ".join(steps.apply_steps(target.fields))
        return Check(
            "Key Vault secret",
            False,
            f"{ref.label} cannot be reached from this host: {exc.message}",
            CheckLevel.WARNING,
            f"{exc.remedy} Otherwise do the apply step by hand: {manual}",
        )
    pinned = f", pinned to version {ref.version} (the app is re-pointed)" if ref.version else ""
    return Check("Key Vault secret", True, f"{entry.name} refers to {ref.label}{pinned}; a new version is added")


def _permission_check(ops: ContainerAppOps, app: Mapping[str, Any]) -> Check:
    """Write and restart rights, where ARM's permissions API tells them."""
    try:
        grants = ops.permissions(str(app["id"]))
    except Exception:
        return Check("Write and restart rights", True, "not readable here; checked when used", CheckLevel.INFO)
    missing = [action for action in (WRITE, RESTART) if not _allowed(grants, action)]
    if not missing:
        return Check("Write and restart rights", True, "may update the app's secrets and restart its revisions")
    return Check(
        "Write and restart rights",
        False,
        f"the identity on this host lacks {', '.join(missing)} on {ops.subject}",
        remedy="Grant those actions (e.g. the Contributor role on the app), then run the preflight again.",
    )


def _allowed(grants: Sequence[Mapping[str, Any]], action: str) -> bool:
    """Whether any role assignment's actions (minus its notActions) cover `action` (wildcards, any case)."""

    def covers(patterns: list[str]) -> bool:
        return any(fnmatch.fnmatchcase(action.lower(), str(p).lower()) for p in patterns)

    return any(covers(g.get("actions") or []) and not covers(g.get("notActions") or []) for g in grants)


def _revision_check(ops: ContainerAppOps) -> Check:
    try:
        revisions = aca.active_revisions(ops.revisions())
    except PlatformError as exc:
        return Check("Active revision", False, exc.message, CheckLevel.WARNING, exc.remedy)
    if not revisions:
        return Check(
            "Active revision",
            False,
            "the app has no active revision to restart",
            remedy="Activate a revision (Application → Revisions and replicas), then retry.",
        )
    states = ", ".join(f"{r['name']} {(r.get('properties') or {}).get('runningState', '?')}" for r in revisions)
    running = all((r.get("properties") or {}).get("runningState") == "Running" for r in revisions)
    if running:
        return Check("Active revision", True, states)
    return Check("Active revision", False, states, CheckLevel.WARNING, "It is not healthy even before the rotation.")
