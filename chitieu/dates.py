"""Dates as Vietnamese users write them: ``dd/mm/yyyy`` (``.`` or ``-`` also), or ISO ``yyyy-mm-dd``."""

from __future__ import annotations

import re
from datetime import date

_DAY_FIRST = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


def parse_day(text: str) -> date | None:
    """The date ``text`` names, day first as in Vietnam (or ISO); None when it names none."""
    found = _DAY_FIRST.match(text)
    try:
        if found:
            return date(int(found[3]), int(found[2]), int(found[1]))
        found = _ISO.match(text)
        if found:
            return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:  # 31/02/2024
        return None
    return None


def day_text(day: date) -> str:
    """``dd/mm/yyyy``: how every page and file writes a date."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"
