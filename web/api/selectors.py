"""Reads for the API token pages: a person's tokens and the areas a token may be limited to."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from web.api.models import ApiToken
from web.orgs.access import units_visible_to
from web.orgs.models import OrgUnit, UnitKind

MAX_AREA_CHOICES = 500  # beyond this (an administrator's whole country), communes and offices are left out


def token_areas(user) -> list[OrgUnit]:
    """Units a token of ``user`` may be limited to: those the user may see (``web.orgs.access``),
    still in existence, the user's own unit first."""
    today = timezone.localdate()
    units = units_visible_to(user, OrgUnit.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today)))
    units = units.order_by("kind", "name", "pk")
    if units.count() > MAX_AREA_CHOICES:
        units = units.exclude(kind__in=(UnitKind.COMMUNE, UnitKind.OFFICE))
    found = list(units[:MAX_AREA_CHOICES])
    own = [u for u in found if u.pk == user.org_unit_id]
    return own + [u for u in found if u.pk != user.org_unit_id]


def tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).select_related("area").order_by("-created_at", "-pk")
