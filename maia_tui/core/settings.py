"""Settings from the environment and the YAML config file; a bad file is one clear ConfigError."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from maia_tui.core import paths
from maia_tui.core.errors import ConfigError
from maia_tui.core.secret import Secret
from maia_tui.core.yamlfile import YamlDocument, key_line, load_yaml

REGIONS = {
    "eu1": "https://eu1.api.matillion.com/dpc",
    "us1": "https://us1.api.matillion.com/dpc",
}
TOKEN_URL = "https://id.core.matillion.com/oauth/dpc/token"
PLATFORM_KEYS = ("aws", "azure", "gke", "snowflake")


@dataclass(frozen=True, slots=True)
class MaiaCredentials:
    """The Maia API credential maia-tui acts with (not a runner's credential)."""

    client_id: str
    client_secret: Secret


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything maia-tui reads at start; passed into the client, the app and the engine."""

    region: str = "eu1"
    api_url: str = REGIONS["eu1"]
    token_url: str = TOKEN_URL
    credentials: MaiaCredentials | None = None
    timeout: float = 20.0
    refresh_interval: float = 5.0
    theme: str | None = None
    readonly: bool = False
    sandbox: bool = False
    account: str = ""
    bindings: dict[str, dict[str, Any]] = field(default_factory=dict)
    config_path: Path = field(default_factory=paths.config_path)
    state_dir: Path = field(default_factory=paths.state_dir)
    log_dir: Path = field(default_factory=paths.log_dir)

    def binding(self, runner_id: str, runner_name: str = "") -> dict[str, Any] | None:
        """The platform binding for a runner, looked up by id, then by name."""
        if runner_id in self.bindings:
            return self.bindings[runner_id]
        for binding in self.bindings.values():
            if runner_name and binding.get("name") == runner_name:
                return binding
        return None


def _section(doc: Any, key: str, path: str) -> Mapping[str, Any]:
    value = doc.get(key) if isinstance(doc, Mapping) else None
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"'{key}' must be a mapping", path=path, line=key_line(doc, key))
    return value


def _number(section: Mapping[str, Any], key: str, default: float, path: str, minimum: float) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ConfigError(
            f"'{key}' must be a number ≥ {minimum:g}, not {value!r}", path=path, line=key_line(section, key)
        )
    return float(value)


def _flag(section: Mapping[str, Any], key: str, default: bool, path: str) -> bool:
    value = section.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"'{key}' must be true or false, not {value!r}", path=path, line=key_line(section, key))
    return value


def _bindings(doc: Any, path: str) -> dict[str, dict[str, Any]]:
    runners = _section(doc, "runners", path)
    bindings: dict[str, dict[str, Any]] = {}
    for runner_id, binding in runners.items():
        line = key_line(runners, runner_id)
        if not isinstance(binding, Mapping):
            raise ConfigError(f"runner '{runner_id}' must map to its platform binding", path=path, line=line)
        platform = binding.get("platform")
        if platform not in PLATFORM_KEYS:
            choices = ", ".join(PLATFORM_KEYS)
            raise ConfigError(
                f"runner '{runner_id}': 'platform' must be one of {choices}, not {platform!r}", path=path, line=line
            )
        bindings[str(runner_id)] = {str(k): v for k, v in binding.items()}
    return bindings


def load_settings(env: Mapping[str, str] = os.environ, config_file: Path | None = None) -> Settings:
    """Read the config file (if any) and the environment; the environment wins over the file."""
    path = config_file or paths.config_path(env)
    doc: Any = {}
    if path.exists():
        doc = load_yaml(path).data
        if doc is None:
            doc = {}
        if not isinstance(doc, Mapping):
            raise ConfigError("the top level must be a mapping (key: value)", path=str(path), line=1)
    where = str(path)
    maia = _section(doc, "maia", where)
    ui = _section(doc, "ui", where)

    region = str(env.get("MAIA_REGION") or maia.get("region") or "eu1").strip().lower()
    api_url = env.get("MAIA_API_URL") or maia.get("api_url")
    if not api_url:
        if region not in REGIONS:
            raise ConfigError(
                f"unknown Maia region {region!r}",
                path="MAIA_REGION" if env.get("MAIA_REGION") else where,
                line=None if env.get("MAIA_REGION") else key_line(maia, "region"),
                remedy="Use eu1 or us1 (the region of your Maia account), or set MAIA_API_URL.",
            )
        api_url = REGIONS[region]
    token_url = env.get("MAIA_TOKEN_URL") or maia.get("token_url") or TOKEN_URL

    client_id = env.get("MAIA_CLIENT_ID") or maia.get("client_id")
    client_secret = env.get("MAIA_CLIENT_SECRET") or maia.get("client_secret")
    credentials = None
    if client_id and client_secret:
        credentials = MaiaCredentials(str(client_id), Secret(str(client_secret)))

    theme = env.get("MAIA_TUI_THEME") or ui.get("theme")
    return Settings(
        region=region,
        api_url=str(api_url),
        token_url=str(token_url),
        credentials=credentials,
        timeout=_number(maia, "timeout", 20.0, where, 1.0),
        refresh_interval=_number(ui, "refresh_interval", 5.0, where, 0.5),
        theme=str(theme) if theme else None,
        readonly=_flag(ui, "readonly", False, where),
        sandbox=bool(doc.get("sandbox", False)) if isinstance(doc, Mapping) else False,
        account=str(maia.get("account") or ""),
        bindings=_bindings(doc, where),
        config_path=path,
        state_dir=paths.state_dir(env),
        log_dir=paths.log_dir(env),
    )


def save_binding(path: Path, runner_id: str, binding: Mapping[str, Any]) -> None:
    """Remember where a runner's secret lives, keeping the rest of the file (comments too) as it was."""
    doc = YamlDocument.load_or_new(path)
    runners = doc.ensure_mapping("runners")
    runners[runner_id] = dict(binding)
    doc.save()
