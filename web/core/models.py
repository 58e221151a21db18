"""The audit trail: one row per change, written by the service that made it.

Our own model rather than django-simple-history: simple-history snapshots whole
rows from post_save signals, while we need what people ask about — who changed
which value of which unit and period, old → new, and *why* (return and unlock
reasons) — written explicitly inside the service's transaction, without logic
hidden in signals. Rows are never updated or deleted by the application.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=40)
    # What was changed: "submission", "target", "assignment", "plan_version", "org_unit".
    subject_type = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    field = models.CharField(_("field"), max_length=120, blank=True)
    old = models.TextField(_("old value"), blank=True)
    new = models.TextField(_("new value"), blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.subject_type}:{self.subject_id} {self.field}"
