"""The Excel form pages: download a unit's (or an area's) form, upload it back. Thin: the work is in
``web.data.offline``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chitieu.filetypes import CONTENT_TYPES
from web.core.forms import ChooseFilesInput
from web.data import offline
from web.data.overview import default_year
from web.data.selectors import plan_years
from web.orgs.access import require_enter_for
from web.orgs.models import OrgUnit


class FormUpload(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("The filled form (.xlsx)"), widget=ChooseFilesInput({"accept": ".xlsx"})
    )


def _scope(request: HttpRequest, unit_id: int):
    unit = get_object_or_404(OrgUnit, pk=unit_id)
    require_enter_for(request.user, unit)
    version = offline.form_version(unit)
    if version is None:
        raise Http404
    return unit, version


def _year(request: HttpRequest, version, given: str | None) -> int:
    years = list(plan_years(version))
    try:
        year = int(given or "")
    except ValueError:
        year = default_year(version, timezone.localdate())
    if year not in years:
        raise Http404
    return year


@login_required
def offline_form(request: HttpRequest, unit_id: int) -> HttpResponse:
    """``/entry/form/<unit>/``: the year's form to download, and the upload of a filled one."""
    unit, version = _scope(request, unit_id)
    form = FormUpload(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            outcome = offline.form_upload(
                actor=request.user,
                scope=unit,
                data=form.cleaned_data["file"].read(),
                submit="submit" in request.POST,
            )
        except offline.FormRefused as refused:
            problems = refused.problems
            messages.error(
                request, _("Nothing was saved: the form was refused. The problems are listed below.")
            )
        else:
            if not (outcome.figures or outcome.sent):
                messages.info(
                    request, _("The form holds no figure that differs from those stored: nothing changed.")
                )
                return redirect(f"{request.path}?year={request.GET.get('year', '')}")
            messages.success(
                request,
                _("Saved %(figures)s figures in %(reports)s reports; %(sent)s reports sent for approval.")
                % {"figures": outcome.figures, "reports": outcome.reports, "sent": outcome.sent},
            )
            return redirect(f"{request.path}?year={request.GET.get('year', '')}")
    year = _year(request, version, request.GET.get("year") or None)
    units = offline.form_units(request.user, unit, version, year)
    return render(
        request,
        "data/offline.html",
        {
            "unit": unit,
            "version": version,
            "year": year,
            "years": list(plan_years(version)),
            "units": units,
            "too_many": len(units) > offline.MAX_UNITS,
            "max_units": offline.MAX_UNITS,
            "form": form,
            "problems": problems,
        },
    )


@login_required
def offline_form_download(request: HttpRequest, unit_id: int, year: int) -> HttpResponse:
    """``/entry/form/<unit>/<year>.xlsx``: the form, pre-filled with what is stored."""
    unit, version = _scope(request, unit_id)
    year = _year(request, version, str(year))
    data = offline.form_workbook(actor=request.user, scope=unit, year=year)
    response = HttpResponse(data, content_type=CONTENT_TYPES["xlsx"])
    name = f"bieu-mau-{unit.pk}-{year}-v{version.number}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"  # the unit's figures: no shared caches
    return response
