"""Numbers written the Vietnamese way: decimal comma, thousands dot (1.234,5)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MAX_PLACES = 2  # reports show at most two decimals; the Excel annex keeps the full value


def rounded(value: Decimal, places: int = MAX_PLACES) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_number(value: Decimal | int | float | None, places: int = MAX_PLACES) -> str:
    """``Decimal("1234.50")`` → ``"1.234,5"``; ``None`` → ``""``. Trailing zeros are dropped."""
    if value is None:
        return ""
    number = rounded(Decimal(str(value)), places).normalize()
    if number == 0:
        number = Decimal(0)  # "-0" and "0E+2" read as 0
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    text = ".".join([whole, *groups])
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


def decimal_places(value: Decimal, limit: int = MAX_PLACES) -> int:
    """How many decimals the value needs to be shown (at most ``limit``)."""
    exponent = rounded(value, limit).normalize().as_tuple().exponent
    return min(limit, max(0, -int(exponent)))
