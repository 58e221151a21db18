"""API tokens: a long random secret shown once, stored only as its SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TOKEN_BYTES = 32


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_token_secret() -> str:
    return "ct_" + secrets.token_urlsafe(TOKEN_BYTES)


class TokenScope(models.TextChoices):
    READ = "read", _("read only")
    WRITE = "write", _("read and write")


class ApiToken(models.Model):
    """A token does what its user may do, narrowed by its scope (read or write) and its area."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)  # what the token is for: "DHIS2 sync"
    # Tokens made before scopes existed (by manage.py api_token) keep doing what their user may do.
    scope = models.CharField(_("scope"), max_length=5, choices=TokenScope.choices, default=TokenScope.WRITE)
    # Only this unit and the units below it (web.orgs.access.area_unit_ids); none: the user's whole area.
    # PROTECT: a unit removed must not widen a token to everything.
    area = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)  # the last day it works
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False)  # first characters, to recognise it in a list
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class PlanDhis2Settings(models.Model):
    """How a plan's figures go to a DHIS2 instance: the data set, the ID scheme, and the instance's
    identifiers for chitieu's indicator codes, sexes and units (``web.api.exchange``)."""

    plan = models.OneToOneField(
        "plans.Plan", on_delete=models.CASCADE, related_name="dhis2_settings", verbose_name=_("plan")
    )
    data_set = models.CharField(_("data set"), max_length=50, blank=True)
    id_scheme = models.CharField(_("ID scheme"), max_length=8, blank=True)
    # {"data_elements": {...}, "org_units": {...}, "category_option_combos": {...}}
    mapping = models.JSONField(_("identifiers"), default=dict)
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(_("changed on"), auto_now=True)

    class Meta:
        verbose_name = _("DHIS2 export settings")
        verbose_name_plural = _("DHIS2 export settings")

    def __str__(self) -> str:
        return f"{self.plan_id}"
