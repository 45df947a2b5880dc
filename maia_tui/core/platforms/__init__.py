"""Platform adapters: one module per platform behind one interface (base.py)."""
