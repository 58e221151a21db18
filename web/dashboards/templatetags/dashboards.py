"""Numbers the Vietnamese way on dashboards: 1.234,5 (the active locale decides)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext

from chitieu.explain import rule_label

register = template.Library()


@register.filter
def num(value, places: int = 2) -> str:
    """At most ``places`` decimals, trailing zeros dropped, grouped thousands; "—" for nothing."""
    if value is None or value == "":
        return "—"
    number = Decimal(value).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP).normalize()
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    decimals = max(0, -number.as_tuple().exponent)
    return number_format(number, decimal_pos=decimals, use_l10n=True, force_grouping=True)


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{num(value, 1)} %"


@register.filter
def state_label(state) -> str:
    """A report's state in words: missing, draft, submitted, returned, approved."""
    from django.utils.translation import gettext as _

    code = getattr(state, "value", state)
    return {
        "missing": _("not entered"),
        "draft": _("being entered"),
        "submitted": _("awaiting approval"),
        "returned": _("returned"),
        "approved": _("approved"),
    }.get(code, code)


@register.filter
def sign(comparator) -> str:
    """``>=`` → ``≥``, ``<=`` → ``≤``, ``==`` → ``=``, as printed in plans."""
    code = str(getattr(comparator, "value", comparator))
    return {">=": "≥", "<=": "≤", "==": "="}.get(code, code)


@register.filter
def verdict(status) -> str:
    """A verdict in words ("exceeded" → "Vượt"), never its code."""
    code = str(getattr(status, "value", status))
    return {
        "exceeded": gettext("Exceeded"),
        "achieved": gettext("Achieved"),
        "not_achieved": gettext("Not achieved"),
        "no_data": gettext("No data"),
    }.get(code, code)


@register.filter
def rule_words(rule: str) -> str:
    """How a figure was computed, in words ("ratio_of_sums" → "tổng tử số ÷ tổng mẫu số …")."""
    return rule_label(rule or "")


LISTED_AT_MOST = 50  # names a verdict's explanation lists; a district's communes and quarters fit


@register.filter
def first_few(items, at_most: int = LISTED_AT_MOST) -> dict:
    """The first ``at_most`` of a long list, and how many are left out.

    At the nation a per-unit indicator's verdict rests on every commune: listing them all made
    the dashboard 1.6 MB and 3 s of template work, and no reader goes through 40,000 names on a
    page (the grid by unit lists them, with their figures)."""
    listed = list(items or ())
    return {"shown": listed[:at_most], "more": max(0, len(listed) - at_most)}
