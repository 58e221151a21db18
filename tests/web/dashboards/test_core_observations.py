"""The stored figures as the core's observations: what reports and the engine read."""

from __future__ import annotations

from web.data.models import Observation
from web.data.selectors import APPROVED, as_core_observation, core_observations


def test_core_observations_are_the_rows_one_by_one_in_two_queries(figures, django_assert_num_queries):
    # A district's report reads every figure of its plan: plain values and each unit once,
    # not a model instance per row (two queries whatever the number of rows).
    with django_assert_num_queries(2):
        found = core_observations(figures)
    rows = Observation.objects.filter(submission__plan=figures, submission__state__in=list(APPROVED))
    one_by_one = [as_core_observation(r, figures.area) for r in rows.select_related("submission__org_unit")]
    assert found and sorted(map(repr, found)) == sorted(map(repr, one_by_one))
