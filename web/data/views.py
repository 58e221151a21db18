"""Data entry pages: thin; the form validates, services decide and write."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chitieu.approval import Action, ApprovalError, Role, State, allowed_actions, is_editable, may_ever
from chitieu.figures import Problem
from chitieu.filetypes import CONTENT_TYPES, download_name
from chitieu.number_input import NumberInputError, format_number, parse_number_input
from chitieu.periods import PeriodKeyError, parse_period
from web.core.figures import figure_message, sex_missing_message
from web.data import services
from web.data.forms import SEX_KEYS, DecisionForm, EntryForm, field_names
from web.data.models import Evidence, Submission
from web.data.selectors import (
    deadline,
    duties,
    is_late,
    observations_of,
    state_history,
    value_history,
)
from web.orgs.access import can_enter_for, require_see_plan, require_see_unit
from web.orgs.models import OrgUnit
from web.plans.models import Indicator
from web.plans.selectors import active_version_for_unit

APPROVAL_ERRORS = {
    "locked": gettext_lazy("These figures are approved and locked. Ask the coordinator to unlock them."),
    "not_allowed_in_state": gettext_lazy("This is not possible in the report's current state."),
    "reason_required": gettext_lazy("Please give a reason."),
    "four_eyes": gettext_lazy(
        "You sent these figures yourself: under this plan's four-eyes rule "
        "another coordinator must approve them."
    ),
}
STALE_MESSAGE = gettext_lazy(
    "Someone changed these figures after you opened this page. Your entries are "
    "still in the form below but were NOT saved. Check the current values (open the "
    "page again in a new tab), then save again."
)
STALE_DECISION_MESSAGE = gettext_lazy(
    "Someone changed this report after you opened this page (new figures, or another decision). "
    "Your decision was NOT applied: check the report as it is now, then decide again."
)
EVIDENCE_ERRORS = {
    "too_large": gettext_lazy("“%(name)s” is too large (at most %(mb)s MB per file)."),
    "unsafe_package": gettext_lazy(
        "“%(name)s” is a damaged or unsafe Word/Excel file (it would unpack to far too much data)."
    ),
    "type_not_allowed": gettext_lazy(
        "“%(name)s” is not a PDF, PNG, JPEG, Word or Excel file (checked by its content)."
    ),
}


def _context_for(request, unit_id: int, period_key: str):
    unit = get_object_or_404(OrgUnit, pk=unit_id)
    require_see_unit(request.user, unit)
    try:
        period = parse_period(period_key)
    except PeriodKeyError as error:
        raise Http404 from error
    version = active_version_for_unit(unit)
    if version is None:
        raise Http404
    unit_duties = duties(version, unit, period.kind)
    if not unit_duties:
        raise Http404
    submission = Submission.objects.filter(plan=version.plan, org_unit=unit, period_key=period.key).first()
    return unit, period, version, unit_duties, submission


def _role(user) -> Role:
    return user.chitieu_role


@login_required
def entry(request, unit_id: int, period_key: str):
    unit, period, version, unit_duties, submission = _context_for(request, unit_id, period_key)
    state = State(submission.state) if submission else State.DRAFT
    editable = is_editable(state, _role(request.user))
    observations = observations_of(submission)
    revision = submission.revision if submission else 0
    data = request.POST if request.method == "POST" else None
    form = EntryForm(
        data,
        request.FILES or None,
        duties=unit_duties,
        observations=observations,
        disabled=not editable,
        initial={"revision": revision},
    )
    if data is not None:
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            done = _save(request, form, version, unit, period, submit="submit" in request.POST)
            if done:
                return redirect("data:entry", unit_id=unit.pk, period_key=period.key)
        else:
            messages.error(request, _("Some figures need correcting; they are marked below."))
    return render(
        request,
        "data/entry.html",
        _page(request, unit, period, version, unit_duties, submission, form, editable),
    )


def _save(request, form, version, unit, period, *, submit: bool) -> bool:
    try:
        with transaction.atomic():  # "save and submit" is one step: both or neither
            submission = services.submission_save(
                actor=request.user,
                plan=version.plan,
                unit=unit,
                period_key=period.key,
                revision=form.cleaned_data["revision"],
                figures=form.figures(),
                evidence=form.cleaned_data["evidence"],
            )
            if submit:
                services.submission_submit(
                    actor=request.user, submission=submission, revision=submission.revision
                )
    except services.StaleSubmission:
        messages.error(request, STALE_MESSAGE)
        return False
    except services.EvidenceError as error:
        limit = settings.CHITIEU_EVIDENCE_MAX_BYTES / (1024 * 1024)
        form.add_error("evidence", EVIDENCE_ERRORS[error.code] % {"name": error.name, "mb": f"{limit:g}"})
        messages.error(request, _("Nothing was saved: an attached file was refused."))
        return False
    except ApprovalError as error:
        messages.error(request, APPROVAL_ERRORS.get(error.code, error.code))
        return False
    except services.SexMissing as error:
        for code, sex in error.missing:
            duty = next(d for d in form.duties if d.indicator.code == code)
            form.add_error(field_names(duty, sex)[0], sex_missing_message(code, sex))
        form.full_clean_marks()
        messages.error(
            request, _("Nothing was sent: some figures by sex are missing; they are marked below.")
        )
        return False
    if submit:
        messages.success(request, _("Sent to the coordinator for approval."))
    else:
        messages.success(request, _("Saved. You can come back and continue later."))
    return True


def _page(request, unit, period, version, unit_duties, submission, form, editable) -> dict:
    history = value_history(submission)
    blocks = []
    for duty in unit_duties:
        target = next(
            (t for t in duty.indicator.targets.all() if t.period_key == str(period.start.year)), None
        )
        phase_target = next((t for t in duty.indicator.targets.all() if "-" in t.period_key), None)
        rows = []
        for sex in duty.sexes:
            num, den, note = field_names(duty, sex)
            rows.append(
                {
                    "sex": sex,
                    "key": SEX_KEYS[sex],
                    "num": form[num],
                    "den": form[den] if den in form.fields else None,
                    "note": form[note],
                    "history": history.get((duty.indicator.code, sex), []),
                    "preview": render_preview(
                        _preview(
                            duty.indicator,
                            form[num].value(),
                            form[den].value() if den in form.fields else None,
                        )
                    ),
                }
            )
        blocks.append({"duty": duty, "target": target or phase_target, "rows": rows})
    state = State(submission.state) if submission else State.DRAFT
    role = _role(request.user)
    today = timezone.localdate()
    return {
        "unit": unit,
        "period": period,
        "version": version,
        "submission": submission,
        "form": form,
        "blocks": blocks,
        "editable": editable,
        "state": state,
        "actions": [a.value for a in allowed_actions(state, role)] if submission else [],
        "deadline": deadline(period, unit),
        "late": is_late(submission, period, unit, today),
        "state_history": state_history(submission),
        "decision_form": DecisionForm(),
        "evidence": submission.evidence.all() if submission else [],
        "offline_form": can_enter_for(request.user, unit),
    }


@dataclass(frozen=True)
class Preview:
    """What the entry form shows beside a figure: the value, and the rule's objection if any."""

    text: str = ""  # "50 %", "140 %"
    problem: str = ""  # the figure rule's message, shown in red
    part: str = ""  # the box with the problem: "numerator", "denominator"

    def __str__(self) -> str:
        return " · ".join(t for t in (self.text, self.problem) if t)


# Objections after which the computed value still means something to show.
_SHOWN_ANYWAY = {Problem.NUMERATOR_ABOVE_DENOMINATOR, Problem.NEGATIVE, Problem.NOT_WHOLE}


def _number(text) -> Decimal | None:
    return parse_number_input(text or "") if isinstance(text, str) else text


def _preview(indicator: Indicator, numerator_text, denominator_text) -> Preview:
    try:
        numerator, denominator = _number(numerator_text), _number(denominator_text)
    except NumberInputError:
        return Preview(problem=str(_("not a number")), part="numerator")
    rule = services.figure_rule(indicator)
    figure = (None, None, numerator) if rule.is_count else (numerator, denominator, None)
    issue = rule.check(*figure)
    value = None
    if issue is None or issue.code in _SHOWN_ANYWAY:
        value = rule.compute(*figure)  # "= 140 %", "= −50 %": the number with what is wrong with it
    text = f"{format_number(value, 2)} {indicator.unit_label}".strip() if value is not None else ""
    if issue is None:
        return Preview(text)
    part = "denominator" if issue.part == "denominator" and not rule.is_count else "numerator"
    return Preview(text.replace("-", "−"), figure_message(issue), part)


def render_preview(shown: Preview) -> str:
    """The preview's HTML: red, announced, and naming the box to outline when the rule objects."""
    if shown.problem:
        return format_html(
            '<span class="preview-problem" role="alert" data-invalid="{}">{}</span>',
            shown.part,
            f"= {shown}" if shown.text else str(shown),
        )
    return format_html("{}", f"= {shown}" if shown.text else "")


@login_required
@require_POST
def preview(request, indicator_id: int, sex_key: str):
    """htmx: the value computed from what is typed so far, in red with the reason when the rule objects."""
    indicator = get_object_or_404(Indicator.objects.select_related("version__plan"), pk=indicator_id)
    require_see_plan(request.user, indicator.version.plan)
    suffix = f"{indicator.pk}-{sex_key}"
    shown = _preview(indicator, request.POST.get(f"n-{suffix}", ""), request.POST.get(f"d-{suffix}", ""))
    return HttpResponse(render_preview(shown))


@login_required
@require_POST
def decide(request, unit_id: int, period_key: str):
    unit, period, _version, _duties, submission = _context_for(request, unit_id, period_key)
    if submission is None:
        raise Http404
    action = request.POST.get("action")
    if action not in ("approve", "return", "unlock"):
        raise Http404
    if not may_ever(Action(action), _role(request.user)):
        raise PermissionDenied  # a role that may never decide: say so, not "someone changed it"
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, STALE_DECISION_MESSAGE)  # a revision that is not a number: typed by hand
        return redirect("data:entry", unit_id=unit.pk, period_key=period.key)
    reason = form.cleaned_data.get("reason", "")
    seen = {"actor": request.user, "submission": submission, "revision": form.cleaned_data["revision"]}
    moves = {
        "approve": lambda: services.submission_approve(**seen),
        "return": lambda: services.submission_return(**seen, reason=reason),
        "unlock": lambda: services.submission_unlock(**seen, reason=reason),
    }
    try:
        moves[action]()
    except services.StaleSubmission:
        messages.error(request, STALE_DECISION_MESSAGE)
    except ApprovalError as error:
        # "reason" marks the box the message is about: the page outlines it and reads the message.
        tags = "reason" if error.code == "reason_required" else ""
        messages.error(request, APPROVAL_ERRORS.get(error.code, error.code), extra_tags=tags)
    else:
        messages.success(
            request,
            {
                "approve": _("Approved. The figures are now locked."),
                "return": _("Returned to the unit with your reason."),
                "unlock": _("Unlocked: the unit can correct its figures and submit again."),
            }[action],
        )
    return redirect("data:entry", unit_id=unit.pk, period_key=period.key)


@login_required
def evidence_file(request, pk: int):
    evidence = get_object_or_404(Evidence.objects.select_related("submission__org_unit"), pk=pk)
    require_see_unit(request.user, evidence.submission.org_unit)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,  # never shown in the browser as a page of ours
        filename=download_name(evidence.original_name, evidence.kind),
        content_type=CONTENT_TYPES[evidence.kind],  # what the content is, not what the uploader said
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"  # personal data: no shared caches
    return response
