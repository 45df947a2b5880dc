"""Where maia-tui keeps its config, state (journal, locks) and logs: XDG dirs via platformdirs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP_NAME = "maia-tui"


def config_path(env: Mapping[str, str] = os.environ) -> Path:
    """The config file: MAIA_TUI_CONFIG, else config.yaml in the user's config dir."""
    override = env.get("MAIA_TUI_CONFIG")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME) / "config.yaml"


def state_dir(env: Mapping[str, str] = os.environ) -> Path:
    """The state dir (rotation journals and locks): MAIA_TUI_STATE_DIR, else the user's state dir."""
    override = env.get("MAIA_TUI_STATE_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_state_path

    return user_state_path(APP_NAME)


def log_dir(env: Mapping[str, str] = os.environ) -> Path:
    """The log dir: MAIA_TUI_LOG_DIR, else the user's log dir."""
    override = env.get("MAIA_TUI_LOG_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_log_path

    return user_log_path(APP_NAME)


def ensure_private_dir(path: Path) -> Path:
    """Create a directory readable by its owner only (it may hold journals of rotations)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
