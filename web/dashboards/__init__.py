"""Dashboards: plan, indicator, grid, completeness and task pages; reminders."""
