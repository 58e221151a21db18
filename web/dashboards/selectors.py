"""Reads for dashboards, completeness and reminders: the database turned into the core's values.

Every verdict shown comes from ``chitieu.evaluate``: the database is read into a
core ``Plan`` and core ``Observation`` rows, and the engine decides. Nothing here
judges a figure itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from chitieu.approval import State
from chitieu.evaluate import PlanEvaluation
from chitieu.observations import Observation as CoreObservation
from chitieu.periods import PeriodKind, parse_period, sub_periods
from chitieu.plan import (
    Aggregation,
    Comparator,
    CountPeriod,
    Direction,
    Indicator,
    Measure,
    Objective,
    Plan,
    Sex,
    Target,
)
from chitieu.reminders import DueItem, ReportItem, ReportState, due_items
from web.accounts.access import require_see_plan
from web.data.models import Observation, Submission
from web.data.selectors import deadline as report_deadline
from web.data.selectors import unit_level as unit_level  # re-exported: older callers import it here
from web.orgs.models import OrgUnit, UnitKind
from web.orgs.selectors import communes_of, unit_descendant_ids
from web.plans.models import Assignment, PlanVersion, Reporters, VersionStatus
from web.plans.models import Plan as PlanRecord

APPROVED = (State.APPROVED,)
PROVISIONAL = (State.SUBMITTED, State.APPROVED)  # figures sent, approved or not yet


def plan_version_active(plan: PlanRecord) -> PlanVersion | None:
    return plan.versions.filter(status=VersionStatus.ACTIVE).order_by("-number").first()


def core_plan(version: PlanVersion) -> Plan:
    """The stored plan version as the core's immutable ``Plan``."""
    objectives = []
    # Objectives, indicators and targets are ordered by their models' Meta; a
    # fresh order_by() here would bypass the prefetch and query per objective.
    for objective in version.objectives.prefetch_related("indicators__targets"):
        indicators = tuple(_core_indicator(i) for i in objective.indicators.all())
        objectives.append(Objective(objective.code, objective.title, indicators))
    periods = tuple(parse_period(p.key) for p in version.periods.all())
    return Plan(
        title=version.title,
        subtitle=version.subtitle,
        periods=tuple(sorted(periods)),
        objectives=tuple(objectives),
        source_name=version.source_name,
    )


def _core_indicator(row) -> Indicator:
    return Indicator(
        code=row.code,
        name=row.name,
        measure=Measure(row.measure),
        direction=Direction(row.direction),
        targets=tuple(
            Target(t.period_key, Comparator(t.comparator), t.value, t.text) for t in row.targets.all()
        ),
        lead_units=tuple(row.lead_units_text or ()),
        per=row.per,
        per_period=CountPeriod(row.per_period) if row.per_period else None,
        unit_label=row.unit_label,
        by_sex=row.by_sex,
        per_unit=row.per_unit,
        unit_share=row.unit_share,
        aggregation=Aggregation(row.aggregation) if row.aggregation else None,
        needs_review=row.needs_review,
        source=row.source_where,
    )


def reports_for_area(unit: OrgUnit, area: OrgUnit) -> bool:
    """A figure sent by an office or by the area itself is the whole area's figure."""
    return unit.pk == area.pk or unit.kind == UnitKind.OFFICE


def official_code(unit: OrgUnit) -> str:
    """The unit's code in exports and the API: its official administrative code.

    A unit without one gets ``ID<primary key>``: unique and stable through renames,
    never derived from the name (names repeat across the country). Official codes
    are digits, so the two never meet.
    """
    return unit.code or f"ID{unit.pk}"


def observation_unit_name(unit: OrgUnit, area: OrgUnit) -> str:
    return "" if reports_for_area(unit, area) else unit.name


def _sex(code: str) -> Sex | None:
    return Sex(code) if code in ("F", "M") else None


def core_observations(
    plan: PlanRecord, *, states: Sequence[str] = APPROVED, within: OrgUnit | None = None
) -> list[CoreObservation]:
    """Stored figures of ``plan`` in the given approval states, as core observations.

    ``within``: only figures of that unit and the units below it (a commune's view).
    """
    rows = Observation.objects.filter(
        submission__plan=plan, submission__state__in=list(states)
    ).select_related("submission__org_unit")
    if within is not None and within.pk != plan.area_id:
        rows = rows.filter(submission__org_unit_id__in=unit_descendant_ids(within.pk))
    area = plan.area
    return [as_core_observation(row, area) for row in rows]


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


def plan_visible(user, plan: PlanRecord) -> bool:
    """The plan pages' own rule (web.accounts.access.require_see_plan), as a yes/no."""
    try:
        require_see_plan(user, plan)
    except PermissionDenied:
        return False
    return True


def commune_names(plan: PlanRecord, period_key: str) -> list[str]:
    period = parse_period(period_key)
    return [u.name for u in communes_of(plan.area, period.start, period.end)]


def plan_data(
    plan: PlanRecord, *, states: Sequence[str] = APPROVED, within: OrgUnit | None = None
) -> tuple[Plan, list[CoreObservation]] | None:
    """The active version as a core plan and the stored figures; None when no version is in force."""
    version = plan_version_active(plan)
    if version is None:
        return None
    return core_plan(version), core_observations(plan, states=states, within=within)


@dataclass(frozen=True)
class Evaluated:
    plan: Plan
    evaluation: PlanEvaluation
    observations: tuple[CoreObservation, ...]


def plan_evaluate(
    plan: PlanRecord,
    period_key: str,
    *,
    as_of: date,
    states: Sequence[str] = APPROVED,
    within: OrgUnit | None = None,
) -> Evaluated | None:
    """The engine's verdicts for the plan's area (or ``within``, any unit of it); None when no
    version is in force. Read from the roll-up summary (web.rollups), not from every figure:
    ``observations`` are the few rows the engine was given."""
    from web.rollups.selectors import unit_evaluation  # rollups reads this module's core_plan

    version = plan_version_active(plan)
    if version is None:
        return None
    core = core_plan(version)
    evaluated = unit_evaluation(plan, core, within or plan.area, period_key, as_of=as_of, states=states)
    return Evaluated(core, evaluated.evaluation, evaluated.observations)


# ------------------------------------------------------------- completeness


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


# ------------------------------------------------------------------ open report items (tasks, reminders)


def plan_report_years(version: PlanVersion) -> list[str]:
    """The years a plan asks figures for: its own year columns ("2024"), else the years of its phase.

    Tasks and reminders come from these, never from the calendar: on 3/12/2026 a 2024 plan owes
    nothing for 2025 or 2026.
    """
    periods = list(version.periods.all())
    years = sorted({str(p.start.year) for p in periods if p.kind == PeriodKind.YEAR.value})
    if years:
        return years
    return sorted({str(y) for p in periods for y in range(p.start.year, p.end.year + 1)})


@dataclass(frozen=True)
class OpenItem:
    """An expected report that is late or due within the reminder window at ``as_of``."""

    expected: Expected
    due: DueItem


def open_report_items(
    plan: PlanRecord, *, as_of: date, remind_before: int, unit_ids: set[int] | None = None
) -> list[OpenItem]:
    """Late and soon-due reports of a plan, from its periods and assignments: "My tasks" and the
    reminder e-mails both ask here, with the same window (settings.CHITIEU_REMIND_BEFORE_DAYS)."""
    version = plan_version_active(plan)
    if version is None:
        return []
    expected = [
        e
        for year in plan_report_years(version)
        for e in expected_reports(plan, year)
        if unit_ids is None or e.unit.pk in unit_ids
    ]
    by_item = {e.item.identity: e for e in expected}
    states = report_states(plan, expected)
    found = due_items(
        [e.item for e in expected],
        states,
        lambda item: by_item[item.identity].deadline,
        as_of=as_of,
        remind_before=remind_before,
    )
    return [OpenItem(by_item[d.item.identity], d) for d in found]
