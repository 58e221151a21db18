"""Who may see and change what. Services call these; views only hide buttons.

Raises PermissionDenied, which Django turns into a 403 page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from chitieu.approval import Action, Role, may_ever
from web.orgs.models import OrgUnit
from web.orgs.selectors import (
    predecessor_area_ids,
    tree_generation,
    unit_and_ancestor_ids,
    unit_descendant_ids,
    unit_descendants_subquery,
    units_within,
)

# An API token limited to an area sets this on the user it authenticates (web.api.api.TokenAuth): every
# rule below then narrows to that unit and the units below it, for that request only.
SCOPE_ATTRIBUTE = "chitieu_scope_area_id"
# area_unit_ids remembered on the user object: Django loads the user afresh for every request (the
# session middleware, the API's token), so this lives for one request. Keyed by what the answer
# depends on, so a role, unit, scope or tree changed in between (tests reuse users) asks again.
_MEMO_ATTRIBUTE = "_chitieu_area_unit_ids"
_SEEN_ATTRIBUTE = "_chitieu_sees_unit_ids"  # sees_unit_id's answers of the request, the same way


def scope_to_area(user, area_id: int | None):
    """``user`` seen through a token limited to ``area_id`` (None: not limited). Returns ``user``."""
    setattr(user, SCOPE_ATTRIBUTE, area_id)
    return user


def _scope_area_id(user) -> int | None:
    return getattr(user, SCOPE_ATTRIBUTE, None)


def area_unit_ids(user) -> frozenset[int] | None:
    """Units the user may see; None means every unit (administrator). Through a token limited to an
    area: only those of the user's units that lie in that area.

    Several checks of one request ask this: it is computed once per request (one query) and the
    same set is returned each time — callers must not change it."""
    key = _memo_key(user)
    memo = getattr(user, _MEMO_ATTRIBUTE, None)
    if memo is not None and memo[0] == key:
        return memo[1]
    found = _area_unit_ids(user)
    ids = None if found is None else frozenset(found)  # shared by the request's callers: read-only
    setattr(user, _MEMO_ATTRIBUTE, (key, ids))
    return ids


def _memo_key(user) -> tuple:
    authenticated = user.is_authenticated
    return (
        authenticated,
        user.chitieu_role if authenticated else None,
        getattr(user, "org_unit_id", None),
        _scope_area_id(user),
        tree_generation(),
    )


@dataclass(frozen=True)
class _Reach:
    """The one visibility rule, stated once: the units a user may see are ``only`` (a reporter's
    own unit) if set, and in any case lie at or below every unit of ``below`` (a coordinator's or
    viewer's unit, a token's scope). Nothing at all if ``none``; every unit if neither limits.

    The ways of asking (the whole set, those of a few units, one unit, a query narrowed in SQL)
    derive from it."""

    none: bool = False
    only: int | None = None
    below: frozenset[int] = frozenset()


def _reach(user) -> _Reach:
    if not user.is_authenticated:
        return _Reach(none=True)
    role = user.chitieu_role
    if role is not Role.ADMINISTRATOR and user.org_unit_id is None:
        return _Reach(none=True)
    only = user.org_unit_id if role is Role.REPORTER else None
    own = user.org_unit_id if role not in (Role.ADMINISTRATOR, Role.REPORTER) else None
    return _Reach(only=only, below=frozenset(a for a in (own, _scope_area_id(user)) if a is not None))


def _area_unit_ids(user) -> set[int] | None:
    reach = _reach(user)
    if reach.none:
        return set()
    ids: set[int] | None = None if reach.only is None else {reach.only}
    for anchor in reach.below:
        within = unit_descendant_ids(anchor)
        ids = within if ids is None else ids & within
    return ids


def visible_among(user, unit_ids: Iterable[int]) -> frozenset[int] | None:
    """``area_unit_ids(user)`` as far as ``unit_ids`` go: those of them the user may see (None: every
    unit, an administrator). For a check of a request's few units (the API's upsert names a few
    communes), without reading the 16,000 units below a national coordinator; the set of this
    request when it is held already."""
    key = _memo_key(user)
    memo = getattr(user, _MEMO_ATTRIBUTE, None)
    if memo is not None and memo[0] == key:
        return None if memo[1] is None else memo[1] & frozenset(unit_ids)
    reach = _reach(user)
    if reach.none:
        return frozenset()
    if reach.only is None and not reach.below:
        return None
    ids = set(unit_ids) if reach.only is None else set(unit_ids) & {reach.only}
    for anchor in sorted(reach.below):
        ids = units_within(anchor, ids) if ids else ids
    return frozenset(ids)


def units_visible_to(user, units: QuerySet[OrgUnit] | None = None) -> QuerySet[OrgUnit]:
    """``units`` (default: every unit) narrowed to those ``user`` may see (``area_unit_ids``), in
    the same query: the units below a national coordinator are 16,000 ids, not sent as parameters."""
    units = OrgUnit.objects.all() if units is None else units
    reach = _reach(user)
    if reach.none:
        return units.none()
    if reach.only is not None:
        units = units.filter(pk=reach.only)
    for anchor in sorted(reach.below):
        units = units.filter(id__in=unit_descendants_subquery(anchor))
    return units


def can_see_unit(user, unit: OrgUnit) -> bool:
    return sees_unit_id(user, unit.pk)


def sees_unit_id(user, unit_id: int, parents: dict[int, int | None] | None = None) -> bool:
    """``unit_id in area_unit_ids(user)``, without reading every unit of the user's area: a
    coordinator of the nation has 16,000 below them, read on every page view (45 ms) for one
    membership. Walks up from the unit instead (a few primary-key reads), unless this request
    already holds the set. ``parents``: parent ids just read (web.orgs.selectors ``loaded_parents``)."""
    key = _memo_key(user)
    memo = getattr(user, _MEMO_ATTRIBUTE, None)
    if memo is not None and memo[0] == key:
        return memo[1] is None or unit_id in memo[1]
    seen = getattr(user, _SEEN_ATTRIBUTE, None)
    if seen is None or seen[0] != key:
        seen = (key, {})
        setattr(user, _SEEN_ATTRIBUTE, seen)
    if unit_id not in seen[1]:
        seen[1][unit_id] = _sees_unit_id(user, unit_id, parents)
    return seen[1][unit_id]


def sees_all_below(user, unit_id: int) -> bool:
    """Whether ``user`` sees the unit and every unit below it: a query of that area needs no
    filter of the user's own (``units_visible_to``) then."""
    reach = _reach(user)
    return not reach.none and reach.only is None and sees_unit_id(user, unit_id)


def _sees_unit_id(user, unit_id: int, parents: dict[int, int | None] | None = None) -> bool:
    reach = _reach(user)
    if reach.none or (reach.only is not None and unit_id != reach.only):
        return False
    # One walk up answers every anchor the unit must lie below.
    return not reach.below or reach.below <= unit_and_ancestor_ids(
        unit_id, until=reach.below, parents=parents
    )


def require_see_unit(user, unit: OrgUnit) -> None:
    if not can_see_unit(user, unit):
        raise PermissionDenied


def can_enter_for(user, unit: OrgUnit) -> bool:
    """Whether ``user`` may type figures for ``unit`` at all: a role that enters figures, and the unit
    in their area (which figures, and in which state, the data-entry services decide)."""
    if not user.is_authenticated or not may_ever(Action.EDIT, user.chitieu_role):
        return False
    return can_see_unit(user, unit)


def require_enter_for(user, unit: OrgUnit) -> None:
    if not can_enter_for(user, unit):
        raise PermissionDenied


def require_role(user, *roles: Role) -> Role:
    if not user.is_authenticated or user.chitieu_role not in roles:
        raise PermissionDenied
    return user.chitieu_role


def require_coordinator(user) -> Role:
    return require_role(user, Role.ADMINISTRATOR, Role.COORDINATOR)


def plan_area_ids(user) -> set[int] | None:
    """The areas whose plans the user may read; None means every plan (administrator).

    The one visibility rule for plans (the list, the plan pages, dashboards, reports and the
    API ask here): everyone working in or above the plan's area may read it — the user's own
    area and every unit above the user's unit, however many levels up — and, after a
    reorganisation, the areas the user's unit was formed from and the units above them."""
    ids = area_unit_ids(user)
    if ids is None:
        return None
    # The plans above the user's unit; through a token limited to an area, above that area.
    anchor_id = _scope_area_id(user) or (user.org_unit_id if user.is_authenticated else None)
    if anchor_id and (anchor_id == user.org_unit_id or anchor_id in ids):  # a scope outside: nothing
        # After a reorganisation, also the plans the unit's predecessors worked under (read-only for
        # this user: changing a plan asks can_manage_plan, which does not look here).
        ids = ids | unit_and_ancestor_ids(anchor_id) | predecessor_area_ids(anchor_id)
    return ids


def can_see_plan(user, plan) -> bool:
    """``plan.area_id in plan_area_ids(user)``, asked of that one area (``sees_unit_id``) and of the
    few units above the user's unit and its predecessors, not of every unit below the user."""
    if sees_unit_id(user, plan.area_id):
        return True
    if not user.is_authenticated:
        return False
    anchor_id = _scope_area_id(user) or user.org_unit_id
    if not anchor_id or not (anchor_id == user.org_unit_id or sees_unit_id(user, anchor_id)):
        return False
    return plan.area_id in unit_and_ancestor_ids(anchor_id) or plan.area_id in predecessor_area_ids(anchor_id)


def require_see_plan(user, plan) -> None:
    """Everyone working in or above the plan's area may read it; only coordinators change it."""
    if not can_see_plan(user, plan):
        raise PermissionDenied


def can_manage_plan(user, plan) -> bool:
    """Coordinators change the plans of their own area; administrators every plan.

    Seeing a plan is wider (a commune reporter reads its district's plan): a
    coordinator below or beside the plan's area may read it but not change it.
    """
    if not user.is_authenticated or user.chitieu_role not in (Role.ADMINISTRATOR, Role.COORDINATOR):
        return False
    return sees_unit_id(user, plan.area_id)


def require_manage_plan(user, plan) -> None:
    if not can_manage_plan(user, plan):
        raise PermissionDenied


def require_manage_unit(user, unit: OrgUnit | None) -> None:
    """Coordinators change units inside their area; only administrators touch the top of the tree."""
    require_coordinator(user)
    if unit is None:
        require_role(user, Role.ADMINISTRATOR)
        return
    require_see_unit(user, unit)


def may_see_provisional(user, plan) -> bool:
    """Figures not yet approved, summed over the plan's area: only for whoever oversees the whole area.

    A commune reporter reads its district's published (approved) verdicts; the
    other communes' drafts are not theirs to see, even summed up.
    """
    if not user.is_authenticated:
        return False
    return sees_unit_id(user, plan.area_id)
