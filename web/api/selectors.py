"""Reads for the API: a person's tokens, the areas a token may be limited to, and a set of ids as
one SQL parameter."""

from __future__ import annotations

import json
from collections.abc import Collection

from django.db.models import F, Lookup, Q, QuerySet
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


class _InIds(Lookup):
    """``column IN ids`` with the ids as one parameter: an array on PostgreSQL (``= ANY``), a JSON
    list on SQLite (``json_each``). A coordinator of the nation sees 16,000 units; as ``__in`` each
    became a parameter that Django quoted and the database parsed on every page of observations."""

    lookup_name = "in_ids"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = sorted(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, ids]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, json.dumps(ids)]


def in_ids(field: str, ids: Collection[int]) -> _InIds:
    """A filter: ``field`` (a path such as ``submission__org_unit_id``) is one of ``ids``."""
    return _InIds(F(field), ids)
