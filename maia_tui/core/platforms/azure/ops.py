"""The ARM calls on one Container App, each mapped to the error tree, returning plain JSON (Azure's field names)."""

from __future__ import annotations

import time
from typing import Any

from maia_tui.core.errors import PlatformError
from maia_tui.core.platforms.azure import app as aca
from maia_tui.core.platforms.azure.arm import call, plain
from maia_tui.core.platforms.base import Progress
from maia_tui.core.secret import Secret

WRITE = "Microsoft.App/containerApps/write"
LIST_SECRETS = "Microsoft.App/containerApps/listSecrets/action"
RESTART = "Microsoft.App/containerApps/revisions/restart/action"
READ_REVISIONS = "Microsoft.App/containerApps/revisions/read"
APPLY_TIMEOUT = 300.0


class ContainerAppOps:
    """One app through a ContainerAppsAPIClient: read it, its secrets, revisions and replicas; patch; restart."""

    def __init__(self, client: Any, resource_group: str, app: str, poll_interval: float) -> None:
        self.client = client
        self.group = resource_group
        self.name = app
        self.poll = poll_interval
        self.subject = f"Container App {app}"

    def get(self) -> dict[str, Any]:
        found = call(
            lambda: self.client.container_apps.get(self.group, self.name),
            action="read the Container App",
            subject=f"{self.name} in resource group {self.group}",
        )
        return dict(plain(found))

    def secrets(self) -> list[aca.AppSecret]:
        """Every secret with its value (listSecrets); Key Vault references come back without one."""
        collection = call(
            lambda: self.client.container_apps.list_secrets(self.group, self.name),
            action="list the app's secrets",
            subject=self.subject,
            permission=LIST_SECRETS,
        )
        return [aca.AppSecret.from_api(s) for s in plain(collection).get("value") or []]

    def revisions(self) -> list[dict[str, Any]]:
        found = call(
            lambda: list(self.client.container_apps_revisions.list_revisions(self.group, self.name)),
            action="list the app's revisions",
            subject=self.subject,
            permission=READ_REVISIONS,
        )
        return [dict(plain(r)) for r in found]

    def replicas(self, revision: str) -> list[dict[str, Any]]:
        found = call(
            lambda: self.client.container_apps_revision_replicas.list_replicas(self.group, self.name, revision),
            action=f"list the replicas of revision {revision}",
            subject=self.subject,
            permission=READ_REVISIONS,
        )
        return [dict(r) for r in plain(found).get("value") or []]

    def restart(self, revision: str) -> None:
        call(
            lambda: self.client.container_apps_revisions.restart_revision(self.group, self.name, revision),
            action=f"restart revision {revision}",
            subject=self.subject,
            permission=RESTART,
        )

    def permissions(self, app_id: str) -> list[dict[str, Any]]:
        """The caller's role grants on the app (actions / notActions), from ARM's permissions API."""
        from azure.core.rest import HttpRequest

        url = f"{app_id}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01"
        response = self.client.send_request(HttpRequest("GET", url))
        response.raise_for_status()
        return list(response.json().get("value") or [])

    def patch_secrets(
        self, secrets: list[aca.AppSecret], changed: str, value: Secret | None, progress: Progress
    ) -> None:
        """PATCH the full secrets array (a merge patch replaces arrays) and wait for the operation to finish."""
        # The values leave the process here, in the request body, and nowhere else.
        body = {
            "properties": {
                "configuration": {"secrets": [s.to_patch(value if s.name == changed else None) for s in secrets]}
            }
        }
        poller = call(
            lambda: self.client.container_apps.begin_update(self.group, self.name, body, polling_interval=self.poll),
            action="update the app's secrets",
            subject=self.subject,
            permission=WRITE,
        )
        body.clear()
        deadline = time.monotonic() + APPLY_TIMEOUT
        last = ""
        while not poller.done():
            status = str(poller.status())
            if status != last:
                progress.log(f"Azure is applying the change to {self.name}: {status}")
                last = status
            if time.monotonic() > deadline:
                raise PlatformError(
                    f"the update of {self.subject} is still {status} after {APPLY_TIMEOUT:.0f} s",
                    platform="azure",
                    remedy="Check the app's Activity log in the portal; when it shows Succeeded, retry this step.",
                )
            poller.wait(timeout=self.poll)
        call(poller.result, action="update the app's secrets", subject=self.subject, permission=WRITE)
        progress.log(f"Azure finished updating {self.name}: Succeeded")
