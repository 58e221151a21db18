"""Database migrations of the rollups app."""
