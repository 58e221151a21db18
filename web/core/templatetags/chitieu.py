import re
from decimal import Decimal

from django import template
from django.utils.translation import gettext_lazy

from chitieu.number_input import format_number
from chitieu.periods import name_periods
from chitieu.quantity import format_quantity, unit_words
from web.core.words import period_words

register = template.Library()


@register.filter
def vnnum(value, places: int = 2) -> str:
    """1234.5 → '1.234,5' whatever the interface language: figures follow Vietnamese usage."""
    if value is None or value == "":
        return ""
    return format_number(Decimal(str(value)), int(places))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


# The core writes locations in English words ("line 12", "row 4.1", "sheet Phụ lục, cell C7");
# people read them in their own language.
_PLACE_WORDS = {
    "line": gettext_lazy("line"),
    "row": gettext_lazy("row"),
    "sheet": gettext_lazy("sheet"),
    "cell": gettext_lazy("cell"),
    "table": gettext_lazy("table"),
    "paragraph": gettext_lazy("paragraph"),
    "file": gettext_lazy("file"),
    "column": gettext_lazy("column"),
}
_PLACE = re.compile(r"\b(" + "|".join(_PLACE_WORDS) + r")\b")


@register.filter
def place(where: str) -> str:
    return _PLACE.sub(lambda m: str(_PLACE_WORDS[m[1]]), where or "")


@register.filter
def period_name(key: str) -> str:
    """'2024-Q3' → 'Quý 3/2024' (web.core.words.period_words)."""
    return period_words(key)


@register.filter
def percent(value, places: int = 1) -> str:
    """26.6 → '26,6 %' (Vietnamese number, a space before the sign)."""
    if value is None or value == "":
        return ""
    return f"{format_number(Decimal(str(value)), int(places))} %"


@register.filter
def unit(label: str) -> str:
    """An indicator's unit as a column shows it: "/100.000 trẻ" → "trẻ/100.000 trẻ sinh ra sống"."""
    return unit_words(label or "")


@register.filter
def quantity(value, unit_label: str = "") -> str:
    """A value with its unit, the Vietnamese way: 26.6, "%" → "26,6 %"; "—" for nothing."""
    if value is None or value == "":
        return "—"
    return format_quantity(Decimal(str(value)), unit_label or "")


@register.filter
def measured(result, unit_label: str = "") -> str:
    """A result's actual with its unit and as many decimals as its verdict needs (``result.places``):
    59,995 against "≥ 60" is never shown as 60."""
    value = getattr(result, "actual", None)
    if value is None or value == "":
        return "—"
    places = getattr(result, "places", None) or 2
    return format_quantity(Decimal(str(value)), unit_label or "", places=int(places))


@register.filter
def periods_named(text: str) -> str:
    """Period keys inside a sentence from the core named as people write them ("2024-Q3" → "Quý 3/2024")."""
    return name_periods(str(text or ""))
