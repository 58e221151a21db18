"""The annual report file for a plan in the database, built by the core from the dashboard's data.

The database is read by the dashboards' selectors (the same core ``Plan`` and
``Observation`` rows the dashboard judges), so the report's verdicts are the
dashboard's. Only approved figures count unless ``provisional`` is asked for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from chitieu.reports import FORMATS, MEDIA_TYPES, filename, render
from chitieu.reports.build import build_report
from chitieu.reports.settings import ReportSettings, parse_settings
from web.core.audit import audit_record
from web.dashboards.selectors import APPROVED, PROVISIONAL, commune_names, plan_data
from web.orgs.access import require_manage_plan
from web.plans.models import Plan as PlanRecord
from web.reports.models import PlanReportSettings
from web.reports.selectors import report_period, report_periods, report_settings_for


class ReportUnavailable(Exception):
    """The asked-for report cannot be made; the message is for the user."""


@dataclass(frozen=True)
class ReportFile:
    data: bytes
    media_type: str
    filename: str


def annual_report_file(
    plan: PlanRecord, period_text: str, fmt: str, *, as_of: date, provisional: bool = False
) -> ReportFile:
    """The plan's report for one year as ``fmt`` (docx, pdf, xlsx).

    The caller has checked the user may read the plan (``selectors.plan_for_report``).
    """
    if fmt not in FORMATS:
        raise ReportUnavailable(_("Unknown report format “%(fmt)s”: use docx, pdf or xlsx.") % {"fmt": fmt})
    loaded = plan_data(plan, states=PROVISIONAL if provisional else APPROVED)
    if loaded is None:
        raise ReportUnavailable(_("This plan has no version in force yet."))
    core, observations = loaded
    period = report_period(core, period_text)
    if period is None:
        raise ReportUnavailable(
            _("“%(period)s” is not a year of this plan: choose one of %(years)s.")
            % {"period": period_text, "years": ", ".join(report_periods(core))}
        )
    report = build_report(
        core,
        observations,
        period,
        as_of=as_of,
        options=report_settings_for(plan).options(issued_on=as_of),
        units=commune_names(plan, period),
    )
    return ReportFile(render(report, fmt), MEDIA_TYPES[fmt], filename(report, fmt))


class StaleSettings(Exception):
    """Someone saved the settings after the form was opened; nothing was saved."""


@transaction.atomic
def report_settings_save(*, actor, plan: PlanRecord, data: dict, revision: int) -> ReportSettings:
    """Check ``data`` with the core's rules (SettingsError names each bad field) and store it, audited.

    All or nothing: a refused field leaves the stored settings as they were.
    """
    require_manage_plan(actor, plan)
    settings = parse_settings(data, require_signer=True)
    record, _created = PlanReportSettings.objects.select_for_update().get_or_create(plan=plan)
    if record.revision != revision:
        raise StaleSettings
    old = record.data
    record.data = settings.as_dict()
    record.revision += 1
    record.save()
    audit_record(
        actor=actor,
        action="report_settings",
        subject=plan,
        field="report_settings",
        old=json.dumps(old, ensure_ascii=False) if old else "",
        new=json.dumps(record.data, ensure_ascii=False),
    )
    return settings
