"""Vietnamese first: the UI language is the user's explicit choice, else Vietnamese."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
