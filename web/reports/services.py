"""The annual report file for a plan in the database, built by the core from the dashboard's data.

The database is read by the dashboards' selectors (the same core ``Plan`` and
``Observation`` rows the dashboard judges), so the report's verdicts are the
dashboard's. Only approved figures count unless ``provisional`` is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from chitieu.reports import FORMATS, MEDIA_TYPES, filename, render
from chitieu.reports.build import ReportOptions, build_report
from web.dashboards.selectors import APPROVED, PROVISIONAL, commune_names, plan_data
from web.plans.models import Plan as PlanRecord
from web.reports.selectors import report_period, report_periods


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
        options=ReportOptions(issued_on=as_of),
        units=commune_names(plan, period),
    )
    return ReportFile(render(report, fmt), MEDIA_TYPES[fmt], filename(report, fmt))
