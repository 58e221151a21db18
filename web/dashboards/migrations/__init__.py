"""Database migrations of the dashboards app."""
