"""Database migrations of the core app."""
