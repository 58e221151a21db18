"""Reporting periods: keys such as ``2024``, ``2024-H1``, ``2024-Q3``, ``2024-03``, ``2021-2025``.

A period is identified by its key everywhere (CSV files, JSON, the database),
so the key grammar is the contract; ``Period`` is the parsed form.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta
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


# ASCII digits only: "２０２４" or "٢٠٢٤" would make keys that look equal and are not.
_YEAR = re.compile(r"^(\d{4})$", re.ASCII)
_PHASE = re.compile(r"^(\d{4})\s*[-–—]\s*(\d{4})$", re.ASCII)
_HALF = re.compile(r"^(\d{4})-H([12])$", re.IGNORECASE | re.ASCII)
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE | re.ASCII)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
# Years a plan can speak of; outside them date arithmetic (year 0, "the year before 0001") breaks.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def _year(digits: str, key: str) -> int:
    year = int(digits)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodKeyError(f"kỳ báo cáo không hợp lệ: {key!r} (năm phải từ {FIRST_YEAR} đến {LAST_YEAR})")
    return year


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _months(year: int, first: int, last: int) -> tuple[date, date]:
    return date(year, first, 1), _month_end(year, last)


@functools.lru_cache(maxsize=8192)  # keys repeat in every row; Period is immutable
def parse_period(key: str) -> Period:
    """Parse a period key; raise ``PeriodKeyError`` with a readable message otherwise."""
    text = key.strip()
    if m := _YEAR.match(text):
        year = _year(m[1], key)
        return Period(date(year, 1, 1), date(year, 12, 31), text, PeriodKind.YEAR)
    if m := _PHASE.match(text):
        first, last = _year(m[1], key), _year(m[2], key)
        if last <= first:
            raise PeriodKeyError(f"giai đoạn không hợp lệ: {key!r} (năm cuối phải sau năm đầu)")
        return Period(date(first, 1, 1), date(last, 12, 31), f"{first}-{last}", PeriodKind.PHASE)
    if m := _HALF.match(text):
        year, half = _year(m[1], key), int(m[2])
        start, end = _months(year, 6 * half - 5, 6 * half)
        return Period(start, end, f"{year}-H{half}", PeriodKind.HALF)
    if m := _QUARTER.match(text):
        year, quarter = _year(m[1], key), int(m[2])
        start, end = _months(year, 3 * quarter - 2, 3 * quarter)
        return Period(start, end, f"{year}-Q{quarter}", PeriodKind.QUARTER)
    if (m := _MONTH.match(text)) and 1 <= int(m[2]) <= 12:
        year, month = _year(m[1], key), int(m[2])
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


# ------------------------------------------------------------ relations


_KIND_RANK = {
    PeriodKind.PHASE: 0,
    PeriodKind.YEAR: 1,
    PeriodKind.HALF: 2,
    PeriodKind.QUARTER: 3,
    PeriodKind.MONTH: 4,
}


def is_finer(kind: PeriodKind, than: PeriodKind) -> bool:
    """A month is finer than a quarter, a quarter than a year, and so on."""
    return _KIND_RANK[kind] > _KIND_RANK[than]


@functools.lru_cache(maxsize=65536)  # the engine asks it of every distinct key in an area's rows, per area
def contains_key(outer: str, inner: str) -> bool:
    return parse_period(outer).contains(parse_period(inner))


def sub_periods(period: Period | str, kind: PeriodKind) -> tuple[Period, ...]:
    """The periods of ``kind`` that tile ``period`` (the quarters of a year, the years of a phase…).

    Empty when ``kind`` is coarser than ``period``; ``(period,)`` when it is the same kind.
    """
    outer = parse_period(period) if isinstance(period, str) else period
    kind = PeriodKind(kind)
    if kind is outer.kind:
        return (outer,)  # this very period, not an equal one kept from before
    return _finer_periods(outer, kind)


@functools.lru_cache(maxsize=4096)  # the engine asks for the same few, for every area and indicator
def _finer_periods(outer: Period, kind: PeriodKind) -> tuple[Period, ...]:
    if not is_finer(kind, outer.kind):
        return ()
    keys: list[str] = []
    for year in outer.years:
        if kind is PeriodKind.YEAR:
            keys.append(str(year))
        elif kind is PeriodKind.HALF:
            keys += [f"{year}-H{h}" for h in (1, 2)]
        elif kind is PeriodKind.QUARTER:
            keys += [f"{year}-Q{q}" for q in (1, 2, 3, 4)]
        else:
            keys += [f"{year}-{m:02d}" for m in range(1, 13)]
    return tuple(p for p in map(parse_period, keys) if outer.contains(p))


def period_containing(day: date, kind: PeriodKind) -> Period:
    """The period of ``kind`` that a day falls in (not for phases, which have no fixed length)."""
    if kind is PeriodKind.YEAR:
        return parse_period(str(day.year))
    if kind is PeriodKind.HALF:
        return parse_period(f"{day.year}-H{1 if day.month <= 6 else 2}")
    if kind is PeriodKind.QUARTER:
        return parse_period(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    if kind is PeriodKind.MONTH:
        return parse_period(f"{day.year}-{day.month:02d}")
    raise ValueError("a phase has no fixed length: use sub_periods on the plan's phase")


def elapsed(period: Period, as_of: date) -> bool:
    """True when the period has ended on or before ``as_of``."""
    return period.end <= as_of


# ------------------------------------------------------ reporting calendar


class Level(StrEnum):
    """Administrative level of the unit that sends a report."""

    PROVINCE = "province"  # cấp tỉnh
    DISTRICT = "district"  # cấp huyện
    COMMUNE = "commune"  # cấp xã


@dataclass(frozen=True)
class ReportingWindow:
    """The figures a periodic report covers (thời gian chốt số liệu) and when it is due."""

    period: str
    start: date
    end: date
    deadline: date
    level: Level

    def as_dict(self) -> dict[str, str]:
        return {
            "period": self.period,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "deadline": self.deadline.isoformat(),
            "level": self.level.value,
        }


def _shift_months(day: int, year: int, month: int, months: int) -> date:
    index = year * 12 + (month - 1) + months
    y, m = divmod(index, 12)
    return date(y, m + 1, min(day, calendar.monthrange(y, m + 1)[1]))


@dataclass(frozen=True)
class ReportingCalendar:
    """Decree 09/2019/NĐ-CP cut-off windows and deadlines; every number can be set per plan.

    Defaults: the window runs from the day after ``cutoff_day`` of the month before the
    period to ``cutoff_day`` of its last month (annual: 15/12 of the previous year to
    14/12). Provinces report by ``province_deadline_day`` of the period's last month.
    Lower levels report earlier so the level above can compile; the lead times are
    inferred (districts early December, communes late November for the annual report);
    for quarterly and monthly reports the lower levels get ``short_lead_days`` instead,
    so that their deadline still falls after the cut-off.
    """

    cutoff_day: int = 14
    province_deadline_day: int = 25
    lead_days: tuple[tuple[Level, int], ...] = (
        (Level.PROVINCE, 0),
        (Level.DISTRICT, 20),  # 25/12 - 20 days = 05/12
        (Level.COMMUNE, 30),  # 25/12 - 30 days = 25/11
    )
    short_lead_days: tuple[tuple[Level, int], ...] = (
        (Level.PROVINCE, 0),
        (Level.DISTRICT, 5),  # 20th of the last month
        (Level.COMMUNE, 10),  # 15th: the day after the cut-off
    )

    def window(self, period: Period | str, level: Level = Level.PROVINCE) -> ReportingWindow:
        p = parse_period(period) if isinstance(period, str) else period
        start = _shift_months(self.cutoff_day + 1, p.start.year, p.start.month, -1)
        end = _shift_months(self.cutoff_day, p.end.year, p.end.month, 0)
        return ReportingWindow(p.key, start, end, self.deadline(p, level), level)

    def deadline(self, period: Period | str, level: Level = Level.PROVINCE) -> date:
        p = parse_period(period) if isinstance(period, str) else period
        province = _shift_months(self.province_deadline_day, p.end.year, p.end.month, 0)
        short = p.kind in (PeriodKind.QUARTER, PeriodKind.MONTH)
        leads = dict(self.short_lead_days if short else self.lead_days)
        return province - timedelta(days=leads.get(Level(level), 0))

    def is_late(self, period: Period | str, level: Level, submitted: date) -> bool:
        return submitted > self.deadline(period, level)


DEFAULT_CALENDAR = ReportingCalendar()


@functools.lru_cache(maxsize=4096)  # an annex names the same few periods on thousands of rows
def period_label(key: str) -> str:
    """The Vietnamese name of a period, as people write it: the one formatter every output uses.

    "2024-Q3" → "Quý 3/2024", "2024-10" → "Tháng 10/2024", "2024-H1" → "6 tháng đầu năm 2024",
    "2024" → "Năm 2024", "2021-2025" → "Giai đoạn 2021–2025". A text that is not a key is returned as is.
    """
    try:
        period = parse_period(key)
    except PeriodKeyError:
        return key
    year = period.start.year
    if period.kind is PeriodKind.QUARTER:
        return f"Quý {key[-1]}/{year}"
    if period.kind is PeriodKind.MONTH:
        return f"Tháng {period.start.month}/{year}"
    if period.kind is PeriodKind.HALF:
        return f"6 tháng {'đầu' if key[-1] == '1' else 'cuối'} năm {year}"
    if period.kind is PeriodKind.YEAR:
        return f"Năm {year}"
    return f"Giai đoạn {period.start.year}–{period.end.year}"


# A period key inside a sentence ("kỳ thiếu số liệu: 2024-06, 2024-10"), not inside a date or a number;
# a range written with a dash ("2021–2024") is a span of years, not a key.
_KEY_IN_TEXT = re.compile(
    r"(?<![\d/.-])(\d{4}-(?:Q[1-4]|H[12]|0[1-9]|1[0-2])|\d{4}-\d{4})(?![\d/-]|[.,]\d)", re.ASCII
)
_PHASE_WORD = re.compile(r"giai đoạn\s*$", re.IGNORECASE)


def name_periods(text: str) -> str:
    """Every period key written inside ``text`` replaced by its name: "2024-Q3" → "Quý 3/2024"."""

    def named(found: re.Match) -> str:
        key = found[1]
        try:
            period = parse_period(key)
        except PeriodKeyError:
            return key
        if period.kind is PeriodKind.PHASE and _PHASE_WORD.search(found.string[: found.start()]):
            return f"{period.start.year}–{period.end.year}"  # "giai đoạn 2021-2025": the word is there
        return period_label(key)

    return _KEY_IN_TEXT.sub(named, text or "")


def period_words(key: str) -> str:
    """``period_label`` inside a sentence: "giai đoạn 2021–2025", "quý 3/2024", "năm 2024"."""
    label = period_label(key)
    return label[:1].lower() + label[1:] if label != key else key
