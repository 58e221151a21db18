"""The preview of a reorganisation file: what it closes, opens and moves, before anything is changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils.translation import gettext as _

from chitieu.issues import Issue, Severity, has_errors
from chitieu.lineage import Link, lineage_trend
from chitieu.observations import Observation as CoreObservation
from chitieu.reorganisation import (
    ChangeRow,
    ReorganisationPlan,
    check_reorganisation,
    read_reorganisation,
    table_from_bytes,
)
from web.dashboards.selectors import core_plan, plan_version_active
from web.data.models import Observation
from web.orgs.access import area_unit_ids
from web.orgs.models import OrgUnit, UnitLink
from web.orgs.reorganise import unit_facts
from web.plans.models import Assignment, VersionStatus
from web.rollups.selectors import APPROVED_STATES

# Versions whose assignments follow the units to their successors; superseded versions keep their history.
LIVE_VERSIONS = (VersionStatus.ACTIVE, VersionStatus.DRAFT)


@dataclass
class Checked:
    rows: list[ChangeRow]
    plan: ReorganisationPlan
    issues: list[Issue]
    by_key: dict[str, OrgUnit]

    @property
    def on_line(self) -> dict[int, date]:
        return {row.line: row.effective for row in self.rows}


def _ancestor_ids(unit: OrgUnit | None) -> set[int]:
    ids = set()
    while unit is not None:
        ids.add(unit.pk)
        unit = unit.parent
    return ids


def reorganisation_check(user, data: bytes) -> Checked:
    """Read and check ``data`` against the units ``user`` may see (and those above them).

    A unit outside the user's area is an unknown code (its name is not shown);
    a change the user may not make (a unit above their area, such as the
    province a dissolved district's communes move to) is an issue on its line.
    """
    table, issues = table_from_bytes(data)
    rows, more = read_reorganisation(table) if not issues else ([], [])
    issues = issues + more
    if has_errors(issues) or not rows:
        if not rows and not issues:
            issues = [Issue(Severity.ERROR, "line 2", _("The file has no change lines."), "no_rows")]
        return Checked(rows, ReorganisationPlan(), issues, {})
    first = min(r.effective for r in rows)
    facts, by_key = unit_facts(first - timedelta(days=1))
    visible = area_unit_ids(user)
    if visible is not None:
        allowed = visible | _ancestor_ids(user.org_unit)
        keys = {k for k, u in by_key.items() if u.pk in allowed}
        facts = {k: f for k, f in facts.items() if k in keys}
        facts = {
            k: type(f)(
                f.code,
                f.name,
                f.kind,
                f.parent_code,
                f.valid_from,
                f.valid_to,
                tuple(c for c in f.children if c in keys),
            )
            for k, f in facts.items()
        }
        by_key = {k: u for k, u in by_key.items() if k in keys}
    plan, more = check_reorganisation(rows, facts)
    issues = issues + more
    if not has_errors(issues) and visible is not None:
        issues += _outside_area(plan, by_key, visible)
    return Checked(rows, plan, issues, by_key)


def _outside_area(plan: ReorganisationPlan, by_key: dict[str, OrgUnit], visible: set[int]) -> list[Issue]:
    """Coordinators change units of their own area; a province-level change is the province's."""
    issues = []
    for closing in plan.closed:
        unit = by_key.get(closing.code)
        if unit is not None and unit.pk not in visible:
            issues.append(
                Issue(
                    Severity.ERROR,
                    f"line {closing.line}",
                    _("%(unit)s is outside your area: the level above or an administrator makes this change.")
                    % {"unit": unit.name},
                    "outside_area",
                )
            )
    for new in plan.opened:
        parent = by_key.get(new.parent_code)
        if parent is not None and parent.pk not in visible:
            issues.append(
                Issue(
                    Severity.ERROR,
                    f"line {new.line}",
                    _("Placing a unit under %(parent)s is for %(parent)s or an administrator to do.")
                    % {"parent": parent.name},
                    "outside_area",
                )
            )
    return issues


def account_successor(kind: str, successor_kinds: list[str]) -> int | None:
    """Index of the successor an account of a closed unit moves to, or None: it stays, read-only.

    Only a single successor of the same kind takes the accounts (commune → merged
    commune): a district's coordinator must not become the province's.
    """
    if len(successor_kinds) == 1 and successor_kinds[0] == kind:
        return 0
    return None


@dataclass
class Preview:
    checked: Checked
    opened: list[tuple[str, str, str, str]] = field(default_factory=list)  # code, name, parent, from
    closed: list[tuple[OrgUnit, str, str]] = field(default_factory=list)  # unit, link, successors
    renamed: list[tuple[OrgUnit, str]] = field(default_factory=list)
    accounts: list[tuple[object, OrgUnit, str]] = field(default_factory=list)  # user, from, to ("" stays)
    assignments: list[tuple[Assignment, OrgUnit, str]] = field(default_factory=list)
    figures: list[tuple[OrgUnit, int]] = field(default_factory=list)  # figures that stay with the closed unit

    @property
    def issues(self) -> list[Issue]:
        return self.checked.issues

    @property
    def refused(self) -> bool:
        return has_errors(self.checked.issues)


def reorganisation_preview(user, data: bytes) -> Preview:
    checked = reorganisation_check(user, data)
    preview = Preview(checked)
    if preview.refused:
        return preview
    plan, by_key = checked.plan, checked.by_key
    names = {new.code: new.name for new in plan.opened}

    def name(code: str) -> str:
        return names.get(code) or by_key[code].name

    predecessors: dict[str, list[str]] = {}
    for closing in plan.closed:
        for code in closing.successors:
            predecessors.setdefault(code, []).append(by_key[closing.code].name)
    for new in plan.opened:
        parent = name(new.parent_code) if new.parent_code else ""
        preview.opened.append((new.code, new.name, parent, ", ".join(predecessors.get(new.code, []))))
    kinds = {new.code: new.kind or "commune" for new in plan.opened}
    closed_ids = {}
    successor_kinds = {}
    for closing in plan.closed:
        unit = by_key[closing.code]
        successors = [name(c) for c in closing.successors]
        preview.closed.append((unit, closing.link, ", ".join(successors)))
        closed_ids[unit.pk] = (unit, successors)
        successor_kinds[unit.pk] = [kinds.get(c) or by_key[c].kind for c in closing.successors]
    for code, new_name, _new_code, _line in plan.renamed:
        preview.renamed.append((by_key[code], new_name))
    users = get_user_model().objects.filter(org_unit_id__in=closed_ids, is_active=True).order_by("username")
    for account in users:
        unit, successors = closed_ids[account.org_unit_id]
        index = account_successor(unit.kind, successor_kinds[unit.pk])
        preview.accounts.append((account, unit, successors[index] if index is not None else ""))
    assignments = (
        Assignment.objects.filter(lead_units__in=closed_ids, indicator__version__status__in=LIVE_VERSIONS)
        .select_related("indicator__version__plan")
        .prefetch_related("lead_units")
        .distinct()
        .order_by("indicator__version__plan__name", "indicator__position")
    )
    for assignment in assignments:
        for unit in assignment.lead_units.all():
            if unit.pk in closed_ids:
                preview.assignments.append((assignment, unit, ", ".join(closed_ids[unit.pk][1])))
    counts = (
        Observation.objects.filter(submission__org_unit_id__in=closed_ids)
        .values("submission__org_unit_id")
        .annotate(n=Count("id"))
    )
    by_unit = {row["submission__org_unit_id"]: row["n"] for row in counts}
    preview.figures = [(closed_ids[pk][0], n) for pk, n in sorted(by_unit.items())]
    return preview


@dataclass(frozen=True)
class TrendRow:
    period: str
    value: object  # Decimal | None
    numerator: object
    denominator: object
    sources: tuple[str, ...]  # names of the units whose figures make the row
    split_from: tuple[str, ...]  # predecessors split up: their whole series, labelled
    crosses: bool


def unit_trend(
    plan, unit: OrgUnit, indicator_code: str, period_keys, *, states=APPROVED_STATES
) -> list[TrendRow]:
    """``unit``'s own series, its predecessors' figures standing in for the periods before it existed."""
    core = core_plan(plan_version_active(plan))
    indicator = core.indicator(indicator_code)
    links = [
        Link(link.predecessor_id, link.successor_id, link.kind, link.on)
        for link in UnitLink.objects.all().only("predecessor_id", "successor_id", "kind", "on")
    ]
    ids = {unit.pk}
    frontier = {unit.pk}
    while frontier:  # every unit the series may come from
        frontier = {link.predecessor for link in links if link.successor in frontier} - ids
        ids |= frontier
    rows = Observation.objects.filter(
        submission__plan=plan,
        submission__state__in=list(states),
        submission__org_unit_id__in=ids,
        submission__period_key__in=list(period_keys),
        indicator_code=indicator_code,
        sex="",
    ).values_list("submission__period_key", "numerator", "denominator", "value", "submission__org_unit_id")
    observations: dict[int, list] = {}
    for period_key, numerator, denominator, value, unit_id in rows:
        row = CoreObservation(indicator_code, period_key, str(unit_id), None, numerator, denominator, value)
        observations.setdefault(unit_id, []).append(row)
    names = dict(OrgUnit.objects.filter(id__in=ids).values_list("id", "name"))
    return [
        TrendRow(
            point.period,
            point.figure.value,
            point.figure.numerator,
            point.figure.denominator,
            tuple(names[u] for u in point.sources.units),
            tuple(names[u] for u in point.sources.split_from),
            point.sources.crosses,
        )
        for point in lineage_trend(indicator, unit.pk, links, observations, list(period_keys))
    ]
