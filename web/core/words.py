"""Values as people read them, in the interface language: the web's one formatter for periods.

In Vietnamese every period goes through ``chitieu.periods.period_label`` (the core's formatter, also
used by the reports): "Quý 3/2024", "Tháng 10/2024", "6 tháng đầu năm 2024", "Năm 2024",
"Giai đoạn 2021–2025".
"""

from __future__ import annotations

from django.utils.translation import get_language, gettext

from chitieu.periods import PeriodKeyError, PeriodKind, parse_period, period_label


def period_words(key: str) -> str:
    if (get_language() or "vi").startswith("vi"):
        return period_label(key)
    try:
        period = parse_period(key)
    except PeriodKeyError:
        return key
    year = period.start.year
    if period.kind is PeriodKind.QUARTER:
        return gettext("quarter %(q)s/%(y)s") % {"q": key[-1], "y": year}
    if period.kind is PeriodKind.MONTH:
        return gettext("month %(m)s/%(y)s") % {"m": period.start.month, "y": year}
    if period.kind is PeriodKind.HALF:
        return gettext("half %(h)s/%(y)s") % {"h": key[-1], "y": year}
    if period.kind is PeriodKind.YEAR:
        return gettext("year %(y)s") % {"y": year}
    return f"{period.start.year}–{period.end.year}"
