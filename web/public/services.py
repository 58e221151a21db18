"""Publishing and withdrawing a plan's public page (audited); what the page shows (approved only)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from chitieu.evaluate import Status
from chitieu.periods import period_label
from chitieu.plan import Plan as CorePlan
from chitieu.quantity import format_quantity
from web.core.audit import audit_record
from web.dashboards.templatetags.dashboards import sign
from web.dashboards.views import STATUS_CLASS, status_label, year_choices
from web.data.models import Submission
from web.orgs.access import require_manage_plan
from web.orgs.models import OrgUnit
from web.plans.models import Plan
from web.plans.selectors import core_plan, plan_version_active
from web.public.models import Publication
from web.rollups.selectors import APPROVED_STATES, unit_evaluation


@transaction.atomic
def plan_publish(*, actor, plan: Plan, published: bool) -> None:
    require_manage_plan(actor, plan)
    existing = Publication.objects.filter(plan=plan).first()
    if published and existing is None:
        Publication.objects.create(plan=plan, published_by=actor)
        audit_record(actor=actor, action="plan_publish", subject=plan, field="public", old=False, new=True)
    elif not published and existing is not None:
        existing.delete()
        audit_record(actor=actor, action="plan_unpublish", subject=plan, field="public", old=True, new=False)


def published_plans():
    return Plan.objects.filter(publication__isnull=False).select_related("area").order_by("name")


@dataclass(frozen=True)
class PublicRow:
    code: str
    name: str
    actual: str
    target: str
    verdict: str
    css: str


@dataclass(frozen=True)
class PublicPage:
    plan: Plan
    core: CorePlan
    area: OrgUnit
    period: str
    periods: list[str]
    sections: list[tuple[str, list[PublicRow]]]
    updated: date | None


def _row(indicator, result) -> PublicRow:
    unit = indicator.unit_label
    actual = format_quantity(result.actual, unit) if result.actual is not None else "—"
    target = "—"
    if result.target is not None:
        target = f"{sign(result.target.comparator)} {format_quantity(result.target.value, unit)}"
    if result.provisional or result.status is Status.NO_DATA:
        # Nothing provisional in public: a verdict on incomplete figures is not given.
        verdict, css = _("not enough approved figures yet"), STATUS_CLASS[Status.NO_DATA]
    else:
        verdict, css = status_label(result.status), STATUS_CLASS[result.status]
    return PublicRow(indicator.code, indicator.name, actual, target, verdict, css)


def public_page(plan: Plan, period: str | None, as_of: date) -> PublicPage:
    version = plan_version_active(plan)
    core = core_plan(version)
    years = year_choices(core, as_of)
    periods = years + ([core.phase.key] if core.phase else [])
    if period not in periods:  # this year while the plan runs, else its last year (2025 in 2026)
        period = str(as_of.year) if str(as_of.year) in years else years[-1]
    evaluated = unit_evaluation(plan, core, plan.area, period, as_of=as_of, states=APPROVED_STATES)
    sections = [
        (o.title, [_row(i, evaluated.evaluation.result(i.code)) for i in o.indicators])
        for o in core.objectives
    ]
    updated = Submission.objects.filter(plan=plan, state="approved").aggregate(last=Max("decided_at"))["last"]
    return PublicPage(
        plan=plan,
        core=core,
        area=plan.area,
        period=period,
        periods=periods,
        sections=sections,
        updated=updated.date() if updated else None,
    )


def public_csv(page: PublicPage) -> str:
    """The page's table as CSV for Excel in Vietnam (UTF-8 with BOM, ';')."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Code"), _("Indicator"), _("Period"), _("Actual"), _("Target"), _("Verdict")])
    for _title, rows in page.sections:
        for row in rows:
            writer.writerow(
                [row.code, row.name, period_label(page.period), row.actual, row.target, row.verdict]
            )
    return "\ufeff" + out.getvalue()
