"""The figure rule: whether a reported figure is acceptable, and the value it stands for.

Every door a figure comes in by asks this module: the entry form, the API (JSON
rows and CSV upload), the bulk loader, the tidy CSV reader behind ``chitieu
evaluate``, and the targets of a plan (import and edit). Problems come back as
stable *codes* (``Problem``) with the field and the limit, never as text: the web
app turns a code into a translated message, the command line into the Vietnamese
one of ``message``.

The value of a share, rate or ratio is ``numerator × factor ÷ denominator``,
multiplied before dividing (1 × 300 ÷ 3 is exactly 100) and rounded half up to
the six decimals the database keeps. A count is its own value and a whole number.

Limits come from the database columns (``numeric(20, 6)`` for the parts and for
targets, ``numeric(24, 6)`` for a computed value): a number with more digits than
the column holds is refused here, before it can reach the database (SQLite would
store it and then fail every read of it).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from enum import StrEnum

from chitieu.plan import Measure, measure_factor
from chitieu.quantity import format_number

DECIMAL_PLACES = 6  # digits after the point the database keeps
INTEGER_DIGITS = 14  # digits before the point of a typed number (numeric(20, 6))
VALUE_INTEGER_DIGITS = 18  # of a computed value (numeric(24, 6))
MICRO = Decimal(1).scaleb(-DECIMAL_PLACES)
PARTS = ("numerator", "denominator", "value")
# 14 + 6 digits by a factor of at most 10^6, divided: exact enough. A context of its own, used by
# name, rather than localcontext() at each figure: the same arithmetic, at half the cost per line
# of a bulk load (the rounding of the division is the default context's, as before).
_EXACT = Context(prec=60)


class Problem(StrEnum):
    """Why a figure is refused; stable codes for translations and for API clients."""

    NOT_FINITE = "not_finite"  # NaN, Infinity, 1e309 read as a float
    TOO_LARGE = "too_large"  # more integer digits than the column holds
    TOO_PRECISE = "too_precise"  # more decimals than the column keeps
    NEGATIVE = "negative"
    NOT_WHOLE = "not_whole"  # a count with a fraction: "45,5 tin"
    ZERO_DENOMINATOR = "zero_denominator"
    MISSING_DENOMINATOR = "missing_denominator"
    MISSING_NUMERATOR = "missing_numerator"
    NUMERATOR_ABOVE_DENOMINATOR = "numerator_above_denominator"
    SHARE_ABOVE_100 = "share_above_100"


@dataclass(frozen=True)
class FigureIssue:
    """One refused figure: the code, the part it is about and, where there is one, the limit."""

    code: Problem
    part: str = ""  # "numerator", "denominator", "value"; "" for the figure as a whole
    number: Decimal | None = None  # the number refused, as read
    limit: int | None = None  # digits allowed (too_large, too_precise)

    def message(self) -> str:
        """The Vietnamese sentence (command line, core readers); the web app translates the code."""
        return message(self)


class FigureRefused(ValueError):
    """Raised by ``FigureRule.accept``; ``issue`` says why."""

    def __init__(self, issue: FigureIssue):
        super().__init__(issue.code.value)
        self.issue = issue
        self.code = issue.code.value


PART_WORDS = {"numerator": "tử số", "denominator": "mẫu số", "value": "giá trị", "target": "chỉ tiêu"}

_MESSAGES = {
    Problem.NOT_FINITE: "{part} không phải là một số hữu hạn",
    Problem.TOO_LARGE: "{part} quá lớn: {number} (tối đa {limit} chữ số trước dấu phẩy, tức nhỏ hơn {bound})",
    Problem.TOO_PRECISE: (
        "{part} có quá nhiều chữ số thập phân: {number} (tối đa {limit} chữ số sau dấu phẩy)"
    ),
    Problem.NEGATIVE: "{part} không được âm: {number}",
    Problem.NOT_WHOLE: "số đếm phải là số nguyên: {number}",
    Problem.ZERO_DENOMINATOR: "mẫu số bằng 0: không tính được giá trị",
    Problem.MISSING_DENOMINATOR: "có tử số nhưng thiếu mẫu số: cần cả tử số và mẫu số (hoặc giá trị)",
    Problem.MISSING_NUMERATOR: "có mẫu số nhưng thiếu tử số: cần cả tử số và mẫu số (hoặc giá trị)",
    Problem.NUMERATOR_ABOVE_DENOMINATOR: "tử số lớn hơn mẫu số: tỷ lệ vượt 100 %",
    Problem.SHARE_ABOVE_100: "tỷ lệ {number} % vượt 100 %",
}


def plain(number: Decimal | None) -> str:
    """A number for a message, Vietnamese style ("45,5"), whatever its size; "" for None."""
    if number is None:
        return ""
    if not number.is_finite():
        return str(number)
    if abs(number.adjusted()) > 24:
        return f"{number:.3E}".replace(".", ",")  # 1e309 is not written out in full
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def message(issue: FigureIssue) -> str:
    limit = issue.limit or 0
    bound = format_number(Decimal(10) ** limit) if limit else ""
    text = _MESSAGES[issue.code].format(
        part=PART_WORDS.get(issue.part, "số liệu"),
        number=plain(issue.number),
        limit=limit,
        bound=bound,
    )
    return text[:1].upper() + text[1:]


def check_number(
    number: Decimal | float | None, part: str, digits: int = INTEGER_DIGITS
) -> FigureIssue | None:
    """What one number must respect to be stored: finite, at most ``digits`` + 6 digits, not negative."""
    if number is None:
        return None
    if not isinstance(number, Decimal):
        number = Decimal(str(number)) if isinstance(number, float) else Decimal(number)
    if not number.is_finite():
        return FigureIssue(Problem.NOT_FINITE, part, number)
    if number and number.adjusted() >= digits:
        return FigureIssue(Problem.TOO_LARGE, part, number, digits)
    if number.as_tuple().exponent < -DECIMAL_PLACES and number != number.quantize(MICRO):  # type: ignore[operator]
        return FigureIssue(Problem.TOO_PRECISE, part, number, DECIMAL_PLACES)
    if number < 0:
        return FigureIssue(Problem.NEGATIVE, part, number)
    return None


def check_parts(num: Decimal | None, den: Decimal | None, value: Decimal | None) -> FigureIssue | None:
    """The checks that need no plan (the tidy CSV reader makes them line by line): each number
    storable and not negative, a denominator neither zero (unless 0 of 0) nor alone."""
    for part, number in zip(PARTS, (num, den, value), strict=True):
        issue = check_number(number, part)
        if issue is not None:
            return issue
    # 0 of 0 is "không phát sinh" (no case arose: no victim to support), a figure in its own
    # right that the engine tells apart from missing data; n of 0 with n > 0 is impossible.
    if den is not None and den == 0 and not (num == 0 and value is None):
        return FigureIssue(Problem.ZERO_DENOMINATOR, "denominator", den)
    if den is not None and num is None and value is None:
        return FigureIssue(Problem.MISSING_NUMERATOR, "numerator")
    return None


def check_target(value: Decimal | float | None) -> FigureIssue | None:
    """A target value (plan import, coordinator's edit): the limits of its column."""
    return check_number(value, "target")


@dataclass(frozen=True)
class FigureRule:
    """The rule for one indicator's figures: its measure and factor, computed once."""

    measure: Measure
    factor: Decimal

    @classmethod
    def of(cls, measure: Measure | str, per: int | None = None) -> FigureRule:
        measure = Measure(measure)
        return cls(measure, measure_factor(measure, per))

    @property
    def is_count(self) -> bool:
        return self.measure is Measure.COUNT

    def compute(self, num: Decimal | None, den: Decimal | None, value: Decimal | None) -> Decimal | None:
        """The value of a figure that passed ``check``: the one formula, the one rounding."""
        if self.is_count:
            return value if value is not None else num
        if num is None or den is None or den == 0:
            return value
        exact = _EXACT
        return exact.divide(exact.multiply(num, self.factor), den).quantize(
            MICRO, rounding=ROUND_HALF_UP, context=exact
        )

    def check(self, num: Decimal | None, den: Decimal | None, value: Decimal | None) -> FigureIssue | None:
        """The first problem of a figure, or None; nothing given at all is no problem (missing)."""
        issue = check_parts(num, den, value)
        if issue is not None:
            return issue
        if self.is_count:
            for part, number in (("value", value), ("numerator", num)):
                if number is not None and number != number.to_integral_value():
                    return FigureIssue(Problem.NOT_WHOLE, part, number)
            return None
        if num is not None and den is None and value is None:
            return FigureIssue(Problem.MISSING_DENOMINATOR, "denominator")
        if self.measure is Measure.PERCENT:
            if num is not None and den is not None and num > den:
                return FigureIssue(Problem.NUMERATOR_ABOVE_DENOMINATOR, "numerator", num)
            if value is not None and value > 100:
                return FigureIssue(Problem.SHARE_ABOVE_100, "value", value)
        computed = self.compute(num, den, value)
        if computed is not None and computed.adjusted() >= VALUE_INTEGER_DIGITS:
            return FigureIssue(Problem.TOO_LARGE, "value", computed, VALUE_INTEGER_DIGITS)
        return None

    def accept(self, num: Decimal | None, den: Decimal | None, value: Decimal | None) -> Decimal | None:
        """The value to store; ``FigureRefused`` when the figure breaks the rule."""
        issue = self.check(num, den, value)
        if issue is not None:
            raise FigureRefused(issue)
        return self.compute(num, den, value)

    def accept_plain(self, num: Decimal | None, den: Decimal | None, value: Decimal | None) -> Decimal | None:
        """``accept`` without raising, for numbers already known to be plain: finite, not negative,
        within the digits and decimals a column holds (the bulk loader's quick path checks the text).

        The value to store, or None where ``accept`` refuses the figure or stores no value; the
        caller then takes the general path, which reports why. The same rule, only the checks that
        plain numbers cannot fail left out (tests/core/test_figure_rule_plain.py proves it equal)."""
        if den is not None and (
            (num is None and value is None) or (den == 0 and not (num == 0 and value is None))
        ):
            return None  # a denominator alone, or of zero
        if self.is_count:
            if any(n is not None and n != n.to_integral_value() for n in (value, num)):
                return None
        elif num is not None and den is None and value is None:
            return None  # a numerator without its denominator
        elif self.measure is Measure.PERCENT and (
            (num is not None and den is not None and num > den) or (value is not None and value > 100)
        ):
            return None
        computed = self.compute(num, den, value)
        if computed is None or computed.adjusted() >= VALUE_INTEGER_DIGITS:
            return None
        return computed

    def mismatch(self, num: Decimal | None, den: Decimal | None, value: Decimal | None) -> Decimal | None:
        """The computed value when a value was also given and differs by more than 5 %: a warning."""
        if value is None:
            return None
        if self.is_count:
            return num if num is not None and num != value else None
        if num is None or not den:
            return None
        computed = self.compute(num, den, None)
        if computed is not None and abs(computed - value) > Decimal("0.05") * max(Decimal(1), abs(value)):
            return computed
        return None


# ---------------------------------------------------------------- figures by sex

NOT_APPLICABLE = "không áp dụng"  # written in the note: this sex has no figure to give, on purpose


def is_not_applicable(note: str) -> bool:
    """A note that says the figure does not apply ("Không áp dụng — không có học sinh nam")."""
    return note.strip().casefold().startswith(NOT_APPLICABLE)


def missing_sexes(given: dict[str, bool]) -> tuple[str, ...]:
    """The sexes still missing from a by-sex indicator once any is given: a report is sent with
    both sexes (or each missing one marked "không áp dụng"), never with one left blank.

    ``given``: sex → whether it has a figure or is marked not applicable. Nothing given at all
    is a missing report (completeness counts it), not a half-filled one.
    """
    if not any(given.values()):
        return ()
    return tuple(sex for sex, ok in given.items() if not ok)
