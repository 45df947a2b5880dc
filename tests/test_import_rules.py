"""Layering and start-up cost rules, checked in fresh interpreters."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import maia_tui.core

HEAVY_SDKS = ("boto3", "botocore", "azure", "moto", "kubernetes")


def modules_after(code: str) -> set[str]:
    """The top-level module names loaded by a fresh interpreter after running `code`."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_core_never_imports_textual_or_rich() -> None:
    names = [m.name for m in pkgutil.walk_packages(maia_tui.core.__path__, "maia_tui.core.")]
    assert "maia_tui.core.maia.client" in names
    loaded = modules_after("\n".join(f"import {name}" for name in names))
    assert not loaded & {"textual", "rich"}


def test_headless_commands_never_import_textual(tmp_path: object) -> None:
    loaded = modules_after("from maia_tui.cli import main\nmain(['info'])")
    assert "textual" not in loaded
    assert not loaded & set(HEAVY_SDKS)


def test_app_does_not_import_cloud_sdks_eagerly() -> None:
    loaded = modules_after("import maia_tui.ui.app")
    assert "textual" in loaded
    assert not loaded & set(HEAVY_SDKS), loaded & set(HEAVY_SDKS)
