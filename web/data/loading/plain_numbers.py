"""The quick path's question about a line's numbers, with no Django import: the SQLite worker
processes (``line_pool``) ask it too, and may be started without Django set up."""

from __future__ import annotations

import re
from decimal import Decimal

from chitieu.figures import DECIMAL_PLACES, INTEGER_DIGITS, FigureRule
from chitieu.plan import Measure

# A value the quick path may take as it is: what the figure rule's limits let through.
_FAST_VALUE = re.compile(rf"\d{{1,{INTEGER_DIGITS}}}(?:\.\d{{1,{DECIMAL_PLACES}}})?", re.ASCII)
_PLAIN_DECIMAL = re.compile(r"\d+\.\d+", re.ASCII)
_WHOLE_DIGITS = 13  # a numerator or denominator the quick path takes: digits only, at most this many


def quick_value(figure: FigureRule, num: str, den: str, value: str, decimal_comma: bool) -> str:
    """The value to store, as text, for numbers written plainly (stripped texts, "" = not given);
    "" when the line needs the general reader (another spelling, or a figure the rule refuses:
    the general reader gives the reason). Every quick path of a load asks this: the one reading
    lines in Python, its worker processes (web.data.loading.line_pool) and the set-based one
    (web.data.loading.plain_copy) once per distinct texts."""
    decimal = not decimal_comma and figure.measure != Measure.COUNT  # a count is whole
    if (
        (num and (len(num) > _WHOLE_DIGITS or not (num.isdigit() and num.isascii())))
        or (den and (len(den) > _WHOLE_DIGITS or not (den.isdigit() and den.isascii())))
        or (
            value
            and not (
                _FAST_VALUE.fullmatch(value)
                and (value.isdigit() or (decimal and _PLAIN_DECIMAL.fullmatch(value)))
            )
        )
    ):
        return ""
    accepted = figure.accept_plain(
        Decimal(num) if num else None, Decimal(den) if den else None, Decimal(value) if value else None
    )
    return "" if accepted is None else str(accepted)
