"""Report downloads (Word, PDF, Excel) built from the database."""
