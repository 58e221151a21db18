"""The JSON API (django-ninja): plans, units, figures, verdicts and exports for other systems."""
