"""The home page: what is due and where each report stands."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from web.data.models import Submission
from web.data.overview import default_year, overview_rows, units_for_overview
from web.data.selectors import plan_years
from web.orgs.access import can_enter_for
from web.plans.selectors import active_plans, active_version_for_unit


def _version_for(user):
    if user.org_unit_id:
        return active_version_for_unit(user.org_unit)
    return active_plans().first()


@login_required
def home(request):
    """What is due and where each report stands; a reporter sees only its own unit."""
    version = _version_for(request.user)
    today = timezone.localdate()
    context = {"version": version}
    if version is not None:
        years = list(plan_years(version))
        try:
            year = int(request.GET.get("year", ""))
        except ValueError:
            year = default_year(version, today)
        year = year if year in years else default_year(version, today)
        units = units_for_overview(version, request.user, year)
        context.update(
            {
                "years": years,
                # The form of everything the person enters for: their unit, or their area's units.
                "offline_form": request.user.org_unit_id
                and can_enter_for(request.user, request.user.org_unit),
                "year": year,
                "rows": overview_rows(version, units, year=year, today=today),
                "waiting": Submission.objects.filter(plan=version.plan, state="submitted", org_unit__in=units)
                .select_related("org_unit")
                .order_by("submitted_at"),
            }
        )
    return render(request, "home/home.html", context)
