"""Dates typed the Vietnamese way (day first), whatever the browser's language."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chitieu.dates import day_text, parse_day


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/12/2026", date(2026, 12, 3)),
        ("3/12/2026", date(2026, 12, 3)),
        (" 03.12.2026 ", date(2026, 12, 3)),
        ("03-12-2026", date(2026, 12, 3)),
        ("2026-12-03", date(2026, 12, 3)),
        ("12/03/2026", date(2026, 3, 12)),  # day first: never read as 3 December
        ("31/02/2024", None),
        ("2026-13-01", None),
        ("hôm nay", None),
        ("", None),
    ],
)
def test_day_first_or_iso(text, expected):
    assert parse_day(text) == expected


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)))
def test_what_is_written_reads_back(day):
    assert parse_day(day_text(day)) == day
