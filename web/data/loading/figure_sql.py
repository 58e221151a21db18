"""The figure rule of ``chitieu.figures`` written as one PostgreSQL expression, for set-based loads.

Generated from the core's limits (digits, decimals, the order of the checks of
``FigureRule.check``) so that a bulk load can judge millions of staged figures in one
pass; tests/web/test_figure_sql.py feeds the same random figures to this SQL and to
``FigureRule.accept`` and compares what each refuses and the value each stores.

The value of a share is computed with integer division (``div``), rounded half up at
six decimals exactly as the core does: a plain ``/`` in PostgreSQL rounds the quotient
first at its own precision, and rounding twice can move the sixth decimal.
"""

from __future__ import annotations

from decimal import Decimal

from chitieu.figures import (
    DECIMAL_PLACES,
    INTEGER_DIGITS,
    MICRO,
    PARTS,
    VALUE_INTEGER_DIGITS,
    FigureIssue,
    FigureRule,
    Problem,
)
from chitieu.plan import Measure

TOO_LARGE_VALUE = "too_large_value"  # the computed value beyond numeric(24, 6), not a typed part
_SCALE = 10**DECIMAL_PLACES
_MICRO = f"{MICRO}::numeric"  # multiplied, never divided: a product is exact, a quotient is rounded


def _number_checks(column: str, part: str) -> list[tuple[str, str, str]]:
    """``check_number`` for one column: (condition, problem, part), in the core's order."""
    return [
        (f"{column} IN ('NaN', 'Infinity', '-Infinity')", Problem.NOT_FINITE, part),
        (f"abs({column}) >= 1e{INTEGER_DIGITS}", Problem.TOO_LARGE, part),
        (f"{column} <> round({column}, {DECIMAL_PLACES})", Problem.TOO_PRECISE, part),
        (f"{column} < 0", Problem.NEGATIVE, part),
    ]


def stored_value_sql(num: str, den: str, value: str, is_count: str, factor: str) -> str:
    """``FigureRule.compute``: the value to store (for a figure the rule accepts)."""
    share = f"div(2 * {num} * {factor} * {_SCALE} + {den}, 2 * {den}) * {_MICRO}"
    return (
        f"(CASE WHEN {is_count} THEN coalesce({value}, {num})"
        f" WHEN {num} IS NULL OR {den} IS NULL OR {den} = 0 THEN {value}"
        f" ELSE {share} END)"
    )


def problem_sql(num: str, den: str, value: str, is_count: str, is_percent: str, factor: str) -> str:
    """``FigureRule.check`` as one CASE: NULL when the figure is accepted, else 'problem:part'.

    ``num``, ``den``, ``value``: numeric columns (NULL = not given); ``is_count``,
    ``is_percent``: boolean expressions; ``factor``: a numeric expression."""
    checks: list[tuple[str, str, str]] = []
    for column, part in zip((num, den, value), PARTS, strict=True):
        checks += [(f"{column} IS NOT NULL AND {c}", p, q) for c, p, q in _number_checks(column, part)]
    checks += [
        # 0 of 0 ("không phát sinh") is a figure; n of 0 is not.
        (
            f"{den} = 0 AND NOT ({num} IS NOT NULL AND {num} = 0 AND {value} IS NULL)",
            Problem.ZERO_DENOMINATOR,
            "denominator",
        ),
        (f"{den} IS NOT NULL AND {num} IS NULL AND {value} IS NULL", Problem.MISSING_NUMERATOR, "numerator"),
        (f"{is_count} AND {value} <> trunc({value})", Problem.NOT_WHOLE, "value"),
        (f"{is_count} AND {num} <> trunc({num})", Problem.NOT_WHOLE, "numerator"),
        (f"{is_count}", "", ""),  # a count passes once whole: no value limit (as the core)
        (
            f"{num} IS NOT NULL AND {den} IS NULL AND {value} IS NULL",
            Problem.MISSING_DENOMINATOR,
            "denominator",
        ),
        (f"{is_percent} AND {num} > {den}", Problem.NUMERATOR_ABOVE_DENOMINATOR, "numerator"),
        (f"{is_percent} AND {value} > 100", Problem.SHARE_ABOVE_100, "value"),
        (
            f"abs({stored_value_sql(num, den, value, is_count, factor)}) >= 1e{VALUE_INTEGER_DIGITS}",
            TOO_LARGE_VALUE,
            "value",
        ),
    ]
    # A condition that is NULL (a comparison with a missing part) is false, as in the core
    # where such a check does not apply: CASE takes only conditions that are true.
    branches = " ".join(
        f"WHEN {condition} THEN {_text(problem, part)}" for condition, problem, part in checks
    )
    return f"(CASE {branches} ELSE NULL END)"


def _text(problem: str, part: str) -> str:
    return f"'{problem}:{part}'" if problem else "NULL"


def rule_flags(rule: FigureRule) -> tuple[bool, bool, Decimal]:
    """(is a count, is a percentage, factor): what the SQL needs of one indicator's rule."""
    return rule.is_count, rule.measure is Measure.PERCENT, rule.factor


def figure_issue(
    problem: str, num: Decimal | None, den: Decimal | None, value: Decimal | None, stored: Decimal | None
) -> FigureIssue:
    """The core's FigureIssue for a 'problem:part' the SQL returned (the same message follows)."""
    code, _, part = problem.partition(":")
    if code == TOO_LARGE_VALUE:
        return FigureIssue(Problem.TOO_LARGE, "value", stored, VALUE_INTEGER_DIGITS)
    problem_code = Problem(code)
    if problem_code in (Problem.MISSING_DENOMINATOR, Problem.MISSING_NUMERATOR):
        return FigureIssue(problem_code, part)
    number = dict(zip(PARTS, (num, den, value), strict=True))[part]
    limit = {Problem.TOO_LARGE: INTEGER_DIGITS, Problem.TOO_PRECISE: DECIMAL_PLACES}.get(problem_code)
    return FigureIssue(problem_code, part, number, limit)
