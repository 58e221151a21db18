"""The core is a plain library, and the period keys of the contracts parse."""

import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from chitieu.issues import Severity
from chitieu.periods import PeriodKeyError, PeriodKind, parse_period
from chitieu.plan import (
    Comparator,
    Direction,
    Indicator,
    Measure,
    Objective,
    Plan,
    Target,
    check_plan,
)


def test_core_never_imports_django():
    code = (
        "import sys, chitieu, chitieu.plan, chitieu.periods, chitieu.cli, chitieu.importer\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("key", "kind", "start", "end"),
    [
        ("2024", PeriodKind.YEAR, date(2024, 1, 1), date(2024, 12, 31)),
        ("2021-2025", PeriodKind.PHASE, date(2021, 1, 1), date(2025, 12, 31)),
        ("2024-H2", PeriodKind.HALF, date(2024, 7, 1), date(2024, 12, 31)),
        ("2024-Q1", PeriodKind.QUARTER, date(2024, 1, 1), date(2024, 3, 31)),
        ("2024-02", PeriodKind.MONTH, date(2024, 2, 1), date(2024, 2, 29)),
    ],
)
def test_period_keys_parse(key, kind, start, end):
    period = parse_period(key)
    assert (period.key, period.kind, period.start, period.end) == (key, kind, start, end)


@pytest.mark.parametrize("key", ["", "24", "2024-Q5", "2024-13", "2025-2021", "năm 2024"])
def test_bad_period_keys_are_refused_with_a_message(key):
    with pytest.raises(PeriodKeyError, match="không hợp lệ"):
        parse_period(key)


def test_phase_contains_its_quarters_and_sorting_is_chronological():
    phase, q3, year = parse_period("2021-2025"), parse_period("2024-Q3"), parse_period("2024")
    assert phase.contains(q3) and year.contains(q3) and not q3.contains(year)
    assert sorted([q3, year, phase]) == [phase, year, q3]


def _plan(*targets: Target, direction=Direction.DECREASE) -> Plan:
    indicator = Indicator(
        code="4.3",
        name="Tỷ suất sinh ở vị thành niên",
        measure=Measure.RATE,
        per=1000,
        direction=direction,
        targets=targets,
        lead_units=("Phòng Y tế",),
    )
    return Plan(
        title="t",
        periods=(parse_period("2021-2025"), parse_period("2024")),
        objectives=(Objective("4", "Mục tiêu 4", (indicator,)),),
    )


def test_two_targets_for_one_period_is_an_error():
    plan = _plan(
        Target("2024", Comparator.LE, Decimal(70), "70/1.000"),
        Target("2024", Comparator.LE, Decimal(60), "60/1.000"),
    )
    assert [i.code for i in check_plan(plan) if i.severity is Severity.ERROR] == ["two_targets"]


def test_year_target_looser_than_phase_is_noted_not_refused():
    plan = _plan(
        Target("2021-2025", Comparator.LE, Decimal(55), "55/1.000"),
        Target("2024", Comparator.LE, Decimal(70), "70/1.000"),
    )
    issues = check_plan(plan)
    assert [(i.severity, i.code) for i in issues] == [(Severity.INFO, "year_looser_than_phase")]
