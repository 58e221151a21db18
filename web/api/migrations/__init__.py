"""Database migrations of the api app."""
