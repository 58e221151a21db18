"""The search box: indicators of the plans in force and units, among what the person may see.

Matching ignores tone marks, đ/d, case and spacing (``chitieu.names.name_key``), so "dak to lung"
finds "Xã Đăk Tơ Lung" and "tre em" finds every indicator about "trẻ em"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chitieu.names import name_key
from web.orgs.access import units_visible_to
from web.orgs.models import OrgUnit
from web.orgs.selectors import unit_descendant_ids
from web.plans.models import Indicator, Plan
from web.plans.selectors import plan_version_active, visible_to

MOST = 30  # of each kind: a search box, not an export


@dataclass
class Found:
    indicators: list[tuple[Plan, Indicator]] = field(default_factory=list)
    units: list[tuple[OrgUnit, list[Plan]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.indicators and not self.units


def _matches(query: str, *texts: str) -> bool:
    """The query as a phrase starting at a word: "tre em" is in "trẻ em gái", not in "trên cơ sở"."""
    phrase = re.compile(r"(?<!\w)" + re.escape(name_key(query)))
    return any(phrase.search(name_key(text)) for text in texts)


def search(user, query: str) -> Found:
    found = Found()
    if not name_key(query):
        return found
    plans = list(visible_to(user).select_related("area").order_by("-created_at"))
    for plan in plans:
        version = plan_version_active(plan)
        if version is None:
            continue
        for indicator in version.indicators.order_by("position"):
            if len(found.indicators) < MOST and _matches(query, indicator.code, indicator.name):
                found.indicators.append((plan, indicator))
    areas = {plan.pk: unit_descendant_ids(plan.area_id) for plan in plans}
    for unit in units_visible_to(user).order_by("kind", "name"):
        if len(found.units) >= MOST:
            break
        if _matches(query, unit.name):
            found.units.append((unit, [p for p in plans if unit.pk in areas[p.pk]]))
    return found
