"""A summary row's sums are written in the table's column order (Sums.row, not dataclasses.astuple)."""

from dataclasses import astuple, fields

from web.rollups.services import _FIELDS, Sums


def test_a_row_is_the_sums_in_the_columns_order():
    sums = Sums(*range(1, len(fields(Sums)) + 1))
    assert sums.row() == astuple(sums)
    assert tuple(f.name for f in fields(Sums)) == _FIELDS
    assert Sums().is_zero() and not sums.is_zero()
