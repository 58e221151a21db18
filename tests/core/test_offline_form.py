"""The offline Excel form's layout (chitieu.offline_form): written, read back, tampering recognised."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from chitieu.offline_form import (
    FIRST_ROW,
    ID_ROWS,
    SHEET_DATA,
    SHEET_ID,
    FormIdentity,
    FormRow,
    FormUnreadable,
    FormWords,
    RowKey,
    identity_problem,
    name_for,
    read_form,
    write_form,
)

IDENTITY = FormIdentity(plan_id=7, version=2, scope_unit_id=40, year=2024, unit_ids=(41, 42))
WORDS = FormWords("Biểu mẫu", ("Hướng dẫn",), tuple("ABCDEFGHI"), "số ≥ 0", "số nguyên ≥ 0", "Sai")
ROWS = (
    FormRow(
        RowKey(41, "2024-Q1", "3.2a", "", 3), True, numerator=Decimal(2), denominator=Decimal(5), note="cũ"
    ),
    FormRow(RowKey(41, "2024-Q1", "6.3", "", 3, count=True), True, numerator=Decimal(4)),
    FormRow(RowKey(42, "2024", "1.1", "F", 0), False, numerator_label="Số nữ", denominator_label="Tổng số"),
)


def _edit(data: bytes, sheet: str, cells: dict[str, object]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    for ref, value in cells.items():
        book[sheet][ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_written_and_read_back_with_keys_and_stored_figures():
    form = read_form(write_form(IDENTITY, ROWS, WORDS))
    assert form.identity == IDENTITY and form.problems == ()
    assert [r.key for r in form.rows] == [r.key for r in ROWS]
    first, count, locked = form.rows
    assert (first.numerator, first.denominator, first.note, first.row) == (
        Decimal(2),
        Decimal(5),
        "cũ",
        FIRST_ROW,
    )
    assert (
        first.where("denominator") == f"{SHEET_DATA}!G{FIRST_ROW}"
        and count.where("value") == f"{SHEET_DATA}!F5"
    )
    assert (count.numerator, count.denominator) == (Decimal(4), None)
    assert (locked.numerator, locked.note) == (None, "")


def test_protection_validation_and_names():
    book = openpyxl.load_workbook(io.BytesIO(write_form(IDENTITY, ROWS, WORDS)))
    sheet = book[SHEET_DATA]
    assert (
        sheet.protection.sheet and book.security.lockStructure and book[SHEET_ID].sheet_state == "veryHidden"
    )
    assert [sheet[f"{c}4"].protection.locked for c in "CFGH"] == [True, False, False, False]
    assert sheet["G5"].protection.locked  # a count has no denominator to type
    assert all(sheet[f"{c}6"].protection.locked for c in "FGH")  # not editable when the form was made
    kinds = {v.type: str(v.sqref) for v in sheet.data_validations.dataValidation if v.type}
    assert "F4" in kinds["decimal"] and "G4" in kinds["decimal"] and "F5" in kinds["whole"]
    assert (
        name_for(ROWS[0].key, "n") == "ct_u41_p2024Q1_i3.2a_T_n"
        and "ct_u41_p2024Q1_i3.2a_T_n" in book.defined_names
    )


def test_cells_read_as_numbers_or_refused_where_they_are():
    data = _edit(
        write_form(IDENTITY, ROWS, WORDS),
        SHEET_DATA,
        {"F4": "1.234,5", "G4": 2000.25, "F5": dt.date(2024, 1, 2), "F6": "١٢", "G6": True},
    )
    form = read_form(data)
    assert (form.rows[0].numerator, form.rows[0].denominator) == (Decimal("1234.5"), Decimal("2000.25"))
    assert [(p.where, p.code) for p in form.problems] == [
        (f"{SHEET_DATA}!F5", "not_a_number"),
        (f"{SHEET_DATA}!F6", "foreign_digits"),
        (f"{SHEET_DATA}!G6", "not_a_number"),
    ]


def test_a_moved_row_is_named():
    form = read_form(_edit(write_form(IDENTITY, ROWS, WORDS), SHEET_DATA, {"C5": "6.4"}))
    assert [(p.where, p.code, p.text) for p in form.problems] == [
        (f"{SHEET_DATA}!C5", "structure_changed", "6.4")
    ]
    assert [r.key.indicator for r in form.rows] == ["3.2a", "1.1"]


@pytest.mark.parametrize(
    ("cells", "code"),
    [
        ({"B2": 3}, "identity_changed"),  # the version number changed by hand
        ({"B6": "41,42,43"}, "identity_changed"),  # a unit added
        (({"C" + str(ID_ROWS): "2024-Q2"}), "identity_changed"),  # a row's report changed
        ({"B1": "something else"}, "not_a_form"),
    ],
)
def test_a_changed_identity_is_recognised(cells, code):
    with pytest.raises(FormUnreadable) as refused:
        read_form(_edit(write_form(IDENTITY, ROWS, WORDS), SHEET_ID, cells))
    assert refused.value.code == code


def test_not_a_workbook():
    with pytest.raises(FormUnreadable) as refused:
        read_form(b"PK\x03\x04 not really")
    assert refused.value.code == "not_a_workbook"
    other = openpyxl.Workbook()
    out = io.BytesIO()
    other.save(out)
    with pytest.raises(FormUnreadable) as refused:
        read_form(out.getvalue())
    assert refused.value.code == "not_a_form"


@pytest.mark.parametrize(
    ("page", "problem"),
    [
        ({"plan_id": 7, "version": 2, "scope_unit_id": 40}, None),
        ({"plan_id": 8, "version": 2, "scope_unit_id": 40}, "other_plan"),
        ({"plan_id": 7, "version": 3, "scope_unit_id": 40}, "old_version"),
        ({"plan_id": 7, "version": 2, "scope_unit_id": 41}, "other_unit"),
    ],
)
def test_identity_against_the_page(page, problem):
    assert identity_problem(IDENTITY, **page) == problem
