"""Bulk loading: a country's units, assignments and figures from files, all or nothing."""
