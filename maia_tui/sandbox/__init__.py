"""The embedded sandbox: emulators on loopback and honest simulated runners (`maia-tui demo`)."""
