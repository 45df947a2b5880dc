"""The Azure Container Apps platform: the adapter, its SDK seam, and the console steps for doing it by hand."""

from maia_tui.core.platforms.azure.adapter import AzureAdapter

__all__ = ["AzureAdapter"]
