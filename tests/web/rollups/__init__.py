"""Roll-up tests: the summary tables against the pure engine."""
