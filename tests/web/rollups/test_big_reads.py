"""Every area's reads (``evaluation_all_units``, the stored verdicts' ``store_inputs``) run with the
big statements' settings (``web.core.bulk_sql.bulk_statements``) on PostgreSQL.

At full country each of these statements reads hundreds of thousands of rows: PostgreSQL's JIT
compiled each first (0.3-0.4 s for a statement run once) and the communes' rows were sorted on
disk in 4 MB runs (bench/LOAD-PROFILE.md, session 16)."""

from __future__ import annotations

import random

import pytest
from django.db import connection

from tests.web.rollups.conftest import random_figures
from web.data.models import Submission
from web.rollups.selectors import evaluation_all_units
from web.rollups.services import rollup_rebuild
from web.rollups.verdicts import store_verdicts

BIG = ("rollups_rollupfigure", "data_observation")


@pytest.fixture
def settings_read():
    """The JIT and work_mem settings in force at each statement reading the summary or the figures."""
    seen: list[tuple[str, str]] = []

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT") and any(table in sql for table in BIG):
            # The driver's own cursor: not wrapped, and in the same transaction as the statement.
            with context["connection"].connection.cursor() as raw:
                raw.execute("SELECT current_setting('jit'), current_setting('work_mem')")
                seen.append(raw.fetchone())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


def test_every_areas_reads_run_without_jit_and_with_room_to_sort(country, settings_read):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL settings only")
    nation, plan = country
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit')")
        before = cursor.fetchone()
    random_figures(plan, nation, random.Random(3), density=0.8)
    Submission.objects.filter(plan=plan).update(state="approved")
    rollup_rebuild(plan=plan)
    settings_read.clear()  # the rebuild's own statements have their settings already
    evaluation_all_units(plan=plan, period_key="2024")
    store_verdicts(plan.pk)
    assert len(settings_read) >= 4, settings_read  # both read the summary and the communes' figures
    assert set(settings_read) == {("off", "256MB")}
    with connection.cursor() as cursor:  # and put back as they were after
        cursor.execute("SELECT current_setting('jit')")
        assert cursor.fetchone() == before
