"""What the coordinator decided about an assignment carried over from the old plan (issue 16).

The proposals themselves are computed (web.reorg.carry_over); only the decision is
stored, so a proposal is never applied before someone has looked at it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("accepted as carried over")
    CHANGED = "changed", _("accepted with changes")
    DROPPED = "dropped", _("dropped: the new plan's assignment stays")


class CarryOver(models.Model):
    """One reviewed carry-over: the new plan's indicator and the old one it was matched to."""

    indicator = models.OneToOneField("plans.Indicator", on_delete=models.CASCADE, related_name="carry_over")
    source = models.ForeignKey("plans.Indicator", on_delete=models.PROTECT, related_name="carried_to")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)
