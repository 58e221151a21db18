"""Shared by every app: audit trail, fields, figure messages, hooks; the home page and the demo loader."""
