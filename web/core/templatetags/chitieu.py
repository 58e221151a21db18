from decimal import Decimal

from django import template

from chitieu.number_input import format_number

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
