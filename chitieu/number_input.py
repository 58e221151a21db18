"""Numbers as people type them into a form, the Vietnamese way.

"1.234,5" is one thousand two hundred thirty-four and a half: the dot groups
thousands and the comma is the decimal mark. People also paste figures from
English spreadsheets ("1,234.5") or type a dot decimal ("12.5"). The rule:
when both marks appear the last one is the decimal mark; a lone dot followed
by groups of exactly three digits groups thousands ("1.234" = 1234), any other
lone dot is a decimal mark; a lone comma is always the decimal mark.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_GROUPED_DOTS = re.compile(r"^[1-9]\d{0,2}(\.\d{3})+$")
_GROUPED_COMMAS = re.compile(r"^[1-9]\d{0,2}(,\d{3})+$")
_PLAIN = re.compile(r"^\d+(\.\d+)?$")


class NumberInputError(ValueError):
    """Text that is not a number; ``code`` is stable for translations."""

    def __init__(self, code: str, text: str):
        super().__init__(f"{code}: {text!r}")
        self.code = code
        self.text = text


def parse_number_input(text: str) -> Decimal | None:
    """The number typed, or None for an empty field (missing is not zero)."""
    cleaned = text.strip().replace("\u00a0", " ").replace(" ", "")
    if not cleaned:
        return None
    sign = ""
    if cleaned[0] in "-−+":
        sign, cleaned = ("-" if cleaned[0] != "+" else ""), cleaned[1:]
    body = _canonical(cleaned)
    if body is None or not _PLAIN.match(body):
        raise NumberInputError("not_a_number", text)
    try:
        return Decimal(sign + body)
    except InvalidOperation as exc:  # pragma: no cover - _PLAIN already guards
        raise NumberInputError("not_a_number", text) from exc


def _canonical(text: str) -> str | None:
    """Rewrite to digits with an optional '.' decimal mark, or None if unreadable."""
    has_dot, has_comma = "." in text, "," in text
    if has_dot and has_comma:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        grouping = "." if decimal_mark == "," else ","
        whole, _, fraction = text.rpartition(decimal_mark)
        if decimal_mark in whole or not re.fullmatch(r"\d{1,3}(" + re.escape(grouping) + r"\d{3})*", whole):
            return None
        return whole.replace(grouping, "") + "." + fraction
    if has_comma:
        if text.count(",") > 1:
            return text.replace(",", "") if _GROUPED_COMMAS.match(text) else None
        return text.replace(",", ".")
    if has_dot and _GROUPED_DOTS.match(text):
        return text.replace(".", "")
    return text


def format_number(value: Decimal, places: int = 2) -> str:
    """Vietnamese display: '1.234,5' (trailing zeros of the fraction dropped)."""
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    groups = f"{int(whole):,}".replace(",", ".")
    fraction = fraction.rstrip("0")
    return sign + groups + ("," + fraction if fraction else "")
