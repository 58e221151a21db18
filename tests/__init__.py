"""The test suite: core, reports, web (SQLite and PostgreSQL) and the benchmarks' smoke tests."""
