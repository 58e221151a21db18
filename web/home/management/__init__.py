"""Management commands of the home app (the demo loader)."""
