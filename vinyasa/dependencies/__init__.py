"""Task dependencies: which tasks block which (Asana's dependencies and dependents)."""
