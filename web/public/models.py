"""Which plans a coordinator has opened to the public, since when and by whom."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Publication(models.Model):
    plan = models.OneToOneField("plans.Plan", on_delete=models.CASCADE, related_name="publication")
    published_at = models.DateTimeField(_("published on"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return str(self.plan)
