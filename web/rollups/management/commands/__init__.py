"""Management commands of the roll-ups app."""
