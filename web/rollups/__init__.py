"""Roll-ups: the closure table of the unit tree and the summary of figures per area."""
