"""Web pages of the exchange with other systems: a plan's DHIS2 settings and the DHIS2 download, and
a person's API tokens (made, listed, revoked)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chitieu.dates import day_text
from web.api.exchange import (
    StaleDhis2Settings,
    dhis2_config_for,
    dhis2_document,
    dhis2_settings_record,
    dhis2_settings_save,
)
from web.api.forms import Dhis2SettingsForm, TokenForm
from web.api.models import ApiToken
from web.api.selectors import token_areas, tokens_of
from web.api.services import TokenInvalid, token_create, token_revoke
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


# ------------------------------------------------------------------ API tokens (issue 17)

NEW_TOKEN_KEY = "chitieu_new_token"  # the secret, kept in the session until the next page shows it once


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """``/exchange/tokens/``: the person's API tokens, and a new one (its secret shown once)."""
    units = token_areas(request.user)
    initial = {"expires_on": day_text(timezone.localdate() + timedelta(days=365))}
    if request.user.org_unit_id:
        initial["area"] = request.user.org_unit_id
    form = TokenForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = token_create(
                user=request.user,
                actor=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                area=form.cleaned_data["area"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except TokenInvalid:
            raise PermissionDenied from None  # only a hand-made request names an area it may not see
        request.session[NEW_TOKEN_KEY] = {"id": token.pk, "secret": raw}
        return redirect("exchange:tokens")
    if request.method == "POST":
        messages.error(request, _("No token was made: some fields need correcting; they are marked below."))
    new = request.session.pop(NEW_TOKEN_KEY, None)  # shown on this page once, then never again
    response = render(
        request,
        "exchange/tokens.html",
        {"form": form, "tokens": tokens_of(request.user), "new": new, "today": timezone.localdate()},
    )
    response["Cache-Control"] = "private, no-store"  # the page may hold a secret
    return response


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # one's own tokens only
    token_revoke(token=token, actor=request.user)
    messages.success(
        request, _("The token “%(name)s” is revoked: it no longer opens the API.") % {"name": token.name}
    )
    return redirect("exchange:tokens")
