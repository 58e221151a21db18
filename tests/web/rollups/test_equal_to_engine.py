"""Roll-ups give the pure engine's verdicts, for every area, indicator, sex, sub-period and unit."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chitieu.evaluate import evaluate_plan
from tests.web.rollups.conftest import AS_OF, NEXT, build_tree, examples, move, plan_for, random_figures

STATES = {"approved": ("approved",), "provisional": ("submitted", "approved")}
IGNORED = {"sources", "rule", "explanation"}  # wording and provenance, not the figures
PHASE = {"trajectory", "baseline", "progress"}  # left out of the bulk evaluation (full=False)


def comparable(result, leave_out=()) -> dict:
    data = result.as_dict()
    for key in (*IGNORED, *leave_out):
        data.pop(key, None)
    return data


def assert_same_as_engine(plan, period_key: str = "2024", as_of: date | None = None) -> int:
    from web.dashboards.selectors import core_plan, plan_version_active
    from web.orgs.models import OrgUnit, UnitKind
    from web.rollups.selectors import (
        commune_labels,
        evaluation_all_units,
        raw_area_observations,
        unit_evaluation,
    )

    core = core_plan(plan_version_active(plan))
    as_of = as_of or date.fromisoformat(AS_OF)
    checked = 0
    everywhere = {
        (name, full): evaluation_all_units(
            plan=plan, period_key=period_key, as_of=as_of, states=states, full=full, include_communes=True
        )
        for name, states in STATES.items()
        for full in (True, False)
    }
    for area in OrgUnit.objects.exclude(kind=UnitKind.OFFICE).order_by("pk"):
        for name, states in STATES.items():
            raw = raw_area_observations(plan, area, states=states)
            units = commune_labels(area, period_key)
            pure = evaluate_plan(core, raw, period_key, as_of=as_of, units=units)
            mine = unit_evaluation(plan, core, area, period_key, as_of=as_of, states=states).evaluation
            for expected in pure.results:
                got = mine.result(expected.indicator)
                where = (area.name, area.code, states, expected.indicator)
                assert comparable(got) == comparable(expected), where
                full = everywhere[(name, True)][area.pk].result(expected.indicator)
                assert comparable(full) == comparable(expected), where
                # Both read the summary: the same rows, so the same sources too.
                assert full.sources == got.sources, where
                lean = everywhere[(name, False)][area.pk].result(expected.indicator)
                assert comparable(lean, PHASE) == comparable(expected, PHASE), where
                checked += 1
    return checked


def summary_snapshot(plan) -> dict:
    from web.rollups.models import RollupFigure

    fields = ["n_rows", "n_both", "sum_num", "sum_den", "n_values", "sum_value"]
    fields += ["n_count_missing", "sum_count", "n_units"]
    return {
        (f.view, f.unit_id, f.period_key, f.indicator_code, f.sex, f.own, f.shape): tuple(
            getattr(f, n) for n in fields
        )
        for f in RollupFigure.objects.filter(plan=plan)
    }


def test_every_area_equals_the_engine_after_a_rebuild(country):
    from web.data.models import Submission
    from web.rollups.services import rollup_rebuild

    nation, plan = country
    rng = random.Random(7)
    random_figures(plan, nation, rng, density=0.7)
    for submission in Submission.objects.filter(plan=plan):
        submission.state = rng.choice(["draft", "submitted", "approved", "approved", "returned"])
        submission.save(update_fields=["state"])
    assert rollup_rebuild(plan=plan) > 0
    assert assert_same_as_engine(plan) > 100
    assert_same_as_engine(plan, "2024-Q3")
    assert_same_as_engine(plan, "2021-2025")


def test_incremental_updates_equal_a_rebuild(country):
    from web.rollups.services import rollup_rebuild

    nation, plan = country
    rng = random.Random(11)
    submissions = random_figures(plan, nation, rng)
    for _ in range(3):
        for submission in submissions:
            if rng.random() < 0.7:
                move(submission, rng.choice(NEXT[submission.state]))
    incremental = summary_snapshot(plan)
    assert incremental
    rollup_rebuild(plan=plan)
    assert summary_snapshot(plan) == incremental
    assert_same_as_engine(plan)


def test_rebuild_of_one_year_leaves_the_others(country):
    from web.data.models import Submission
    from web.rollups.services import rollup_rebuild

    nation, plan = country
    random_figures(plan, nation, random.Random(3))
    Submission.objects.filter(plan=plan).update(state="approved")
    rollup_rebuild(plan=plan)
    whole = summary_snapshot(plan)
    rollup_rebuild(plan=plan, period_key="2024")
    assert summary_snapshot(plan) == whole


@pytest.mark.django_db
@settings(
    max_examples=examples(8), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    shape=st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=2), min_size=1, max_size=2),
    seed=st.integers(0, 10**6),
    steps=st.integers(0, 40),
)
def test_random_trees_and_moves_agree(admin, shape, seed, steps):
    """Random trees, figures and approve / return / unlock sequences: incremental == rebuild == engine."""
    from web.rollups.services import rollup_rebuild

    # Each example rolls back: the next one may get the same ids (SQLite) and summary version, so
    # an evaluation cached by the last one would answer for it (the fixture clears once per test).
    cache.clear()
    rng = random.Random(seed)
    with transaction.atomic():
        nation = build_tree(shape)
        plan = plan_for(nation, admin)
        submissions = random_figures(plan, nation, rng, density=0.6)
        for _ in range(steps if submissions else 0):
            submission = rng.choice(submissions)
            move(submission, rng.choice(NEXT[submission.state]))
        incremental = summary_snapshot(plan)
        rollup_rebuild(plan=plan)
        assert summary_snapshot(plan) == incremental
        assert_same_as_engine(plan)
        transaction.set_rollback(True)


@pytest.mark.parametrize("duties", ["yearly", "parts of years"])
def test_an_office_of_an_office_counts_once_in_its_district(admin, duties):
    """An office may sit under another office (a team of a department): its figures are its
    district's own, as the engine reads them, not a unit below the district counted again."""
    from chitieu.names import name_key
    from tests.web.rollups.conftest import DUTIES, SUB_YEAR_DUTIES
    from web.data.models import Submission
    from web.orgs.models import OrgUnit, UnitKind
    from web.rollups.services import rollup_rebuild, unit_closure_refresh

    nation = build_tree([[2, 1]])
    for office in OrgUnit.objects.filter(kind=UnitKind.OFFICE).order_by("pk"):
        name = "Tổ công tác bình đẳng giới"
        team = OrgUnit.objects.create(
            name=name, name_key=name_key(name), kind=UnitKind.OFFICE, parent=office, code=f"{office.code}-T"
        )
        group = "Nhóm"
        OrgUnit.objects.create(
            name=group, name_key=name_key(group), kind=UnitKind.OFFICE, parent=team, code=f"{office.code}-TN"
        )
    unit_closure_refresh()
    plan = plan_for(nation, admin)
    chosen = DUTIES if duties == "yearly" else SUB_YEAR_DUTIES
    random_figures(plan, nation, random.Random(3), density=0.9, duties=chosen)
    Submission.objects.filter(plan=plan).update(state="approved")
    rollup_rebuild(plan=plan)
    assert assert_same_as_engine(plan) > 50
    assert_same_as_engine(plan, "2021-2025")
