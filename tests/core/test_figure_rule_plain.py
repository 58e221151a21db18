"""The bulk loader's quick path asks ``FigureRule.accept_plain``: the same rule as ``accept``.

For numbers already known plain (finite, not negative, within the digits and decimals a
column holds), ``accept_plain`` gives the value ``accept`` gives, and None exactly where
``accept`` refuses the figure (or has no value to store).
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from chitieu.figures import DECIMAL_PLACES, INTEGER_DIGITS, FigureRefused, FigureRule
from chitieu.plan import Measure

RULES = [
    FigureRule.of(m, per) for m in Measure for per in (None, 1000, 100_000) if m is not Measure.COUNT
] + [FigureRule.of(Measure.COUNT)]


def plain_numbers():
    """None, or a number with at most INTEGER_DIGITS digits before the point and DECIMAL_PLACES after."""

    def of_places(places: int):
        top = 10 ** (INTEGER_DIGITS + places) - 1
        digits = st.one_of(
            st.integers(0, 5 * 10**places), st.integers(0, 300 * 10**places), st.integers(0, top)
        )
        return digits.map(lambda n: Decimal(n).scaleb(-places))

    return st.one_of(st.none(), st.integers(0, DECIMAL_PLACES).flatmap(of_places))


def accepted(rule: FigureRule, num, den, value):
    try:
        return rule.accept(num, den, value)
    except FigureRefused:
        return None


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(RULES), plain_numbers(), plain_numbers(), plain_numbers())
def test_accept_plain_is_accept_on_plain_numbers(rule, num, den, value):
    assert rule.accept_plain(num, den, value) == accepted(rule, num, den, value)


def test_the_edges_the_quick_path_leaves_to_the_general_reader():
    share = FigureRule.of(Measure.PERCENT)
    count = FigureRule.of(Measure.COUNT)
    assert share.accept_plain(Decimal(0), Decimal(0), None) is None  # 0 of 0: stored, but no value
    assert share.accept_plain(Decimal(3), Decimal(0), None) is None  # refused: zero denominator
    assert share.accept_plain(None, Decimal(5), None) is None  # refused: a denominator alone
    assert share.accept_plain(Decimal(6), Decimal(5), None) is None  # refused: above 100 %
    assert share.accept_plain(None, None, Decimal("100.5")) is None
    assert count.accept_plain(None, None, Decimal("4.5")) is None  # refused: not whole
    assert share.accept_plain(Decimal(1), Decimal(3), None) == Decimal("33.333333")
