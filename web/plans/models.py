"""A plan as stored: versions of it, with the indicators, targets and assignments of each.

An imported annex becomes a *draft* version, reviewed and corrected on screen,
then confirmed (*active*). An amendment is a new version; the one it replaces
is kept as *superseded*, so what was in force at any time can be shown.
Reported figures hang off the plan and the indicator code, not a version, so
they survive amendments.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chitieu.periods import PeriodKind
from chitieu.plan import Aggregation, Comparator, CountPeriod, Direction, Measure
from web.core.fields import FigureField


def _choices(enum, labels: dict) -> list[tuple[str, str]]:
    return [(member.value, labels[member]) for member in enum]


MEASURE_CHOICES = _choices(
    Measure,
    {
        Measure.PERCENT: _("percent (%)"),
        Measure.RATE: _("rate (per 1.000, 100.000)"),
        Measure.RATIO: _("ratio (X per 100)"),
        Measure.TIMES: _("times (quotient)"),
        Measure.COUNT: _("count"),
    },
)
DIRECTION_CHOICES = _choices(
    Direction,
    {
        Direction.INCREASE: _("increase (at least)"),
        Direction.DECREASE: _("decrease (at most)"),
        Direction.MAINTAIN: _("maintain"),
    },
)
COMPARATOR_CHOICES = _choices(
    Comparator,
    {Comparator.GE: _("at least (≥)"), Comparator.LE: _("at most (≤)"), Comparator.EQ: _("equal (=)")},
)
COUNT_PERIOD_CHOICES = _choices(
    CountPeriod,
    {
        CountPeriod.MONTH: _("per month"),
        CountPeriod.QUARTER: _("per quarter"),
        CountPeriod.YEAR: _("per year"),
    },
)
AGGREGATION_CHOICES = _choices(
    Aggregation,
    {
        Aggregation.FLOW: _("flow: events of the period add up"),
        Aggregation.STOCK: _("stock: the position at the end of the period"),
        Aggregation.RUNNING_TOTAL: _("running total: the latest value"),
        Aggregation.RATE: _("rate over a population: events add up, the population does not"),
        Aggregation.PER_UNIT: _("threshold every unit must meet"),
    },
)
FREQUENCY_CHOICES = [
    (PeriodKind.YEAR.value, _("yearly")),
    (PeriodKind.HALF.value, _("half-yearly")),
    (PeriodKind.QUARTER.value, _("quarterly")),
    (PeriodKind.MONTH.value, _("monthly")),
]


class Plan(models.Model):
    name = models.CharField(_("name"), max_length=300)
    area = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("area"), on_delete=models.PROTECT, related_name="plans"
    )
    # Four eyes: figures are approved by someone other than who sent them (chitieu.approval).
    four_eyes = models.BooleanField(_("approval by a second person"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("plan")

    def __str__(self) -> str:
        return self.name


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("awaiting review")
    ACTIVE = "active", _("in force")
    SUPERSEDED = "superseded", _("superseded")
    DISCARDED = "discarded", _("discarded")


class PlanVersion(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    title = models.CharField(_("title"), max_length=500)
    subtitle = models.CharField(_("subtitle"), max_length=500, blank=True)
    source_name = models.CharField(_("file"), max_length=255)
    source_bytes = models.BinaryField(editable=False)  # the annex as uploaded, kept for reference
    amendment_note = models.TextField(_("reason for the amendment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)  # optimistic concurrency for the review form

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_once")]

    def __str__(self) -> str:
        return f"{self.plan} — v{self.number}"


class PlanPeriod(models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="periods")
    key = models.CharField(max_length=20)
    kind = models.CharField(max_length=10)
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["start", "-end"]


class Objective(models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="objectives")
    code = models.CharField(max_length=20)
    title = models.TextField()
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]


class Indicator(models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="indicators")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveIntegerField()
    code = models.CharField(_("code"), max_length=20)
    name = models.TextField(_("indicator"))
    measure = models.CharField(_("measure"), max_length=10, choices=MEASURE_CHOICES)
    per = models.PositiveIntegerField(_("per"), null=True, blank=True)
    per_period = models.CharField(_("count per"), max_length=10, choices=COUNT_PERIOD_CHOICES, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=DIRECTION_CHOICES)
    unit_label = models.CharField(_("unit"), max_length=100, blank=True)
    by_sex = models.BooleanField(_("by sex"), default=False)
    per_unit = models.BooleanField(_("threshold for every unit"), default=False)
    unit_share = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    # How quarters and units make a year (issue 19); read from the wording at import, editable
    # on the review screen. Blank: inferred again from the wording when the plan is read.
    aggregation = models.CharField(
        _("how figures add up"), max_length=20, choices=AGGREGATION_CHOICES, blank=True
    )
    needs_review = models.BooleanField(_("needs review"), default=False)
    source_where = models.CharField(_("source"), max_length=200, blank=True)
    source_text = models.TextField(_("source text"), blank=True)
    lead_units_text = models.JSONField(default=list)  # the lead units as read from the annex
    numerator_label = models.CharField(_("numerator"), max_length=300, blank=True)
    denominator_label = models.CharField(_("denominator"), max_length=300, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="indicator_code_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name[:60]}"


class Target(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    period_key = models.CharField(_("period"), max_length=20)
    comparator = models.CharField(_("comparator"), max_length=2, choices=COMPARATOR_CHOICES)
    value = FigureField(_("value"), max_digits=20, decimal_places=6)
    text = models.CharField(_("as written"), max_length=200, blank=True)

    class Meta:
        ordering = ["period_key"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period_key"], name="target_once_per_period")
        ]


class PlanIssue(models.Model):
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="issues")
    severity = models.CharField(max_length=10)
    where = models.CharField(max_length=200)
    message = models.TextField()
    code = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["id"]


class Reporters(models.TextChoices):
    LEAD_UNITS = "lead", _("the lead unit(s) themselves")
    COMMUNES = "communes", _("every commune")


class Assignment(models.Model):
    """Who reports an indicator, how often and with which breakdown."""

    indicator = models.OneToOneField(Indicator, on_delete=models.CASCADE, related_name="assignment")
    lead_units = models.ManyToManyField(
        "orgs.OrgUnit", verbose_name=_("lead units"), related_name="assignments"
    )
    reporters = models.CharField(
        _("who reports"), max_length=10, choices=Reporters.choices, default=Reporters.LEAD_UNITS
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=FREQUENCY_CHOICES, default=PeriodKind.YEAR.value
    )
    by_sex = models.BooleanField(_("figures by sex required"), default=False)
