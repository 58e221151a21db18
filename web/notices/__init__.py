"""Notices: who is told when a report is returned, approved or unlocked, or a unit is given new work."""
