"""Web pages of the exchange with other systems: a plan's DHIS2 settings and the DHIS2 download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from web.api.exchange import (
    StaleDhis2Settings,
    dhis2_config_for,
    dhis2_document,
    dhis2_settings_record,
    dhis2_settings_save,
)
from web.api.forms import Dhis2SettingsForm
from web.core.audit import audit_for
from web.dashboards.selectors import APPROVED, PROVISIONAL, core_plan, plan_version_active
from web.data.models import Observation
from web.orgs.access import area_unit_ids, may_see_provisional, require_manage_plan, require_see_plan
from web.plans.models import Plan


def _core(plan: Plan):
    version = plan_version_active(plan)
    return core_plan(version) if version else None


@login_required
def dhis2_settings(request: HttpRequest, plan_id: int) -> HttpResponse:
    """``/exchange/<plan>/dhis2/``: data set, ID scheme, the instance's identifiers; coordinators only."""
    plan = get_object_or_404(Plan.objects.select_related("area"), pk=plan_id)
    require_manage_plan(request.user, plan)
    record = dhis2_settings_record(plan)
    revision = record.revision if record else 0
    form = Dhis2SettingsForm(
        request.POST or None,
        core=_core(plan),
        initial=Dhis2SettingsForm.initial_from(dhis2_config_for(plan), revision),
    )
    if request.method == "POST" and form.is_valid():
        try:
            dhis2_settings_save(
                actor=request.user, plan=plan, config=form.config, revision=form.cleaned_data["revision"]
            )
        except StaleDhis2Settings:
            messages.error(
                request,
                _(
                    "Someone else saved these settings after you opened the page. Nothing was "
                    "saved: check the values below and save again."
                ),
            )
        else:
            messages.success(request, _("DHIS2 settings saved. Downloads and the API use them from now on."))
        return redirect("exchange:dhis2", plan_id=plan.pk)
    if request.method == "POST":
        messages.error(request, _("Nothing was saved: some fields need correcting; they are marked below."))
    return render(
        request,
        "exchange/dhis2.html",
        {"plan": plan, "form": form, "history": audit_for(plan).filter(action="dhis2_settings")[:20]},
    )


@login_required
def dhis2_download(request: HttpRequest, plan_id: int) -> HttpResponse:
    """``/exchange/<plan>/dhis2.json``: the approved figures the user may see, with the saved settings."""
    plan = get_object_or_404(Plan.objects.select_related("area"), pk=plan_id)
    require_see_plan(request.user, plan)
    provisional = request.GET.get("provisional") == "1" and may_see_provisional(request.user, plan)
    rows = Observation.objects.filter(
        submission__plan=plan, submission__state__in=list(PROVISIONAL if provisional else APPROVED)
    ).select_related("submission__org_unit")
    ids = area_unit_ids(request.user)
    if ids is not None:
        rows = rows.filter(submission__org_unit_id__in=ids)
    rows = rows.order_by("submission__period_start", "submission__org_unit_id", "indicator_code", "sex")
    result = dhis2_document(list(rows), plan=plan, core=_core(plan), config=dhis2_config_for(plan))
    response = HttpResponse(result.text, content_type="application/json")
    response["Content-Disposition"] = content_disposition_header(True, f"chitieu-{plan.pk}-dhis2.json")
    response["X-Chitieu-Count"] = str(result.count)
    return response
