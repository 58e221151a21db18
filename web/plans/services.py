"""Plan writes: import an annex as a draft version, review it, confirm it, amend targets and assignments.

Every function takes keyword arguments, checks the actor's role, and writes its
rows and audit entries in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chitieu.figures import FigureRefused, check_target
from chitieu.importer.isolated import read_plan_isolated
from chitieu.issues import Issue, Severity
from chitieu.levels import default_frequency, office_leads, reported_by_communes
from chitieu.names import clean_name
from chitieu.periods import PeriodKind
from chitieu.plan import Indicator as CoreIndicator
from chitieu.plan import Plan as CorePlan
from chitieu.plan import aggregation_of
from web.core import hooks
from web.core.audit import audit_record
from web.orgs.access import require_coordinator, require_manage_plan, require_see_unit
from web.orgs.models import OrgUnit, UnitKind
from web.orgs.selectors import unit_descendant_ids, unit_find
from web.plans.formulas import default_labels
from web.plans.models import (
    Assignment,
    Indicator,
    Objective,
    Plan,
    PlanIssue,
    PlanPeriod,
    PlanVersion,
    Reporters,
    Target,
    VersionStatus,
)
from web.plans.selectors import plan_version_active


class PlanImportError(Exception):
    """The file is not a usable plan; ``issues`` say why and where."""

    def __init__(self, issues: tuple[Issue, ...]):
        super().__init__("; ".join(str(i) for i in issues))
        self.issues = issues


class StaleEdit(Exception):
    """Someone changed the record after this form was opened."""


class PlanStateError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _source_lines(data: bytes, filename: str) -> dict[str, str]:
    """'line N' → the text of that line, for annexes pasted as text."""
    if not filename.lower().endswith((".txt", ".tsv", ".csv")):
        return {}
    text = data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    return {f"line {n}": line.replace("\t", "  |  ") for n, line in enumerate(text.split("\n"), start=1)}


def default_plan_name(core: CorePlan, area: OrgUnit) -> str:
    """The plan's name when none is given: its year and area, not the annex's heading ("PHÂN CÔNG
    THEO DÕI…", the same in every annex)."""
    years = sorted(p.key for p in core.periods if p.kind is PeriodKind.YEAR)
    with translation.override("vi"):  # stored, and read by everyone: in Vietnamese whoever uploads
        if years:
            return _("Gender-equality plan %(year)s — %(area)s") % {"year": years[-1], "area": area.name}
        return _("Gender-equality plan — %(area)s") % {"area": area.name}


@transaction.atomic
def plan_import(
    *,
    actor,
    data: bytes,
    filename: str,
    area: OrgUnit,
    plan: Plan | None = None,
    amendment_note: str = "",
    name: str = "",
) -> PlanVersion:
    """Read the annex and store it as a draft version awaiting review (a new plan, or an amendment)."""
    require_coordinator(actor)
    require_see_unit(actor, area)
    result = read_plan_isolated(
        data,
        filename,
        memory_mb=settings.CHITIEU_PLAN_PARSE_MEMORY_MB,
        seconds=settings.CHITIEU_PLAN_PARSE_SECONDS,
    )
    if result.plan is None:
        raise PlanImportError(result.issues)
    core = result.plan
    if plan is not None:
        require_manage_plan(actor, plan)  # an amendment: only whoever manages that plan
    if plan is None:
        # Four eyes by default where a standing office checks other units' figures; a commune's
        # plan is often run by one official, who must be able to approve alone.
        four_eyes = area.kind != UnitKind.COMMUNE
        plan_name = clean_name(name) or default_plan_name(core, area)
        plan = Plan.objects.create(name=plan_name[:300], area=area, four_eyes=four_eyes)
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion.objects.create(
        plan=plan,
        number=number,
        title=core.title[:500],
        subtitle=core.subtitle[:500],
        source_name=filename,
        source_bytes=data,
        amendment_note=amendment_note,
        created_by=actor,
    )
    in_force = plan_version_active(plan)
    _store_plan(version, core, _source_lines(data, filename))
    if in_force is not None:
        _keep_assignments(version, in_force)
    PlanIssue.objects.bulk_create(
        PlanIssue(version=version, severity=i.severity.value, where=i.where, message=i.message, code=i.code)
        for i in result.issues
    )
    audit_record(actor=actor, action="plan_import", subject=version, field="source_name", new=filename)
    return version


def _store_plan(version: PlanVersion, core: CorePlan, lines: dict[str, str]) -> None:
    for period in core.periods:
        PlanPeriod.objects.create(
            version=version, key=period.key, kind=period.kind.value, start=period.start, end=period.end
        )
    position = 0
    for o_position, objective in enumerate(core.objectives):
        stored = Objective.objects.create(
            version=version, code=objective.code, title=objective.title, position=o_position
        )
        for indicator in objective.indicators:
            position += 1
            _store_indicator(version, stored, indicator, position, lines)


def _store_indicator(
    version: PlanVersion, objective: Objective, core: CoreIndicator, position: int, lines: dict[str, str]
) -> None:
    numerator, denominator = default_labels(core.name, core.measure)
    indicator = Indicator.objects.create(
        version=version,
        objective=objective,
        position=position,
        code=core.code,
        name=core.name,
        measure=core.measure.value,
        per=core.per,
        per_period=core.per_period.value if core.per_period else "",
        direction=core.direction.value,
        unit_label=core.unit_label,
        by_sex=core.by_sex,
        per_unit=core.per_unit,
        unit_share=core.unit_share,
        aggregation=aggregation_of(core).value,
        needs_review=core.needs_review,
        source_where=core.source,
        source_text=lines.get(core.source, ""),
        lead_units_text=list(core.lead_units),
        numerator_label=numerator,
        denominator_label=denominator,
    )
    Target.objects.bulk_create(
        Target(
            indicator=indicator,
            period_key=t.period,
            comparator=t.comparator.value,
            value=t.value,
            text=t.text,
        )
        for t in core.targets
    )
    _default_assignment(indicator, core, version.plan.area)


def _default_assignment(indicator: Indicator, core: CoreIndicator, area: OrgUnit) -> Assignment:
    assignment = Assignment.objects.create(
        indicator=indicator,
        reporters=Reporters.COMMUNES if reported_by_communes(core) else Reporters.LEAD_UNITS,
        frequency=default_frequency(core).value,
        by_sex=core.by_sex,
    )
    units = [unit_find(name, within=area) for name in office_leads(core)]
    assignment.lead_units.set([u for u in units if u is not None])
    return assignment


def _keep_assignments(version: PlanVersion, in_force: PlanVersion) -> None:
    """An amendment keeps who reports what: every indicator still in the plan keeps its assignment.

    The defaults read from the annex apply only to indicators the amendment adds; a coordinator's
    choices (every commune, quarterly, …) and so the figures already entered stay where they were.
    """
    kept = {
        a.indicator.code: a
        for a in Assignment.objects.filter(indicator__version=in_force)
        .select_related("indicator")
        .prefetch_related("lead_units")
    }
    for assignment in Assignment.objects.filter(indicator__version=version).select_related("indicator"):
        old = kept.get(assignment.indicator.code)
        if old is None:
            continue
        assignment.reporters, assignment.frequency = old.reporters, old.frequency
        assignment.by_sex = old.by_sex
        assignment.save(update_fields=["reporters", "frequency", "by_sex"])
        assignment.lead_units.set(old.lead_units.all())


# ---------------------------------------------------------------- review


@dataclass(frozen=True)
class IndicatorEdit:
    name: str
    measure: str
    per: int | None
    direction: str
    by_sex: bool
    numerator_label: str
    denominator_label: str
    aggregation: str = ""
    # The per-unit rule (6.3: every commune, every quarter): absent from older callers, so kept.
    per_unit: bool | None = None
    unit_share: Decimal | None = None
    per_period: str | None = None


@dataclass(frozen=True)
class TargetEdit:
    comparator: str
    value: Decimal


def _apply(actor, obj, changes: dict, action: str, reason: str = "") -> bool:
    changed = False
    for field, new in changes.items():
        old = getattr(obj, field)
        if old != new:
            setattr(obj, field, new)
            audit_record(
                actor=actor, action=action, subject=obj, field=field, old=old, new=new, reason=reason
            )
            changed = True
    if changed:
        obj.save()
    return changed


def _given(edit: IndicatorEdit) -> dict:
    """The edit's fields; a caller that left the per-unit rule out (per_unit None) keeps it as stored."""
    given = vars(edit).copy()
    if edit.per_unit is None:
        for field in ("per_unit", "unit_share", "per_period"):
            given.pop(field)
    else:
        given["per_period"] = edit.per_period or ""
    return given


@transaction.atomic
def plan_version_review_save(
    *,
    actor,
    version: PlanVersion,
    revision: int,
    indicators: dict[int, IndicatorEdit],
    targets: dict[int, TargetEdit],
) -> PlanVersion:
    """Corrections made on the review screen, before the version is confirmed."""
    version = PlanVersion.objects.select_for_update().select_related("plan").get(pk=version.pk)
    require_manage_plan(actor, version.plan)
    if version.status != VersionStatus.DRAFT:
        raise PlanStateError("not_a_draft")
    if version.revision != revision:
        raise StaleEdit
    for indicator in version.indicators.filter(pk__in=indicators):
        _apply(actor, indicator, _given(indicators[indicator.pk]), "review_edit")
    for target in Target.objects.filter(indicator__version=version, pk__in=targets):
        _apply(actor, target, vars(targets[target.pk]), "review_edit")
    version.revision += 1
    version.save(update_fields=["revision"])
    return version


@transaction.atomic
def plan_version_confirm(*, actor, version: PlanVersion) -> PlanVersion:
    """The reviewed draft comes into force; the version it amends is kept as superseded."""
    version = PlanVersion.objects.select_for_update().select_related("plan").get(pk=version.pk)
    require_manage_plan(actor, version.plan)
    if version.status != VersionStatus.DRAFT:
        raise PlanStateError("not_a_draft")
    previous = None
    for old in version.plan.versions.filter(status=VersionStatus.ACTIVE):
        previous = old
        old.status = VersionStatus.SUPERSEDED
        old.save(update_fields=["status"])
        audit_record(actor=actor, action="plan_supersede", subject=old, field="status", new=old.status)
    # Confirming accepts what was read: the review flags are cleared, each with who accepted it.
    for indicator in version.indicators.filter(needs_review=True):
        indicator.needs_review = False
        indicator.save(update_fields=["needs_review"])
        audit_record(
            actor=actor, action="review_accept", subject=indicator, field="needs_review", old=True, new=False
        )
    version.status = VersionStatus.ACTIVE
    version.confirmed_by, version.confirmed_at = actor, timezone.now()
    version.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    audit_record(actor=actor, action="plan_confirm", subject=version, field="status", new=version.status)
    hooks.announce(hooks.PLAN_CONFIRMED, version=version, previous=previous)
    return version


@transaction.atomic
def plan_version_discard(*, actor, version: PlanVersion) -> PlanVersion:
    version = PlanVersion.objects.select_for_update().select_related("plan").get(pk=version.pk)
    require_manage_plan(actor, version.plan)
    if version.status != VersionStatus.DRAFT:
        raise PlanStateError("not_a_draft")
    version.status = VersionStatus.DISCARDED
    version.save(update_fields=["status"])
    audit_record(actor=actor, action="plan_discard", subject=version, field="status", new=version.status)
    return version


# ---------------------------------------------------------------- targets and assignments in force


def _require_storable(value: Decimal) -> None:
    """A target the database can hold (``chitieu.figures``); the forms say so first, in words."""
    problem = check_target(value)
    if problem is not None:
        raise FigureRefused(problem)


def target_seen(target: Target) -> str:
    """What a target edit form was opened on; sent back, it tells a stale form from a current one."""
    return f"{target.comparator}|{Decimal(target.value).normalize():f}"


def assignment_seen(assignment: Assignment) -> str:
    units = ",".join(str(pk) for pk in sorted(u.pk for u in assignment.lead_units.all()))
    return f"{assignment.reporters}|{assignment.frequency}|{assignment.by_sex}|{units}"


@transaction.atomic
def target_update(
    *, actor, target: Target, comparator: str, value: Decimal, reason: str, seen: str | None = None
) -> Target:
    """Change a target of the plan in force; the reason is kept with the old and new values.

    ``seen`` (``target_seen`` when the form was opened): a target changed since is refused (StaleEdit).
    """
    target = Target.objects.select_for_update().select_related("indicator__version__plan").get(pk=target.pk)
    require_manage_plan(actor, target.indicator.version.plan)
    if seen is not None and seen != target_seen(target):
        raise StaleEdit
    if not reason.strip():
        raise PlanStateError("reason_required")
    _require_storable(value)
    _apply(actor, target, {"comparator": comparator, "value": value}, "target_update", reason)
    hooks.announce(hooks.PLAN_AMENDED, version=target.indicator.version)  # stored verdicts follow
    return target


@transaction.atomic
def target_add(*, actor, indicator: Indicator, period_key: str, comparator: str, value: Decimal, reason: str):
    require_manage_plan(actor, indicator.version.plan)
    if not reason.strip():
        raise PlanStateError("reason_required")
    _require_storable(value)
    target = Target.objects.create(
        indicator=indicator, period_key=period_key, comparator=comparator, value=value
    )
    audit_record(actor=actor, action="target_add", subject=target, field="value", new=value, reason=reason)
    hooks.announce(hooks.PLAN_AMENDED, version=indicator.version)
    return target


@transaction.atomic
def assignment_update(
    *,
    actor,
    assignment: Assignment,
    lead_units: list[OrgUnit],
    reporters: str,
    frequency: str,
    by_sex: bool,
    seen: str | None = None,
) -> Assignment:
    """Who reports an indicator and how often; ``seen`` as for ``target_update``."""
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("indicator__version__plan")
        .get(pk=assignment.pk)
    )
    plan = assignment.indicator.version.plan
    require_manage_plan(actor, plan)
    if seen is not None and seen != assignment_seen(assignment):
        raise StaleEdit
    area = unit_descendant_ids(plan.area_id)
    if any(unit.pk not in area for unit in lead_units):
        raise PermissionDenied  # a lead unit outside the plan's area: an identifier typed by hand
    _apply(
        actor,
        assignment,
        {"reporters": reporters, "frequency": frequency, "by_sex": by_sex},
        "assignment_update",
    )
    old = sorted(u.name for u in assignment.lead_units.all())
    new = sorted(u.name for u in lead_units)
    if old != new:
        assignment.lead_units.set(lead_units)
        audit_record(
            actor=actor,
            action="assignment_update",
            subject=assignment,
            field="lead_units",
            old=", ".join(old),
            new=", ".join(new),
        )
    hooks.announce(hooks.PLAN_AMENDED, version=assignment.indicator.version)
    return assignment


def issues_for(version: PlanVersion) -> dict[str, list[PlanIssue]]:
    """Issues by where they were found ('row 4.1'), for showing next to each indicator."""
    grouped: dict[str, list[PlanIssue]] = {}
    for issue in version.issues.all():
        grouped.setdefault(issue.where, []).append(issue)
    return grouped


REVIEW = Severity.REVIEW.value


def review_flags(version: PlanVersion, indicators) -> list[tuple[Indicator, list[str]]]:
    """The flagged indicators, in plan order, each with what a person should confirm: the summary
    on top of the review page, so a 20-indicator plan is not read end to end to find them."""
    by_row = issues_for(version)
    flagged = []
    for indicator in indicators:
        notes = [i.message for i in by_row.get(f"row {indicator.code}", []) if i.severity == REVIEW]
        if indicator.needs_review or notes:
            flagged.append((indicator, notes))
    return flagged


@transaction.atomic
def plan_four_eyes_set(*, actor, plan: Plan, required: bool) -> Plan:
    """Turn the four-eyes rule on or off for a plan (chitieu.approval.check_four_eyes); audited."""
    require_manage_plan(actor, plan)
    old = plan.four_eyes
    if old != required:
        plan.four_eyes = required
        plan.save(update_fields=["four_eyes"])
        audit_record(
            actor=actor, action="plan_four_eyes", subject=plan, field="four_eyes", old=old, new=required
        )
    return plan
