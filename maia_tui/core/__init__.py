"""The engine of maia-tui: no Textual, no Rich; the CLI, the UI and the tests all import it."""
