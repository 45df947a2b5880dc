"""Which adapter handles which platform; adapters are imported only when a rotation needs one."""

from __future__ import annotations

import importlib

from maia_tui.core.platforms.base import PlatformAdapter
from maia_tui.core.settings import Settings

# platform family (Platform.family) → "module:Class"; adding a platform adds one line here.
ADAPTERS: dict[str, str] = {
    "aws": "maia_tui.core.platforms.aws:AwsAdapter",
    "azure": "maia_tui.core.platforms.azure:AzureAdapter",
}


def supported(family: str) -> bool:
    return family in ADAPTERS


def adapter_for(family: str, settings: Settings) -> PlatformAdapter:
    """A new adapter for the platform family ('aws', 'azure', 'gke', 'snowflake')."""
    try:
        module_name, _, class_name = ADAPTERS[family].partition(":")
    except KeyError:
        raise KeyError(f"no adapter for platform {family!r}") from None
    cls: type[PlatformAdapter] = getattr(importlib.import_module(module_name), class_name)
    return cls(settings)
