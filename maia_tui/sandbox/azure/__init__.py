"""Azure for the sandbox: an ARM emulator and a Key Vault over HTTPS, runners deployed as Container Apps.

Runners are deployed the way Matillion's Terraform does it (modules/azure/container-apps/main.tf), with a
few shapes customers build themselves: a non-default secret name, a Key Vault-referenced secret.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from maia_tui.sandbox.azure.arm_emulator import ArmEmulator, arm_error
from maia_tui.sandbox.azure.arm_state import ArmState, ContainerApp
from maia_tui.sandbox.azure.fake_az import write_fake_az
from maia_tui.sandbox.azure.host import ContainerAppRunnerHost
from maia_tui.sandbox.azure.keyvault import KeyVaultEmulator
from maia_tui.sandbox.azure.tls import SandboxTls, make_tls
from maia_tui.sandbox.loopback import Fault, Faults
from maia_tui.sandbox.maia_state import EmulatedRunner

SUBSCRIPTION = "5a0d7c1e-0000-4000-8000-00000000a2e5"
TENANT = "72f988bf-0000-4000-8000-0000000d7e11"
LOCATION = "West Europe"
IMAGE = "matillion.azurecr.io/cloud-agent:current"
VARIANTS = ("default", "custom", "keyvault", "keyvault-pinned", "multi")
ARM_ENDPOINT_ENV = "MAIA_TUI_AZURE_ARM_ENDPOINT"


class AzureSandbox:
    """The Azure side of the sandbox: ARM + Key Vault emulators, the CA they serve with, and an `az` stand-in."""

    name = "azure"

    def __init__(self) -> None:
        self.state = ArmState(SUBSCRIPTION, TENANT)
        self.faults = Faults()
        self.tls: SandboxTls | None = None
        self.arm: ArmEmulator | None = None
        self.vault: KeyVaultEmulator | None = None
        self.bin_dir: Path | None = None
        self.hosts: dict[str, ContainerAppRunnerHost] = {}
        self.poll_interval = 0.1

    # ── lifecycle ──────────────────────────────────────────────────────────

    def start(self, workdir: Path) -> AzureSandbox:
        self.tls = make_tls(Path(workdir) / "azure-tls")
        context = self.tls.server_context()
        self.arm = ArmEmulator(self.state, context, self.faults).start()
        self.vault = KeyVaultEmulator("maia-sandbox-kv", TENANT, context).start()
        self.bin_dir = Path(workdir) / "bin"
        write_fake_az(self.bin_dir, SUBSCRIPTION, TENANT)
        return self

    def stop(self) -> None:
        for server in (self.arm, self.vault):
            if server is not None:
                server.stop()
        self.arm = self.vault = None

    def env(self) -> dict[str, str]:
        """What another process needs to reach these emulators with the production code path unchanged."""
        assert self.tls is not None and self.arm is not None and self.bin_dir is not None
        path = os.environ.get("PATH", os.defpath)
        if not path.startswith(f"{self.bin_dir}{os.pathsep}"):
            path = f"{self.bin_dir}{os.pathsep}{path}"
        return {
            "AZURE_SUBSCRIPTION_ID": SUBSCRIPTION,
            # Only the Azure CLI credential (our stand-in): the default chain would probe the IMDS endpoint.
            "AZURE_TOKEN_CREDENTIALS": "AzureCliCredential",
            "REQUESTS_CA_BUNDLE": str(self.tls.bundle),
            ARM_ENDPOINT_ENV: self.arm.url,
            "PATH": path,
        }

    # ── fault injection ────────────────────────────────────────────────────

    def fail(
        self,
        method: str,
        path: str,
        status: int = 500,
        *,
        code: str = "",
        message: str = "Injected fault",
        count: int = 1,
        retry_after: float | None = None,
        drop: bool = False,
    ) -> Fault:
        """Fail the next `count` ARM calls of METHOD to a path matching the regex, with an ARM error body."""
        code = code or {403: "AuthorizationFailed", 404: "ResourceNotFound", 409: "Conflict"}.get(
            status, "InternalServerError"
        )
        body = arm_error(status, code, message).body
        return self.faults.add(method, path, status=status, count=count, retry_after=retry_after, drop=drop, body=body)

    def count(self, method: str, path_regex: str) -> int:
        """ARM calls received on METHOD path (regex), whatever their answer."""
        assert self.arm is not None
        return self.arm.server.count(method, path_regex)

    # ── deploying runners ────────────────────────────────────────────────

    def deploy(self, runner: EmulatedRunner, variant: str = "default") -> ContainerAppRunnerHost:
        """Deploy a runner as a Container App; `variant` is one of VARIANTS."""
        if variant not in VARIANTS:
            raise ValueError(f"unknown Azure variant {variant!r}; expected one of {', '.join(VARIANTS)}")
        assert self.vault is not None
        salt = runner.id.replace("-", "")[:6]
        name = runner.name
        identity_id = (
            f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-{name}/providers/"
            f"Microsoft.ManagedIdentity/userAssignedIdentities/{name}-mi-{salt}"
        )
        env: list[dict[str, str]] = [
            {"name": "ACCOUNT_ID", "value": "sandbox-account"},
            {"name": "AGENT_ID", "value": runner.id},
            {"name": "MATILLION_REGION", "value": "eu1"},
            {"name": "MATILLION_ENV", "value": "sandbox"},
            {"name": "CLOUD_PROVIDER", "value": "AZURE"},
            {"name": "DEFAULT_KEYVAULT", "value": f"{name}-kv-{salt}"},
            {"name": "AZURE_CLIENT_ID", "value": str(uuid.uuid5(uuid.NAMESPACE_URL, identity_id))},
        ]
        secrets: list[dict[str, Any]] = []
        registries: list[dict[str, Any]] = []
        if variant == "custom":
            # Built by hand: the client id inline, the secret under a name of their own, a private registry.
            env += [
                {"name": "OAUTH_CLIENT_ID", "value": runner.client_id},
                {"name": "OAUTH_CLIENT_SECRET", "secretRef": "runner-oauth-secret"},
            ]
            secrets += [
                {"name": "registry-password", "value": f"acr-pw-{salt}"},
                {"name": "runner-oauth-secret", "value": runner.client_secret},
            ]
            registries.append(
                {"server": "finance.azurecr.io", "username": "finance", "passwordSecretRef": "registry-password"}
            )
        else:
            env += [
                {"name": "OAUTH_CLIENT_ID", "secretRef": "matillion-client-id"},
                {"name": "OAUTH_CLIENT_SECRET", "secretRef": "matillion-client-secret"},
            ]
            secrets.append({"name": "matillion-client-id", "value": runner.client_id})
            if variant.startswith("keyvault"):
                url = self.vault.set(f"{name}-client-secret", runner.client_secret, content_type="text/plain")
                if variant == "keyvault":
                    url = url.rsplit("/", 1)[0]  # unversioned: the app follows the latest version
                secrets.append({"name": "matillion-client-secret", "keyVaultUrl": url, "identity": identity_id})
            else:
                secrets.append({"name": "matillion-client-secret", "value": runner.client_secret})
            if variant == "default":
                secrets.append({"name": "db-password", "value": f"warehouse-pw-{salt}"})  # not ours: must survive
        app = ContainerApp(
            subscription=SUBSCRIPTION,
            resource_group=f"rg-{name}",
            name=f"{name}-app-{salt}",
            location=LOCATION,
            environment_id=(
                f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-{name}/providers/"
                f"Microsoft.App/managedEnvironments/{name}-env-{salt}"
            ),
            template={
                "containers": [
                    {
                        "name": f"{name}-agent",
                        "image": IMAGE,
                        "resources": {"cpu": 2.0, "memory": "4Gi"},
                        "env": env,
                    }
                ],
                "scale": {"minReplicas": 2, "maxReplicas": 2},
            },
            secrets=secrets,
            registries=registries,
            identity={"type": "UserAssigned", "userAssignedIdentities": {identity_id: {}}},
            tags={"managed-by": "terraform", "maia-runner": name},
            revision_mode="Multiple" if variant == "multi" else "Single",
        )
        with self.state.lock:
            self.state.add(app)
            first = app.add_revision()
            first.mark_running()
            if variant == "multi":  # blue/green: two active revisions sharing the traffic
                first.traffic_weight = 50
                app.template["containers"][0]["resources"] = {"cpu": 1.0, "memory": "2Gi"}
                second = app.add_revision()
                second.mark_running()
                second.traffic_weight = 50
        host = ContainerAppRunnerHost(self.state, self.vault, app.resource_group, app.name)
        self.hosts[runner.id] = host
        return host

    def app_for(self, runner_id: str) -> ContainerApp:
        """The Container App a runner was deployed as (the emulator's own record, for assertions)."""
        host = self.hosts[runner_id]
        return self.state.app(host.resource_group, host.app_name)

    def secret_value(self, runner_id: str, secret: str) -> str | None:
        """A Container App secret's current value (None for a Key Vault reference or a missing secret)."""
        with self.state.lock:
            found = next((s for s in self.app_for(runner_id).secrets if s["name"] == secret), None)
            return None if found is None else found.get("value")

    def binding(self, runner: EmulatedRunner) -> dict[str, Any]:
        """The config binding for a deployed runner: where its app is and how to reach the emulator."""
        assert self.arm is not None
        app = self.app_for(runner.id)
        binding: dict[str, Any] = {
            "platform": "azure",
            "name": runner.name,
            "subscription": SUBSCRIPTION,
            "resource_group": app.resource_group,
            "app": app.name,
            "arm_endpoint": self.arm.url,
            "poll_interval": self.poll_interval,
        }
        container = app.template["containers"][0]
        ref = next(e["secretRef"] for e in container["env"] if e["name"] == "OAUTH_CLIENT_SECRET")
        binding["secret"] = ref
        vault_url = next((s.get("keyVaultUrl") for s in app.secrets if s["name"] == ref), None)
        if vault_url:
            binding["key_vault_url"] = vault_url
        return binding
