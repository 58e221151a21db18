"""Observations: the figures units report, one per indicator, period, unit and sex.

A figure is kept as numerator and denominator whenever the unit gives them,
because only those can be summed over communes and periods; a bare value is
accepted too (a survey result, a figure copied from another report).

``validate_observations`` makes the checks that need the plan (unknown indicator, a
share above 100 %…); the tidy CSV reader is ``chitieu.observation_csv``. Nothing is
dropped silently: a row is either an ``Observation`` or the subject of an error.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from chitieu.figures import FigureRule, Problem
from chitieu.issues import Issue, Severity
from chitieu.names import fold
from chitieu.periods import parse_period
from chitieu.plan import Indicator, Measure, Plan, Sex


@dataclass(frozen=True, slots=True)  # slots: two million rows fit in half the memory
class Observation:
    indicator: str  # indicator code: "2.1", "3.2a"
    period: str  # period key: "2024", "2024-Q3", "2024-03"
    org_unit: str = ""  # "" = the plan's whole area
    sex: Sex | None = None  # None = both sexes together
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    note: str = ""
    source: str = ""  # "line 5", "form #12"
    # "không áp dụng": the indicator does not apply to this unit and period
    # (no trafficking victim returned); different from missing and from zero.
    not_applicable: bool = False
    submitted: date | None = None  # when the unit sent it: for timeliness
    # A row of summed units (``is_summed``): how many units' rows it sums. Such a "unit" covers a
    # period only where its row there sums all of its units (``units`` of its fullest row).
    units: int = 1

    @property
    def key(self) -> tuple[str, str, str, Sex | None]:
        """What makes a row unique; unit names compared without regard to spelling variants."""
        return (self.indicator, self.period, unit_key(self.org_unit), self.sex)

    def as_dict(self) -> dict[str, object]:
        def num(d: Decimal | None) -> int | float | None:
            if d is None:
                return None
            return int(d) if d == d.to_integral_value() else float(d)

        return {
            "indicator": self.indicator,
            "period": self.period,
            "org_unit": self.org_unit,
            "sex": self.sex.value if self.sex else None,
            "numerator": num(self.numerator),
            "denominator": num(self.denominator),
            "value": num(self.value),
            "not_applicable": self.not_applicable,
            "note": self.note,
            "source": self.source,
            "submitted": self.submitted.isoformat() if self.submitted else None,
        }


_NEW = object.__new__
(
    _SET_INDICATOR,
    _SET_PERIOD,
    _SET_ORG_UNIT,
    _SET_SEX,
    _SET_NUMERATOR,
    _SET_DENOMINATOR,
    _SET_VALUE,
    _SET_NOTE,
    _SET_SOURCE,
    _SET_NOT_APPLICABLE,
    _SET_SUBMITTED,
    _SET_UNITS,
) = (getattr(Observation, name).__set__ for name in Observation.__slots__)


def read_observation(
    indicator: str,
    period: str,
    org_unit: str,
    sex: Sex | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
    value: Decimal | None,
    source: str,
    units: int = 1,
) -> Observation:
    """``Observation(indicator=…, period=…, …)`` with no note, applicable, no date sent: the same
    object, its slots set one by one. A country's figures read from the database are hundreds of
    thousands of rows, and the frozen dataclass's ``__init__`` (a keyword call, thirteen
    ``object.__setattr__``) was most of turning each into an observation."""
    obs = _NEW(Observation)
    _SET_INDICATOR(obs, indicator)
    _SET_PERIOD(obs, period)
    _SET_ORG_UNIT(obs, org_unit)
    _SET_SEX(obs, sex)
    _SET_NUMERATOR(obs, numerator)
    _SET_DENOMINATOR(obs, denominator)
    _SET_VALUE(obs, value)
    _SET_NOTE(obs, "")
    _SET_SOURCE(obs, source)
    _SET_NOT_APPLICABLE(obs, False)
    _SET_SUBMITTED(obs, None)
    _SET_UNITS(obs, units)
    return obs


def observation_value(indicator: Indicator, obs: Observation) -> Decimal | None:
    """The figure in the indicator's unit, by the one figure rule (``chitieu.figures``).

    None when it cannot be known (not applicable, a zero denominator, nothing given).
    """
    if obs.not_applicable or (obs.denominator is not None and obs.denominator == 0):
        return None
    return rule_for(indicator).compute(obs.numerator, obs.denominator, obs.value)


def rule_for(indicator: Indicator) -> FigureRule:
    return _rule(indicator.measure, indicator.per)


@functools.lru_cache(maxsize=64)
def _rule(measure: Measure, per: int | None) -> FigureRule:
    return FigureRule.of(measure, per)


# ------------------------------------------------------------------ unit names


SUMMED = "~"  # a unit name starting with it stands for the summed figures of units below an area


def is_summed(unit: str | None) -> bool:
    """Whether a row stands for the summed figures of units below (web.rollups' summary): no person
    reported it, so the engine names it in no note and no list of units."""
    return unit is not None and unit.startswith(SUMMED)


_UNIT_PREFIXES = ("ubnd ", "xa ", "thi tran ", "phuong ", "huyen ", "tinh ")


@functools.lru_cache(maxsize=32768)  # a country has 16 k unit names; a smaller LRU misses every row
def unit_key(name: str) -> str:
    """A unit name folded for matching: "Xã Đắk Tơ Lung" = "Đăk Tờ Lung" = "dak to lung"."""
    text = fold(name).replace("-", " ")
    for prefix in _UNIT_PREFIXES:
        text = text.removeprefix(prefix)
    return " ".join(text.split())


# --------------------------------------------------------------- validating


def validate_observations(
    plan: Plan, observations: list[Observation] | tuple[Observation, ...]
) -> list[Issue]:
    """Checks that need the plan: known indicator, share not above its whole, consistent value."""
    issues: list[Issue] = []
    indicators = {i.code: i for i in plan.indicators}
    folded = {fold(code): code for code in indicators}
    for obs in observations:
        indicator = indicators.get(obs.indicator)
        if indicator is None:
            hint = folded.get(fold(obs.indicator))
            parts = [
                c for c in indicators if c.startswith(obs.indicator) and c[len(obs.indicator) :].isalpha()
            ]
            if hint:
                extra = f" (có phải {hint}?)"
            elif parts:  # "3.2" names a numbered row split into 3.2a, 3.2b
                extra = f" (chỉ tiêu này gồm {', '.join(parts)}: ghi mã của từng chỉ tiêu)"
            else:
                extra = f"; các mã trong kế hoạch: {', '.join(indicators)}"
            issues.append(
                Issue(
                    Severity.ERROR,
                    obs.source,
                    f"mã chỉ tiêu không có trong kế hoạch: {obs.indicator!r}{extra}",
                    "unknown_indicator",
                )
            )
            continue
        issues += _check_against(indicator, obs, plan)
    return issues


def _check_against(indicator: Indicator, obs: Observation, plan: Plan) -> list[Issue]:
    """The figure rule (``chitieu.figures``) for the indicator's measure, and the period."""
    if obs.not_applicable:
        return []
    issues: list[Issue] = []
    rule = rule_for(indicator)
    problem = rule.check(obs.numerator, obs.denominator, obs.value)
    if problem is not None:
        message = problem.message()
        if problem.code is Problem.MISSING_DENOMINATOR:
            message = f"chỉ tiêu {indicator.code}: {message}"
        issues.append(Issue(Severity.ERROR, obs.source, message, problem.code.value))
    computed = rule.mismatch(obs.numerator, obs.denominator, obs.value) if problem is None else None
    if computed is not None and rule.is_count:
        issues.append(
            Issue(
                Severity.WARNING,
                obs.source,
                f"số đếm ghi hai lần khác nhau ({obs.numerator} và {obs.value}); dùng cột value",
                "value_mismatch",
            )
        )
    elif computed is not None:
        issues.append(
            Issue(
                Severity.WARNING,
                obs.source,
                f"giá trị ghi ({obs.value}) khác giá trị tính từ tử số/mẫu số"
                f" ({computed:.2f}); dùng tử số/mẫu số",
                "value_mismatch",
            )
        )
    issues += _check_period(indicator, obs, plan)
    return issues


def _check_period(indicator: Indicator, obs: Observation, plan: Plan) -> list[Issue]:
    period = parse_period(obs.period)
    phase = plan.phase
    spans = [p for p in plan.periods if p.contains(period)]
    if not spans and phase is not None and period.end < phase.start:
        return []  # before the phase: a baseline figure
    if not spans and plan.periods:
        keys = ", ".join(p.key for p in plan.periods)
        return [
            Issue(
                Severity.WARNING,
                obs.source,
                f"kỳ {obs.period} nằm ngoài các kỳ của kế hoạch ({keys})",
                "period_outside_plan",
            )
        ]
    return []
