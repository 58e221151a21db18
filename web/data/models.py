"""What units report: one submission per plan, unit and period, holding its figures.

The approval state lives on the submission (chitieu.approval decides the moves);
``revision`` grows with every write so that a form opened before someone else's
change is refused instead of overwriting it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chitieu.approval import EDITABLE_STATES, State
from web.core.fields import FigureField


class StateChoices(models.TextChoices):
    DRAFT = State.DRAFT.value, _("draft")
    SUBMITTED = State.SUBMITTED.value, _("submitted")
    APPROVED = State.APPROVED.value, _("approved")
    RETURNED = State.RETURNED.value, _("returned")


def _user_column() -> models.ForeignKey:
    """Who sent or who decided a report. No index (db_index=False): nothing looks reports up by
    either (the app never deletes an account, the only use such an index would have), and a bulk
    load wrote both indexes for every report (bench/LOAD-PROFILE.md, session 18)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )


class Submission(models.Model):
    # No index of its own: submission_once_per_period (plan, org_unit, period_key) leads with it.
    plan = models.ForeignKey(
        "plans.Plan", on_delete=models.PROTECT, related_name="submissions", db_index=False
    )
    org_unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="submissions"
    )
    period_key = models.CharField(_("period"), max_length=20)
    period_start = models.DateField()
    period_end = models.DateField()
    state = models.CharField(
        _("status"), max_length=10, choices=StateChoices.choices, default=StateChoices.DRAFT
    )
    revision = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(_("submitted on"), null=True, blank=True)
    submitted_by = _user_column()
    # The first time it was sent: timeliness is judged from it, so an unlock or a return followed by a
    # new submission does not turn a report sent on time into a late one.
    first_submitted_at = models.DateTimeField(_("first submitted on"), null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = _user_column()
    reason = models.TextField(_("reason"), blank=True)  # of the last return or unlock

    class Meta:
        ordering = ["period_start", "org_unit__name"]
        # The newest figures of a plan (an indicator page's list) are found one period start at a
        # time, newest first, without sorting every report of a nation.
        # (plan, id): a plan's reports in id order, which the API's pages of observations follow
        # (report by report, web.api.api): SQLite then walks them in order from the page's position
        # instead of sorting every figure of the plan for each page.
        indexes = [
            models.Index(fields=["plan", "period_start"], name="submission_plan_start"),
            models.Index(fields=["plan", "id"], name="submission_plan_order"),
            # Reports not yet received (drafts, returned): not in the summary, so that list asks here
            # for their period starts. Few rows: a bulk load of approved reports adds nothing to it.
            models.Index(
                fields=["plan", "period_start"],
                name="submission_open_start",
                condition=models.Q(state__in=[s.value for s in EDITABLE_STATES]),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "org_unit", "period_key"], name="submission_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_unit} {self.period_key}"


class Observation(models.Model):
    """One figure: an indicator, for one sex or the total ('')."""

    # No index of its own: observation_once (submission, indicator_code, sex) leads with it, and a
    # second index on ten million rows slows every bulk load for no query it would serve. (One on
    # (indicator_code, submission) for the communes' per-unit figures was measured in session 15:
    # the bulk load's figures 15-25 % slower, that read no faster at full scale; bench/LOAD-PROFILE.md.)
    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="observations", db_index=False
    )
    indicator_code = models.CharField(max_length=20)
    sex = models.CharField(max_length=1, blank=True)  # "" total, "F", "M" (chitieu.plan.Sex)
    numerator = FigureField(max_digits=20, decimal_places=6, null=True, blank=True)
    denominator = FigureField(max_digits=20, decimal_places=6, null=True, blank=True)
    value = FigureField(max_digits=24, decimal_places=6, null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["indicator_code", "sex"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "indicator_code", "sex"], name="observation_once")
        ]


class Evidence(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(max_length=10)  # pdf, png, jpeg, docx, xlsx
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
