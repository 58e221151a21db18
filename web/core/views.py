import sys

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET


@require_GET
def healthz(request):
    """Liveness for load balancers: answers only when the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok", "database": connection.vendor})


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
