"""Management commands of the dashboards app."""
