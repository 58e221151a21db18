"""Assignments carried over from the old plan to a new one, through the units' successor links.

A 2026–2030 plan is read from its annex like any other; who reported what under the
plan it follows (the district's, before 1 July 2025) is a proposal for it: the old
indicator with the same wording, its lead units followed to their successors valid
when the new plan starts, its reporters, frequency and breakdown. Nothing is applied
until the coordinator accepts, changes or drops each proposal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from chitieu.names import name_key
from chitieu.periods import Level, parse_period
from web.core.audit import audit_record
from web.data.selectors import REPORTING_CALENDAR
from web.orgs.access import require_manage_plan
from web.orgs.models import OrgUnit, UnitLink
from web.orgs.selectors import unit_descendant_ids
from web.plans.models import FREQUENCY_CHOICES, Indicator, Plan, PlanVersion, Reporters
from web.plans.selectors import versions_in_force
from web.plans.services import assignment_update
from web.reorg.models import CarryOver, Decision


@dataclass
class Proposal:
    indicator: Indicator  # the new plan's
    source: Indicator  # the old plan's, same wording
    lead_units: list[OrgUnit]  # the old lead units' successors inside the new plan's area
    left_out: list[OrgUnit]  # old lead units with no successor inside the area
    reporters: str
    frequency: str
    by_sex: bool
    decision: CarryOver | None

    @property
    def reporters_label(self) -> str:
        return str(Reporters(self.reporters).label)

    @property
    def frequency_label(self) -> str:
        return str(dict(FREQUENCY_CHOICES).get(self.frequency, self.frequency))

    @property
    def differs(self) -> bool:
        a = self.indicator.assignment
        return {u.pk for u in a.lead_units.all()} != {u.pk for u in self.lead_units} or (
            a.reporters,
            a.frequency,
            a.by_sex,
        ) != (self.reporters, self.frequency, self.by_sex)


def plan_start(version: PlanVersion) -> date:
    first = version.periods.order_by("start").first()
    return first.start if first is not None else date.today()


def _links() -> dict[int, list[int]]:
    """predecessor id → successor ids (one read for the page)."""
    forward: dict[int, list[int]] = {}
    for predecessor, successor in UnitLink.objects.values_list("predecessor_id", "successor_id"):
        forward.setdefault(predecessor, []).append(successor)
    return forward


def _predecessor_areas(area_ids: set[int]) -> set[int]:
    """Every unit the area's units were formed from, and every unit above those."""
    backward: dict[int, list[int]] = {}
    for predecessor, successor in UnitLink.objects.values_list("predecessor_id", "successor_id"):
        backward.setdefault(successor, []).append(predecessor)
    found: set[int] = set()
    frontier = set(area_ids)
    while frontier:
        frontier = {p for unit in frontier for p in backward.get(unit, ())} - found
        found |= frontier
    parents = dict(OrgUnit.objects.filter(parent__isnull=False).values_list("id", "parent_id"))
    above: set[int] = set()
    for unit in found:
        while unit is not None and unit not in above:
            above.add(unit)
            unit = parents.get(unit)
    return above


def previous_versions(version: PlanVersion) -> list[PlanVersion]:
    """The plans in force in the areas this plan's area was formed from (the district's)."""
    area_ids = unit_descendant_ids(version.plan.area_id) | {version.plan.area_id}
    areas = _predecessor_areas(area_ids) - area_ids
    plans = Plan.objects.filter(area_id__in=areas).exclude(pk=version.plan_id)
    return list(versions_in_force().filter(plan__in=plans).select_related("plan"))


def _successors_on(unit: OrgUnit, day: date, forward: dict[int, list[int]], units: dict[int, OrgUnit]):
    if unit.is_valid_on(day):
        return [unit]
    found = []
    for successor in forward.get(unit.pk, ()):
        found += _successors_on(units[successor], day, forward, units)
    return found


def carry_over_proposals(version: PlanVersion) -> list[Proposal]:
    """One proposal per indicator of ``version`` worded as an indicator of a previous plan."""
    old = {}
    for previous in previous_versions(version):
        for indicator in previous.indicators.select_related("assignment").prefetch_related(
            "assignment__lead_units"
        ):
            old.setdefault(name_key(indicator.name), indicator)
    if not old:
        return []
    day = plan_start(version)
    area = unit_descendant_ids(version.plan.area_id) | {version.plan.area_id}
    forward = _links()
    units = {u.pk: u for u in OrgUnit.objects.all()}
    decisions = {c.indicator_id: c for c in CarryOver.objects.filter(indicator__version=version)}
    proposals = []
    for indicator in version.indicators.select_related("assignment").order_by("position"):
        source = old.get(name_key(indicator.name))
        if source is None:
            continue
        leads, left_out = [], []
        for unit in source.assignment.lead_units.all():
            successors = [s for s in _successors_on(unit, day, forward, units) if s.pk in area]
            leads += [s for s in successors if s not in leads]
            if not successors:
                left_out.append(unit)
        a = source.assignment
        proposals.append(
            Proposal(
                indicator,
                source,
                leads,
                left_out,
                a.reporters,
                a.frequency,
                a.by_sex,
                decisions.get(indicator.pk),
            )
        )
    return proposals


@transaction.atomic
def carry_over_decide(
    *, actor, version: PlanVersion, indicator_id: int, decision: str, changed: dict | None = None
) -> CarryOver:
    """Accept the proposal, accept it with ``changed`` values, or drop it (the assignment stays)."""
    require_manage_plan(actor, version.plan)
    decision = Decision(decision)
    proposal = next(p for p in carry_over_proposals(version) if p.indicator.pk == indicator_id)
    values = {
        "lead_units": proposal.lead_units,
        "reporters": proposal.reporters,
        "frequency": proposal.frequency,
        "by_sex": proposal.by_sex,
    }
    if decision is Decision.CHANGED:
        values.update(changed or {})
    if decision is not Decision.DROPPED:
        assignment_update(actor=actor, assignment=proposal.indicator.assignment, **values)
    record, _created = CarryOver.objects.update_or_create(
        indicator=proposal.indicator,
        defaults={"source": proposal.source, "decision": decision.value, "decided_by": actor},
    )
    audit_record(
        actor=actor,
        action="assignment_carry_over",
        subject=proposal.indicator.assignment,
        field="decision",
        new=decision.value,
        reason=f"{proposal.source.version.plan.name} — {proposal.source.code}",
    )
    return record


@dataclass(frozen=True)
class CalendarRow:
    period: str
    commune: date
    province: date


def reporting_chain(version: PlanVersion, year: int) -> list[CalendarRow]:
    """Decree 09's deadlines for the year's periods the plan asks for: communes, then the province.

    In the two-tier structure there is no district in between: a commune's report goes
    straight to the province, which compiles it by its own deadline.
    """
    kinds = set(version.indicators.values_list("assignment__frequency", flat=True))
    keys = [str(year)] if "year" in kinds else []
    if "half" in kinds:
        keys += [f"{year}-H{h}" for h in (1, 2)]
    if "quarter" in kinds:
        keys += [f"{year}-Q{q}" for q in range(1, 5)]
    if "month" in kinds:
        keys += [f"{year}-{m:02d}" for m in range(1, 13)]
    rows = []
    for key in keys:
        period = parse_period(key)
        rows.append(
            CalendarRow(
                key,
                REPORTING_CALENDAR.deadline(period, Level.COMMUNE),
                REPORTING_CALENDAR.deadline(period, Level.PROVINCE),
            )
        )
    return sorted(rows, key=lambda r: (r.province, r.period))
