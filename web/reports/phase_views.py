"""``GET /reports/phase/<plan>/<fmt>``: the phase report download (báo cáo tổng kết giai đoạn)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from web.dashboards.views import as_of_from
from web.orgs.access import may_see_provisional
from web.reports.phase import phase_report_file
from web.reports.selectors import plan_for_report
from web.reports.services import ReportUnavailable


@login_required
def download(request: HttpRequest, plan_id: int, fmt: str) -> HttpResponse:
    plan = plan_for_report(request.user, plan_id)  # PermissionDenied → 403
    if plan is None:
        raise Http404(_("No such plan."))
    try:
        file = phase_report_file(
            plan,
            fmt,
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
