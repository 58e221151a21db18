"""The annual report file for a plan in the database, built by the core from the dashboard's data.

The verdicts are the dashboard's own (``web.rollups.selectors.unit_evaluation`` for the plan's
area: the stored verdicts where they answer for the date, else the engine over the summary,
cached per summary version), not the engine run again over every figure of the plan for each of
the six periods a report compares — that was most of a district's report. The figures themselves
are read only for what the text and the workbook's annex quote (sources, notes, the list of
figures), and only for the years they show (``chitieu.reports.build.report_window``).
Only approved figures count unless ``provisional`` is asked for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from chitieu.evaluate import PlanEvaluation
from chitieu.reports import FORMATS, MEDIA_TYPES, filename, render
from chitieu.reports.build import ReportOptions, build_report, report_window
from chitieu.reports.model import Report
from chitieu.reports.settings import ReportSettings, parse_settings
from web.core.audit import audit_record
from web.dashboards.selectors import APPROVED, PROVISIONAL
from web.data.selectors import core_observations
from web.orgs.access import require_manage_plan
from web.orgs.models import OrgUnit
from web.plans.models import Plan as PlanRecord
from web.plans.selectors import core_plan, plan_version_active
from web.reports.files import cached_file, remember_file, report_file_key
from web.reports.models import PlanReportSettings
from web.reports.selectors import report_period, report_periods, report_settings_for
from web.rollups.selectors import unit_evaluation


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
    # Read before the figures (web.reports.files): a change committed meanwhile leaves this file
    # under the old key.
    key = report_file_key(plan, "annual", period_text, fmt, as_of=as_of, provisional=provisional)
    kept = cached_file(key)
    if isinstance(kept, ReportFile):
        return kept
    report = annual_report(plan, period_text, as_of=as_of, provisional=provisional, annex=fmt == "xlsx")
    made = ReportFile(render(report, fmt), MEDIA_TYPES[fmt], filename(report, fmt))
    remember_file(key, made)
    return made


def annual_report(
    plan: PlanRecord,
    period_text: str,
    *,
    as_of: date,
    provisional: bool = False,
    annex: bool = True,
    area: OrgUnit | None = None,
) -> Report:
    """The report's content, any format: ``annex`` lists its figures (the workbook's sheet).

    ``area``: a unit of the plan's tree reporting on its own figures (a commune's report in a
    job's zip); the plan's area by default. Its verdicts are the dashboard's for that unit."""
    version = plan_version_active(plan)
    if version is None:
        raise ReportUnavailable(_("This plan has no version in force yet."))
    core = core_plan(version)
    period = report_period(core, period_text)
    if period is None:
        raise ReportUnavailable(
            _("“%(period)s” is not a year of this plan: choose one of %(years)s.")
            % {"period": period_text, "years": ", ".join(report_periods(core))}
        )
    states = PROVISIONAL if provisional else APPROVED
    area = area or plan.area

    def evaluate(key: str) -> PlanEvaluation:
        return unit_evaluation(plan, core, area, key, as_of=as_of, states=states).evaluation

    window = report_window(core, period, as_of=as_of, annex=annex)
    return build_report(
        core,
        core_observations(plan, states=states, between=window, within=area),
        period,
        as_of=as_of,
        options=report_options(plan, area, as_of=as_of),
        evaluate=evaluate,
        annex=annex,
    )


def report_options(plan: PlanRecord, area: OrgUnit, *, as_of: date) -> ReportOptions:
    """The plan's report settings (header, number, signer). A unit below the plan's area issues its
    own report, under the plan's area's body, for its signer to sign: not in the plan's name."""
    options = report_settings_for(plan).options(issued_on=as_of)
    if area.pk == plan.area_id:
        return options
    words = _in_words(area.name)
    parent = " ".join(options.issuing_body.split()) or f"Ủy ban nhân dân {_in_words(plan.area.name)}"
    return ReportOptions(
        issuing_body=f"Ủy ban nhân dân\n{words}",
        parent_body=parent,
        place=options.place,
        area=words,
        issued_on=as_of,
    )


def _in_words(name: str) -> str:
    """ "Xã Đăk Kôi" → "xã Đăk Kôi": how an official text names the unit mid-sentence."""
    return name[:1].lower() + name[1:]


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
