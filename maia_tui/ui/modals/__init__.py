"""Modal dialogs: they return a typed result and decide nothing."""
