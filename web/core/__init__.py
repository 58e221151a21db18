"""Shared by every app: audit trail, fields, figure messages, hooks, middleware and error pages."""
