"""The debug log: a private file in the log dir, never the screen (the TUI owns the terminal)."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from maia_tui.core.paths import ensure_private_dir

LOG_FILE = "maia-tui.log"


def configure_file_logging(log_dir: Path, *, debug: bool = False) -> Path:
    """Send maia-tui's log records to <log_dir>/maia-tui.log (mode 0600, rotated at 2 MB)."""
    ensure_private_dir(log_dir)
    path = log_dir / LOG_FILE
    if not path.exists():
        path.touch(mode=0o600)
    os.chmod(path, 0o600)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("maia_tui")
    root.handlers = [h for h in root.handlers if not isinstance(h, logging.handlers.RotatingFileHandler)]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    root.propagate = False
    return path
