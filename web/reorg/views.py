import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from web.dashboards.selectors import plan_version_active
from web.orgs.access import require_coordinator, require_see_plan, require_see_unit
from web.orgs.models import OrgUnit
from web.plans.models import Plan
from web.reorg import services
from web.reorg.forms import ReorganisationApplyForm, ReorganisationUploadForm
from web.reorg.selectors import reorganisation_preview, unit_trend


@login_required
def reorganise(request):
    """Upload the decision's list → preview → apply all of it (or nothing)."""
    require_coordinator(request.user)
    upload = ReorganisationUploadForm()
    context = {"form": upload}
    if request.method == "POST" and request.POST.get("action") == "apply":
        form = ReorganisationApplyForm(request.POST)
        if form.is_valid():
            try:
                done = services.reorganisation_apply(
                    actor=request.user, data=form.cleaned_data["data"], source_name=form.cleaned_data["name"]
                )
            except services.ReorganisationRefused as refused:
                messages.error(request, _("The reorganisation was refused. Nothing was changed."))
                context["issues"] = refused.issues
            else:
                messages.success(
                    request,
                    _(
                        "Reorganisation applied: %(closed)d units closed, %(opened)d opened, "
                        "%(renamed)d renamed. "
                        "Figures stay with the units that reported them."
                    )
                    % {"closed": len(done.closed), "opened": len(done.opened), "renamed": len(done.renamed)},
                )
                return redirect("orgs:tree")
        else:
            messages.error(request, _("The file was damaged on the way: upload it again."))
    elif request.method == "POST":
        upload = ReorganisationUploadForm(request.POST, request.FILES)
        context["form"] = upload
        if upload.is_valid():
            file = upload.cleaned_data["file"]
            data = file.read()
            preview = reorganisation_preview(request.user, data)
            context["preview"] = preview
            context["issues"] = preview.issues
            if preview.refused:
                messages.error(request, _("This file cannot be applied. Nothing was changed."))
            else:
                context["apply"] = ReorganisationApplyForm(
                    initial={"data": base64.b64encode(data).decode("ascii"), "name": file.name[:255]}
                )
    return render(request, "reorg/reorganise.html", context)


TREND_YEARS = ("2021", "2022", "2023", "2024", "2025", "2026")


@login_required
def trend(request, pk: int):
    """A unit's yearly series for one indicator, its predecessors' figures before it existed, labelled."""
    unit = get_object_or_404(OrgUnit, pk=pk)
    require_see_unit(request.user, unit)
    plan = get_object_or_404(Plan, pk=request.GET.get("plan") or 0)
    require_see_plan(request.user, plan)
    code = request.GET.get("indicator", "")
    version = plan_version_active(plan)
    if version is None or not version.indicators.filter(code=code).exists():
        raise Http404
    rows = unit_trend(plan, unit, code, TREND_YEARS)
    return render(request, "reorg/trend.html", {"unit": unit, "plan": plan, "code": code, "rows": rows})
