"""Database migrations of the plans app."""
