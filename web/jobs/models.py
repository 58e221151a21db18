"""A long piece of work (every report of a plan, a full rebuild, the reminder run) and its progress.

The row is the job's truth: the queue (RQ on Redis) only carries its id, and the progress page
reads the row. A worker that dies mid-job leaves the row ``running``; RQ retries the job and the
run starts over from nothing (each kind is idempotent, see web.jobs.services).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Kind(models.TextChoices):
        REPORTS = "reports", _("Reports of every unit")
        ROLLUP = "rollup", _("Rebuild of the summary")
        REMINDERS = "reminders", _("Reminder run")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    plan = models.ForeignKey("plans.Plan", null=True, blank=True, on_delete=models.CASCADE)
    params = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    result = models.FileField(upload_to="jobs/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return 100 * self.done // self.total if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
