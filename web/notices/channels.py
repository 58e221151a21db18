"""Ways a notice leaves the site besides the in-app list. A channel answers whether a person wants
it and sends one notice; `CHITIEU_NOTICE_CHANNELS` lists them, so an SMS or chat gateway is one
more class here (or in a deployment's own module), with no change to the services."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from web.notices.models import Notice, NoticeSettings


class Channel(Protocol):
    name: str

    def wants(self, notice: Notice) -> bool: ...

    def send(self, notice: Notice) -> None: ...


class EmailChannel:
    name = "email"

    def wants(self, notice: Notice) -> bool:
        if not notice.user.email:
            return False
        choice = NoticeSettings.objects.filter(user=notice.user).values_list("email", flat=True).first()
        return choice is not False  # on unless the person turned it off

    def send(self, notice: Notice) -> None:
        link = f"{settings.CHITIEU_SITE_URL.rstrip('/')}{notice.link}" if notice.link else ""
        send_mail(
            subject=_("[chitieu] %(message)s") % {"message": notice.message[:120]},
            message=f"{notice.message}\n\n{link}".strip(),
            from_email=None,
            recipient_list=[notice.user.email],
        )


def channels() -> list[Channel]:
    return [import_string(path)() for path in settings.CHITIEU_NOTICE_CHANNELS]
