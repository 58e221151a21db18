"""Vietnamese formats: 1.234,5 and day-first dates."""
