"""Vietnamese first (the UI language is the user's explicit choice, else Vietnamese); request size
limit; the Content-Security-Policy header (Django 5.2 has none of its own); /healthz on any host."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware import common
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Ignore the browser's Accept-Language; honour only the language switch.

    Many offices run browsers installed in English. Following Accept-Language
    would greet a commune official with an English screen they never asked
    for, so only the cookie set by the language switch (Django's
    ``set_language`` view) can move the UI away from Vietnamese.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


class CommonMiddleware(common.CommonMiddleware):
    """Django's, except that /healthz answers whatever host name the request carries.

    A monitor or a load balancer asks each app server by its own address
    (``curl http://10.0.0.21:8001/healthz``, docs/deployment.md), which is not one of
    DJANGO_ALLOWED_HOSTS: Django's host check here answered 400 before the view. The answer names
    nothing but the database engine, and keeps every security header; other addresses keep the check.
    """

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        if request.path_info == "/healthz":
            return None
        return super().process_request(request)


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than any upload we accept, from its Content-Length.

    Django keeps form fields under DATA_UPLOAD_MAX_MEMORY_SIZE but streams files of any size to
    disk; the per-kind limits (evidence, plan, CSV) are checked after that. This stops a
    gigabyte at the door with a message saying the limit (413), before a byte is read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.CHITIEU_REQUEST_MAX_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django itself treats an unreadable length as no body
        if length <= limit:
            return self.get_response(request)
        translation.activate(settings.LANGUAGE_CODE)  # this runs before the locale middleware
        message = _("The data sent is too large (at most %(mb)s MB).") % {"mb": f"{limit / (1024 * 1024):g}"}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


class ContentSecurityPolicyMiddleware:
    """Send ``settings.CHITIEU_CONTENT_SECURITY_POLICY`` on every response that has none yet.

    Our pages load scripts only from our own static files (no inline script, no CDN), so a
    name or note that slipped through escaping still could not run. A view may set a stricter
    policy of its own (evidence downloads are sandboxed).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.CHITIEU_CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class MethodNotAllowedPageMiddleware:
    """A GET on a form's POST-only address answers a page in the interface language, not an empty 405.

    Django's ``require_POST`` returns a bare 405; the browser then shows its own (English) error.
    The Allow header is kept; the JSON API answers its own errors and is left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.path.startswith("/api/"):
            return response
        page = render(request, "405.html", {"allowed": response.get("Allow", "")}, status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
