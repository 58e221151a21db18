"""Reads for data entry: what a unit must report, for which periods, and where each report stands."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.utils import timezone

from chitieu import approval
from chitieu.observations import Observation as CoreObservation
from chitieu.periods import DEFAULT_CALENDAR, Level, Period, PeriodKind, parse_period
from chitieu.plan import Sex
from web.core.audit import audit_for
from web.data.models import Observation, Submission
from web.orgs.models import OrgUnit, UnitKind
from web.orgs.selectors import unit_descendant_ids, units_valid_between, units_within
from web.plans.models import Assignment, Indicator, PlanVersion, Reporters
from web.plans.models import Plan as PlanRecord


@dataclass(frozen=True)
class Duty:
    """An indicator a unit reports, and how."""

    indicator: Indicator
    assignment: Assignment

    @property
    def sexes(self) -> tuple[str, ...]:
        return ("F", "M") if self.assignment.by_sex else ("",)


class DutyIndex:
    """Who reports what in a plan version, read once for asking about many units.

    ``duties`` asks it for one unit; a bulk write (the API's upsert) keeps one for the
    whole request instead of reading the area and the assignments again per unit.

    What it needs to know of a unit (whether it lies in the plan's area, which assignments it
    leads) is read for the units asked about (``know``: a request's few communes), not for every
    unit of the plan: at the nation that was 16,000 units below it and 4,935 lead offices, 50–100 ms
    of every API request. A caller that asks about many units one by one gets them all read once.
    """

    def __init__(self, version: PlanVersion, kind: str | None = None):
        self.version_id = version.pk
        self.area_id = version.plan.area_id
        assignments = Assignment.objects.filter(indicator__version=version).select_related("indicator")
        assignments = assignments.order_by("indicator__position")
        if kind is not None:
            assignments = assignments.filter(frequency=kind)
        self.assignments = list(assignments)
        self._in_area: dict[int, bool] = {}  # unit → whether it lies in the plan's area
        self._leads: dict[int, set[int]] = {}  # unit → the assignments it leads
        self._whole = False  # every unit of the area and every lead read

    @cached_property
    def area_ids(self) -> set[int]:
        """The plan's area and every unit below it (for a caller that lists them all)."""
        return unit_descendant_ids(self.area_id)

    @cached_property
    def _all_leads(self) -> dict[int, set[int]]:
        # The lead units' ids from the link table, not the units: an office indicator of the country
        # has one lead office per district (5,600 units for the plan), built as objects per request.
        leads: dict[int, set[int]] = {}
        for assignment_id, unit_id in self._links().values_list("assignment_id", "orgunit_id"):
            leads.setdefault(unit_id, set()).add(assignment_id)
        return leads

    def _links(self):
        links = Assignment.lead_units.through.objects
        return links.filter(assignment_id__in=[a.pk for a in self.assignments])

    def know(self, units: Iterable[OrgUnit]) -> None:
        """Read at once, for units about to be asked about, what the answers need of each."""
        asked = {u.pk for u in units if u.pk not in self._in_area}
        if not asked:
            return
        if self._whole:
            inside, leads = asked & self.area_ids, self._all_leads
        else:
            whole = "area_ids" in self.__dict__  # read whole already (a caller listed them)
            inside = asked & self.area_ids if whole else units_within(self.area_id, asked)
            leads = {}
            ids = sorted(asked)
            for start in range(0, len(ids), 500):
                found = self._links().filter(orgunit_id__in=ids[start : start + 500])
                for assignment_id, unit_id in found.values_list("assignment_id", "orgunit_id"):
                    leads.setdefault(unit_id, set()).add(assignment_id)
        for pk in asked:
            self._in_area[pk] = pk in inside
            self._leads[pk] = leads.get(pk, set())

    ASKED_ALONE = 20  # units asked about one by one, after which everything is read once

    def _known(self, unit: OrgUnit) -> None:
        if unit.pk not in self._in_area:
            if len(self._in_area) >= self.ASKED_ALONE:
                self._whole = True  # many units, not known beforehand: one read of them all
            self.know([unit])

    def _reports(self, assignment: Assignment, unit: OrgUnit) -> bool:
        self._known(unit)
        if assignment.reporters == Reporters.COMMUNES:
            return unit.kind == UnitKind.COMMUNE and self._in_area[unit.pk]
        return assignment.pk in self._leads[unit.pk]

    def duties(self, unit: OrgUnit) -> list[Duty]:
        return [Duty(a.indicator, a) for a in self.assignments if self._reports(a, unit)]

    def codes(self, unit: OrgUnit) -> set[str]:
        """Codes of the indicators ``unit`` reports."""
        return {a.indicator.code for a in self.assignments if self._reports(a, unit)}


def duties(version: PlanVersion, unit: OrgUnit, kind: str | None = None) -> list[Duty]:
    return DutyIndex(version, kind).duties(unit)


def _period_keys(kind: str, year: int) -> list[str]:
    if kind == PeriodKind.QUARTER:
        return [f"{year}-Q{q}" for q in range(1, 5)]
    if kind == PeriodKind.HALF:
        return [f"{year}-H{h}" for h in (1, 2)]
    if kind == PeriodKind.MONTH:
        return [f"{year}-{m:02d}" for m in range(1, 13)]
    return [str(year)]


def plan_years(version: PlanVersion) -> range:
    periods = list(version.periods.all())
    first = min(p.start.year for p in periods)
    last = max(p.end.year for p in periods)
    return range(first, last + 1)


def periods_due(version: PlanVersion, unit: OrgUnit, *, today: date, year: int | None = None) -> list[Period]:
    """Periods the unit must report, started by ``today``, newest first; the unit must exist then."""
    kinds = {d.assignment.frequency for d in duties(version, unit)}
    years = [year] if year else list(plan_years(version))
    periods = [parse_period(k) for kind in kinds for y in years for k in _period_keys(kind, y)]
    periods = [p for p in periods if p.start <= today and unit.overlaps(p.start, p.end)]
    return sorted(periods, key=lambda p: (p.end, p.start), reverse=True)


# The one deadline rule of the site: Decree 09's calendar, per level of the unit that
# reports. Data entry, the demo, my tasks, completeness and reminders all ask here, so a
# report cannot be late on one page and on time on another.
REPORTING_CALENDAR = DEFAULT_CALENDAR
RECEIVED = tuple(s.value for s in approval.RECEIVED_STATES)


def unit_level(unit: OrgUnit) -> Level:
    if unit.kind == UnitKind.COMMUNE:
        return Level.COMMUNE
    if unit.kind in (UnitKind.PROVINCE, UnitKind.NATION):
        return Level.PROVINCE
    return Level.DISTRICT  # the district and its offices


def deadline(period: Period, unit: OrgUnit) -> date:
    """When the unit's report for the period is due (hạn nộp)."""
    return REPORTING_CALENDAR.deadline(period, unit_level(unit))


def first_sent(submission: Submission | None) -> date | None:
    """The day the report was first sent, in the site's time zone (an unlock or a return keeps it)."""
    if submission is None:
        return None
    sent = submission.first_submitted_at or submission.submitted_at
    return timezone.localdate(sent) if sent is not None else None


def is_late(submission: Submission | None, period: Period, unit: OrgUnit, today: date) -> bool:
    """Sent for the first time after the deadline, or not sent by it and still not received."""
    due = deadline(period, unit)
    sent = first_sent(submission)
    if sent is not None:
        return sent > due
    if submission is None or submission.state not in RECEIVED:
        return today > due
    return False


def reporting_units(version: PlanVersion, start: date, end: date) -> list[OrgUnit]:
    """Units with something to report in the plan, valid during [start, end]."""
    area_ids = unit_descendant_ids(version.plan.area_id)
    units = units_valid_between(start, end).filter(id__in=area_ids).order_by("kind", "name")
    return [u for u in units if duties(version, u)]


def submissions_by_key(version: PlanVersion, units: list[OrgUnit]) -> dict[tuple[int, str], Submission]:
    rows = Submission.objects.filter(plan=version.plan, org_unit__in=units)
    return {(s.org_unit_id, s.period_key): s for s in rows}


def observations_of(submission: Submission | None) -> dict[tuple[str, str], Observation]:
    if submission is None:
        return {}
    return {(o.indicator_code, o.sex): o for o in submission.observations.all()}


def value_history(submission: Submission | None) -> dict[tuple[str, str], list]:
    """Audit rows per (indicator code, sex), newest first, for showing next to each value."""
    if submission is None:
        return {}
    grouped: dict[tuple[str, str], list] = {}
    for entry in audit_for(submission):
        parts = entry.field.split("/")
        if len(parts) == 3:
            grouped.setdefault((parts[0], parts[1]), []).append(entry)
    return grouped


def state_history(submission: Submission | None) -> list:
    if submission is None:
        return []
    return [e for e in audit_for(submission) if e.field in ("state", "evidence")]


# ------------------------------------------------------------------ stored figures as the core's observations

APPROVED = approval.APPROVED_STATES
PROVISIONAL = approval.RECEIVED_STATES  # figures sent, approved or not yet


def open_report_starts(plan: PlanRecord, code: str) -> set[date]:
    """The period starts of the plan's reports not yet received (drafts, returned) holding figures
    of indicator ``code``: the summary, which holds only received ones, cannot say where those are.
    Few reports, an index of their own (``submission_open_start``), one probe each."""
    open_reports = Submission.objects.filter(plan=plan, state__in=[s.value for s in approval.EDITABLE_STATES])
    rows = Observation.objects.filter(submission__in=open_reports.values("pk"), indicator_code=code)
    return set(rows.order_by().values_list("submission__period_start", flat=True).distinct())


def reports_for_area(unit: OrgUnit, area: OrgUnit) -> bool:
    """A figure sent by an office or by the area itself is the whole area's figure."""
    return unit.pk == area.pk or unit.kind == UnitKind.OFFICE


def observation_unit_name(unit: OrgUnit, area: OrgUnit) -> str:
    return "" if reports_for_area(unit, area) else unit.name


def _sex(code: str) -> Sex | None:
    return Sex(code) if code in ("F", "M") else None


def core_observations(
    plan: PlanRecord,
    *,
    states: Sequence[str] = APPROVED,
    within: OrgUnit | None = None,
    between: tuple[date, date] | None = None,
) -> list[CoreObservation]:
    """Stored figures of ``plan`` in the given approval states, as core observations.

    ``within``: only figures of that unit and the units below it (a commune's view).
    ``between``: only figures of periods inside those two days (a report's years).
    """
    rows = Observation.objects.filter(submission__plan=plan, submission__state__in=list(states))
    if between is not None:
        rows = rows.filter(submission__period_start__gte=between[0], submission__period_end__lte=between[1])
    if within is not None and within.pk != plan.area_id:
        rows = rows.filter(submission__org_unit_id__in=unit_descendant_ids(within.pk))
    # Plain values, and each unit once: a district's report reads every figure of its plan, and
    # building a model instance for each row and its submission and unit cost seconds.
    values = list(
        rows.values_list(
            "indicator_code",
            "sex",
            "numerator",
            "denominator",
            "value",
            "note",
            "submission__period_key",
            "submission__org_unit_id",
        )
    )
    area = plan.area
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in={v[7] for v in values}).only("name", "kind")}
    labels = {pk: (observation_unit_name(u, area), u.name) for pk, u in units.items()}
    return [
        CoreObservation(
            indicator=code,
            period=period_key,
            org_unit=labels[unit_id][0],
            sex=_sex(sex),
            numerator=numerator,
            denominator=denominator,
            value=value,
            note=note,
            source=f"{labels[unit_id][1]}, {period_key}",
        )
        for code, sex, numerator, denominator, value, note, period_key, unit_id in values
    ]


def as_core_observation(row: Observation, area: OrgUnit) -> CoreObservation:
    """One stored figure as a core observation; the submission's unit must be loaded."""
    submission = row.submission
    return CoreObservation(
        indicator=row.indicator_code,
        period=submission.period_key,
        org_unit=observation_unit_name(submission.org_unit, area),
        sex=_sex(row.sex),
        numerator=row.numerator,
        denominator=row.denominator,
        value=row.value,
        note=row.note,
        source=f"{submission.org_unit.name}, {submission.period_key}",
    )
