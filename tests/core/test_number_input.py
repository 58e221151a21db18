"""Numbers typed the Vietnamese way are read exactly; unreadable text is refused."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chitieu.number_input import NumberInputError, format_number, parse_number_input


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,5", "1234.5"),
        ("1234,5", "1234.5"),
        ("1.234", "1234"),
        ("1.234.567", "1234567"),
        ("12.5", "12.5"),
        ("0.123", "0.123"),
        ("0,5", "0.5"),
        ("1,234.5", "1234.5"),
        ("1 234,5", "1234.5"),
        ("1\u00a0234", "1234"),
        ("-3,25", "-3.25"),
        ("03", "3"),
        ("0", "0"),
    ],
)
def test_vietnamese_and_pasted_numbers(text, expected):
    assert parse_number_input(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_is_missing_not_zero(text):
    assert parse_number_input(text) is None


@pytest.mark.parametrize("text", ["abc", "1,2,3", "1.23,4.5", "12a", "1..2", ",", "1.2.3", "--1"])
def test_unreadable_text_is_refused_with_a_code(text):
    with pytest.raises(NumberInputError) as caught:
        parse_number_input(text)
    assert caught.value.code == "not_a_number"


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        ("1234.5", 2, "1.234,5"),
        ("1234567", 0, "1.234.567"),
        ("52.1739", 2, "52,17"),
        ("-0.5", 1, "-0,5"),
        ("100", 2, "100"),
    ],
)
def test_format(value, places, text):
    assert format_number(Decimal(value), places) == text


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_what_we_display_reads_back(value):
    assert parse_number_input(format_number(value, 2)) == value
