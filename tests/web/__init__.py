"""Tests of the web application, on SQLite and on PostgreSQL."""
