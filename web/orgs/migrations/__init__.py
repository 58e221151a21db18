"""Database migrations of the orgs app."""
