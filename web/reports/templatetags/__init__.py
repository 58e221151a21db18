"""Template filters of the report pages."""
