"""What every area's evaluation reads (``evaluation_all_units``, ``store_inputs``): the communes read
as names, not model objects, and the same communes and rows for each area and period as the area's
own evaluation reads.

A country's evaluation of every area for a year took 5 s, half of it reading (bench/LOAD-PROFILE.md,
session 15); among it, the 10,000 communes made into model objects."""

from __future__ import annotations

import random

import pytest
from django.db.models.signals import post_init

from tests.web.rollups.conftest import build_tree, plan_for, random_figures
from tests.web.rollups.test_reorganisation_rollups import DECISION, _figure
from web.dashboards.selectors import core_plan, plan_version_active
from web.data.models import Submission
from web.orgs.models import OrgUnit, UnitKind
from web.reorg.services import reorganisation_apply
from web.rollups.selectors import (
    APPROVED_STATES,
    _commune_observations,
    _communes_by_area,
    _per_unit_codes,
    communes_in,
    unit_label,
)


@pytest.fixture
def reported(admin):
    nation = build_tree([[2, 3], [1]])
    plan = plan_for(nation, admin)
    random_figures(plan, nation, random.Random(11), density=0.8)
    Submission.objects.filter(plan=plan).update(state="approved")
    return plan


def test_every_areas_communes_are_read_without_a_model_object_each(reported):
    made = []

    def count(sender, instance, **kwargs):
        made.append(instance)

    core = core_plan(plan_version_active(reported))
    post_init.connect(count, sender=OrgUnit)
    try:
        found = _communes_by_area(reported, core, ["2024", "2024-Q1"], states=APPROVED_STATES)
    finally:
        post_init.disconnect(count, sender=OrgUnit)
    assert found["2024"].labels  # the communes were read...
    assert made == []  # ...as names and dates


def test_the_communes_read_once_are_those_each_area_and_period_reads(admin):
    """Before, across and after a reorganisation (merged, split, renamed, moved communes; names that
    repeat in other districts): per area and period, the communes and their per-unit rows, in the
    order ``communes_in`` and ``_commune_observations`` give them."""
    nation = build_tree([[2, 3], [1]])
    plan = plan_for(nation, admin)
    _figure.plan = plan
    random_figures(plan, nation, random.Random(5), density=0.7)
    old = {u.code: u for u in OrgUnit.objects.exclude(code="")}
    for n, code in enumerate(("10101", "10102", "10201", "10202", "10203", "20101"), start=1):
        _figure(old[code], "2025-Q1", "6.3", n % 4, None)
        _figure(old[code], "2025-04", "6.3", n % 3, None)
    reorganisation_apply(actor=admin, data=DECISION.encode(), source_name="nq-2025.csv")
    new = {u.code: u for u in OrgUnit.objects.exclude(code="").filter(valid_to__isnull=True)}
    for n, code in enumerate(("19001", "19011", "19012", "10202", "10203", "20101"), start=1):
        _figure(new[code], "2025-Q3", "6.3", n % 3 + 2, None)
        _figure(new[code], "2025-Q4", "6.3", n % 2 + 3, None)
    Submission.objects.filter(plan=plan).update(state="approved")
    core = core_plan(plan_version_active(plan))
    periods = ["2024", "2024-Q1", "2025-Q1", "2025-Q3", "2025", "2021-2025"]
    found = _communes_by_area(plan, core, periods, states=APPROVED_STATES)
    areas = OrgUnit.objects.filter(kind__in=[UnitKind.NATION, UnitKind.PROVINCE, UnitKind.DISTRICT])
    checked = 0
    for period_key in periods:
        for area in areas:
            labels = [unit_label(c) for c in communes_in(area, period_key)]
            assert found[period_key].labels.get(area.pk, []) == labels, (period_key, area.code)
            rows = _commune_observations(
                plan, area, _per_unit_codes(core), period_key, states=APPROVED_STATES
            )
            assert found[period_key].rows.get(area.pk, []) == rows, (period_key, area.code)
            checked += len(rows)
    assert checked
