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


# Parallel plans made as cheap as serial ones and the tables read whole, as a country's are, so that
# a test database of a few hundred figures gets the plan a country's read gets (PostgreSQL plans the
# read of 4.5 million figures in parallel as it is). The test's session's settings, put back after.
_PARALLEL_CHEAP = {
    "enable_indexscan": "off",
    "enable_bitmapscan": "off",
    "parallel_setup_cost": "0",
    "parallel_tuple_cost": "0",
    "min_parallel_table_scan_size": "0",
    "min_parallel_index_scan_size": "0",
    "max_parallel_workers_per_gather": "2",
}


def test_the_figures_are_read_by_a_statement_that_can_be_planned_in_parallel(country):
    """The rebuild runs in one transaction on one backend: the read of a year's figures (the largest
    statement but the writes) is a CREATE TABLE … AS, whose read PostgreSQL can plan in parallel
    with the machine's other core, where an INSERT … SELECT never is planned so."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL plans only")
    nation, plan = country
    random_figures(plan, nation, random.Random(7), density=0.9)
    with connection.cursor() as cursor:
        # Statistics as a country's tables have them: without, a year that has no figure in the test
        # is planned from an estimate of one row, serially, whatever the settings.
        cursor.execute("ANALYZE data_observation, data_submission, rollups_unitancestor")
        for name, value in _PARALLEL_CHEAP.items():
            cursor.execute(f"SET {name} = {value}")
    try:
        with explained_plans() as plans:
            rollup_rebuild(plan=plan)
    finally:
        with connection.cursor() as cursor:
            for name in _PARALLEL_CHEAP:
                cursor.execute(f"RESET {name}")
    read = [p for p in plans if "rollup_contrib" in p and "data_observation" in p]
    assert read, plans  # the figures' read was seen
    # Planned in parallel where the year has figures to read (an INSERT … SELECT never is).
    assert any("Gather" in p and "Parallel Seq Scan on data_observation" in p for p in read), read[0]
    statements = [p.split("Query Text:", 1)[1].lstrip() for p in read]
    assert all(s.startswith("CREATE TEMP TABLE rollup_contrib AS") for s in statements), statements
