"""Expected reports: indicator × reporting period × responsible unit × sex, from a plan's assignments,
and the state each one is in. Completeness, "my tasks" and the reminder e-mails all count these."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from chitieu.approval import State
from chitieu.periods import PeriodKind, parse_period, sub_periods
from chitieu.reminders import ReportItem, ReportState
from web.data.models import Observation, Submission
from web.data.selectors import deadline as report_deadline
from web.orgs.models import OrgUnit
from web.orgs.selectors import communes_of
from web.plans.models import Assignment, Reporters
from web.plans.models import Plan as PlanRecord
from web.plans.selectors import plan_version_active


@dataclass(frozen=True)
class Expected:
    """One expected report, with the database unit that owes it and its deadline."""

    item: ReportItem
    unit: OrgUnit
    deadline: date
    indicator_name: str = ""


def _reporting_units(assignment: Assignment, plan: PlanRecord, start: date, end: date) -> list[OrgUnit]:
    if assignment.reporters == Reporters.COMMUNES:
        return list(communes_of(plan.area, start, end))
    return [u for u in assignment.lead_units.all() if u.overlaps(start, end)]


def expected_reports(plan: PlanRecord, period_key: str) -> list[Expected]:
    """Indicator × reporting period × responsible unit × sex, from the plan's assignments.

    ``period_key`` is the span looked at (a year): each indicator contributes its
    reporting periods inside it (four quarters for a quarterly one).
    """
    version = plan_version_active(plan)
    if version is None:
        return []
    span = parse_period(period_key)
    assignments = (
        Assignment.objects.filter(indicator__version=version)
        .select_related("indicator")
        .prefetch_related("lead_units")
        .order_by("indicator__position")
    )
    expected: list[Expected] = []
    for assignment in assignments:
        indicator = assignment.indicator
        periods = sub_periods(span, PeriodKind(assignment.frequency)) or (span,)
        sexes = ("F", "M") if assignment.by_sex else ("",)
        for period in periods:
            for unit in _reporting_units(assignment, plan, period.start, period.end):
                deadline = report_deadline(period, unit)
                for sex in sexes:
                    item = ReportItem(indicator.code, period.key, unit.name, sex, responsible=unit.name)
                    expected.append(Expected(item, unit, deadline, indicator.name))
    return expected


_STATE = {
    State.DRAFT.value: ReportState.DRAFT,
    State.SUBMITTED.value: ReportState.SUBMITTED,
    State.RETURNED.value: ReportState.RETURNED,
    State.APPROVED.value: ReportState.APPROVED,
}


def report_states(plan: PlanRecord, expected: Iterable[Expected]) -> dict[ReportItem, ReportState]:
    """The state of each expected item: its submission's state when the figure is in it."""
    expected = list(expected)
    keys = {(e.unit.pk, e.item.period) for e in expected}
    if not keys:
        return {}
    condition = Q()
    for unit_id, period_key in keys:
        condition |= Q(org_unit_id=unit_id, period_key=period_key)
    submissions = {
        (s.org_unit_id, s.period_key): s
        for s in Submission.objects.filter(condition, plan=plan).prefetch_related("observations")
    }
    states: dict[ReportItem, ReportState] = {}
    for e in expected:
        submission = submissions.get((e.unit.pk, e.item.period))
        if submission is None:
            continue
        has_figure = any(
            o.indicator_code == e.item.indicator and o.sex == e.item.sex and _has_figure(o)
            for o in submission.observations.all()
        )
        if has_figure:
            states[e.item] = _STATE[submission.state]
    return states


def _has_figure(row: Observation) -> bool:
    return any(v is not None for v in (row.numerator, row.denominator, row.value))


def is_received(state: ReportState | None) -> bool:
    return state in (ReportState.SUBMITTED, ReportState.APPROVED)
