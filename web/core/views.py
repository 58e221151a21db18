import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET

from web.data.models import Submission
from web.data.overview import default_year, overview_rows, units_for_overview
from web.data.selectors import plan_years
from web.plans.selectors import active_plans, active_version_for_unit


@require_GET
def healthz(request):
    """Liveness for load balancers: answers only when the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok", "database": connection.vendor})


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
                "year": year,
                "rows": overview_rows(version, units, year=year, today=today),
                "waiting": Submission.objects.filter(plan=version.plan, state="submitted", org_unit__in=units)
                .select_related("org_unit")
                .order_by("submitted_at"),
            }
        )
    return render(request, "core/home.html", context)


def bad_request(request, exception=None):
    """The 400 handler: a sentence in Vietnamese that says what was wrong and the limit, not "Bad Request"."""
    if isinstance(exception, TooManyFilesSent):
        message = _(
            "At most %(n)s files can be attached at once. "
            "Nothing was saved: attach fewer files and send again."
        ) % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
    elif isinstance(exception, TooManyFieldsSent):
        message = _("The form sent too many fields at once (at most %(n)s). Nothing was saved.") % {
            "n": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
    else:
        message = _("The request was damaged or incomplete. Nothing was saved: please try again.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    return HttpResponse(render_to_string("400.html", {"message": message}, request=request), status=400)


def server_error(request):
    """The 500 handler: a database that cannot be reached (restarting, network) is a 503
    with a sentence saying so and when to retry, not "Server Error"; anything else is Django's 500.

    Called while the exception is being handled, so ``sys.exc_info`` holds it. Nothing
    here touches the database: no user, no session, no context processors.
    """
    if not isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return defaults.server_error(request)
    message = _(
        "The database cannot be reached at the moment (it may be restarting). What you just sent "
        "was not confirmed: please try again in a minute."
    )
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = "30"
    return response
