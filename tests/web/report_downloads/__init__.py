"""Report downloads from the database: Word, PDF and Excel."""
