"""Report downloads: the file as an attachment, or a page saying why there is none."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from chitieu.reports.settings import SettingsError
from web.core.audit import audit_for
from web.dashboards.views import as_of_from
from web.orgs.access import may_see_provisional, require_manage_plan
from web.plans.models import Plan
from web.reports.forms import ReportSettingsForm
from web.reports.phase import phase_report_file
from web.reports.selectors import plan_for_report, report_settings_for, report_settings_record
from web.reports.services import ReportUnavailable, StaleSettings, annual_report_file, report_settings_save


def _attachment(request: HttpRequest, plan_id: int, build) -> HttpResponse:
    """A report of a plan the user may read as an attachment, or a page saying why there is none;
    ``build(plan, as_of=, provisional=)`` makes the file (the annual report or the phase report)."""
    plan = plan_for_report(request.user, plan_id)  # PermissionDenied → 403
    if plan is None:
        raise Http404(_("No such plan."))
    try:
        file = build(
            plan,
            as_of=as_of_from(request),
            provisional=request.GET.get("provisional") == "1" and may_see_provisional(request.user, plan),
        )
    except ReportUnavailable as error:
        return render(
            request, "report_downloads/unavailable.html", {"plan": plan, "message": str(error)}, status=404
        )
    response = HttpResponse(file.data, content_type=file.media_type)
    response["Content-Disposition"] = content_disposition_header(True, file.filename)
    return response


@login_required
def download(request: HttpRequest, plan_id: int, period: str, fmt: str) -> HttpResponse:
    """``GET /reports/<plan>/<period>/<fmt>?as_of=YYYY-MM-DD&provisional=1``."""
    return _attachment(request, plan_id, lambda plan, **how: annual_report_file(plan, period, fmt, **how))


@login_required
def phase_download(request: HttpRequest, plan_id: int, fmt: str) -> HttpResponse:
    """``GET /reports/phase/<plan>/<fmt>``: the phase report (báo cáo tổng kết giai đoạn)."""
    return _attachment(request, plan_id, lambda plan, **how: phase_report_file(plan, fmt, **how))


@login_required
def settings_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    """``/reports/<plan>/settings/``: header, number, signer, Nơi nhận, closing.

    Only the plan's coordinators (``can_manage_plan``) open or save it."""
    plan = get_object_or_404(Plan.objects.select_related("area"), pk=plan_id)
    require_manage_plan(request.user, plan)  # PermissionDenied → 403
    record = report_settings_record(plan)
    revision = record.revision if record else 0
    form = ReportSettingsForm(
        request.POST or None, initial=ReportSettingsForm.initial_from(report_settings_for(plan), revision)
    )
    if request.method == "POST" and form.is_valid():
        try:
            report_settings_save(
                actor=request.user,
                plan=plan,
                data=form.settings.as_dict(),
                revision=form.cleaned_data["revision"],
            )
        except StaleSettings:
            messages.error(
                request,
                _(
                    "Someone else saved these settings after you opened the page. Nothing was "
                    "saved: check the values below and save again."
                ),
            )
            return redirect("report_downloads:settings", plan_id=plan.pk)
        except SettingsError as error:  # the form checked already; the service checks again
            messages.error(request, str(error))
        else:
            messages.success(request, _("Report settings saved. The next reports use them."))
            return redirect("report_downloads:settings", plan_id=plan.pk)
    elif request.method == "POST":
        messages.error(request, _("Nothing was saved: some fields need correcting; they are marked below."))
    return render(
        request,
        "report_downloads/settings.html",
        {"plan": plan, "form": form, "history": audit_for(plan).filter(action="report_settings")[:20]},
    )
