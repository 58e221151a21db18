"""Reporting periods: keys such as ``2024``, ``2024-H1``, ``2024-Q3``, ``2024-03``, ``2021-2025``.

A period is identified by its key everywhere (CSV files, JSON, the database),
so the key grammar is the contract; ``Period`` is the parsed form.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PeriodKind(StrEnum):
    PHASE = "phase"  # "Giai đoạn 2021-2025": several whole years
    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"


class PeriodKeyError(ValueError):
    """A text that is not a period key; the message is meant for users."""


@dataclass(frozen=True, order=True)
class Period:
    # Field order makes sorting chronological (then shortest-first for equal starts).
    start: date
    end: date
    key: str
    kind: PeriodKind

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    @property
    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)

    def as_dict(self) -> dict[str, str]:
        return {
            "key": self.key,
            "kind": self.kind.value,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


_YEAR = re.compile(r"^(\d{4})$")
_PHASE = re.compile(r"^(\d{4})\s*[-–—]\s*(\d{4})$")
_HALF = re.compile(r"^(\d{4})-H([12])$", re.IGNORECASE)
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _months(year: int, first: int, last: int) -> tuple[date, date]:
    return date(year, first, 1), _month_end(year, last)


def parse_period(key: str) -> Period:
    """Parse a period key; raise ``PeriodKeyError`` with a readable message otherwise."""
    text = key.strip()
    if m := _YEAR.match(text):
        year = int(m[1])
        return Period(date(year, 1, 1), date(year, 12, 31), text, PeriodKind.YEAR)
    if m := _PHASE.match(text):
        first, last = int(m[1]), int(m[2])
        if last <= first:
            raise PeriodKeyError(f"giai đoạn không hợp lệ: {key!r} (năm cuối phải sau năm đầu)")
        return Period(date(first, 1, 1), date(last, 12, 31), f"{first}-{last}", PeriodKind.PHASE)
    if m := _HALF.match(text):
        year, half = int(m[1]), int(m[2])
        start, end = _months(year, 6 * half - 5, 6 * half)
        return Period(start, end, f"{year}-H{half}", PeriodKind.HALF)
    if m := _QUARTER.match(text):
        year, quarter = int(m[1]), int(m[2])
        start, end = _months(year, 3 * quarter - 2, 3 * quarter)
        return Period(start, end, f"{year}-Q{quarter}", PeriodKind.QUARTER)
    if (m := _MONTH.match(text)) and 1 <= int(m[2]) <= 12:
        year, month = int(m[1]), int(m[2])
        start, end = _months(year, month, month)
        return Period(start, end, f"{year}-{month:02d}", PeriodKind.MONTH)
    raise PeriodKeyError(
        f"kỳ báo cáo không hợp lệ: {key!r} (dùng 2024, 2024-H1, 2024-Q3, 2024-03 hoặc 2021-2025)"
    )


def is_period_key(key: str) -> bool:
    try:
        parse_period(key)
    except PeriodKeyError:
        return False
    return True
