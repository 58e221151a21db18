"""Plans: versions, objectives, indicators, targets and assignments; upload → review → confirm."""
