"""What the reminder run remembers: one row per reminder sent, keyed so it is never sent twice."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SentReminder(models.Model):
    """A reminder e-mail that went out for one due item (chitieu.reminders.due_item_key).

    The unique key is the guard: the row is written in the same transaction as
    the e-mail is handed to the mail backend, so a second run — or two cron runs
    at once — finds the key taken and sends nothing.
    """

    key = models.CharField(max_length=40, unique=True)
    stage = models.CharField(_("stage"), max_length=10)  # "due", "late"
    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="+")
    indicator_code = models.CharField(_("indicator"), max_length=20)
    period_key = models.CharField(_("period"), max_length=20)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    sex = models.CharField(max_length=1, blank=True)
    deadline = models.DateField(_("deadline"))
    recipients = models.TextField(_("recipients"))  # comma-separated addresses
    sent_at = models.DateTimeField(_("sent on"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")

    def __str__(self) -> str:
        return f"{self.stage} {self.indicator_code} {self.period_key} {self.org_unit_id}"
