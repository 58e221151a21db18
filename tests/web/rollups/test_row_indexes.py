"""The summary rows and the stored verdicts carry only the indexes their readers use (both databases).

Each index is written with every row, and a country's rebuild of a year writes 381,000 summary rows
and its judging 231,000 verdict rows. Every read of either names the plan and the view before the
unit (the unique keys), or the plan, view and period (``rollup_plan_period``,
``verdict_plan_period``): an index of the unit alone (Django's default for a foreign key) served no
read, and each row's entry went among the thousands of equal ones of its unit — copying a year's
approved summary rows of a country as the provisional ones took 5.30 s with it, 4.63 s without
(medians of three; bench/LOAD-PROFILE.md, session 17)."""

from __future__ import annotations

import pytest
from django.db import connection

from web.rollups.models import RollupFigure, Verdict


def _indexed_columns(model) -> list[tuple[str, ...]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return sorted(tuple(c["columns"]) for c in found.values() if c["index"] or c["unique"])


@pytest.mark.django_db
@pytest.mark.parametrize("model", [RollupFigure, Verdict])
def test_no_index_of_the_unit_or_the_plan_alone(model):
    indexed = _indexed_columns(model)
    assert ("unit_id",) not in indexed
    assert ("plan_id",) not in indexed
    # What the readers use is still there: the unique key and the plan's periods.
    assert any(columns[:3] == ("plan_id", "view", "unit_id") for columns in indexed)
    assert ("plan_id", "view", "period_key") in indexed
