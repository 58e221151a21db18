"""Named cases the random tests may not hit: one sex per unit, offices, per-unit counts, missing data."""

from __future__ import annotations

from decimal import Decimal

from chitieu.evaluate import Status
from chitieu.periods import parse_period
from tests.web.rollups.test_equal_to_engine import assert_same_as_engine


def _report(
    plan, unit, period_key, code, sex, numerator=None, denominator=None, value=None, state="approved"
):
    from web.data.models import Observation, Submission

    period = parse_period(period_key)
    submission, _ = Submission.objects.get_or_create(
        plan=plan,
        org_unit=unit,
        period_key=period_key,
        defaults={"period_start": period.start, "period_end": period.end, "state": state},
    )
    Observation.objects.create(
        submission=submission,
        indicator_code=code,
        sex=sex,
        numerator=None if numerator is None else Decimal(numerator),
        denominator=None if denominator is None else Decimal(denominator),
        value=None if value is None else Decimal(value),
    )


def _units(kind):
    from web.orgs.models import OrgUnit

    return list(OrgUnit.objects.filter(kind=kind).order_by("pk"))


def test_girls_of_one_district_and_boys_of_another_make_no_total(country):
    from web.rollups.selectors import unit_evaluation
    from web.rollups.services import rollup_rebuild

    _nation, plan = country
    office_a, office_b = _units("office")[:2]  # two districts of province 1
    _report(plan, office_a, "2024", "5.2a", "F", 50, 100)
    _report(plan, office_b, "2024", "5.2a", "M", 100, 100)
    rollup_rebuild(plan=plan)
    assert_same_as_engine(plan)
    from web.dashboards.selectors import core_plan, plan_version_active

    core = core_plan(plan_version_active(plan))
    province = office_a.parent.parent
    result = unit_evaluation(
        plan, core, province, "2024", as_of=parse_period("2025").start
    ).evaluation.result("5.2a")
    assert result.actual is None  # no unit gave both sexes: no total
    assert [p.actual for p in result.by_sex] == [Decimal(50), Decimal(100)]
    assert result.status is Status.NOT_ACHIEVED


def test_an_office_reports_for_its_district_and_a_district_row_outranks_the_communes(country):
    from web.dashboards.selectors import core_plan, plan_version_active
    from web.rollups.selectors import unit_evaluation
    from web.rollups.services import rollup_rebuild

    nation, plan = country
    office = _units("office")[0]
    district = office.parent
    communes = [u for u in _units("commune") if u.parent_id == district.pk]
    _report(plan, office, "2024", "2.1", "", 60, 100)
    for commune in communes:
        _report(plan, commune, "2024", "2.1", "", 1, 100)
        _report(plan, commune, "2024-Q1", "6.3", "", value=3)
        _report(plan, commune, "2024-Q2", "6.3", "", value=2 if commune == communes[0] else 4)
    _report(plan, communes[-1], "2024-Q3", "6.3", "", value=None)  # sent without a count
    rollup_rebuild(plan=plan)
    assert_same_as_engine(plan)
    core = core_plan(plan_version_active(plan))
    as_of = parse_period("2025").start
    here = unit_evaluation(plan, core, district, "2024", as_of=as_of).evaluation
    assert here.result("2.1").actual == Decimal(60)  # the office's figure is the district's
    assert here.result("6.3").status is Status.NOT_ACHIEVED
    nation_result = unit_evaluation(plan, core, nation, "2024", as_of=as_of).evaluation.result("2.1")
    # The engine's flat rule (as the dashboards always used it): only the area's own row outranks
    # the figures below it; below the nation, the district's row and its communes' are all summed.
    assert nation_result.actual == (Decimal(62) * 100 / Decimal(300)).quantize(Decimal("0.000001"))
