"""Reusable widgets of the maia-tui app."""
