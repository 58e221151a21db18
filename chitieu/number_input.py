"""Numbers as people type them into a form, the Vietnamese way.

"1.234,5" is one thousand two hundred thirty-four and a half: the dot groups
thousands, the comma marks decimals; pasted English figures ("1,234.5") work
too. The reading itself is ``chitieu.quantity.parse_number`` (the same rules as
for annex cells); this module adds what a form needs: an empty field is
*missing*, not zero, and unreadable text raises with a stable code. Digits other
than 0–9 (Arabic-Indic, full-width) are refused rather than read, and so is a
lone comma before exactly three digits ("12,345": a decimal here, a thousands
separator in an English paste), with the two readings explained by the caller.
"""

from __future__ import annotations

import re
from decimal import Decimal

from chitieu.quantity import format_number as _format_number
from chitieu.quantity import parse_number


class NumberInputError(ValueError):
    """Text that is not a number; ``code`` is stable for translations."""

    def __init__(self, code: str, text: str):
        super().__init__(f"{code}: {text!r}")
        self.code = code
        self.text = text


def parse_number_input(text: str) -> Decimal | None:
    """The number typed, or None for an empty field (missing is not zero)."""
    if not text.strip():
        return None
    if any(c.isdigit() and not c.isascii() for c in text):
        raise NumberInputError("foreign_digits", text)  # ١٢٣, １２３: refused, not guessed
    reading = parse_number(text.replace("−", "-"))
    if reading.value is None:
        raise NumberInputError("not_a_number", text)
    if reading.doubtful and AMBIGUOUS.fullmatch(text.strip().replace("−", "-")):
        raise NumberInputError("ambiguous", text)  # "12,345": 12,345 or 12345?
    return reading.value


def format_number(value: Decimal, places: int = 2) -> str:
    """Vietnamese display, '1.234,5': rounded to ``places``, trailing zeros dropped."""
    text = _format_number(value, places)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return unambiguous(text)


def unambiguous(text: str) -> str:
    """ "12,345" reads two ways and is refused when typed: write it "12,3450" so a form
    shows back only what it accepts."""
    return text + "0" if AMBIGUOUS.fullmatch(text) else text


AMBIGUOUS = re.compile(r"[+-]?[1-9]\d{0,2},\d{3}", re.ASCII)  # "12,345": 12,345 or 12345?
