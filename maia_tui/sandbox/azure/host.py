"""A simulated runner deployed as a Container App: it reads the secret its env var references, at start only."""

from __future__ import annotations

from maia_tui.sandbox.azure.arm_state import ArmState, ContainerApp, Revision
from maia_tui.sandbox.azure.keyvault import KeyVaultEmulator
from maia_tui.sandbox.runners import StartFailure


class ContainerAppRunnerHost:
    """The Container App side of one runner: restarts are revision restarts, secrets are the app's secrets."""

    def __init__(self, state: ArmState, vault: KeyVaultEmulator, resource_group: str, app: str) -> None:
        self.state = state
        self.vault = vault
        self.resource_group = resource_group
        self.app_name = app

    def _app(self) -> ContainerApp:
        return self.state.app(self.resource_group, self.app_name)

    def _active(self) -> list[Revision]:
        return self._app().active_revisions()

    def generation(self) -> str:
        """Changes when any active revision is restarted or replaced; a secret update changes nothing."""
        with self.state.lock:
            return ";".join(f"{r.name}#{r.restarts}" for r in self._active())

    def read_credentials(self) -> tuple[str, str]:
        """What the runner's container gets injected as it starts: env values and the secrets they reference."""
        with self.state.lock:
            app = self._app()
            active = self._active()
            if not active:
                raise StartFailure(f"Container App {app.name} has no active revision")
            template = active[-1].template  # a revision keeps the template it was created with
            containers = template.get("containers") or []
            env = {e.get("name"): e for e in (containers[0].get("env") or [])} if containers else {}
            secrets = {s["name"]: s for s in app.secrets}
            values = {name: self._resolve(app, name, var, secrets) for name, var in env.items()}
        if not values.get("OAUTH_CLIENT_SECRET"):
            raise StartFailure(f"container of {app.name} has no OAUTH_CLIENT_SECRET")
        return values.get("OAUTH_CLIENT_ID", ""), values["OAUTH_CLIENT_SECRET"]

    def _resolve(self, app: ContainerApp, name: str, var: dict[str, str], secrets: dict[str, dict[str, str]]) -> str:
        if "secretRef" not in var:
            return str(var.get("value") or "")
        secret = secrets.get(var["secretRef"])
        if secret is None:
            raise StartFailure(f"secret '{var['secretRef']}' referenced by env '{name}' not found")
        if "keyVaultUrl" in secret:
            value = self.vault.resolve(secret["keyVaultUrl"])
            if value is None:
                raise StartFailure(
                    f"Failed to provision revision for container app '{app.name}': unable to fetch secret "
                    f"'{secret['name']}' from Key Vault using identity '{secret.get('identity')}'"
                )
            return value
        return str(secret.get("value") or "")

    def starting(self) -> None:
        """Nothing to add: the restart (or new revision) already recreated the replicas as not ready."""

    def started(self, ok: bool, reason: str) -> None:
        """The replicas of every revision that was (re)starting are up, or failed with `reason`."""
        with self.state.lock:
            for revision in self._active():
                if revision.running_state != "Running":
                    if ok:
                        revision.mark_running()
                    else:
                        revision.mark_failed(reason)
