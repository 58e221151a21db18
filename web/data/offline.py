"""Excel forms for offline work: the form of a unit (or of an area's units) and its upload.

The workbook's layout is the core's (``chitieu.offline_form``); here are the rows the
person may fill (the units' duties in the plan in force, as the entry page lists them),
the words, and the upload: every cell through the figure rule (``check_figure``, as the
entry form), then ``submission_save`` / ``submission_submit`` per report, as the entry
form's "save" and "save and submit", all in one transaction: one refused cell and nothing
is stored, every refused cell named ("Số liệu!F12") with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chitieu.approval import ApprovalError, Role, State, is_editable
from chitieu.filetypes import sniff
from chitieu.offline_form import (
    CellProblem,
    FilledRow,
    FormIdentity,
    FormRow,
    FormUnreadable,
    FormWords,
    RowKey,
    identity_problem,
    read_form,
    write_form,
)
from chitieu.packages import package_problem
from chitieu.periods import PeriodKind, parse_period, sub_periods
from chitieu.plan import Measure
from web.core.figures import SEX_NAMES, figure_message, sex_missing_message
from web.core.forms import VietnameseDecimalField
from web.core.words import period_words
from web.data.models import Observation, Submission
from web.data.selectors import DutyIndex
from web.data.services import (
    FigureError,
    FigureInput,
    SexMissing,
    StaleSubmission,
    check_figure,
    submission_save,
    submission_submit,
)
from web.orgs.access import area_unit_ids, require_enter_for
from web.orgs.models import OrgUnit
from web.orgs.selectors import unit_descendant_ids, units_valid_between
from web.plans.models import Indicator, PlanVersion
from web.plans.selectors import active_version_for_unit

MAX_UNITS = 300  # a form for more units would be too long to fill by hand: one per district then

STATE_NAMES = {  # the entry page's words for a report's state
    "draft": gettext_lazy("draft"),
    "submitted": gettext_lazy("submitted, awaiting approval"),
    "approved": gettext_lazy("approved"),
    "returned": gettext_lazy("returned"),
    "": gettext_lazy("not started"),
}
FORM_MESSAGES = {
    "not_xlsx": gettext_lazy("Choose the Excel file (.xlsx) downloaded from this page, once filled in."),
    "too_large": gettext_lazy("The file is too large (at most %(mb)s MB)."),
    "not_a_workbook": gettext_lazy("The file cannot be opened as an Excel workbook."),
    "not_a_form": gettext_lazy(
        "This workbook is not a form of this site. Download the form from this page, fill it in"
        " and upload it back."
    ),
    "identity_changed": gettext_lazy(
        "The form's hidden identification was changed, so its figures cannot be matched to their"
        " reports. Download a new form."
    ),
    "no_figures": gettext_lazy("The sheet “Số liệu” is missing from the form. Download a new form."),
    "other_plan": gettext_lazy("This form is for another plan. Download the form from this page."),
    "old_version": gettext_lazy(
        "This form was made for version %(old)s of the plan; version %(new)s is now in force and its"
        " indicators or assignments may differ. Nothing was saved: download a new form and copy your"
        " figures into it."
    ),
    "other_unit": gettext_lazy(
        "This form was made for %(other)s, not for %(unit)s. Nothing was saved: upload it on the"
        " page of %(other)s, or download the form of %(unit)s."
    ),
    "forbidden_units": gettext_lazy(
        "This form holds units you may not enter figures for (any more). Nothing was saved."
    ),
    "no_period": gettext_lazy("The form holds no period of the plan. Download a new form."),
}
CELL_MESSAGES = {
    "structure_changed": gettext_lazy(
        "the row was moved or its indicator code changed (found “%(text)s”); download a new form"
    ),
    "stale": gettext_lazy(
        "someone changed the report of %(unit)s for %(period)s after this form was made; download"
        " a new form so as not to overwrite their figures"
    ),
    "locked": gettext_lazy("These figures are approved and locked. Ask the coordinator to unlock them."),
    "not_allowed_in_state": gettext_lazy("This is not possible in the report's current state."),
    "forbidden": gettext_lazy("you may not enter this figure for this unit (it is not assigned to it)"),
}


class FormRefused(Exception):
    """Nothing was stored; ``problems`` says why, each naming its cell where there is one."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class FormOutcome:
    reports: int  # reports whose figures were saved
    sent: int  # reports sent for approval
    figures: int  # figures that changed


# ------------------------------------------------------------------ what the form holds


def form_version(unit: OrgUnit) -> PlanVersion | None:
    return active_version_for_unit(unit)


def form_units(user, scope: OrgUnit, version: PlanVersion, year: int) -> list[OrgUnit]:
    """The units of ``scope`` (itself and below) with something to report in ``year`` for which
    ``user`` may enter figures, ordered as the overview lists them."""
    require_enter_for(user, scope)
    within = unit_descendant_ids(scope.pk)
    visible = area_unit_ids(user)
    index = DutyIndex(version)
    units = units_valid_between(date(year, 1, 1), date(year, 12, 31)).filter(id__in=within)
    units = list(units.filter(id__in=index.area_ids).order_by("kind", "name"))
    index.know(units)
    return [u for u in units if (visible is None or u.pk in visible) and index.duties(u)]


def _periods(frequency: str, year: int, unit: OrgUnit) -> list[str]:
    year_period = parse_period(str(year))
    periods = sub_periods(year_period, PeriodKind(frequency)) or (year_period,)
    return [p.key for p in periods if unit.overlaps(p.start, p.end)]


def _count(indicator: Indicator) -> bool:
    return indicator.measure == Measure.COUNT


def form_rows(user, version: PlanVersion, units: list[OrgUnit], year: int) -> list[FormRow]:
    """One row per unit × period × indicator × sex, with what is stored and whether it may change."""
    index = DutyIndex(version)
    index.know(units)  # whether each lies in the plan's area: one query for them all
    submissions = {
        (s.org_unit_id, s.period_key): s
        for s in Submission.objects.filter(
            plan=version.plan, org_unit__in=units, period_start__year=year
        ).prefetch_related("observations")
    }
    role: Role = user.chitieu_role
    rows = []
    for unit in units:
        duties = index.duties(unit)
        keys = sorted(
            {key for d in duties for key in _periods(d.assignment.frequency, year, unit)},
            key=lambda k: (parse_period(k).start, parse_period(k).end),
        )
        for period_key in keys:
            submission = submissions.get((unit.pk, period_key))
            stored = (
                {(o.indicator_code, o.sex): o for o in submission.observations.all()} if submission else {}
            )
            state = submission.state if submission else ""
            editable = is_editable(State(state or State.DRAFT.value), role)
            for duty in duties:
                if period_key not in _periods(duty.assignment.frequency, year, unit):
                    continue
                indicator = duty.indicator
                for sex in duty.sexes:
                    obs = stored.get((indicator.code, sex))
                    count = _count(indicator)
                    key = RowKey(
                        unit.pk,
                        period_key,
                        indicator.code,
                        sex,
                        submission.revision if submission else 0,
                        count,
                    )
                    rows.append(
                        FormRow(
                            key=key,
                            editable=editable,
                            unit_name=unit.name,
                            period_name=period_words(period_key),
                            indicator_name=indicator.name,
                            sex_name=str(SEX_NAMES[sex]) if sex else "",
                            state_name=str(STATE_NAMES[state]),
                            numerator_label=indicator.numerator_label or str(_("Number")),
                            denominator_label="" if count else indicator.denominator_label or str(_("Total")),
                            numerator=(obs.value if count else obs.numerator) if obs else None,
                            denominator=None if count or obs is None else obs.denominator,
                            note=obs.note if obs else "",
                        )
                    )
    return rows


def _words(version: PlanVersion, scope: OrgUnit, year: int) -> FormWords:
    title = _("%(plan)s — %(unit)s — year %(year)s") % {
        "plan": version.plan.name,
        "unit": scope.name,
        "year": year,
    }
    guide = (
        _("How to fill in this form"),
        _(
            "1. Fill in the yellow cells of the sheet “Số liệu” only: the numerator (or the number, for"
            " a count), the denominator and a note. The other cells are protected."
        ),
        _(
            "2. Type numbers as numbers (Excel shows them with your computer's separators). Leave a"
            " cell empty when the figure is not known: empty is not zero."
        ),
        _(
            "3. An indicator reported by sex has one row for women / girls and one for men / boys: fill"
            " in both, or write “không áp dụng” in the note of the one that does not apply."
        ),
        _("4. Grey cells cannot be changed: the report is awaiting approval or approved and locked."),
        _(
            "5. Do not add, remove or move rows or sheets. Save the file as .xlsx and upload it on the"
            " page you downloaded it from: each figure is checked as on the entry page, and if one cell"
            " is refused nothing is saved and every refused cell is listed (for example “Số liệu!F12”)."
        ),
        _(
            "6. The form belongs to version %(version)s of the plan and to %(unit)s. After the plan is"
            " amended, a form made before is refused: download a new one."
        )
        % {"version": version.number, "unit": scope.name},
    )
    headers = (
        _("Unit"),
        _("Period"),
        _("Code"),
        _("Indicator"),
        _("Sex"),
        _("Numerator (or number)"),
        _("Denominator"),
        _("Note"),
        _("Status"),
    )
    return FormWords(
        title=title,
        guide=tuple(str(g) for g in guide),
        headers=tuple(str(h) for h in headers),
        number_error=_("Type a number of at least 0, or leave the cell empty."),
        whole_error=_("Type a whole number of at least 0, or leave the cell empty."),
        error_title=_("Not a valid figure"),
    )


def form_workbook(*, actor, scope: OrgUnit, year: int) -> bytes:
    """The form of ``scope`` for ``year``, pre-filled; PermissionDenied unless ``actor`` may enter for it."""
    require_enter_for(actor, scope)
    version = form_version(scope)
    if version is None:
        raise LookupError("no plan in force")
    units = form_units(actor, scope, version, year)[:MAX_UNITS]
    identity = FormIdentity(version.plan_id, version.number, scope.pk, year, tuple(u.pk for u in units))
    return write_form(identity, form_rows(actor, version, units, year), _words(version, scope, year))


# ------------------------------------------------------------------ the upload


def _read(data: bytes) -> tuple[FormIdentity, tuple[FilledRow, ...], tuple[CellProblem, ...]]:
    limit = settings.CHITIEU_EVIDENCE_MAX_BYTES
    if len(data) > limit:
        raise FormRefused([str(FORM_MESSAGES["too_large"]) % {"mb": f"{limit / (1024 * 1024):g}"}])
    if sniff(data) != "xlsx":  # by content, as evidence files
        raise FormRefused([str(FORM_MESSAGES["not_xlsx"])])
    if package_problem(data) is not None:  # a zip bomb, XML entities: never handed to openpyxl
        raise FormRefused([str(FORM_MESSAGES["not_a_workbook"])])
    try:
        form = read_form(data)
    except FormUnreadable as error:
        raise FormRefused([str(FORM_MESSAGES[error.code])]) from error
    return form.identity, form.rows, form.problems


def _check_identity(actor, scope: OrgUnit, version: PlanVersion, identity: FormIdentity) -> list[OrgUnit]:
    problem = identity_problem(
        identity, plan_id=version.plan_id, version=version.number, scope_unit_id=scope.pk
    )
    if problem == "other_unit":
        other = OrgUnit.objects.filter(pk=identity.scope_unit_id).first()
        words = {"other": other.name if other else f"#{identity.scope_unit_id}", "unit": scope.name}
        raise FormRefused([str(FORM_MESSAGES[problem]) % words])
    if problem is not None:
        raise FormRefused([str(FORM_MESSAGES[problem]) % {"old": identity.version, "new": version.number}])
    allowed = {u.pk: u for u in form_units(actor, scope, version, identity.year)}
    if any(u not in allowed for u in identity.unit_ids):
        raise FormRefused([str(FORM_MESSAGES["forbidden_units"])])
    return [allowed[u] for u in identity.unit_ids]


def _cell_message(problem: CellProblem) -> str:
    if problem.code in CELL_MESSAGES:
        why = str(CELL_MESSAGES[problem.code]) % {"text": problem.text}
    else:  # a number the reader could not read: the entry form's words for it
        whole, _sep, fraction = problem.text.strip().partition(",")
        words = VietnameseDecimalField.default_error_messages
        text = words.get(problem.code, words["not_a_number"])
        why = str(text) % {"text": problem.text, "whole": whole, "fraction": fraction}
    return f"{problem.where}: {why}"


def _figure(row: FilledRow) -> FigureInput:
    """What the entry form would send for this row: a count's number is its value."""
    if row.key.count:
        return FigureInput(value=row.numerator, note=row.note)
    return FigureInput(numerator=row.numerator, denominator=row.denominator, note=row.note)


def _differs(a: Decimal | None, b: Decimal | None) -> bool:
    return (a is None) != (b is None) or (a is not None and b is not None and a != b)


def _changed(row: FilledRow, stored: Observation | None) -> bool:
    """Whether the row differs from what is stored: only changed figures are written (as the
    entry form, which writes only what changed); a figure given without its parts stays."""
    if stored is None:
        return row.numerator is not None or row.denominator is not None or bool(row.note.strip())
    if row.key.count:
        return _differs(row.numerator, stored.value) or row.note.strip() != stored.note
    return (
        _differs(row.numerator, stored.numerator)
        or _differs(row.denominator, stored.denominator)
        or row.note.strip() != stored.note
    )


@dataclass
class _Report:
    unit: OrgUnit
    period: str
    revision: int  # when the form was made
    rows: list[FilledRow]
    changed: list[FilledRow]


def _reports(version: PlanVersion, units: list[OrgUnit], rows: Iterable[FilledRow]) -> list[_Report]:
    by_id = {u.pk: u for u in units}
    keys = {(r.key.unit_id, r.key.period) for r in rows}
    stored: dict[tuple[int, str, str, str], Observation] = {
        (o.submission.org_unit_id, o.submission.period_key, o.indicator_code, o.sex): o
        for o in Observation.objects.filter(
            submission__plan=version.plan, submission__org_unit__in=units
        ).select_related("submission")
        if (o.submission.org_unit_id, o.submission.period_key) in keys
    }
    reports: dict[tuple[int, str], _Report] = {}
    for row in rows:
        k = row.key
        report = reports.setdefault(
            (k.unit_id, k.period), _Report(by_id[k.unit_id], k.period, k.revision, [], [])
        )
        report.rows.append(row)
        if _changed(row, stored.get((k.unit_id, k.period, k.indicator, k.sex))):
            report.changed.append(row)
    return [reports[k] for k in sorted(reports)]  # a fixed order: two uploads lock reports alike


class _Refused(Exception):
    """Raised inside the transaction to roll back what was written before the first refusal."""


def form_upload(*, actor, scope: OrgUnit, data: bytes, submit: bool) -> FormOutcome:
    """Store a filled form: all of it, or nothing and every problem named (``FormRefused``)."""
    require_enter_for(actor, scope)
    version = form_version(scope)
    if version is None:
        raise FormRefused([str(FORM_MESSAGES["other_plan"])])
    identity, rows, read_problems = _read(data)
    units = _check_identity(actor, scope, version, identity)
    problems = [_cell_message(p) for p in read_problems]
    indicators = {i.code: i for i in version.indicators.all()}
    for row in rows:
        indicator = indicators.get(row.key.indicator)
        if indicator is None:  # the digest and version matched, so this cannot happen unless tampered with
            problems.append(_cell_message(CellProblem(row.where("numerator"), "forbidden")))
            continue
        try:
            check_figure(indicator, _figure(row))
        except FigureError as error:
            problems.append(f"{row.where(error.issue.part)}: {figure_message(error.issue)}")
    if problems:
        raise FormRefused(problems)
    reports = _reports(version, units, rows)
    try:
        with transaction.atomic():
            # "Save and submit" sends what the upload changed; a unit's own form also sends its drafts
            # left as they were (typed earlier), but an area's form never sends a unit's unfinished draft.
            send_unchanged = submit and len(identity.unit_ids) == 1
            outcome = _store(actor, version, reports, indicators, (submit, send_unchanged), problems)
            if problems:
                raise _Refused
    except _Refused:
        raise FormRefused(problems) from None
    return outcome


def _store(actor, version, reports: list[_Report], indicators: dict, send: tuple[bool, bool], problems: list):
    submit, send_unchanged = send
    saved = sent = figures = 0
    for report in reports:
        first = (report.changed or report.rows)[0]
        try:
            with transaction.atomic():
                submission = None
                if report.changed:
                    submission = submission_save(
                        actor=actor,
                        plan=version.plan,
                        unit=report.unit,
                        period_key=report.period,
                        revision=report.revision,
                        figures={
                            (indicators[r.key.indicator], r.key.sex): _figure(r) for r in report.changed
                        },
                    )
                    saved, figures = saved + 1, figures + len(report.changed)
                if submit and (report.changed or send_unchanged):
                    submission = (
                        submission
                        or Submission.objects.filter(
                            plan=version.plan, org_unit=report.unit, period_key=report.period
                        ).first()
                    )
                    if _sendable(submission):
                        submission_submit(actor=actor, submission=submission, revision=submission.revision)
                        sent += 1
        except StaleSubmission:
            words = {"unit": report.unit.name, "period": period_words(report.period)}
            problems.append(f"{first.where('numerator')}: {CELL_MESSAGES['stale'] % words}")
        except ApprovalError as error:
            code = error.code if error.code in CELL_MESSAGES else "not_allowed_in_state"
            problems.append(f"{first.where('numerator')}: {CELL_MESSAGES[code]}")
        except PermissionDenied:
            problems.append(f"{first.where('numerator')}: {CELL_MESSAGES['forbidden']}")
        except SexMissing as error:
            for code, sex in error.missing:
                row = next((r for r in report.rows if r.key.indicator == code and r.key.sex == sex), first)
                problems.append(f"{row.where('numerator')}: {sex_missing_message(code, sex)}")
    return FormOutcome(saved, sent, figures)


def _sendable(submission: Submission | None) -> bool:
    """A report to send with "save and send": one that has figures and is not sent or locked yet."""
    if submission is None or submission.state not in (State.DRAFT.value, State.RETURNED.value):
        return False
    return submission.observations.exists()
