"""The plan: objectives, indicators, targets per period and lead units.

Immutable values: readers build a ``Plan`` once, every other part only reads
it. Measures, directions and comparators are closed sets so that each rule
("is this better than the target?") can be written once for all of them.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from chitieu.issues import Issue, Severity
from chitieu.names import name_key
from chitieu.periods import Period, PeriodKind


class Measure(StrEnum):
    PERCENT = "percent"  # value in %, numerator ÷ denominator × 100
    RATE = "rate"  # per ``per`` (1.000, 100.000): deaths per 100.000 live births
    RATIO = "ratio"  # X per ``per`` Y: boys per 100 girls
    TIMES = "times"  # "lần": a plain quotient
    COUNT = "count"  # items per ``per_period``: "03 tin, bài/quý"


class Direction(StrEnum):
    INCREASE = "increase"  # "Tăng", "ít nhất", "trên", "đạt": higher is better
    DECREASE = "decrease"  # "Giảm", "dưới", "không vượt quá": lower is better
    MAINTAIN = "maintain"  # "Duy trì": stay at the level


class Comparator(StrEnum):
    GE = ">="
    LE = "<="
    EQ = "=="


class CountPeriod(StrEnum):
    MONTH = "month"  # "/tháng"
    QUARTER = "quarter"  # "/quý"
    YEAR = "year"  # "/năm"


class Aggregation(StrEnum):
    """How a year (or a phase) is made from its sub-periods and its units (issue 19).

    - ``flow``: events of the period (people detected and supported, births, deaths):
      numerators and denominators add up over quarters and units;
    - ``stock``: a position at the end of the period (agencies with a woman leader,
      women directors, facilities running the work): a year given by quarters is its
      latest quarter, never the sum of four;
    - ``running_total``: a cumulative figure (people reached so far): the latest value;
    - ``rate``: events over a population (births per 1.000 women aged 15–19): the events
      add up over the sub-periods, the population is the latest one, not a sum;
    - ``per_unit``: a threshold every unit must meet in every sub-period (6.3).
    """

    FLOW = "flow"
    STOCK = "stock"
    RUNNING_TOTAL = "running_total"
    RATE = "rate"
    PER_UNIT = "per_unit"


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"


# What the numerator ÷ denominator is multiplied by, per measure.
def measure_factor(measure: Measure, per: int | None) -> Decimal:
    if measure is Measure.PERCENT:
        return Decimal(100)
    if measure in (Measure.RATE, Measure.RATIO):
        return Decimal(per or 1)
    return Decimal(1)


@dataclass(frozen=True)
class Target:
    period: str  # a period key of the plan: "2021-2025", "2024"
    comparator: Comparator
    value: Decimal
    text: str  # the cell as written: "31.6/100.000 trẻ"


@dataclass(frozen=True)
class Indicator:
    code: str  # as written ("2.1"), or derived ("1.1", "3.2a")
    name: str
    measure: Measure
    direction: Direction
    targets: tuple[Target, ...]
    lead_units: tuple[str, ...]
    per: int | None = None  # for rate and ratio: 1000, 100000, 100
    per_period: CountPeriod | None = None  # for counts: items per month/quarter/year
    unit_label: str = ""  # "%", "lần", "/100.000 trẻ", "tin, bài/quý"
    by_sex: bool = False  # "trẻ em trai và trẻ em gái": judged for each sex
    # A threshold every reporting unit must meet ("100% các xã ... mỗi quý có ít
    # nhất 03 tin"): the plan-level target is the share of units meeting it.
    per_unit: bool = False
    unit_share: Decimal | None = None  # required share of units, in %
    needs_review: bool = False
    source: str = ""  # where it was read: "line 12", "row 9"
    # How sub-periods and units combine; None: inferred from the wording (``aggregation_of``).
    aggregation: Aggregation | None = None

    @property
    def factor(self) -> Decimal:
        return measure_factor(self.measure, self.per)

    def target_for(self, period_key: str) -> Target | None:
        return next((t for t in self.targets if t.period == period_key), None)


@dataclass(frozen=True)
class Objective:
    code: str
    title: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Plan:
    title: str
    periods: tuple[Period, ...]
    objectives: tuple[Objective, ...]
    subtitle: str = ""  # "(Kèm theo Kế hoạch số /KH-UBND, ngày / /2024 ...)"
    source_name: str = ""
    issues: tuple[Issue, ...] = field(default=(), compare=False)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for o in self.objectives for i in o.indicators)

    def indicator(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)

    def period(self, key: str) -> Period | None:
        return next((p for p in self.periods if p.key == key), None)

    @property
    def phase(self) -> Period | None:
        return next((p for p in self.periods if p.kind is PeriodKind.PHASE), None)

    @property
    def lead_units(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for indicator in self.indicators:
            seen.update(dict.fromkeys(indicator.lead_units))
        return tuple(seen)


_FLOW_WORDS = (
    "duoc phat hien",
    "nguoi bi bao luc",
    "nguoi gay bao luc",
    "tuyen moi",
    "sinh ra song",
    "khi sinh",
    "tu vong",
    "tro ve",
    "nan nhan",
)
_RUNNING_WORDS = ("duoc tiep can kien thuc", "duoc pho bien", "cap nhat thong tin")
_WOMEN_WORDS = ("nu", "phu nu")


def _words(text: str) -> str:
    return f" {name_key(text)} "


def infer_aggregation(indicator: Indicator) -> Aggregation:
    """The aggregation kind the plan's wording suggests (the review screen may change it).

    A threshold for every unit is ``per_unit``; counts per month or quarter and events
    ("được phát hiện", "tuyển mới", "sinh ra sống", "tử vong", "trở về") are flows; a
    "tỷ suất" per 1.000 is a rate over a population; people or organisations "được tiếp
    cận kiến thức", "được phổ biến" are running totals; any other share is a position
    at the end of the period (stock)."""
    words = _words(indicator.name)
    if indicator.per_unit:
        return Aggregation.PER_UNIT
    if indicator.measure is Measure.COUNT:
        return Aggregation.FLOW
    if any(f" {w} " in words for w in _FLOW_WORDS):
        return Aggregation.FLOW
    if indicator.measure is Measure.RATE and " ty suat " in words:
        return Aggregation.RATE
    if any(f" {w} " in words for w in _RUNNING_WORDS):
        return Aggregation.RUNNING_TOTAL
    return Aggregation.STOCK


def aggregation_of(indicator: Indicator) -> Aggregation:
    return indicator.aggregation or infer_aggregation(indicator)


def about_women(indicator: Indicator) -> bool:
    """A share of women (1.1, 2.1–2.3, 5.3): a row tagged F is the indicator itself."""
    if indicator.by_sex or indicator.measure is not Measure.PERCENT:
        return False
    return _names_women(indicator.name)


@functools.lru_cache(maxsize=4096)  # asked for every indicator of every area, and every summary row
def _names_women(name: str) -> bool:
    words = _words(name)
    return any(f" {w} " in words for w in _WOMEN_WORDS)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def indicator_as_dict(indicator: Indicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "name": indicator.name,
        "measure": indicator.measure.value,
        "per": indicator.per,
        "per_period": indicator.per_period.value if indicator.per_period else None,
        "direction": indicator.direction.value,
        "unit": indicator.unit_label,
        "by_sex": indicator.by_sex,
        "per_unit": indicator.per_unit,
        "unit_share": _number(indicator.unit_share) if indicator.unit_share is not None else None,
        "targets": [
            {
                "period": t.period,
                "comparator": t.comparator.value,
                "value": _number(t.value),
                "text": t.text,
            }
            for t in indicator.targets
        ],
        "lead_units": list(indicator.lead_units),
        "needs_review": indicator.needs_review,
        "aggregation": aggregation_of(indicator).value,
    }


def plan_as_dict(plan: Plan, issues: list[Issue] | tuple[Issue, ...] = ()) -> dict[str, Any]:
    """The JSON document of docs/interfaces.md §2."""
    return {
        "title": plan.title,
        "subtitle": plan.subtitle,
        "periods": [p.as_dict() for p in plan.periods],
        "objectives": [
            {
                "code": o.code,
                "title": o.title,
                "indicators": [indicator_as_dict(i) for i in o.indicators],
            }
            for o in plan.objectives
        ],
        "issues": [i.as_dict() for i in issues],
    }


# ---------------------------------------------------------------- consistency


def _looser(direction: Direction, year: Decimal, phase: Decimal) -> bool:
    if direction is Direction.DECREASE:
        return year > phase
    if direction is Direction.INCREASE:
        return year < phase
    return False


def check_plan(plan: Plan) -> list[Issue]:
    """Consistency checks over a read plan; returns issues, never raises."""
    issues: list[Issue] = []
    known = {p.key for p in plan.periods}
    codes = Counter(i.code for i in plan.indicators)
    issues += [
        Issue(Severity.ERROR, f"row {code}", f"mã chỉ tiêu {code} xuất hiện {n} lần", "duplicate_code")
        for code, n in codes.items()
        if n > 1
    ]
    for indicator in plan.indicators:
        issues += _check_indicator(indicator, known, plan.phase)
    return issues


def _check_indicator(indicator: Indicator, known: set[str], phase: Period | None) -> list[Issue]:
    where = f"row {indicator.code}"
    issues: list[Issue] = []
    per_period = Counter(t.period for t in indicator.targets)
    for key, n in per_period.items():
        if n > 1:
            issues.append(Issue(Severity.ERROR, where, f"có {n} chỉ tiêu cho cùng kỳ {key}", "two_targets"))
        if key not in known:
            issues.append(Issue(Severity.ERROR, where, f"kỳ {key} không có trong kế hoạch", "unknown_period"))
    if not indicator.lead_units:
        issues.append(Issue(Severity.WARNING, where, "chưa có đơn vị chủ trì", "no_lead_unit"))
    phase_target = indicator.target_for(phase.key) if phase else None
    for target in indicator.targets:
        if phase_target is None or target is phase_target:
            continue
        if _looser(indicator.direction, target.value, phase_target.value):
            issues.append(
                Issue(
                    Severity.INFO,
                    where,
                    f"chỉ tiêu năm {target.period} ({target.text}) thấp hơn yêu cầu của giai đoạn"
                    f" ({phase_target.text}): lộ trình đi dần tới mục tiêu giai đoạn",
                    "year_looser_than_phase",
                )
            )
    return issues
