"""What the plan in force allows, computed once per load: each indicator's rule and the area's units."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from chitieu.figures import FigureRule
from chitieu.names import name_key
from web.data.loading.plain_numbers import quick_value
from web.orgs.models import OrgUnit
from web.plans.models import Reporters


@dataclass(frozen=True)
class IndicatorRule:
    """What a line of one indicator must respect, computed once per load."""

    index: int
    indicator: object  # web.plans.models.Indicator
    code: str
    measure: str
    by_sex: bool
    communes: bool  # every commune reports; otherwise the lead units (or the whole area)
    lead_ids: frozenset[int]
    figure: FigureRule  # the one figure rule (chitieu.figures), built once per load

    def value(self, num: Decimal | None, den: Decimal | None, value: Decimal | None) -> Decimal | None:
        """The figure rule's value; FigureError when the rule refuses the figure."""
        return self.figure.accept(num, den, value)

    def quick_value(self, num: str, den: str, value: str, decimal_comma: bool) -> str:
        """``quick_value`` with this indicator's figure rule."""
        return quick_value(self.figure, num, den, value, decimal_comma)


def indicator_rules(version) -> dict[str, IndicatorRule]:
    rules = {}
    indicators = version.indicators.select_related("assignment").prefetch_related("assignment__lead_units")
    for index, indicator in enumerate(indicators):
        assignment = getattr(indicator, "assignment", None)
        rules[indicator.code] = IndicatorRule(
            index=index,
            indicator=indicator,
            code=indicator.code,
            measure=indicator.measure,
            by_sex=assignment.by_sex if assignment else indicator.by_sex,
            communes=bool(assignment and assignment.reporters == Reporters.COMMUNES),
            lead_ids=frozenset(u.pk for u in assignment.lead_units.all()) if assignment else frozenset(),
            figure=FigureRule.of(indicator.measure, indicator.per),
        )
    return rules


@dataclass(frozen=True)
class AreaUnit:
    id: int
    name: str
    kind: str
    valid_from: object
    valid_to: object


class AreaUnits:
    """The plan's area: every unit below it, found by code first, then by name (any spelling)."""

    def __init__(self, area: OrgUnit):
        children: dict[int | None, list[int]] = {}
        rows = {}
        for row in OrgUnit.objects.values_list(
            "id", "parent_id", "code", "name", "name_key", "kind", "valid_from", "valid_to"
        ):
            rows[row[0]] = row
            children.setdefault(row[1], []).append(row[0])
        self.area_id = area.pk
        self.by_code: dict[str, AreaUnit] = {}
        self.by_name: dict[str, list[AreaUnit]] = {}
        stack = [area.pk]
        while stack:
            uid = stack.pop()
            _id, _parent, code, name, key, kind, valid_from, valid_to = rows[uid]
            unit = AreaUnit(uid, name, kind, valid_from, valid_to)
            if code:
                self.by_code[code] = unit
            self.by_name.setdefault(key, []).append(unit)
            stack.extend(children.get(uid, ()))
            if uid == area.pk:
                self.area = unit
        self._found: dict[str, AreaUnit | tuple[str, int]] = {}

    def find(self, text: str) -> AreaUnit | tuple[str, int]:
        """The unit, or (error code, number of candidates)."""
        found = self._found.get(text)
        if found is None:
            if not text:
                found = self.area  # a blank unit is the plan's whole area (docs/interfaces.md §3)
            elif text in self.by_code:
                found = self.by_code[text]
            else:
                named = self.by_name.get(name_key(text), [])
                found = (
                    named[0]
                    if len(named) == 1
                    else ("ambiguous_unit" if named else "unknown_unit", len(named))
                )
            self._found[text] = found
        return found
