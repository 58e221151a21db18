"""Reporting completeness counted in SQL: expected vs received vs approved, per unit below an area.

Expected reports are indicator × reporting period × responsible unit (× sex), as
``web.data.expected.expected_reports`` lists them one by one; here they are
counted instead — communes per area from the closure of the tree, figures
received with GROUP BY — so a nation of 10,599 communes costs the same number of
queries as one district. Only the overdue items shown are listed one by one,
at most ``OVERDUE_SHOWN`` of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from chitieu import approval
from chitieu.periods import Level, Period, PeriodKind, parse_period, sub_periods
from chitieu.reminders import ReportItem, ReportState
from web.data.expected import Expected
from web.data.models import Observation
from web.data.selectors import REPORTING_CALENDAR, unit_level
from web.orgs.models import OrgUnit, UnitKind
from web.orgs.selectors import area_unit
from web.plans.models import Assignment, Reporters
from web.rollups.models import UnitAncestor
from web.rollups.selectors import units_below

OVERDUE_SHOWN = 500
RECEIVED_STATES = tuple(s.value for s in approval.RECEIVED_STATES)
_HAS_FIGURE = Q(numerator__isnull=False) | Q(denominator__isnull=False) | Q(value__isnull=False)
_STATE = {s.value: s for s in ReportState}


@dataclass
class Row:
    unit: OrgUnit
    period: str
    deadline: date
    expected: int = 0
    received: int = 0
    approved: int = 0
    late: int = 0  # not received and past the deadline ("chưa nộp")
    sent_late: int = 0  # received, but first sent after the deadline ("nộp muộn")

    def __getitem__(self, key: str):  # templates and callers read rows like dicts
        return getattr(self, key)


@dataclass
class Counts:
    rows: dict[tuple[int, str], Row] = field(default_factory=dict)
    overdue: list[dict] = field(default_factory=list)
    overdue_total: int = 0

    def add(self, unit: OrgUnit, period: Period, deadline: date, expected: int, received: int, approved: int):
        row = self.rows.setdefault((unit.pk, period.key), Row(unit, period.key, deadline))
        row.deadline = min(row.deadline, deadline)
        row.expected += expected
        row.received += received
        row.approved += approved
        return row


def _periods(span: Period, frequency: str) -> tuple[Period, ...]:
    return sub_periods(span, PeriodKind(frequency)) or (span,)


def _valid(unit_from: date | None, unit_to: date | None, period: Period) -> bool:
    return (unit_from is None or unit_from <= period.end) and (unit_to is None or period.start <= unit_to)


_RECEIVED_SQL = """
SELECT c.ancestor_id, s.period_key, o.indicator_code, o.sex, s.state, COUNT(*)
  FROM data_observation o
  JOIN data_submission s ON s.id = o.submission_id
  JOIN orgs_orgunit u ON u.id = s.org_unit_id
  JOIN rollups_unitancestor c ON c.unit_id = s.org_unit_id
 WHERE s.plan_id = %s AND s.period_start >= %s AND s.period_end <= %s
   AND s.state IN ({states}) AND u.kind = 'commune'
   AND (u.valid_from IS NULL OR u.valid_from <= s.period_end)
   AND (u.valid_to IS NULL OR u.valid_to >= s.period_start)
   AND (o.numerator IS NOT NULL OR o.denominator IS NOT NULL OR o.value IS NOT NULL)
   AND c.ancestor_id IN ({rows})
 GROUP BY c.ancestor_id, s.period_key, o.indicator_code, o.sex, s.state
"""


def _commune_received(plan, span: Period, row_ids: list[int]) -> dict[tuple, int]:
    sql = _RECEIVED_SQL.replace("{rows}", ", ".join(["%s"] * len(row_ids)))
    sql = sql.replace("{states}", ", ".join(["%s"] * len(RECEIVED_STATES)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [plan.pk, span.start, span.end, *RECEIVED_STATES, *row_ids])
        return {tuple(r[:5]): r[5] for r in cursor.fetchall()}


def _lead_received(plan, span: Period, lead_ids: list[int]) -> dict[tuple, int]:
    rows = (
        Observation.objects.filter(
            _HAS_FIGURE,
            submission__plan=plan,
            submission__org_unit_id__in=lead_ids,
            submission__period_start__gte=span.start,
            submission__period_end__lte=span.end,
            submission__state__in=RECEIVED_STATES,
        )
        .values_list(
            "submission__org_unit_id", "submission__period_key", "indicator_code", "sex", "submission__state"
        )
        .annotate(n=Count("id"))
    )
    return {tuple(r[:5]): r[5] for r in rows}


def _sum(got: dict, unit_id: int, period: str, code: str, sexes, states=RECEIVED_STATES) -> int:
    return sum(got.get((unit_id, period, code, sex, state), 0) for sex in sexes for state in states)


def completeness_counts(plan, version, year: str, *, as_of: date, area: OrgUnit | None = None) -> dict:
    """Expected, received, approved and overdue per unit right below ``area`` and period; totals;
    the first ``OVERDUE_SHOWN`` overdue items. Bounded queries whatever the number of communes."""
    area = area_unit(area or plan.area)
    span = parse_period(year)
    row_units = {u.pk: u for u in OrgUnit.objects.filter(parent=area)} or {area.pk: area}
    assignments = list(
        Assignment.objects.filter(indicator__version=version)
        .select_related("indicator")
        .prefetch_related("lead_units")
        .order_by("indicator__position")
    )
    counts = Counts()
    communes = [a for a in assignments if a.reporters == Reporters.COMMUNES]
    if communes:
        _count_communes(plan, span, communes, row_units, counts, as_of)
    leads = [a for a in assignments if a.reporters != Reporters.COMMUNES]
    if leads:
        _count_leads(plan, span, leads, row_units, counts, as_of)
    if communes:
        _overdue_communes(plan, span, communes, area, counts, as_of)
    _count_sent_late(plan, span, assignments, row_units, counts)
    rows = sorted(counts.rows.values(), key=lambda r: (r.deadline, r.unit.name))
    keys = ("expected", "received", "approved", "late", "sent_late")
    totals = {k: sum(getattr(r, k) for r in rows) for k in keys}
    counts.overdue.sort(
        key=lambda o: (o["expected"].deadline, o["expected"].unit.name, o["expected"].item.indicator)
    )
    overdue = counts.overdue[:OVERDUE_SHOWN]
    _states_of(plan, overdue)
    return {
        "rows": rows,
        "totals": totals,
        "overdue": overdue,
        "overdue_total": totals["late"],
        "sent_late_total": totals["sent_late"],
        "late_units": sorted({o["expected"].unit.name for o in overdue}),
    }


def _count_communes(plan, span, assignments, row_units, counts: Counts, as_of: date) -> None:
    validity = (
        UnitAncestor.objects.filter(ancestor_id__in=list(row_units), unit__kind=UnitKind.COMMUNE)
        .values_list("ancestor_id", "unit__valid_from", "unit__valid_to")
        .annotate(n=Count("id"))
    )
    validity = list(validity)
    got = _commune_received(plan, span, list(row_units))
    for assignment in assignments:
        code = assignment.indicator.code
        sexes = ("F", "M") if assignment.by_sex else ("",)
        for period in _periods(span, assignment.frequency):
            deadline = REPORTING_CALENDAR.deadline(period, Level.COMMUNE)
            for row_id, row_unit in row_units.items():
                units = sum(n for a, f, t, n in validity if a == row_id and _valid(f, t, period))
                if not units:
                    continue
                received = _sum(got, row_id, period.key, code, sexes)
                approved = _sum(got, row_id, period.key, code, sexes, ("approved",))
                row = counts.add(row_unit, period, deadline, units * len(sexes), received, approved)
                if as_of > deadline:
                    row.late += units * len(sexes) - received


def _count_leads(plan, span, assignments, row_units, counts: Counts, as_of: date) -> None:
    lead_units = {u.pk: u for a in assignments for u in a.lead_units.all()}
    row_of = {u: u for u in lead_units if u in row_units}
    for unit_id, ancestor_id in UnitAncestor.objects.filter(
        unit_id__in=list(lead_units), ancestor_id__in=list(row_units)
    ).values_list("unit_id", "ancestor_id"):
        row_of.setdefault(unit_id, ancestor_id)
    got = _lead_received(plan, span, list(row_of))
    for assignment in assignments:
        code = assignment.indicator.code
        sexes = ("F", "M") if assignment.by_sex else ("",)
        for period in _periods(span, assignment.frequency):
            for unit in assignment.lead_units.all():
                if unit.pk not in row_of or not unit.overlaps(period.start, period.end):
                    continue
                deadline = REPORTING_CALENDAR.deadline(period, unit_level(unit))
                received = _sum(got, unit.pk, period.key, code, sexes)
                approved = _sum(got, unit.pk, period.key, code, sexes, ("approved",))
                row = counts.add(row_units[row_of[unit.pk]], period, deadline, len(sexes), received, approved)
                if as_of <= deadline:
                    continue
                for sex in sexes:
                    if _sum(got, unit.pk, period.key, code, (sex,)):
                        continue
                    row.late += 1
                    counts.overdue.append(_item(assignment, period, unit, sex, deadline, as_of))


def _after(deadline: date) -> datetime:
    """The first instant after the deadline day, in the site's time zone."""
    return timezone.make_aware(datetime.combine(deadline + timedelta(days=1), time.min))


def _count_sent_late(plan, span: Period, assignments, row_units: dict, counts: Counts) -> None:
    """Figures received but first sent after their deadline ("nộp muộn"), one query per period and
    deadline: a later unlock, return or new submission does not move the first one."""
    commune_row = dict(
        UnitAncestor.objects.filter(ancestor_id__in=list(row_units), unit__kind=UnitKind.COMMUNE).values_list(
            "unit_id", "ancestor_id"
        )
    )
    lead_row: dict[int, int] = {
        u: u for a in assignments for u in a.lead_units.all().values_list("pk", flat=True)
    }
    for unit_id, ancestor_id in UnitAncestor.objects.filter(
        unit_id__in=list(lead_row), ancestor_id__in=list(row_units)
    ).values_list("unit_id", "ancestor_id"):
        if lead_row[unit_id] not in row_units:
            lead_row[unit_id] = ancestor_id
    # (period, deadline) → indicator codes and the units (→ their row) that owe them.
    wanted: dict[tuple[Period, date], tuple[set[str], dict[int, int]]] = {}
    for assignment in assignments:
        for period in _periods(span, assignment.frequency):
            if assignment.reporters == Reporters.COMMUNES:
                key = (period, REPORTING_CALENDAR.deadline(period, Level.COMMUNE))
                codes, units = wanted.setdefault(key, (set(), {}))
                codes.add(assignment.indicator.code)
                units.update(commune_row)
                continue
            for unit in assignment.lead_units.all():
                if lead_row.get(unit.pk) not in row_units:
                    continue
                key = (period, REPORTING_CALENDAR.deadline(period, unit_level(unit)))
                codes, units = wanted.setdefault(key, (set(), {}))
                codes.add(assignment.indicator.code)
                units[unit.pk] = lead_row[unit.pk]
    for (period, deadline), (codes, units) in wanted.items():
        late = (
            Observation.objects.filter(
                _HAS_FIGURE,
                submission__plan=plan,
                submission__period_key=period.key,
                submission__state__in=RECEIVED_STATES,
                indicator_code__in=codes,
            )
            .annotate(sent=Coalesce("submission__first_submitted_at", "submission__submitted_at"))
            .filter(sent__gte=_after(deadline))
            .values_list("submission__org_unit_id")
            .annotate(n=Count("id"))
        )
        for unit_id, n in late:
            row = counts.rows.get((units.get(unit_id), period.key))
            if row is not None:
                row.sent_late += n


def _overdue_communes(plan, span, assignments, area: OrgUnit, counts: Counts, as_of: date) -> None:
    """The communes owing a late figure, one query per indicator, period and sex, at most OVERDUE_SHOWN."""
    for assignment in assignments:
        for period in _periods(span, assignment.frequency):
            deadline = REPORTING_CALENDAR.deadline(period, Level.COMMUNE)
            if as_of <= deadline:
                continue
            for sex in ("F", "M") if assignment.by_sex else ("",):
                room = OVERDUE_SHOWN - len(counts.overdue)
                if room <= 0:
                    return
                received = Observation.objects.filter(
                    _HAS_FIGURE,
                    submission__plan=plan,
                    submission__period_key=period.key,
                    submission__state__in=RECEIVED_STATES,
                    indicator_code=assignment.indicator.code,
                    sex=sex,
                ).values("submission__org_unit_id")
                owing = (
                    OrgUnit.objects.filter(kind=UnitKind.COMMUNE, id__in=units_below(area))
                    .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=period.end))
                    .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period.start))
                    .exclude(id__in=received)
                    .order_by("name", "pk")[:room]
                )
                counts.overdue += [_item(assignment, period, u, sex, deadline, as_of) for u in owing]


def _item(assignment, period: Period, unit: OrgUnit, sex: str, deadline: date, as_of: date) -> dict:

    indicator = assignment.indicator
    item = ReportItem(indicator.code, period.key, unit.name, sex, responsible=unit.name)
    expected = Expected(item, unit, deadline, indicator.name)
    return {"expected": expected, "state": ReportState.MISSING, "days": (as_of - deadline).days}


def _states_of(plan, overdue: list[dict]) -> None:
    """Draft or returned rather than missing, where the unit has entered the figure."""
    keys = {(o["expected"].unit.pk, o["expected"].item.period) for o in overdue}
    if not keys:
        return
    units = {k[0] for k in keys}
    periods = {k[1] for k in keys}
    entered = Observation.objects.filter(
        _HAS_FIGURE,
        submission__plan=plan,
        submission__org_unit_id__in=units,
        submission__period_key__in=periods,
    ).values_list(
        "submission__org_unit_id", "submission__period_key", "indicator_code", "sex", "submission__state"
    )
    state_of = {tuple(r[:4]): r[4] for r in entered}
    for o in overdue:
        e = o["expected"]
        state = state_of.get((e.unit.pk, e.item.period, e.item.indicator, e.item.sex))
        if state is not None:
            o["state"] = _STATE[state]
