from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext

from chitieu.number_input import format_number
from chitieu.periods import PeriodKind, parse_period
from chitieu.plan import (
    Aggregation,
    Comparator,
    CountPeriod,
    Direction,
    Measure,
    Objective,
    Target,
)
from chitieu.plan import Indicator as CoreIndicator
from chitieu.plan import Plan as CorePlan
from web.orgs.access import plan_area_ids
from web.plans.models import Assignment, Indicator, Plan, PlanVersion, VersionStatus
from web.plans.models import Target as TargetRow


def visible_to(user, plans: QuerySet[Plan] | None = None) -> QuerySet[Plan]:
    """The plans ``user`` may read (``web.orgs.access.plan_area_ids``: the same rule as
    ``require_see_plan``), restricting ``plans`` (default: every plan)."""
    plans = Plan.objects.all() if plans is None else plans
    ids = plan_area_ids(user)
    return plans if ids is None else plans.filter(area_id__in=ids)


def in_use(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """Plans with a version that was not discarded: a copy uploaded by mistake and discarded leaves
    the lists (pages and API) though its history stays."""
    versions = PlanVersion.objects.filter(plan=OuterRef("pk"))
    discarded = versions.filter(status=VersionStatus.DISCARDED)
    kept = versions.exclude(status=VersionStatus.DISCARDED)
    return plans.exclude(Exists(discarded) & ~Exists(kept))


def plan_list_for_user(user) -> QuerySet[Plan]:
    return in_use(visible_to(user, Plan.objects.select_related("area").prefetch_related("versions")))


def same_annex(area_id: int, data: bytes) -> Plan | None:
    """A plan of the area already holding this very file (a version not discarded), if any."""
    versions = PlanVersion.objects.filter(plan__area_id=area_id).exclude(status=VersionStatus.DISCARDED)
    for version in versions.select_related("plan").only("plan", "source_bytes"):
        if bytes(version.source_bytes) == data:
            return version.plan
    return None


def versions_in_force() -> QuerySet[PlanVersion]:
    """The rule of which version of a plan is in force, as a query: an active version, the highest
    number first if two were ever active at once (each plan's first row here is its version in
    force). ``plan_version_active`` asks it for one plan, the cached pages with the plan itself
    (web.rollups.cache ``with_page_state``)."""
    return PlanVersion.objects.filter(status=VersionStatus.ACTIVE).order_by("-number")


def plan_version_active(plan: Plan) -> PlanVersion | None:
    """The plan version in force: every page, service and report asks here."""
    return versions_in_force().filter(plan=plan).first()


active_version = plan_version_active  # the older name


# ------------------------------------------------------------------ the version as the core's Plan


def core_plan(version: PlanVersion) -> CorePlan:
    """The stored plan version as the core's immutable ``Plan``.

    Every page asks for it: plain values in four queries (each ordered by its model's Meta),
    not model instances through a prefetch, which cost a cached dashboard most of its time."""
    targets: dict[int, list[Target]] = {}
    for indicator_id, key, comparator, value, text in TargetRow.objects.filter(
        indicator__version=version
    ).values_list("indicator_id", "period_key", "comparator", "value", "text"):
        targets.setdefault(indicator_id, []).append(Target(key, Comparator(comparator), value, text))
    by_objective: dict[int, list[CoreIndicator]] = {}
    for row in Indicator.objects.filter(version=version).values(*_INDICATOR_FIELDS):
        by_objective.setdefault(row["objective_id"], []).append(
            _core_indicator(row, tuple(targets.get(row["id"], ())))
        )
    objectives = tuple(
        Objective(code, title, tuple(by_objective.get(pk, ())))
        for pk, code, title in version.objectives.values_list("pk", "code", "title")
    )
    periods = tuple(parse_period(key) for key in version.periods.values_list("key", flat=True))
    return CorePlan(
        title=version.title,
        subtitle=version.subtitle,
        periods=tuple(sorted(periods)),
        objectives=objectives,
        source_name=version.source_name,
    )


_INDICATOR_FIELDS = (
    "id",
    "objective_id",
    "code",
    "name",
    "measure",
    "direction",
    "lead_units_text",
    "per",
    "per_period",
    "unit_label",
    "by_sex",
    "per_unit",
    "unit_share",
    "aggregation",
    "needs_review",
    "source_where",
)


def _core_indicator(row: dict, targets: tuple[Target, ...]) -> CoreIndicator:
    return CoreIndicator(
        code=row["code"],
        name=row["name"],
        measure=Measure(row["measure"]),
        direction=Direction(row["direction"]),
        targets=targets,
        lead_units=tuple(row["lead_units_text"] or ()),
        per=row["per"],
        per_period=CountPeriod(row["per_period"]) if row["per_period"] else None,
        unit_label=row["unit_label"],
        by_sex=row["by_sex"],
        per_unit=row["per_unit"],
        unit_share=row["unit_share"],
        aggregation=Aggregation(row["aggregation"]) if row["aggregation"] else None,
        needs_review=row["needs_review"],
        source=row["source_where"],
    )


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


def indicators_with_details(version: PlanVersion) -> QuerySet[Indicator]:
    return version.indicators.select_related("objective").prefetch_related(
        "targets",
        Prefetch("assignment", queryset=Assignment.objects.prefetch_related("lead_units")),
    )


def active_plans() -> QuerySet[PlanVersion]:
    return versions_in_force().select_related("plan", "plan__area")


def active_version_for_unit(unit) -> PlanVersion | None:
    """The plan in force whose area contains ``unit`` (the nearest area first)."""
    node = unit
    while node is not None:
        version = active_plans().filter(plan__area=node).order_by("-plan__created_at").first()
        if version is not None:
            return version
        node = node.parent
    return None


@dataclass(frozen=True)
class VersionChange:
    """One difference between a draft amendment and the version in force, for the review screen."""

    code: str  # the indicator's code
    what: str  # "added", "removed", "name", "target", "assignment"
    period_key: str = ""
    old: object = None
    new: object = None
    approved_figures: int = 0  # for a removed indicator: approved figures that would no longer be shown


def _assignment_words(assignment: Assignment | None) -> str:
    if assignment is None:
        return ""
    units = ", ".join(sorted(u.name for u in assignment.lead_units.all()))
    return f"{assignment.get_reporters_display()}, {assignment.get_frequency_display()}" + (
        f" ({units})" if units else ""
    )


def version_changes(version: PlanVersion) -> list[VersionChange]:
    """What a draft changes against the version in force (empty for a plan's first version)."""
    in_force = active_version(version.plan)
    if in_force is None or in_force.pk == version.pk:
        return []
    old = {i.code: i for i in indicators_with_details(in_force)}
    new = {i.code: i for i in indicators_with_details(version)}
    changes: list[VersionChange] = []
    for code, indicator in new.items():
        before = old.get(code)
        if before is None:
            changes.append(
                VersionChange(code, "added", new=_assignment_words(getattr(indicator, "assignment", None)))
            )
            continue
        if before.name != indicator.name:
            changes.append(VersionChange(code, "name", old=before.name, new=indicator.name))
        targets_before = {t.period_key: t for t in before.targets.all()}
        targets_now = {t.period_key: t for t in indicator.targets.all()}
        for key in sorted(set(targets_before) | set(targets_now)):
            a, b = targets_before.get(key), targets_now.get(key)
            if (a and (a.comparator, a.value)) != (b and (b.comparator, b.value)):
                changes.append(VersionChange(code, "target", key, a, b))
        was = _assignment_words(getattr(before, "assignment", None))
        now = _assignment_words(getattr(indicator, "assignment", None))
        if was != now:
            changes.append(VersionChange(code, "assignment", old=was, new=now))
    for code, indicator in old.items():
        if code not in new:
            approved = (
                version.plan.submissions.filter(state="approved", observations__indicator_code=code)
                .values("observations")
                .count()
            )
            changes.append(VersionChange(code, "removed", old=indicator.name, approved_figures=approved))
    return changes


@dataclass(frozen=True)
class HistoryRow:
    """An audit entry of a plan record in words: the field's label and its values as choices name them."""

    at: object
    actor: object
    field: str
    old: str
    new: str
    reason: str


def _value_words(field, value) -> str:
    if value in (None, ""):
        return ""
    if field is None:
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.get_internal_type() == "BooleanField":
        return gettext("yes") if str(value) == "True" else gettext("no")
    if field.get_internal_type() == "DecimalField":
        try:
            return format_number(Decimal(str(value)), 6)
        except (InvalidOperation, ValueError):
            return str(value)
    return str(value)


def history_words(entries, model) -> list[HistoryRow]:
    """``audit_for`` rows of a Target or an Assignment as a person reads them (no "frequency year")."""
    rows = []
    for entry in entries:
        try:
            field = model._meta.get_field(entry.field)
        except FieldDoesNotExist:
            field = None
        label = str(getattr(field, "verbose_name", entry.field) or entry.field)
        rows.append(
            HistoryRow(
                entry.at,
                entry.actor,
                label,
                _value_words(field, entry.old),
                _value_words(field, entry.new),
                entry.reason,
            )
        )
    return rows
