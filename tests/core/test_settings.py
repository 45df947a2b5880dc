"""Settings from env and the config file; a bad file is one clear message with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from maia_tui.core.errors import ConfigError
from maia_tui.core.settings import REGIONS, load_settings, save_binding


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings({}, config_file=tmp_path / "missing.yaml")
    assert settings.region == "eu1"
    assert settings.api_url == REGIONS["eu1"]
    assert settings.credentials is None
    assert settings.refresh_interval == 5.0


def test_environment_wins_over_the_file(tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", "maia:\n  region: eu1\n  client_id: from-file\n  client_secret: file-secret\n")
    settings = load_settings(
        {"MAIA_REGION": "US1", "MAIA_CLIENT_ID": "env-id", "MAIA_CLIENT_SECRET": "env-secret"}, config_file=config
    )
    assert settings.region == "us1"
    assert settings.api_url == "https://us1.api.matillion.com/dpc"
    assert settings.credentials is not None
    assert settings.credentials.client_id == "env-id"
    assert settings.credentials.client_secret.reveal() == "env-secret"
    assert "env-secret" not in repr(settings)


def test_url_overrides(tmp_path: Path) -> None:
    settings = load_settings(
        {"MAIA_API_URL": "http://127.0.0.1:1/dpc", "MAIA_TOKEN_URL": "http://127.0.0.1:1/token"},
        config_file=tmp_path / "none.yaml",
    )
    assert settings.api_url == "http://127.0.0.1:1/dpc"
    assert settings.token_url == "http://127.0.0.1:1/token"


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    config = write(tmp_path / "bad.yaml", "maia:\n  region: eu1\nui:\n  refresh_interval: [5\n  theme: x\n")
    with pytest.raises(ConfigError) as error:
        load_settings({}, config_file=config)
    message = str(error.value)
    assert str(config) in message
    assert "line" in message
    assert error.value.line is not None and error.value.line >= 4
    assert "Traceback" not in message


def test_wrong_type_names_key_and_line(tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", "# comment\nui:\n  refresh_interval: soon\n")
    with pytest.raises(ConfigError) as error:
        load_settings({}, config_file=config)
    assert error.value.line == 3
    assert "refresh_interval" in error.value.problem


def test_unknown_region_has_a_remedy(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({"MAIA_REGION": "ap9"}, config_file=tmp_path / "none.yaml")
    assert "eu1 or us1" in error.value.remedy


def test_binding_without_a_known_platform_is_rejected(tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", "runners:\n  abc:\n    platform: vms\n")
    with pytest.raises(ConfigError) as error:
        load_settings({}, config_file=config)
    assert error.value.line == 2
    assert "aws, azure, gke, snowflake" in error.value.problem


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ConfigError) as error:
        load_settings({}, config_file=config)
    assert str(config) in str(error.value)


def test_save_binding_keeps_comments_and_other_keys(tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", "# my settings\nmaia:\n  region: us1  # our account\nui:\n  theme: ansi-dark\n")
    config.chmod(0o640)
    save_binding(config, "runner-1", {"platform": "aws", "name": "etl", "region": "eu-west-1"})
    text = config.read_text()
    assert "# my settings" in text and "# our account" in text
    settings = load_settings({}, config_file=config)
    assert settings.region == "us1"
    assert settings.theme == "ansi-dark"
    assert settings.binding("runner-1") == {"platform": "aws", "name": "etl", "region": "eu-west-1"}
    assert settings.binding("other-id", "etl") is not None
    assert config.stat().st_mode & 0o777 == 0o640


def test_save_binding_creates_a_private_file(tmp_path: Path) -> None:
    config = tmp_path / "new" / "config.yaml"
    save_binding(config, "r", {"platform": "gke", "name": "x"})
    assert config.stat().st_mode & 0o777 == 0o600
    assert load_settings({}, config_file=config).bindings["r"]["platform"] == "gke"
