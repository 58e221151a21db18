"""Fuzzing chitieu.quantity and the form number reader: never an exception other than the documented one.

``parse_quantity`` and ``parse_number`` never raise (problems come back as issues / an error text);
``parse_number_input`` raises only ``NumberInputError``; ``format_number`` reads back as the
same number; ``to_decimal`` takes whatever openpyxl can hand it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chitieu.number_input import AMBIGUOUS, NumberInputError, parse_number_input, unambiguous
from chitieu.quantity import (
    NumberContext,
    Quantity,
    format_number,
    parse_number,
    parse_quantity,
    to_decimal,
)
from tests.core.fuzz import ANNEX_WORDS, CELLS, NUMBER_LIKE, budget, no_hang

QUALIFIERS = ["", "ít nhất ", "Giảm ", "tăng lên ", "không vượt quá ", "≥", "< ", "khoảng ", "Duy trì "]
TAILS = ["", "%", " lần", "/100.000 trẻ", "/1.000", " tin, bài/quý", "/năm", " trở lên", "/0", "/-5", "/1,5"]
TARGET_TEXTS = st.one_of(
    CELLS,
    st.builds(
        lambda q, n, t: q + n + t, st.sampled_from(QUALIFIERS), NUMBER_LIKE | CELLS, st.sampled_from(TAILS)
    ),
    st.lists(st.sampled_from(ANNEX_WORDS + QUALIFIERS + TAILS), max_size=6).map(" ".join),
)


@budget(3)
@given(TARGET_TEXTS, st.sampled_from(["", "row 2.1", "sheet Phụ lục, cell C7"]))
def test_fuzz_target_texts(text, where):
    with no_hang(5):
        quantity = parse_quantity(text, where)
    assert isinstance(quantity, Quantity)
    assert quantity.ok or quantity.issues or not quantity.text
    if quantity.ok:
        assert quantity.value.is_finite()
        assert quantity.per is None or quantity.per > 0


@budget(2)
@given(TARGET_TEXTS, st.sampled_from(list(NumberContext)))
def test_fuzz_numbers(text, context):
    with no_hang(5):
        reading = parse_number(text, context)
    assert (reading.value is None) == bool(reading.error)
    if reading.value is not None:
        assert reading.value.is_finite()
    try:
        typed = parse_number_input(text)
    except NumberInputError as error:
        assert error.code in ("not_a_number", "foreign_digits", "ambiguous")
    else:
        assert typed is None or typed.is_finite()


@budget(2)
@given(
    st.integers(0, 6).flatmap(lambda p: st.decimals(allow_nan=False, allow_infinity=False, places=p))
    | st.decimals(allow_nan=False, allow_infinity=False),
    st.none() | st.integers(0, 6),
)
def test_fuzz_formatted_numbers_read_back(value, places):
    with no_hang(5):
        text = format_number(value, places)
    if places is None:
        expected = value
    else:
        with localcontext(Context(prec=200, rounding=ROUND_HALF_UP)):
            expected = value.quantize(Decimal(1).scaleb(-places))
    if AMBIGUOUS.fullmatch(text):  # "1,000": refused with both readings; the form writes "1,0000"
        with pytest.raises(NumberInputError):
            parse_number_input(text)
        text = unambiguous(text)
    assert parse_number_input(text) == expected


@budget(1)
@given(st.one_of(st.floats(), st.integers(), st.decimals(), st.booleans(), st.none(), st.text(max_size=5)))
def test_fuzz_stored_cell_values(value):
    number = to_decimal(value)
    assert number is None or isinstance(number, Decimal)
