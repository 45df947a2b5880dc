"""The Textual UI of maia-tui; talks to core only."""
