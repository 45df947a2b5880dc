"""The rotation engine: steps, events, journal and lock."""
