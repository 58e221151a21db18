"""A year (and a phase) of level indicators reported by parts of years, judged from the summary.

Units below an area give stocks, flows, rates and running totals by quarters, months, halves or
the year (some both), and shares of women by total, by sex or both. The summary keeps, per area,
each year's units grouped by the periods they count with (their *shape*); the engine judges the
nation from those sums, reading no unit's raw rows, and its verdicts equal the engine's on every
raw figure (test_equal_to_engine's ``assert_same_as_engine``), after a rebuild and after moves.
"""

from __future__ import annotations

import random

import pytest
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.rollups.conftest import (
    MONTHS_2024,
    NEXT,
    SHAPES,
    SUB_YEAR_DUTIES,
    build_tree,
    examples,
    move,
    plan_for,
    random_figures,
)
from tests.web.rollups.test_equal_to_engine import assert_same_as_engine, summary_snapshot

PHASE = "2021-2025"


def _approve_some(plan, rng: random.Random) -> None:
    from web.data.models import Submission

    for submission in Submission.objects.filter(plan=plan).order_by("pk"):
        submission.state = rng.choice(["draft", "submitted", "approved", "approved", "approved"])
        submission.save(update_fields=["state"])


def _level_rows_of(plan, area, period_key: str, states) -> list:
    """The rows the engine is given for ``area``'s level indicators (not counts per period)."""
    from chitieu.plan import Measure
    from web.dashboards.selectors import core_plan, plan_version_active
    from web.rollups.selectors import area_observations

    core = core_plan(plan_version_active(plan))
    level = {i.code for i in core.indicators if not (i.measure is Measure.COUNT and i.per_period)}
    rows = area_observations(plan, core, area, period_key, states=states)
    return [r for r in rows if r.indicator in level]


def test_the_nation_reads_no_raw_row_for_a_year_or_the_phase(country):
    """Quarterly and monthly stocks, flows, rates and shares of women by sex: the nation's year and
    phase are judged from summed rows only (the whole area's own, ``~…`` for the units below), and
    equal the engine's verdicts on every raw figure."""
    from web.rollups.services import rollup_rebuild

    nation, plan = country
    rng = random.Random(23)
    random_figures(plan, nation, rng, density=0.8, duties=SUB_YEAR_DUTIES)
    _approve_some(plan, rng)
    rollup_rebuild(plan=plan)
    for period_key in ("2024", "2023", PHASE):
        for states in (("approved",), ("submitted", "approved")):
            rows = _level_rows_of(plan, nation, period_key, states)
            assert rows, period_key
            raw = sorted({r.org_unit for r in rows if r.org_unit and not r.org_unit.startswith("~")})
            assert raw == [], (period_key, states)  # no unit's own row: sums only
    for period_key in ("2024", "2023", PHASE, "2024-Q3"):  # a quarter may read raw rows: still equal
        assert assert_same_as_engine(plan, period_key) > 50


def test_sub_year_figures_after_moves_equal_a_rebuild_and_the_engine(country):
    """Approve, return and unlock move a unit's quarters in and out of its year: its shape changes
    (four quarters, then three), and the incremental summary equals a rebuild and the engine."""
    from web.rollups.services import rollup_rebuild

    nation, plan = country
    rng = random.Random(5)
    submissions = random_figures(plan, nation, rng, density=0.7, duties=SUB_YEAR_DUTIES)
    for _ in range(3):
        for submission in submissions:
            if rng.random() < 0.6:
                move(submission, rng.choice(NEXT[submission.state]))
    incremental = summary_snapshot(plan)
    assert any(key[-1] for key in incremental)  # shape rows were written by the moves
    rollup_rebuild(plan=plan)
    assert summary_snapshot(plan) == incremental
    assert_same_as_engine(plan, "2024")
    assert_same_as_engine(plan, PHASE)


def test_a_rebuild_of_one_quarter_reads_its_whole_year_again(country):
    """A load that wrote one quarter changes how its units count for the year: the rebuild of that
    quarter alone leaves the same summary as a whole rebuild."""
    from web.data.models import Submission
    from web.rollups.services import rollup_rebuild

    nation, plan = country
    random_figures(plan, nation, random.Random(9), density=0.9, duties=SUB_YEAR_DUTIES)
    Submission.objects.filter(plan=plan).update(state="approved")
    rollup_rebuild(plan=plan)
    whole = summary_snapshot(plan)
    Submission.objects.filter(plan=plan, period_key="2024-Q2").update(state="draft")
    rollup_rebuild(plan=plan, period_keys=["2024-Q2"])
    partial = summary_snapshot(plan)
    rollup_rebuild(plan=plan)
    assert summary_snapshot(plan) == partial != whole
    assert_same_as_engine(plan, "2024")


def test_a_unit_below_giving_a_whole_phase_is_read_raw_and_equal(country):
    """A phase figure from a unit below cannot be told from sums per year: read raw, still equal."""
    from web.rollups.services import rollup_rebuild

    nation, plan = country
    duties = tuple(
        (code, who, (*SHAPES, (PHASE,), (PHASE, "2024-Q1"))) for code, who, _ in SUB_YEAR_DUTIES[:-1]
    )
    random_figures(plan, nation, random.Random(31), density=0.8, duties=duties)
    _approve_some(plan, random.Random(2))
    rollup_rebuild(plan=plan)
    for period_key in ("2024", PHASE):
        assert_same_as_engine(plan, period_key)


def test_a_summary_from_before_shapes_is_read_raw(country):
    """Shape rows missing (a database summed before them, until its rebuild): raw rows, same verdicts."""
    from web.rollups.models import RollupFigure
    from web.rollups.services import rollup_rebuild

    nation, plan = country
    random_figures(plan, nation, random.Random(4), density=0.8, duties=SUB_YEAR_DUTIES)
    _approve_some(plan, random.Random(4))
    rollup_rebuild(plan=plan)
    RollupFigure.objects.filter(plan=plan).exclude(shape="").filter(period_key__startswith="2024").delete()
    assert_same_as_engine(plan, "2024")
    assert_same_as_engine(plan, PHASE)


@pytest.mark.django_db
@settings(
    max_examples=examples(6), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    shape=st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=2), min_size=1, max_size=2),
    seed=st.integers(0, 10**6),
    steps=st.integers(0, 30),
)
def test_random_sub_year_figures_and_moves_agree(admin, shape, seed, steps):
    """Random trees, sub-year figures and moves: incremental == rebuild == engine, year and phase."""
    from web.rollups.services import rollup_rebuild

    # Each example rolls back: the next one may get the same ids (SQLite) and summary version, so
    # an evaluation cached by the last one would answer for it (the fixture clears once per test).
    cache.clear()
    rng = random.Random(seed)
    with transaction.atomic():
        nation = build_tree(shape)
        plan = plan_for(nation, admin)
        submissions = random_figures(plan, nation, rng, density=0.6, duties=SUB_YEAR_DUTIES)
        for _ in range(steps if submissions else 0):
            submission = rng.choice(submissions)
            move(submission, rng.choice(NEXT[submission.state]))
        incremental = summary_snapshot(plan)
        rollup_rebuild(plan=plan)
        assert summary_snapshot(plan) == incremental
        assert_same_as_engine(plan, "2024")
        assert_same_as_engine(plan, PHASE)
        transaction.set_rollback(True)


def test_no_note_is_about_the_summed_rows(country, settings):
    """The summary's sums by sex, named apart from the total they are already in, gave a district
    hundreds of notes "row 6.1 of 2024-01 (~F|2024-01,…) not counted: one sex only" about units no
    one reported, and named those sums in the reasons; now a sum is never named as a unit."""
    from datetime import date

    from web.dashboards.selectors import core_plan, plan_version_active
    from web.orgs.models import OrgUnit, UnitKind
    from web.rollups.selectors import evaluation_all_units, stored_evaluation, unit_evaluation
    from web.rollups.services import rollup_rebuild
    from web.rollups.verdicts import store_verdicts

    settings.CHITIEU_STORED_VERDICTS = True
    nation, plan = country
    rng = random.Random(5)
    random_figures(plan, nation, rng, density=0.9, duties=SUB_YEAR_DUTIES)
    _approve_some(plan, rng)
    rollup_rebuild(plan=plan)
    store_verdicts(plan.pk)
    core = core_plan(plan_version_active(plan))
    late = date(2030, 1, 1)
    areas = list(OrgUnit.objects.exclude(kind__in=[UnitKind.OFFICE, UnitKind.COMMUNE]).order_by("pk"))
    for period_key in ("2024", PHASE, "2024-Q3"):
        cache.clear()
        judged = [unit_evaluation(plan, core, a, period_key, as_of=late).evaluation for a in areas]
        judged += list(evaluation_all_units(plan=plan, period_key=period_key, as_of=late, full=True).values())
        judged += [
            e
            for a in areas
            if (e := stored_evaluation(plan, core, a, period_key, as_of=late, states=("approved",)))
        ]
        assert len(judged) >= 2 * len(areas)
        for evaluation in judged:
            notes = [*evaluation.issues, *(i for r in evaluation.results for i in r.row_issues)]
            assert not [str(i) for i in notes if "~" in i.message], period_key
            assert not [r.explanation for r in evaluation.results if "~" in r.explanation], period_key


def test_units_leaving_out_different_months_share_one_shape(country):
    """Each commune leaves out another month of a monthly stock: the summary once kept one shape
    per pattern of gaps (a country's were millions of rows, and its load never ended); now the
    units counting with months share one shape by their latest month, and the year's coverage
    still lists every month some unit left out, as the engine on the raw figures does."""
    from datetime import date

    from chitieu.periods import parse_period
    from web.dashboards.selectors import core_plan, plan_version_active
    from web.data.models import Observation, Submission
    from web.orgs.models import OrgUnit, UnitKind
    from web.rollups.models import RollupFigure
    from web.rollups.selectors import unit_evaluation
    from web.rollups.services import rollup_rebuild

    nation, plan = country
    communes = list(OrgUnit.objects.filter(kind=UnitKind.COMMUNE).order_by("pk"))
    assert len(communes) >= 4
    left_out = {commune.pk: f"2024-{n:02d}" for n, commune in enumerate(communes, start=2)}
    for commune in communes:
        for month in MONTHS_2024:
            if month == left_out[commune.pk]:
                continue
            period = parse_period(month)
            submission = Submission.objects.create(
                plan=plan,
                org_unit=commune,
                period_key=month,
                period_start=period.start,
                period_end=period.end,
                state="approved",
            )
            Observation.objects.create(
                submission=submission, indicator_code="3.1", sex="", numerator=3, denominator=10
            )
    rollup_rebuild(plan=plan)
    shapes = set(
        RollupFigure.objects.filter(plan=plan, unit=nation, indicator_code="3.1", sex="")
        .exclude(shape="")
        .values_list("shape", flat=True)
    )
    assert shapes == {"…2024-12"}
    core = core_plan(plan_version_active(plan))
    late = date(2030, 1, 1)
    result = unit_evaluation(plan, core, nation, "2024", as_of=late, states=("approved",))
    result = result.evaluation.result("3.1")
    assert set(result.coverage.missing) == set(left_out.values())
    assert_same_as_engine(plan, "2024")
