"""Typed shapes of the evaluation (docs/interfaces.md §3 ``--json``) for the API's schema.

Numbers are JSON numbers, as everywhere in the API (docs/interfaces.md §5): an integral
value is an integer, others carry the decimals the engine shows (``actual`` enough to
agree with its verdict). No field is a free-form object: generated clients get classes.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Schema

Number = int | float
StatusCode = Literal["exceeded", "achieved", "not_achieved", "no_data", "not_arisen"]
FigureStateCode = Literal["value", "missing", "not_applicable", "undefined"]


class PartOut(Schema):
    """One part of a verdict: one sex (``F``/``M``), one sub-period or one unit."""

    key: str
    status: StatusCode
    actual: Number | None
    numerator: Number | None
    denominator: Number | None
    state: FigureStateCode
    parts: list[PartOut] = Field(default_factory=list, description="a unit's sub-periods")


class BaselineOut(Schema):
    period: str
    value: Number | None


class CoverageOut(Schema):
    expected: int
    received: int
    missing: list[str]


class BandOut(Schema):
    low: Number | None
    high: Number | None


class FlagOut(Schema):
    code: str = Field(description="small_numbers, implausible, units_from_data, …")
    message: str
    provisional: bool
    band: BandOut | None = None


class TrajectoryPointOut(Schema):
    year: int
    value: Number | None


class TrajectoryOut(Schema):
    target_period: str
    target: Number | None
    comparator: Literal[">=", "<=", "=="]
    end_year: int
    points: list[TrajectoryPointOut]
    linear_projection: Number | None
    linear_status: StatusCode
    observed_growth: Number | None
    required_growth: Number | None
    growth_ratio: Number | None
    band: str | None
    note: str


class ResultOut(Schema):
    indicator: str
    name: str
    period: str
    actual: Number | None
    target: Number | None
    comparator: Literal[">=", "<=", "=="] | None
    status: StatusCode
    status_label: str
    target_text: str | None
    target_period: str | None
    needs_review: bool
    unit: str
    achievement_percent: Number | None
    baseline: BaselineOut | None
    progress: Number | None
    numerator: Number | None
    denominator: Number | None
    state: FigureStateCode
    rule: str
    sources: list[str]
    complete: bool
    by_sex: list[PartOut]
    sub_periods: list[PartOut]
    units: list[PartOut]
    units_meeting: list[str]
    units_missing_target: list[str]
    units_without_data: list[str]
    units_meeting_percent: Number | None
    trajectory: TrajectoryOut | None
    explanation: str
    coverage: CoverageOut | None
    provisional: bool
    flags: list[FlagOut]
    aggregation: Literal["flow", "stock", "running_total", "rate", "per_unit"] | None
    units_not_applicable: list[str]


class SummaryOut(Schema):
    exceeded: int
    achieved: int
    not_achieved: int
    no_data: int
    not_arisen: int


class EvaluationIssueOut(Schema):
    severity: Literal["error", "warning", "review", "info"]
    where: str
    message: str
    code: str


class EvaluationOut(Schema):
    """``chitieu evaluate --json`` (docs/interfaces.md §3) with the plan's id."""

    plan_id: int
    period: str
    as_of: date | None
    results: list[ResultOut]
    summary: SummaryOut
    issues: list[EvaluationIssueOut]
