"""Vietnamese numbers and target texts."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chitieu.issues import Severity
from chitieu.plan import Comparator, CountPeriod, Direction, Measure
from chitieu.quantity import NumberContext, format_number, parse_number, parse_quantity


@pytest.mark.parametrize(
    ("text", "value", "measure", "per", "per_period", "label"),
    [
        ("60%", "60", Measure.PERCENT, None, None, "%"),
        ("26.6%", "26.6", Measure.PERCENT, None, None, "%"),
        ("26,6 %", "26.6", Measure.PERCENT, None, None, "%"),
        ("1,7 lần", "1.7", Measure.TIMES, None, None, "lần"),
        ("30/100.000 trẻ", "30", Measure.RATE, 100000, None, "/100.000 trẻ"),
        ("31.6/100.000 trẻ", "31.6", Measure.RATE, 100000, None, "/100.000 trẻ"),
        ("31,6/100.000 trẻ sinh sống", "31.6", Measure.RATE, 100000, None, "/100.000 trẻ sinh sống"),
        ("55/1.000", "55", Measure.RATE, 1000, None, "/1.000"),
        ("100 bé trai/100 bé gái", "100", Measure.RATIO, 100, None, "bé trai/100 bé gái"),
        ("03 tin, bài/quý", "3", Measure.COUNT, None, CountPeriod.QUARTER, "tin, bài/quý"),
        ("01 chuyên mục/tháng", "1", Measure.COUNT, None, CountPeriod.MONTH, "chuyên mục/tháng"),
        ("2 hội nghị mỗi năm", "2", Measure.COUNT, None, CountPeriod.YEAR, "hội nghị/năm"),
        ("5 lớp", "5", Measure.COUNT, None, None, "lớp"),
        ("1.234.567,5", "1234567.5", None, None, None, ""),
        ("1,234,567.5", "1234567.5", None, None, None, ""),
    ],
)
def test_target_texts(text, value, measure, per, per_period, label):
    q = parse_quantity(text, "line 1, cell C")
    assert (q.value, q.measure, q.per, q.per_period, q.unit_label) == (
        Decimal(value),
        measure,
        per,
        per_period,
        label,
    )
    assert q.issues == ()


@pytest.mark.parametrize(
    ("text", "comparator", "direction"),
    [
        ("dưới 5%", Comparator.LE, Direction.DECREASE),
        ("trên 50%", Comparator.GE, Direction.INCREASE),
        ("ít nhất 03 tin/quý", Comparator.GE, Direction.INCREASE),
        ("Tối thiểu 80%", Comparator.GE, Direction.INCREASE),
        ("tối đa 2 lần", Comparator.LE, Direction.DECREASE),
        ("không vượt quá 30/100.000", Comparator.LE, Direction.DECREASE),
        ("Duy trì 100%", None, Direction.MAINTAIN),
        ("≥ 95%", Comparator.GE, Direction.INCREASE),
        ("50% trở lên", Comparator.GE, Direction.INCREASE),
        ("Giảm còn 1,7 lần", None, Direction.DECREASE),
        ("giảm xuống còn 1,7 lần", None, Direction.DECREASE),
        ("Tăng lên 60%", None, Direction.INCREASE),
        ("đạt ở mức 95%", Comparator.GE, Direction.INCREASE),
    ],
)
def test_qualifiers_give_comparator_and_direction_hints(text, comparator, direction):
    q = parse_quantity(text)
    assert (q.comparator, q.direction) == (comparator, direction)
    assert q.value is not None


def test_approximate_target_is_flagged():
    q = parse_quantity("khoảng 60%", "row 3")
    assert (q.value, q.comparator) == (Decimal(60), Comparator.EQ)
    assert [(i.severity, i.code, i.where) for i in q.issues] == [(Severity.REVIEW, "approximate", "row 3")]


@pytest.mark.parametrize("text", ["abc%", "%", "lần", "12 % %x/", "1.23.4%", "5/0", "5/abc trẻ"])
def test_bad_texts_are_error_issues_not_exceptions(text):
    q = parse_quantity(text, "line 9, cell D")
    assert q.value is None
    assert [i.severity for i in q.issues] == [Severity.ERROR]
    assert q.issues[0].where == "line 9, cell D"


def test_empty_cell_is_no_target_and_no_issue():
    assert parse_quantity("  ").value is None and parse_quantity("").issues == ()


@pytest.mark.parametrize(
    ("text", "context", "value", "doubtful"),
    [
        ("1.234", NumberContext.PLAIN, "1234", True),  # Vietnamese thousands dot, but could be English
        ("1,234", NumberContext.PLAIN, "1.234", True),
        ("1.234", NumberContext.PERCENT, "1.234", False),  # a percentage is not 1234
        ("1.000", NumberContext.DENOMINATOR, "1000", False),
        ("100.000", NumberContext.DENOMINATOR, "100000", False),
        ("0.125", NumberContext.PLAIN, "0.125", False),
        ("1234.567", NumberContext.PLAIN, "1234.567", False),
        ("26.6", NumberContext.PLAIN, "26.6", False),
        ("03", NumberContext.PLAIN, "3", False),
        ("-1.234,5", NumberContext.PLAIN, "-1234.5", False),
    ],
)
def test_ambiguous_numbers_resolved_from_context(text, context, value, doubtful):
    reading = parse_number(text, context)
    assert (reading.value, reading.doubtful) == (Decimal(value), doubtful)


def test_doubtful_number_in_a_target_is_a_review_issue():
    q = parse_quantity("1.234 lượt người", "line 4, cell C")
    assert q.value == Decimal(1234)
    assert [(i.severity, i.code) for i in q.issues] == [(Severity.REVIEW, "ambiguous_number")]


@pytest.mark.parametrize("text", ["1.23.456", "12.34,5,6", "1,2.3"])
def test_broken_grouping_is_an_error(text):
    assert parse_number(text).value is None and parse_number(text).error


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        ("1234.5", None, "1.234,5"),
        ("1234567.25", 1, "1.234.567,3"),
        ("0.5", None, "0,5"),
        ("-1234", None, "-1.234"),
        ("100000", None, "100.000"),
        ("26.6", 2, "26,60"),
        ("-0.001", 1, "0,0"),
    ],
)
def test_format_number_the_vietnamese_way(value, places, text):
    assert format_number(Decimal(value), places) == text


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False, allow_infinity=False))
def test_format_then_parse_round_trip(value):
    assert parse_number(format_number(value)).value == value


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False))
def test_percent_texts_round_trip(value):
    q = parse_quantity(f"{format_number(value)}%")
    assert (q.value, q.measure) == (value, Measure.PERCENT)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_parse_quantity_never_raises(text):
    q = parse_quantity(text, "x")
    assert q.value is not None or q.issues or not text.strip()
