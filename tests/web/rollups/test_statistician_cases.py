"""Issue 19 through the web roll-ups: the SQL path agrees with the engine on the hand-computed cases.

Each case is stored as approved submissions, the summary is rebuilt, and the district's
verdict read from the roll-ups is checked against the arithmetic, then every area against
the pure engine on all raw figures (``assert_same_as_engine``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from chitieu.evaluate import Status
from tests.web.rollups.test_cases import _report, _units
from tests.web.rollups.test_equal_to_engine import assert_same_as_engine

AS_OF = date(2025, 2, 10)


def _district_result(plan, district, code):
    from web.dashboards.selectors import core_plan, plan_version_active
    from web.rollups.selectors import evaluation_all_units, unit_evaluation
    from web.rollups.services import rollup_rebuild

    rollup_rebuild(plan=plan)
    assert_same_as_engine(plan, as_of=AS_OF)
    core = core_plan(plan_version_active(plan))
    one = unit_evaluation(plan, core, district, "2024", as_of=AS_OF).evaluation.result(code)
    every = evaluation_all_units(plan=plan, period_key="2024", as_of=AS_OF)[district.pk].result(code)
    assert (every.actual, every.status, every.coverage) == (one.actual, one.status, one.coverage)
    return one


def test_a_yearly_commune_and_a_quarterly_one_both_count(country):
    _nation, plan = country
    first, second = _units("commune")[:2]  # the two communes of district 1
    _report(plan, first, "2024", "3.2a", "", 6, 10)
    for q in range(1, 5):
        _report(plan, second, f"2024-Q{q}", "3.2a", "", 0, 4)
    r = _district_result(plan, first.parent, "3.2a")
    # 6 ÷ (10 + 4 × 4) = 6 ÷ 26 = 23,08 % (before: the yearly row alone, 6 ÷ 10 = 60 %)
    assert (r.numerator, r.denominator, round(r.actual, 2)) == (6, 26, Decimal("23.08"))
    assert r.status is Status.NOT_ACHIEVED and r.complete


def test_a_stock_is_each_communes_latest_quarter(country):
    _nation, plan = country
    first, second = _units("commune")[:2]
    for q, n in zip(range(1, 5), (6, 6, 5, 7), strict=True):
        _report(plan, first, f"2024-Q{q}", "1.1", "", n, 10)
    for q, n in zip(range(1, 4), (2, 3, 4), strict=True):
        _report(plan, second, f"2024-Q{q}", "1.1", "", n, 10)
    r = _district_result(plan, first.parent, "1.1")
    # end-of-year position: 7 of 10 (first, Q4) + 4 of 10 (second, Q3, its latest) = 11 ÷ 20 = 55 %
    # (before: every quarter summed, 33 ÷ 70 = 47,14 %); the second's Q4 is missing: provisional
    assert (r.numerator, r.denominator, r.actual) == (11, 20, 55)
    assert r.coverage.as_dict() == {"expected": 4, "received": 3, "missing": ["2024-Q4"]}
    assert r.provisional and r.status is Status.NOT_ACHIEVED


def test_a_silent_commune_keeps_the_district_from_meeting(country):
    _nation, plan = country
    communes = _units("commune")[2:5]  # the three communes of district 2
    for commune in communes[:2]:
        for q in range(1, 5):
            _report(plan, commune, f"2024-Q{q}", "6.3", "", value=3)
    r = _district_result(plan, communes[0].parent, "6.3")
    # 2 of 3 communes gave 3 items every quarter; the third is silent: not "100 %, achieved"
    assert r.status is Status.NO_DATA and r.units_meeting_share * 3 == 200
    assert len(r.units_without_data) == 1 and r.coverage.received == 8 and r.coverage.expected == 12


def test_no_victim_returned_is_not_arisen(country):
    _nation, plan = country
    office = _units("office")[0]
    _report(plan, office, "2024", "3.3", "", 0, 0)
    r = _district_result(plan, office.parent, "3.3")
    assert r.status is Status.NOT_ARISEN
