"""Database migrations of the data app."""
