"""Who may see and change what. Services call these; views only hide buttons.

Raises PermissionDenied, which Django turns into a 403 page.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from chitieu.approval import Role
from web.orgs.models import OrgUnit
from web.orgs.selectors import unit_descendant_ids


def area_unit_ids(user) -> set[int] | None:
    """Units the user may see; None means every unit (administrator)."""
    if not user.is_authenticated:
        return set()
    role = user.chitieu_role
    if role is Role.ADMINISTRATOR:
        return None
    if user.org_unit_id is None:
        return set()
    if role is Role.REPORTER:
        return {user.org_unit_id}
    return unit_descendant_ids(user.org_unit_id)


def can_see_unit(user, unit: OrgUnit) -> bool:
    ids = area_unit_ids(user)
    return ids is None or unit.pk in ids


def require_see_unit(user, unit: OrgUnit) -> None:
    if not can_see_unit(user, unit):
        raise PermissionDenied


def require_role(user, *roles: Role) -> Role:
    if not user.is_authenticated or user.chitieu_role not in roles:
        raise PermissionDenied
    return user.chitieu_role


def require_coordinator(user) -> Role:
    return require_role(user, Role.ADMINISTRATOR, Role.COORDINATOR)


def _ancestor_ids(unit: OrgUnit) -> set[int]:
    ids = set()
    while unit is not None:
        ids.add(unit.pk)
        unit = unit.parent
    return ids


def require_see_plan(user, plan) -> None:
    """Everyone working in or above the plan's area may read it; only coordinators change it."""
    ids = area_unit_ids(user)
    if ids is None or plan.area_id in ids:
        return
    if user.is_authenticated and user.org_unit_id and plan.area_id in _ancestor_ids(user.org_unit):
        return
    raise PermissionDenied
