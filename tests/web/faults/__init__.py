"""Fault tests: a killed or restarted server, an unreachable database, backups and restores."""
