"""Reads for report downloads: which plan a person may report on, and for which periods."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from chitieu.periods import PeriodKeyError, PeriodKind, parse_period
from chitieu.plan import Plan
from chitieu.reports.settings import ReportSettings, SettingsError, parse_settings
from web.orgs.access import require_see_plan
from web.plans.models import Plan as PlanRecord
from web.reports.models import PlanReportSettings


def plan_for_report(user, plan_id: int) -> PlanRecord | None:
    """The plan, or None when it does not exist; PermissionDenied when ``user`` may not read it.

    The rule is the plan pages' own (``require_see_plan``): whoever may open the
    plan's dashboard may download its report, and nobody else.
    """
    plan = PlanRecord.objects.select_related("area").filter(pk=plan_id).first()
    if plan is None:
        return None
    if not user.is_authenticated:
        raise PermissionDenied
    require_see_plan(user, plan)
    return plan


def report_periods(core: Plan) -> list[str]:
    """The years an annual report can be made for: each year of the plan's phase."""
    phase = core.phase
    if phase is not None:
        return [str(y) for y in phase.years]
    return [p.key for p in core.periods if p.kind is PeriodKind.YEAR]


def report_period(core: Plan, text: str) -> str | None:
    """``text`` as a period key the plan reports on, or None."""
    try:
        period = parse_period(text)
    except PeriodKeyError:
        return None
    if period.key not in report_periods(core):
        return None
    return period.key


def report_settings_record(plan: PlanRecord) -> PlanReportSettings | None:
    return PlanReportSettings.objects.filter(plan=plan).first()


def report_settings_for(plan: PlanRecord) -> ReportSettings:
    """The plan's saved report settings; the defaults when none were saved.

    What is stored passed ``parse_settings`` when it was saved; should a later, stricter
    rule refuse it, the report still comes out, with the defaults."""
    record = report_settings_record(plan)
    if record is None or not record.data:
        return ReportSettings()
    try:
        return parse_settings(record.data)
    except SettingsError:
        return ReportSettings()
