"""Result types (per part, per indicator, per plan) with their JSON form, and the shown precision.

Explanations (``chitieu.explain``) import this module only: it re-exports the labels they need."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from chitieu.evaluation.trajectory import BAND_LABELS as BAND_LABELS  # re-exported for explain
from chitieu.evaluation.trajectory import Baseline, Trajectory
from chitieu.evaluation.verdict import STATUS_LABELS, Status, _num, combine, round_half_up, standing
from chitieu.issues import Issue
from chitieu.plan import (
    Aggregation,
    Comparator,
    Direction,
    Target,
)
from chitieu.quantity import format_number
from chitieu.rollup import FigureState

_Frozen = TypeVar("_Frozen")


def copied(original: _Frozen, /, **changes: Any) -> _Frozen:
    """``dataclasses.replace`` of a frozen dataclass that has no ``__post_init__`` and no slots, without
    running its ``__init__`` again (an ``IndicatorResult`` has 33 fields, and a country's judging
    copies hundreds of thousands of results and figures): the same fields, in the same order, with
    ``changes``; as unpickling makes one."""
    copy = object.__new__(type(original))
    copy.__dict__.update(original.__dict__, **changes)
    return copy


@dataclass(frozen=True)
class PartResult:
    """One part of a verdict: one sex, one sub-period or one unit."""

    key: str  # "F", "2024-Q3", "Đăk Kôi"
    status: Status
    actual: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    state: FigureState = FigureState.MISSING
    parts: tuple[PartResult, ...] = ()  # a unit's sub-periods

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "status": self.status.value,
            "actual": _num(self.actual),
            "numerator": _num(self.numerator),
            "denominator": _num(self.denominator),
            "state": self.state.value,
        }
        if self.parts:
            out["parts"] = [p.as_dict() for p in self.parts]
        return out


_PART_FIELDS = ("key", "status", "actual", "numerator", "denominator", "state", "parts")
assert tuple(f.name for f in fields(PartResult)) == _PART_FIELDS, "new_part sets every field, in order"


def new_part(
    key: str,
    status: Status,
    actual: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
    state: FigureState,
    parts: tuple[PartResult, ...] = (),
) -> PartResult:
    """``PartResult(key, status, …)``: the same object (its fields set in their order, so equal, with
    the same repr and pickle), without the frozen dataclass's ``__init__`` and its seven
    ``object.__setattr__``. A country's judging makes a part per unit and sub-period: a million."""
    part = object.__new__(PartResult)
    values = part.__dict__
    values["key"] = key
    values["status"] = status
    values["actual"] = actual
    values["numerator"] = numerator
    values["denominator"] = denominator
    values["state"] = state
    values["parts"] = parts
    return part


@dataclass(frozen=True)
class Coverage:
    """What the verdict needed and what it got: sub-period keys, "unit: key" for per-unit ones."""

    expected: int
    received: int
    missing: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.received >= self.expected

    def as_dict(self) -> dict[str, Any]:
        return {"expected": self.expected, "received": self.received, "missing": list(self.missing)}


@dataclass(frozen=True)
class Flag:
    """A machine-readable warning on a result: ``small_numbers``, ``implausible`` (with its band),
    ``units_from_data``; ``provisional`` when it makes the verdict provisional."""

    code: str
    message: str
    low: Decimal | None = None
    high: Decimal | None = None
    provisional: bool = False

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message, "provisional": self.provisional}
        if self.low is not None or self.high is not None:
            out["band"] = {"low": _num(self.low), "high": _num(self.high)}
        return out


def _direction_of(comparator: Comparator | None, target: Target | None) -> Direction:
    if comparator is Comparator.LE:
        return Direction.DECREASE
    return Direction.INCREASE


@dataclass(frozen=True)
class IndicatorResult:
    indicator: str
    period: str
    status: Status
    actual: Decimal | None = None
    target: Target | None = None
    comparator: Comparator | None = None
    achievement: Decimal | None = None  # direction-aware % of target
    baseline: Baseline | None = None
    progress: Decimal | None = None  # (actual − baseline) ÷ (target − baseline)
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    state: FigureState = FigureState.MISSING
    rule: str = ""
    sources: tuple[str, ...] = ()
    by_sex: tuple[PartResult, ...] = ()
    sub_periods: tuple[PartResult, ...] = ()
    units: tuple[PartResult, ...] = ()
    units_meeting: tuple[str, ...] = ()
    units_missing_target: tuple[str, ...] = ()  # reported, below the threshold
    units_without_data: tuple[str, ...] = ()  # some sub-period not reported
    units_meeting_share: Decimal | None = None
    complete: bool = True
    trajectory: Trajectory | None = None
    explanation: str = ""
    name: str = ""
    unit_label: str = ""
    needs_review: bool = False  # the plan's reading of this row is in doubt (4.1's target of 100)
    coverage: Coverage | None = None  # sub-periods (and units) expected and received
    flags: tuple[Flag, ...] = ()
    aggregation: Aggregation | None = None
    units_not_applicable: tuple[str, ...] = ()  # answered "không áp dụng" for every sub-period
    row_issues: tuple[Issue, ...] = field(default=(), compare=False)  # rows that do not count, and why

    @property
    def provisional(self) -> bool:
        """Tạm tính: a verdict from incomplete data, or from a figure too small or implausible to
        trust. No figure at all is no verdict, so nothing provisional ("chưa có số liệu" says it)."""
        if self.status is Status.NO_DATA:
            return False
        return not self.complete or any(f.provisional for f in self.flags)

    @property
    def places(self) -> int:
        return shown_places(self.actual, self.target, _direction_of(self.comparator, self.target))

    @property
    def met(self) -> bool:
        return self.status in (Status.ACHIEVED, Status.EXCEEDED)

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "name": self.name,
            "period": self.period,
            "actual": _num(self.actual, self.places),
            "target": _num(self.target.value) if self.target else None,
            "comparator": self.comparator.value if self.comparator else None,
            "status": self.status.value,
            "status_label": STATUS_LABELS[self.status],
            "target_text": self.target.text if self.target else None,
            "target_period": self.target.period if self.target else None,
            "needs_review": self.needs_review,
            "unit": self.unit_label,
            "achievement_percent": _num(self.achievement),
            "baseline": {"period": self.baseline.period, "value": _num(self.baseline.value)}
            if self.baseline
            else None,
            "progress": _num(self.progress, 4),
            "numerator": _num(self.numerator),
            "denominator": _num(self.denominator),
            "state": self.state.value,
            "rule": self.rule,
            "sources": list(self.sources),
            "complete": self.complete,
            "by_sex": [p.as_dict() for p in self.by_sex],
            "sub_periods": [p.as_dict() for p in self.sub_periods],
            "units": [p.as_dict() for p in self.units],
            "units_meeting": list(self.units_meeting),
            "units_missing_target": list(self.units_missing_target),
            "units_without_data": list(self.units_without_data),
            "units_meeting_percent": _num(self.units_meeting_share),
            "trajectory": self.trajectory.as_dict() if self.trajectory else None,
            "explanation": self.explanation,
            "coverage": self.coverage.as_dict() if self.coverage else None,
            "provisional": self.provisional,
            "flags": [f.as_dict() for f in self.flags],
            "aggregation": self.aggregation.value if self.aggregation else None,
            "units_not_applicable": list(self.units_not_applicable),
        }


@dataclass(frozen=True)
class PlanEvaluation:
    period: str
    results: tuple[IndicatorResult, ...]
    issues: tuple[Issue, ...] = ()
    as_of: date | None = None

    def result(self, code: str) -> IndicatorResult | None:
        return next((r for r in self.results if r.indicator == code), None)

    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Status}
        for r in self.results:
            counts[r.status.value] += 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "results": [r.as_dict() for r in self.results],
            "summary": self.summary(),
            "issues": [i.as_dict() for i in self.issues],
        }


def vi_figure(value: Decimal, places: int = 2) -> str:
    """1234.50 → "1.234,5": half up, trailing zeros dropped (as ``explain.vi_number``)."""
    text = format_number(round_half_up(value, places), places)
    return text.rstrip("0").rstrip(",") if "," in text else text


def shown_places(actual: Decimal | None, target: Target | None, direction: Direction, places: int = 2) -> int:
    """Decimals enough that the rounded figure stands where the figure does against the target:
    59,995 against "≥ 60" is shown 59,995, never 60 next to "Không đạt"."""
    if actual is None or target is None:
        return places
    truth = standing(actual, target.value, target.comparator, direction)
    while places < 8:
        shown = round_half_up(actual, places)
        if standing(shown, target.value, target.comparator, direction) is truth:
            return places
        places += 1
    return places


# ------------------------------------------------------------- evaluation


def combine_applicable(parts: Sequence[PartResult]) -> Status:
    """``combine`` over the parts the target applies to: a period or unit reported as
    "không áp dụng" neither meets nor fails."""
    return combine([p.status for p in parts if p.state is not FigureState.NOT_APPLICABLE])
