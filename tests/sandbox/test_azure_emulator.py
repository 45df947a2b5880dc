"""The ARM emulator behaves as Azure does for the calls the SDK makes, driven with the plain Azure SDK."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.identity import DefaultAzureCredential
from azure.mgmt.appcontainers import ContainerAppsAPIClient

from maia_tui.sandbox.azure import SUBSCRIPTION, AzureSandbox
from maia_tui.sandbox.fleet import runner_id
from maia_tui.sandbox.sandbox import Sandbox


def _azure(sandbox: Sandbox) -> AzureSandbox:
    platform = sandbox.platforms["azure"]
    assert isinstance(platform, AzureSandbox)
    return platform


def _client(sandbox: Sandbox, credential: Any = None) -> ContainerAppsAPIClient:
    arm = _azure(sandbox).arm
    assert arm is not None
    return ContainerAppsAPIClient(credential or DefaultAzureCredential(), SUBSCRIPTION, base_url=arm.url)


def _app(sandbox: Sandbox, name: str) -> tuple[str, str]:
    app = _azure(sandbox).app_for(runner_id(name))
    return app.resource_group, app.name


def test_get_hides_secret_values_and_list_secrets_shows_them(sandbox: Sandbox) -> None:
    client = _client(sandbox)
    group, name = _app(sandbox, "aca-analytics")
    shown = client.container_apps.get(group, name).as_dict()["properties"]["configuration"]["secrets"]
    assert [s["name"] for s in shown] == ["matillion-client-id", "matillion-client-secret", "db-password"]
    assert all("value" not in s for s in shown)
    listed = {s.name: s.value for s in client.container_apps.list_secrets(group, name).value}
    assert listed["matillion-client-secret"] == sandbox.runner("aca-analytics").client_secret


def test_patch_that_drops_a_referenced_secret_is_rejected(sandbox: Sandbox) -> None:
    client = _client(sandbox)
    group, name = _app(sandbox, "aca-analytics")
    only_ours = {"properties": {"configuration": {"secrets": [{"name": "matillion-client-secret", "value": "x"}]}}}
    with pytest.raises(HttpResponseError) as rejected:
        client.container_apps.begin_update(group, name, only_ours, polling_interval=0.01).result()
    assert rejected.value.status_code == 400
    assert rejected.value.error is not None and rejected.value.error.code == "ContainerAppSecretRefNotFound"
    assert "matillion-client-id" in rejected.value.error.message
    listed = {s.name for s in client.container_apps.list_secrets(group, name).value}
    assert listed == {"matillion-client-id", "matillion-client-secret", "db-password"}  # nothing changed


def test_a_secret_left_out_is_lost(sandbox: Sandbox) -> None:
    """Merge patch replaces the array: an unreferenced secret not re-sent is gone (why the adapter re-sends all)."""
    client = _client(sandbox)
    group, name = _app(sandbox, "aca-analytics")
    kept = [s.as_dict() for s in client.container_apps.list_secrets(group, name).value if s.name != "db-password"]
    body = {"properties": {"configuration": {"secrets": kept}}}
    client.container_apps.begin_update(group, name, body, polling_interval=0.01).result()
    assert {s.name for s in client.container_apps.list_secrets(group, name).value} == {
        "matillion-client-id",
        "matillion-client-secret",
    }


def test_only_a_restart_or_a_new_revision_restarts_the_runner(sandbox: Sandbox) -> None:
    client = _client(sandbox)
    group, name = _app(sandbox, "aca-analytics")
    host = _azure(sandbox).hosts[runner_id("aca-analytics")]
    generation = host.generation()
    secrets = [s.as_dict() for s in client.container_apps.list_secrets(group, name).value]
    client.container_apps.begin_update(
        group, name, {"properties": {"configuration": {"secrets": secrets}}}, polling_interval=0.01
    ).result()
    assert host.generation() == generation
    revision = next(iter(client.container_apps_revisions.list_revisions(group, name))).name
    client.container_apps_revisions.restart_revision(group, name, revision)
    assert host.generation() != generation
    template = client.container_apps.get(group, name).as_dict()["properties"]["template"]
    template["containers"][0]["image"] = "matillion.azurecr.io/cloud-agent:stable"
    app = client.container_apps.begin_update(
        group, name, {"properties": {"template": template}}, polling_interval=0.01
    ).result()
    assert app.properties.latest_revision_name != revision
    revisions = {
        r.name: r.as_dict()["properties"]["active"] for r in client.container_apps_revisions.list_revisions(group, name)
    }
    assert revisions == {revision: False, app.properties.latest_revision_name: True}  # Single mode
    assert sandbox.wait_for(lambda: sandbox.runner("aca-analytics").connected, 5)


def test_wrong_audience_and_missing_permission_answer_as_azure(sandbox: Sandbox) -> None:
    class VaultToken:
        def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
            return AccessToken("sandbox-token:https://vault.azure.net", int(time.time()) + 3600)

    group, name = _app(sandbox, "aca-finance")
    with pytest.raises(ClientAuthenticationError) as refused:
        _client(sandbox, VaultToken()).container_apps.get(group, name)
    assert refused.value.status_code == 401
    _azure(sandbox).state.denied.add("Microsoft.App/containerApps/listSecrets/action")
    with pytest.raises(HttpResponseError) as denied:
        _client(sandbox).container_apps.list_secrets(group, name)
    assert denied.value.status_code == 403 and denied.value.error is not None
    assert denied.value.error.code == "AuthorizationFailed"
    assert "listSecrets/action" in denied.value.error.message


def test_injected_faults_have_arm_error_bodies(sandbox: Sandbox) -> None:
    group, name = _app(sandbox, "aca-finance")
    _azure(sandbox).fail("GET", r".*/containerApps/[^/]+", 409, code="ContainerAppOperationInProgress")
    with pytest.raises(HttpResponseError) as conflict:
        _client(sandbox).container_apps.get(group, name)
    assert conflict.value.status_code == 409 and conflict.value.error is not None
    assert conflict.value.error.code == "ContainerAppOperationInProgress"


def test_exports_reach_the_emulator_from_another_process(sandbox: Sandbox) -> None:
    env = _azure(sandbox).env()
    assert env["AZURE_TOKEN_CREDENTIALS"] == "AzureCliCredential"  # never the IMDS probe
    bundle = Path(env["REQUESTS_CA_BUNDLE"]).read_text()
    assert bundle.count("BEGIN CERTIFICATE") > 10  # certifi's CAs plus the sandbox's, so real HTTPS still works
    group, name = _app(sandbox, "aca-finance")
    script = (
        "import json, os\n"
        "from azure.identity import DefaultAzureCredential\n"
        "from azure.mgmt.appcontainers import ContainerAppsAPIClient\n"
        "c = ContainerAppsAPIClient(DefaultAzureCredential(), os.environ['AZURE_SUBSCRIPTION_ID'],"
        " base_url=os.environ['MAIA_TUI_AZURE_ARM_ENDPOINT'])\n"
        f"print(json.dumps(c.container_apps.get({group!r}, {name!r}).name))\n"
    )
    child_env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "REQUESTS_CA_BUNDLE"))}
    child_env.update(env)
    out = subprocess.run([sys.executable, "-c", script], env=child_env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == name
