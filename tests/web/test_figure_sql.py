"""The set-based load judges figures in SQL (web.data.loading.figure_sql): the same rule as the core.

The same random figures go to ``FigureRule.accept`` and to the generated PostgreSQL
expression; both must refuse the same figures for the same reason (code, part, number,
limit — hence the same message) and store the same value for the others.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chitieu.figures import DECIMAL_PLACES, INTEGER_DIGITS, FigureRefused, FigureRule
from chitieu.plan import Measure
from web.data.loading.figure_sql import figure_issue, problem_sql, rule_flags, stored_value_sql

pytestmark = pytest.mark.django_db
ONLY_POSTGRESQL = pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL rule is PostgreSQL's")

RULES = [FigureRule.of(m, per) for m in Measure for per in (None, 1000, 100_000) if m is not Measure.COUNT]
RULES.append(FigureRule.of(Measure.COUNT))


# The limits themselves, where an off-by-one in the SQL would show.
EDGES = [
    Decimal("NaN"),
    Decimal("Infinity"),
    Decimal(0),
    Decimal(1),
    Decimal("0.0000005"),
    Decimal("0.000001"),
    Decimal("99.999999"),
    Decimal(100),
    Decimal("100.000001"),
    Decimal(10) ** INTEGER_DIGITS,
    Decimal(10) ** INTEGER_DIGITS - Decimal("0.000001"),
    Decimal("-0.000001"),
    Decimal("2.5"),
]


def numbers():
    """None, plain numbers, and the ones the rule refuses: negative, too long, too precise, not finite."""

    def scaled(places: int):
        top = 10 ** (INTEGER_DIGITS + places) - 1
        digits = st.one_of(
            st.integers(0, 5 * 10**places),
            st.integers(0, 300 * 10**places),
            st.integers(0, top),
            st.integers(-(10**places), 10**places),  # negatives
            st.integers(top, top * 10**4),  # too many digits before the point
        )
        return digits.map(lambda n: Decimal(n).scaleb(-places))

    return st.one_of(
        st.none(),
        st.integers(0, DECIMAL_PLACES + 3).flatmap(scaled),  # up to three decimals too many
        st.sampled_from(EDGES),
    )


FIGURES = st.tuples(st.sampled_from(RULES), numbers(), numbers(), numbers())

SQL = "SELECT {problem}, {stored} FROM (VALUES {rows}) AS t(i, n, d, v, c, p, f) ORDER BY t.i"


def _core(rule: FigureRule, num, den, value):
    try:
        return None, rule.accept(num, den, value)
    except FigureRefused as refused:
        return refused.issue, None


def _sql(figures) -> list[tuple]:
    rows = ", ".join("(%s, %s::numeric, %s::numeric, %s::numeric, %s, %s, %s::numeric)" for _ in figures)
    sql = SQL.format(
        problem=problem_sql("n", "d", "v", "c", "p", "f"),
        stored=f"CASE WHEN {problem_sql('n', 'd', 'v', 'c', 'p', 'f')} IS NULL "
        f"OR {problem_sql('n', 'd', 'v', 'c', 'p', 'f')} LIKE 'too_large_value:%%' "
        f"THEN {stored_value_sql('n', 'd', 'v', 'c', 'f')} END",
        rows=rows,
    )
    params = []
    for i, (rule, num, den, value) in enumerate(figures):
        is_count, is_percent, factor = rule_flags(rule)
        params += [
            i,
            *(None if x is None else str(x) for x in (num, den, value)),
            is_count,
            is_percent,
            factor,
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@ONLY_POSTGRESQL
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(FIGURES, min_size=1, max_size=40))
def test_the_sql_rule_refuses_and_stores_as_the_core(figures):
    for (rule, num, den, value), (problem, stored) in zip(figures, _sql(figures), strict=True):
        issue, expected = _core(rule, num, den, value)
        if issue is None:
            assert problem is None, (rule, num, den, value, problem)
            assert (stored is None) == (expected is None) and (stored is None or stored == expected)
        else:
            assert problem is not None, (rule, num, den, value, issue)
            got = figure_issue(problem, num, den, value, stored)
            assert (got.code, got.part, got.limit, repr(got.number)) == (
                issue.code,
                issue.part,
                issue.limit,
                repr(issue.number),
            ) or (got.code, got.part, got.limit, got.number) == (
                issue.code,
                issue.part,
                issue.limit,
                issue.number,
            )
            assert got.message() == issue.message()


def plain_numbers():
    """None or a number the quick path reads: within the digits and decimals, not negative."""
    return st.one_of(
        st.none(),
        st.integers(0, DECIMAL_PLACES).flatmap(
            lambda places: st.integers(0, 10 ** (INTEGER_DIGITS + places) - 1).map(
                lambda n: Decimal(n).scaleb(-places)
            )
        ),
    )


@ONLY_POSTGRESQL
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.sampled_from(RULES), plain_numbers(), plain_numbers(), plain_numbers()), max_size=40
    )
)
def test_the_sql_rule_stores_the_cores_value_for_plain_numbers(figures):
    """Most plain figures are accepted: the values (large ones too, where a rounded quotient shows)."""
    if not figures:
        return
    for (rule, num, den, value), (problem, stored) in zip(figures, _sql(figures), strict=True):
        issue, expected = _core(rule, num, den, value)
        assert (problem is None) == (issue is None), (rule, num, den, value, problem, issue)
        if issue is None:
            assert stored == expected, (rule, num, den, value)


@ONLY_POSTGRESQL
def test_rounding_at_the_sixth_decimal_is_the_cores_exactly():
    # 2 of 3 per cent is 66.666666666…: half up at six decimals; 1 of 8 000 000 is 0.0000125 % → 0.000013;
    # a large rate keeps all six decimals (a quotient of numeric kept only sixteen digits).
    share, rate = FigureRule.of(Measure.PERCENT), FigureRule.of(Measure.RATE, 100_000)
    figures = [
        (share, Decimal(2), Decimal(3), None),
        (share, Decimal(1), Decimal(8_000_000), None),
        (rate, Decimal(34_809_718), Decimal(3), None),
    ]
    assert [stored for _, stored in _sql(figures)] == [
        Decimal("66.666667"),
        Decimal("0.000013"),
        Decimal("1160323933333.333333"),
    ]
