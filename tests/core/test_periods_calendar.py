"""Period relations and the Decree 09/2019 reporting calendar."""

from datetime import date

import pytest

from chitieu.periods import (
    DEFAULT_CALENDAR,
    Level,
    PeriodKind,
    ReportingCalendar,
    contains_key,
    is_finer,
    parse_period,
    period_containing,
    sub_periods,
)


def keys(periods):
    return [p.key for p in periods]


def test_sub_periods():
    assert keys(sub_periods("2024", PeriodKind.QUARTER)) == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert keys(sub_periods("2024-H2", PeriodKind.MONTH)) == [f"2024-{m:02d}" for m in range(7, 13)]
    assert keys(sub_periods("2021-2025", PeriodKind.YEAR)) == ["2021", "2022", "2023", "2024", "2025"]
    assert len(sub_periods("2021-2025", "quarter")) == 20
    assert keys(sub_periods("2024-Q3", PeriodKind.QUARTER)) == ["2024-Q3"]
    assert sub_periods("2024-Q3", PeriodKind.YEAR) == ()


def test_containment_and_ordering():
    assert contains_key("2024", "2024-03") and contains_key("2021-2025", "2024-H1")
    assert not contains_key("2024-Q1", "2024-04") and not contains_key("2024", "2020")
    assert is_finer(PeriodKind.MONTH, PeriodKind.QUARTER) and not is_finer(PeriodKind.YEAR, PeriodKind.HALF)
    ordered = sorted(map(parse_period, ["2024-Q2", "2024-04", "2023", "2024", "2024-H1"]))
    # chronological by start, then shortest first
    assert keys(ordered) == ["2023", "2024-H1", "2024", "2024-04", "2024-Q2"]
    assert period_containing(date(2024, 8, 15), PeriodKind.QUARTER).key == "2024-Q3"
    assert period_containing(date(2024, 8, 15), PeriodKind.HALF).key == "2024-H2"


@pytest.mark.parametrize(
    ("key", "start", "end"),
    [
        ("2024", date(2023, 12, 15), date(2024, 12, 14)),  # annual: 15/12 of the previous year → 14/12
        ("2024-H1", date(2023, 12, 15), date(2024, 6, 14)),
        ("2024-H2", date(2024, 6, 15), date(2024, 12, 14)),
        ("2024-Q1", date(2023, 12, 15), date(2024, 3, 14)),  # 15th of the month before the quarter
        ("2024-Q3", date(2024, 6, 15), date(2024, 9, 14)),
        ("2024-01", date(2023, 12, 15), date(2024, 1, 14)),
        ("2024-03", date(2024, 2, 15), date(2024, 3, 14)),
    ],
)
def test_decree_09_windows(key, start, end):
    window = DEFAULT_CALENDAR.window(key)
    assert (window.start, window.end) == (start, end)


def test_deadlines_per_level_and_configurable():
    assert DEFAULT_CALENDAR.deadline("2024", Level.PROVINCE) == date(2024, 12, 25)
    assert DEFAULT_CALENDAR.deadline("2024", Level.DISTRICT) == date(2024, 12, 5)  # early December
    assert DEFAULT_CALENDAR.deadline("2024", Level.COMMUNE) == date(2024, 11, 25)  # late November
    # Quarterly and monthly: lower levels report after the cut-off, before the province.
    for key in ("2024-Q3", "2024-03"):
        window = DEFAULT_CALENDAR.window(key, Level.COMMUNE)
        assert window.end < window.deadline < DEFAULT_CALENDAR.deadline(key, Level.PROVINCE)
    mine = ReportingCalendar(cutoff_day=20, province_deadline_day=28, lead_days=((Level.COMMUNE, 10),))
    assert mine.window("2024").start == date(2023, 12, 21) and mine.window("2024").end == date(2024, 12, 20)
    assert mine.deadline("2024", Level.COMMUNE) == date(2024, 12, 18)
    assert mine.is_late("2024", Level.COMMUNE, date(2024, 12, 19))
    assert not mine.is_late("2024", Level.COMMUNE, date(2024, 12, 18))
