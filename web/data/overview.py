"""The overview page's rows: per unit, its periods in a year and where each stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chitieu.periods import Period
from web.data.models import Submission
from web.data.selectors import is_late, periods_due, plan_years, reporting_units, submissions_by_key
from web.orgs.access import area_unit_ids
from web.orgs.models import OrgUnit
from web.plans.models import PlanVersion


@dataclass(frozen=True)
class Cell:
    period: Period
    submission: Submission | None
    late: bool

    @property
    def state(self) -> str:
        return self.submission.state if self.submission else "missing"


@dataclass(frozen=True)
class UnitRow:
    unit: OrgUnit
    cells: list[Cell]


def overview_rows(
    version: PlanVersion, units: list[OrgUnit], *, year: int | None, today: date
) -> list[UnitRow]:
    found = submissions_by_key(version, units)
    rows = []
    for unit in units:
        periods = periods_due(version, unit, today=today, year=year)
        periods.sort(key=lambda p: (p.kind != "year", p.start))
        cells = [
            Cell(p, found.get((unit.pk, p.key)), is_late(found.get((unit.pk, p.key)), p, unit, today))
            for p in periods
        ]
        rows.append(UnitRow(unit, cells))
    return rows


def default_year(version: PlanVersion, today: date) -> int:
    """The latest plan year with figures, else the current year within the plan."""
    latest = Submission.objects.filter(plan=version.plan).order_by("-period_start").first()
    if latest is not None:
        return latest.period_start.year
    years = plan_years(version)
    return min(max(today.year, years.start), years.stop - 1)


def units_for_overview(version: PlanVersion, user, year: int) -> list[OrgUnit]:
    units = reporting_units(version, date(year, 1, 1), date(year, 12, 31))
    ids = area_unit_ids(user)
    return [u for u in units if ids is None or u.pk in ids]
