"""Where a dashboard's series crosses a reorganisation of units (issue 16).

A year's figure is always computed on the tree valid in that year, so a series
that spans 1 July 2025 is made of different units before and after it. The
dashboards say so: a note on the page and a marked line in the chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _

from chitieu.periods import parse_period
from web.orgs.models import OrgUnit, UnitLink
from web.orgs.selectors import unit_descendants_subquery


@dataclass(frozen=True)
class Break:
    on: date
    period: str  # the year key the date falls in
    closed: int
    opened: int

    @property
    def label(self) -> str:
        return _("Reorganisation %(date)s") % {"date": self.on.strftime("%d/%m/%Y")}

    @property
    def note(self) -> str:
        return _(
            "The series crosses the reorganisation of units of %(date)s: before it the figures are those "
            "of the units of the time (%(closed)d closed since), after it those of the new units "
            "(%(opened)d opened); each year is added up on the units that existed in it."
        ) % {"date": self.on.strftime("%d/%m/%Y"), "closed": self.closed, "opened": self.opened}


def reorganisation_breaks(area: OrgUnit, period_keys: list[str]) -> list[Break]:
    """The reorganisations of units in ``area`` (or of the area itself) within the periods' span."""
    if not period_keys:
        return []
    periods = [parse_period(k) for k in period_keys]
    start, end = min(p.start for p in periods), max(p.end for p in periods)
    below = unit_descendants_subquery(area.pk)  # the area itself included
    links = UnitLink.objects.filter(
        Q(predecessor_id__in=below) | Q(successor_id__in=below), on__gt=start, on__lte=end
    )
    by_day: dict[date, tuple[set[int], set[int]]] = {}
    for predecessor, successor, on in links.values_list("predecessor_id", "successor_id", "on"):
        closed, opened = by_day.setdefault(on, (set(), set()))
        closed.add(predecessor)
        opened.add(successor)
    breaks = []
    for on, (closed, opened) in sorted(by_day.items()):
        year = next((p.key for p in sorted(periods, key=lambda p: p.start) if p.start <= on <= p.end), "")
        breaks.append(Break(on, year, len(closed), len(opened)))
    return breaks
