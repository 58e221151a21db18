"""Management commands of the data app."""
