"""Screens of the maia-tui app, one per module."""
