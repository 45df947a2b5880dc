"""Azure Container Apps: write the runner's new secret into the app secret its env var references, then restart.

Measured Azure behaviour this relies on (reference/feasibility.md §2): a PATCH is a JSON merge patch, so the
secrets array is replaced wholesale and every other secret must be re-sent with its value; a secret change
creates no revision and restarts nothing, so every active revision is restarted afterwards.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Mapping
from typing import Any

from maia_tui.core.errors import PlatformError, PlatformNotFound, PlatformRefused
from maia_tui.core.maia.models import Runner, RunnerCredentials
from maia_tui.core.platforms.azure import app as aca
from maia_tui.core.platforms.azure import keyvault, steps
from maia_tui.core.platforms.azure.arm import (
    PUBLIC_ARM,
    AzureSession,
    arm_endpoint,
    call,
    plain,
    subscription_of,
)
from maia_tui.core.platforms.azure.ops import ContainerAppOps
from maia_tui.core.platforms.azure.preflight import run_preflight
from maia_tui.core.platforms.base import Check, PlatformAdapter, PlatformTarget, Progress
from maia_tui.core.secret import Secret
from maia_tui.core.settings import Settings

DEFAULT_POLL = 3.0  # seconds between ARM polls (the SDK's own default of 30 s makes every wait crawl)


class AzureAdapter(PlatformAdapter):
    """Rotates runners deployed as Azure Container Apps (Matillion's Terraform shape or built by hand)."""

    name = "azure"
    label = "Azure Container Apps"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.session = AzureSession()
        self._lock = threading.Lock()
        self._replaced: dict[str, dict[str, set[str]]] = {}  # runner id → revision → replicas before restart

    # ── where ──────────────────────────────────────────────────────────────

    def _ops(self, target: PlatformTarget) -> ContainerAppOps:
        """The ARM calls on the target's app, through the client for its subscription and endpoint."""
        fields = target.fields
        client = self.session.container_apps(fields["subscription"], fields.get("arm_endpoint") or PUBLIC_ARM)
        poll = float(fields.get("poll_interval") or DEFAULT_POLL)
        return ContainerAppOps(client, fields["resource_group"], fields["app"], poll)

    def available(self) -> tuple[bool, str]:
        try:
            credential = self.session.token_check(arm_endpoint(None))
        except PlatformError as exc:
            return False, exc.message
        return True, f"Azure credential from {credential}"

    def locate(self, runner: Runner, binding: Mapping[str, Any] | None) -> PlatformTarget:
        binding = dict(binding or {})
        subscription, endpoint = subscription_of(binding), arm_endpoint(binding)
        client = self.session.container_apps(subscription, endpoint)
        group = str(binding.get("resource_group") or "")
        if binding.get("app") and group:
            name = str(binding["app"])
            app = plain(
                call(
                    lambda: client.container_apps.get(group, name),
                    action="read the Container App",
                    subject=f"{name} in resource group {group}",
                )
            )
        else:
            app = self._discover(client, runner, group, str(binding.get("app") or ""), subscription)
        group = _resource_group(app)
        fields = {"subscription": subscription, "resource_group": group, "app": str(app["name"])}
        if endpoint != PUBLIC_ARM:
            fields["arm_endpoint"] = endpoint
        if binding.get("poll_interval") is not None:
            fields["poll_interval"] = str(binding["poll_interval"])
        summary = f"Container App {app['name']} (resource group {group})"
        try:
            ref = aca.secret_reference(app)
        except PlatformRefused:
            ref = None  # preflight says why
        if ref is not None:
            fields["secret"] = ref.secret
            summary += f" · secret {ref.secret}"
            declared = (app.get("properties") or {}).get("configuration", {}).get("secrets") or []
            vault_url = next((s.get("keyVaultUrl") for s in declared if s.get("name") == ref.secret), None)
            if vault_url:
                fields["key_vault_url"] = str(vault_url)
                summary += f" → Key Vault {steps.vault_name(str(vault_url))}"
        return PlatformTarget("azure", runner.id, runner.name, summary, fields)

    def _discover(self, client: Any, runner: Runner, group: str, name: str, subscription: str) -> dict[str, Any]:
        """The app whose env has AGENT_ID = the runner's id (or the named app), in a group or the subscription."""
        scope = f"resource group {group}" if group else f"subscription {subscription}"
        pages = (
            (lambda: list(client.container_apps.list_by_resource_group(group)))
            if group
            else (lambda: list(client.container_apps.list_by_subscription()))
        )
        apps = [plain(a) for a in call(pages, action="list the Container Apps", subject=scope)]
        if name:
            matches = [a for a in apps if a.get("name") == name]
        else:
            matches = [a for a in apps if aca.env_value(a, "AGENT_ID") == runner.id]
        if not matches:
            wanted = f"named {name}" if name else f"with AGENT_ID={runner.id}"
            raise PlatformNotFound(
                f"no Container App {wanted} in {scope}",
                platform="azure",
                remedy=(
                    f"Bind the runner in the config file: runners → {runner.id} → "
                    "{platform: azure, subscription: <id>, resource_group: <group>, app: <container app>}."
                ),
            )
        if len(matches) > 1:
            found = ", ".join(f"{a['name']} ({_resource_group(a)})" for a in matches)
            raise PlatformRefused(
                f"several Container Apps in {scope} claim runner {runner.name}: {found}",
                platform="azure",
                remedy="Bind the runner to one of them in the config file (resource_group and app).",
            )
        return matches[0]

    # ── preflight ──────────────────────────────────────────────────────────

    def preflight(self, target: PlatformTarget, progress: Progress) -> list[Check]:
        return run_preflight(self._ops(target), self.session, target, progress)

    # ── apply ──────────────────────────────────────────────────────────────

    def apply_secret(
        self, target: PlatformTarget, credentials: RunnerCredentials, *, token: str, progress: Progress
    ) -> None:
        """Write the new value into the referenced secret, re-sending every other secret unchanged.

        Idempotent without the token: when the store already holds the value (a retried step), nothing is written.
        """
        ops = self._ops(target)
        app = ops.get()
        ref = aca.secret_reference(app)
        secrets = ops.secrets()
        entry = aca.find_secret(secrets, ref.secret)
        if entry is None:
            raise PlatformNotFound(
                f"{ops.subject} has no secret {ref.secret} (referenced by {ref.env_var})", platform="azure"
            )
        _warn_client_id(app, secrets, credentials, progress)
        new = credentials.client_secret
        if entry.key_vault_url:
            self._apply_vault(ops, secrets, entry, new, progress)
            return
        if entry.value is not None and entry.value == new:
            progress.log(f"{ref.secret} already holds the new secret ({new.fingerprint()}); nothing to write")
            return
        progress.log(f"Writing {ref.secret} on {ops.name}; re-sending its {len(secrets) - 1} other secrets unchanged")
        ops.patch_secrets(secrets, ref.secret, new, progress)
        stored = aca.find_secret(ops.secrets(), ref.secret)
        if stored is None or stored.value != new:
            raise PlatformError(
                f"Azure accepted the update but {ref.secret} does not hold the new secret",
                platform="azure",
                remedy="Retry this step; if it repeats, check the app's Activity log for a concurrent change.",
            )
        was = entry.value.fingerprint() if entry.value is not None else "none"
        progress.log(f"{ref.secret} now holds {new.fingerprint()} (was {was}); running replicas keep the old one")

    def _apply_vault(
        self, ops: ContainerAppOps, secrets: list[aca.AppSecret], entry: aca.AppSecret, new: Secret, progress: Progress
    ) -> None:
        """A Key Vault reference: add a version in the vault; re-point the app when it pins a version."""
        ref = keyvault.VaultSecretRef.parse(entry.key_vault_url)
        progress.log(f"{entry.name} is a Key Vault reference: writing a new version of {ref.label}")
        version_url = keyvault.write(self.session, ref, new)
        progress.log(f"{ref.label} now holds {new.fingerprint()} (version {version_url.rsplit('/', 1)[-1]})")
        if ref.version and version_url != entry.key_vault_url:
            progress.log(f"The app pins version {ref.version}: pointing {entry.name} at the new version")
            repointed = [dataclasses.replace(s, key_vault_url=version_url) if s is entry else s for s in secrets]
            ops.patch_secrets(repointed, "", None, progress)

    # ── restart and wait ───────────────────────────────────────────────────

    def restart(self, target: PlatformTarget, progress: Progress) -> None:
        """Restart every active revision: a secret change restarts nothing by itself."""
        ops = self._ops(target)
        active = aca.active_revisions(ops.revisions())
        if not active:
            raise PlatformRefused(
                f"{ops.subject} has no active revision to restart",
                platform="azure",
                remedy="Activate a revision (Application → Revisions and replicas), then retry this step.",
            )
        before: dict[str, set[str]] = {}
        for revision in active:
            rev = str(revision["name"])
            before[rev] = {str(r.get("name")) for r in ops.replicas(rev)}
            progress.log(f"Restarting revision {rev} ({len(before[rev])} replicas will be recreated)")
            ops.restart(rev)
        with self._lock:
            self._replaced[target.runner_id] = before

    def wait_healthy(self, target: PlatformTarget, progress: Progress, timeout: float) -> None:
        """Wait until every active revision is Running with fresh replicas ready, logging each state change."""
        ops = self._ops(target)
        with self._lock:
            before = self._replaced.get(target.runner_id, {})
        deadline = time.monotonic() + timeout
        last: dict[str, str] = {}
        while True:
            ready_total = expected_total = 0
            healthy = True
            for revision in aca.active_revisions(ops.revisions()):
                rev, props = str(revision["name"]), revision.get("properties") or {}
                fresh = [r for r in ops.replicas(rev) if str(r.get("name")) not in before.get(rev, set())]
                ready = sum(aca.replica_ready(r) for r in fresh)
                expected = aca.expected_replicas(revision)
                ready_total, expected_total = ready_total + min(ready, expected), expected_total + expected
                running, details = props.get("runningState", "?"), props.get("runningStateDetails") or ""
                line = (
                    f"Revision {rev}: provisioning {props.get('provisioningState', '?')}, running {running}, "
                    f"{ready}/{expected} replicas ready" + (f" ({details})" if details else "")
                )
                if last.get(rev) != line:
                    progress.log(line)
                    last[rev] = line
                if running == "Failed" or props.get("provisioningState") == "Failed":
                    raise PlatformError(
                        f"revision {rev} of {ops.subject} failed to start: {details or running}",
                        platform="azure",
                        remedy="Read the revision's logs (Monitoring → Log stream), fix the cause, retry the restart.",
                    )
                healthy = healthy and running == "Running" and ready >= expected
            progress.fraction(ready_total / expected_total if expected_total else None)
            if healthy and expected_total:
                with self._lock:
                    self._replaced.pop(target.runner_id, None)
                return
            if progress.cancelled():
                raise PlatformError(
                    f"stopped waiting for {ops.subject}", platform="azure", remedy="Retry to wait again."
                )
            if time.monotonic() > deadline:
                raise PlatformError(
                    f"{ops.subject} is not running with all replicas ready after {timeout:.0f} s",
                    platform="azure",
                    remedy="Check Application → Revisions and replicas in the portal, then retry to wait again.",
                )
            time.sleep(min(ops.poll, max(0.0, deadline - time.monotonic())))

    # ── verify and by hand ─────────────────────────────────────────────────

    def stored_fingerprint(self, target: PlatformTarget) -> str | None:
        try:
            ops = self._ops(target)
            ref = aca.secret_reference(ops.get())
            entry = aca.find_secret(ops.secrets(), ref.secret)
            if entry is None:
                return None
            if entry.key_vault_url:
                return keyvault.read(self.session, keyvault.VaultSecretRef.parse(entry.key_vault_url)).fingerprint()
            return entry.value.fingerprint() if entry.value is not None else None
        except PlatformError:
            return None

    def manual_steps(self, target: PlatformTarget, step: str) -> list[str]:
        if step == "apply":
            return steps.apply_steps(target.fields)
        if step == "restart":
            return steps.restart_steps(target.fields)
        if step == "wait":
            return steps.wait_steps(target.fields)
        return []


def _resource_group(app: Mapping[str, Any]) -> str:
    parts = str(app.get("id") or "").split("/")
    lowered = [p.lower() for p in parts]
    return parts[lowered.index("resourcegroups") + 1] if "resourcegroups" in lowered else ""


def _warn_client_id(
    app: Mapping[str, Any], secrets: list[aca.AppSecret], credentials: RunnerCredentials, progress: Progress
) -> None:
    """Say so when OAUTH_CLIENT_ID differs from Maia's client id (maia-tui changes only the secret)."""
    if not credentials.client_id:
        return
    try:
        ref = aca.secret_reference(app, aca.CLIENT_ID_ENV)
    except PlatformRefused:
        inline = aca.env_value(app, aca.CLIENT_ID_ENV)
        if inline is not None and inline != credentials.client_id:
            progress.log(f"Warning: {aca.CLIENT_ID_ENV} is {inline}, but Maia reports {credentials.client_id}")
        return
    entry = aca.find_secret(secrets, ref.secret)
    if entry is not None and entry.value is not None and entry.value.reveal() != credentials.client_id:
        progress.log(f"Warning: secret {ref.secret} ({aca.CLIENT_ID_ENV}) differs from Maia's client id; left as is")
