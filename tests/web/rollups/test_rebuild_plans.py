"""The rebuild's joins of a year's cells are never planned as nested loops (PostgreSQL).

Its temporary tables have no index: a nested loop compares every row with every other. At full
scale the class S (a group's girls' row joined to its boys', when it gave no total) was planned
so, from an estimate of one row after its anti-join: 21 minutes and still running, against 3 s
hashed (session 13's full-country benchmark)."""

from __future__ import annotations

import random

import pytest
from django.db import connection

from tests.web.explained import explained_plans
from tests.web.rollups.conftest import random_figures
from web.rollups.services import rollup_rebuild


def test_the_class_s_join_is_not_a_nested_loop(country):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL plans only")
    nation, plan = country
    random_figures(plan, nation, random.Random(7), density=0.9)
    with explained_plans() as plans:
        rollup_rebuild(plan=plan)
    summed = [p for p in plans if "INSERT INTO rollup_contrib" in p and "m.sex = 'M'" in p]
    assert summed, plans  # the class S was seen
    assert not any("Nested Loop" in p for p in summed), summed[0]
