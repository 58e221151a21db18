"""Database migrations of the notices app."""
