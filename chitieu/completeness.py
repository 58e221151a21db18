"""Which reports are expected (indicator × period × unit × sex) and how complete the received ones are.

Beside ``chitieu.reminders`` (who still owes which figure, and when): both start from
the expected reports of a plan's indicators over a period and the unit tree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from chitieu.observations import Observation, unit_key
from chitieu.periods import Level, PeriodKind, ReportingCalendar, sub_periods
from chitieu.plan import CountPeriod, Indicator, Plan, Sex

# ------------------------------------------------------------------ org tree
from chitieu.rollup import OrgTree


@dataclass(frozen=True)
class ExpectedReport:
    indicator: str
    period: str
    org_unit: str  # "" = the plan's whole area
    sex: Sex | None = None


_COUNT_KIND = {
    CountPeriod.MONTH: PeriodKind.MONTH,
    CountPeriod.QUARTER: PeriodKind.QUARTER,
    CountPeriod.YEAR: PeriodKind.YEAR,
}


def reporting_periods(indicator: Indicator, period_key: str) -> tuple[str, ...]:
    """The periods an indicator is reported for within a period: months for "per month" counts…"""
    if indicator.per_period is not None:
        subs = sub_periods(period_key, _COUNT_KIND[indicator.per_period])
        if subs:
            return tuple(p.key for p in subs)
    years = sub_periods(period_key, PeriodKind.YEAR)
    return tuple(p.key for p in years) if len(years) > 1 else (period_key,)


def expected_reports(
    plan: Plan,
    period_key: str,
    *,
    units: Sequence[str] = (),
    per_unit_all: bool = False,
) -> list[ExpectedReport]:
    """Expected reports = indicator × period × responsible unit (× sex where the plan requires it).

    Per-unit indicators (6.3) are expected from each of ``units`` (the communes);
    others from the whole area, unless ``per_unit_all`` asks every unit for everything.
    """
    expected: list[ExpectedReport] = []
    for indicator in plan.indicators:
        reporters = list(units) if (indicator.per_unit or per_unit_all) and units else [""]
        sexes: list[Sex | None] = [Sex.FEMALE, Sex.MALE] if indicator.by_sex else [None]
        expected += [
            ExpectedReport(indicator.code, period, unit, sex)
            for period in reporting_periods(indicator, period_key)
            for unit in reporters
            for sex in sexes
        ]
    return expected


@dataclass(frozen=True)
class Tally:
    expected: int
    received: int

    @property
    def share(self) -> Decimal | None:
        return Decimal(self.received) * 100 / self.expected if self.expected else None

    def as_dict(self) -> dict[str, object]:
        share = self.share
        return {
            "expected": self.expected,
            "received": self.received,
            "percent": float(round(share, 2)) if share is not None else None,
        }


@dataclass(frozen=True)
class LateReport:
    report: ExpectedReport
    submitted: date
    deadline: date


@dataclass(frozen=True)
class Completeness:
    total: Tally
    by_unit: dict[str, Tally]
    by_sex: dict[str, Tally]  # "F", "M", "" (no sex required)
    by_indicator: dict[str, Tally]
    missing: tuple[ExpectedReport, ...]
    # Timeliness, over the received reports whose sending date is known:
    on_time: Tally = Tally(0, 0)
    late: tuple[LateReport, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "total": self.total.as_dict(),
            "on_time": self.on_time.as_dict(),
            "late": [
                {
                    "indicator": x.report.indicator,
                    "period": x.report.period,
                    "org_unit": x.report.org_unit,
                    "sex": x.report.sex or "",
                    "submitted": x.submitted.isoformat(),
                    "deadline": x.deadline.isoformat(),
                }
                for x in self.late
            ],
            "by_unit": {k: v.as_dict() for k, v in self.by_unit.items()},
            "by_sex": {k: v.as_dict() for k, v in self.by_sex.items()},
            "by_indicator": {k: v.as_dict() for k, v in self.by_indicator.items()},
            "missing": [
                {"indicator": m.indicator, "period": m.period, "org_unit": m.org_unit, "sex": m.sex or ""}
                for m in self.missing
            ],
        }


def completeness(
    expected: Sequence[ExpectedReport],
    observations: Sequence[Observation],
    *,
    tree: OrgTree | None = None,
    calendar: ReportingCalendar | None = None,
    level_of: Callable[[str], Level] | None = None,
) -> Completeness:
    """Expected vs received. "Not applicable" counts as received: the unit did answer.

    An expected figure for the whole area is received when units report theirs (it rolls up).
    With a ``calendar``, received reports whose sending date is known are checked against the
    deadline of their level (``level_of(unit)``; by default the area reports as a district and
    named units as communes); a report made of several rows is as late as its last row.
    """

    def unit_of(name: str) -> str:
        node = tree.find(name) if tree is not None and name else None
        return node.code if node else unit_key(name)

    received: dict[tuple[str, str, str, Sex | None], list[date | None]] = {}
    for obs in observations:
        unit = unit_of(obs.org_unit)
        keys = {(obs.indicator, obs.period, unit, obs.sex), (obs.indicator, obs.period, "", obs.sex)}
        if obs.sex is not None:  # a total can be made of both sexes' rows
            keys |= {(obs.indicator, obs.period, unit, None), (obs.indicator, obs.period, "", None)}
        for key in keys:
            received.setdefault(key, []).append(obs.submitted)

    def key_of(e: ExpectedReport) -> tuple[str, str, str, Sex | None]:
        return (e.indicator, e.period, unit_of(e.org_unit), e.sex)

    got = [e for e in expected if key_of(e) in received]
    got_set = set(got)

    def tally(key) -> dict[str, Tally]:
        groups: dict[str, list[ExpectedReport]] = {}
        for e in expected:
            groups.setdefault(key(e), []).append(e)
        return {k: Tally(len(v), sum(e in got_set for e in v)) for k, v in groups.items()}

    on_time, late = Tally(0, 0), []
    if calendar is not None:
        level = level_of or (lambda unit: Level.COMMUNE if unit else Level.DISTRICT)
        dated: list[tuple[ExpectedReport, date]] = []
        for e in got:
            dates = received[key_of(e)]
            if all(d is not None for d in dates):
                dated.append((e, max(d for d in dates if d is not None)))  # the last row sent
        for e, last in dated:
            deadline = calendar.deadline(e.period, level(e.org_unit))
            if last > deadline:
                late.append(LateReport(e, last, deadline))
        on_time = Tally(len(dated), len(dated) - len(late))

    return Completeness(
        total=Tally(len(expected), len(got)),
        by_unit=tally(lambda e: e.org_unit),
        by_sex=tally(lambda e: e.sex.value if e.sex else ""),
        by_indicator=tally(lambda e: e.indicator),
        missing=tuple(e for e in expected if e not in got_set),
        on_time=on_time,
        late=tuple(late),
    )
