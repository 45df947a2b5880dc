"""The AWS adapter's own rules: secret format kept, valueFrom parsed, targets located, console steps named."""

from __future__ import annotations

import json

import pytest

from maia_tui.core.errors import PlatformNotFound
from maia_tui.core.maia import MaiaClient
from maia_tui.core.platforms.aws import AwsAdapter, SecretRef, compose_secret, read_key
from maia_tui.sandbox.sandbox import Sandbox


def test_compose_keeps_other_keys_order_and_compact_style() -> None:
    current = '{"managed_by":"terraform","client_id":"a","client_secret":"old","proxy_password":"p"}'
    new = compose_secret(current, "client_secret", "NEW")
    assert new == '{"managed_by":"terraform","client_id":"a","client_secret":"NEW","proxy_password":"p"}'


def test_compose_keeps_spaced_and_indented_styles() -> None:
    assert compose_secret('{"client_secret": "old", "x": 1}', "client_secret", "N") == '{"client_secret": "N", "x": 1}'
    pretty = json.dumps({"client_id": "a", "client_secret": "old"}, indent=4)
    assert compose_secret(pretty, "client_secret", "N") == json.dumps(
        {"client_id": "a", "client_secret": "N"}, indent=4
    )


def test_compose_plain_replaces_the_whole_string_and_sets_client_id_too() -> None:
    assert compose_secret("old-secret", "", "NEW") == "NEW"
    both = compose_secret('{"client_id":"a","client_secret":"old"}', "client_secret", "N", {"client_id": "b"})
    assert json.loads(both) == {"client_id": "b", "client_secret": "N"}


def test_value_from_parsing() -> None:
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:etl-oauth-credentials-AbC123"
    ref = SecretRef.parse(f"{arn}:client_secret::")
    assert (ref.arn, ref.key, ref.stage, ref.version, ref.region, ref.name) == (
        arn,
        "client_secret",
        "",
        "",
        "eu-west-1",
        "etl-oauth-credentials",
    )
    assert SecretRef.parse(arn).key == ""
    assert SecretRef.parse(f"{arn}:client_secret:AWSPREVIOUS:").stage == "AWSPREVIOUS"
    assert read_key('{"client_secret": "v"}', "client_secret") == "v"
    assert read_key("not json", "client_secret") is None


async def test_locate_from_binding_and_console_steps(sandbox: Sandbox, maia: MaiaClient) -> None:
    settings = sandbox.settings()
    adapter = AwsAdapter(settings)
    runner = await maia.get_runner(sandbox.runner("etl-prod-eu").id)
    target = adapter.locate(runner, settings.binding(runner.id))
    assert target.fields["cluster"] == "etl-prod-eu-cluster" and target.fields["secret_key"] == "client_secret"
    apply = "\n".join(adapter.manual_steps(target, "apply"))
    assert "Secrets Manager (region eu-west-1) → secret `etl-prod-eu-oauth-credentials`" in apply
    assert "set the value of `client_secret`" in apply
    restart = "\n".join(adapter.manual_steps(target, "restart"))
    assert "`etl-prod-eu-cluster` → Services → `etl-prod-eu-service`" in restart
    assert "--force-new-deployment" in restart
    assert adapter.available()[0]


async def test_binding_to_another_runners_service_is_refused(sandbox: Sandbox, maia: MaiaClient) -> None:
    settings = sandbox.settings()
    adapter = AwsAdapter(settings)
    runner = await maia.get_runner(sandbox.runner("etl-prod-eu").id)
    wrong = dict(settings.binding(sandbox.runner("etl-legacy-plain").id) or {})
    with pytest.raises(PlatformNotFound, match="runs runner"):
        adapter.locate(runner, wrong)


def test_no_credentials_means_manual(monkeypatch: pytest.MonkeyPatch) -> None:
    from maia_tui.core.settings import Settings

    ok, why = AwsAdapter(Settings(), env={}).available()
    assert not ok and "no AWS credentials" in why
