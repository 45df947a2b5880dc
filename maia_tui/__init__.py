"""maia-tui: rotate the credentials of Maia runners and bring the runners back, from a terminal."""

__version__ = "0.1.0"
