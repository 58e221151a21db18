"""Hypothesis profiles for the whole suite.

``default``: what ``make test`` runs, a few hundred generated cases per fuzzed target, so the suite
stays fast. ``fuzz`` (``HYPOTHESIS_PROFILE=fuzz``, ``make fuzz``): ten times as many, for a longer hunt.
Tests that fix their own ``max_examples`` keep it; the fuzz tests scale with the profile
(``tests.core.fuzz.budget``).
"""

import os

from hypothesis import HealthCheck, settings

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
# Derandomized: the suite gives the same verdict on every run; the fuzz profile explores anew each time.
settings.register_profile(
    "default", max_examples=100, deadline=None, suppress_health_check=_QUIET, derandomize=True
)
settings.register_profile(
    "fuzz", max_examples=1000, deadline=None, suppress_health_check=_QUIET, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
