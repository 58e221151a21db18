"""What a coordinator keeps about a plan's reports (chitieu.reports.settings), one row per plan."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanReportSettings(models.Model):
    """The settings as the core's ``ReportSettings.as_dict()``: checked by ``parse_settings`` on
    every save (web.reports.services), so what is stored always reads back."""

    plan = models.OneToOneField(
        "plans.Plan", on_delete=models.CASCADE, related_name="report_settings", verbose_name=_("plan")
    )
    data = models.JSONField(_("report settings"), default=dict)
    revision = models.PositiveIntegerField(default=0)  # for a second editor's stale form
    updated_at = models.DateTimeField(_("changed on"), auto_now=True)

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")

    def __str__(self) -> str:
        return f"{self.plan_id}"
