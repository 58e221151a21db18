"""Organisational units with their history.

A unit is never edited into another one: a rename keeps the unit (and its data)
and records the old name with its dates; a merger or split closes the old units
and opens new ones linked as predecessor → successor. Figures stay attached to
the unit that existed when they were reported, and a period's roll-up uses the
units valid in that period.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    NATION = "nation", _("nation")
    PROVINCE = "province", _("province")
    DISTRICT = "district", _("district")
    COMMUNE = "commune", _("commune")
    OFFICE = "office", _("office")


def dates_overlap(valid_from: date | None, valid_to: date | None, start: date, end: date) -> bool:
    """Whether a unit that existed from ``valid_from`` to ``valid_to`` (None: open) existed at some
    time from ``start`` to ``end`` (``OrgUnit.overlaps``; read apart for units read as plain values)."""
    return (valid_from is None or valid_from <= end) and (valid_to is None or start <= valid_to)


class OrgUnit(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, db_index=True, editable=False)  # chitieu.names.name_key
    kind = models.CharField(_("type"), max_length=20, choices=UnitKind.choices)
    # The official administrative code (mã đơn vị hành chính: 2 digits for a province,
    # 3 for a district, 5 for a commune). Names repeat across the country; codes do not,
    # so bulk files and the API may name a unit by its code.
    code = models.CharField(_("code"), max_length=20, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""), name="unit_code_once")
        ]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def overlaps(self, start: date, end: date) -> bool:
        return dates_overlap(self.valid_from, self.valid_to, start, end)


class UnitName(models.Model):
    """A name the unit had, with the dates it had it (renames)."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["valid_from"]


class LinkKind(models.TextChoices):
    MERGER = "merger", _("merger")
    SPLIT = "split", _("split")
    TRANSFER = "transfer", _("transfer of duties")


class UnitLink(models.Model):
    """``predecessor`` handed over to ``successor`` on ``on`` (merger, split)."""

    predecessor = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="successor_links")
    successor = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="predecessor_links")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["predecessor", "successor"], name="unit_link_once")]
