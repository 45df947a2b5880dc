"""The Azure console procedure, with the runner's real names filled in, for steps done by hand.

It follows Matillion's "Apply the new credentials (Azure)" page: the OAUTH_CLIENT_SECRET env var names the
secret, edit that secret's value, save, then restart the revision (a secret change restarts nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit


def vault_name(vault_url: str) -> str:
    """The vault's name from its URL (https://<name>.vault.azure.net), or its host when it is not Azure's."""
    host = urlsplit(vault_url).netloc
    return host.split(".", 1)[0] if ".vault." in host else host


def apply_steps(fields: Mapping[str, str]) -> list[str]:
    """Write the new client_secret where the Container App reads it, as in the Azure portal."""
    app, group = fields.get("app", "?"), fields.get("resource_group", "?")
    secret = fields.get("secret") or "the secret it names"
    steps = [
        f"In the Azure portal (portal.azure.com), open the Container App {app} "
        f"(resource group {group}, subscription {fields.get('subscription', '?')}).",
        "In the app's sidebar, select Application → Containers, then the Environment variables tab.",
        f"OAUTH_CLIENT_SECRET references the secret {secret}: that secret holds the runner's client_secret.",
    ]
    if fields.get("key_vault_url"):
        return [*steps, *_key_vault_steps(fields)]
    return [
        *steps,
        f"In the sidebar, select Settings → Secrets and find {secret}.",
        f"Click the edit (pencil) icon next to {secret} and paste the new client_secret into Value.",
        "Tick the box that acknowledges the change, then click Save. Leave the other secrets as they are.",
        "Saving a secret restarts nothing: the runner keeps the old secret until its revision restarts (next step).",
    ]


def _key_vault_steps(fields: Mapping[str, str]) -> list[str]:
    url = fields["key_vault_url"]
    vault = vault_name(url)
    segments = [s for s in urlsplit(url).path.split("/") if s]
    name = segments[1] if len(segments) > 1 else "?"
    steps = [
        f"{fields.get('secret', '?')} is a Key Vault reference: the value lives in vault {vault}, secret {name}.",
        f"Open Key vaults → {vault} → Objects → Secrets → {name}.",
        "Click + New Version, paste the new client_secret into Secret value, and click Create.",
    ]
    if len(segments) > 2:
        steps.append(
            f"The app pins version {segments[2]}: in Container App {fields.get('app', '?')} → Settings → Secrets, "
            f"edit {fields.get('secret', '?')} and point it at the new version's Secret Identifier, then Save."
        )
    return steps


def wait_steps(fields: Mapping[str, str]) -> list[str]:
    """Watch the restart in the portal."""
    return [
        f"In the Container App {fields.get('app', '?')}, select Application → Revisions and replicas.",
        "The active revision's running status goes from Processing (Activating) to Running; each replica turns "
        "Running with its container ready.",
    ]


def restart_steps(fields: Mapping[str, str]) -> list[str]:
    """Restart every active revision so its replicas read the secret again."""
    app, group = fields.get("app", "?"), fields.get("resource_group", "?")
    return [
        f"In the Container App {app}, select Application → Revisions and replicas.",
        "For each active revision, select it and click Restart (a restart recreates its replicas).",
        f"Or from a shell: az containerapp revision list -n {app} -g {group} "
        '--query "[?properties.active].name" -o tsv',
        f"then for each name: az containerapp revision restart -n {app} -g {group} --revision <name>",
        "Wait until the revision shows Running with every replica ready; Maia then shows the runner Running.",
    ]
