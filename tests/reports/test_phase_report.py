"""The 2021–2025 phase report (báo cáo tổng kết giai đoạn), opened with real readers against the engine."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

from chitieu import demo_reform
from chitieu.evaluate import evaluate_plan
from chitieu.reports import render
from chitieu.reports.excel import YEARLY_SHEET
from chitieu.reports.layout import value_cell
from chitieu.reports.model import Assessment
from chitieu.reports.phase import build_phase_report, changes_from_file
from tests.reports.district import ANNEX, kon_ray_plan, observations, to_csv

PLAN = kon_ray_plan()
OBSERVATIONS = observations(PLAN)
AS_OF = date(2026, 3, 31)
YEARS = ("2021", "2022", "2023", "2024", "2025")
CHANGES = changes_from_file(demo_reform.REORGANISATION_FILE.read_bytes())
REPORT = build_phase_report(PLAN, OBSERVATIONS, "2021-2025", as_of=AS_OF, structure_changes=CHANGES)
ENGINE = {y: evaluate_plan(PLAN, OBSERVATIONS, y, as_of=AS_OF) for y in YEARS}
PHASE = evaluate_plan(PLAN, OBSERVATIONS, "2021-2025", as_of=AS_OF)


def _expected_cells(code: str) -> list[str]:
    result = PHASE.result(code)
    places = max(2, result.places)
    return [value_cell(ENGINE[y].result(code).actual, places) for y in YEARS] + [
        Assessment(result.status.value).label
    ]


@pytest.fixture(scope="module")
def document():
    return Document(io.BytesIO(render(REPORT, "docx")))


def _yearly_table(document):
    return next(t for t in document.tables if any("Năm 2021" in c.text for c in t.rows[0].cells))


def test_the_word_report_gives_every_indicator_year_by_year_and_the_phase_verdict(document):
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Tổng kết thực hiện các mục tiêu, chỉ tiêu bình đẳng giới giai đoạn 2021–2025" in text
    assert "III. NHỮNG THAY ĐỔI VỀ TỔ CHỨC" in text and "V. ĐỀ XUẤT, KIẾN NGHỊ" in text
    assert "Ngày 01/07/2025: sáp nhập 90001, 90003 thành Xã Đăk Rve (91001)." in text
    table = _yearly_table(document)
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:] if r.cells[0].text}
    for indicator in PLAN.indicators:
        cells = rows[indicator.code]
        assert cells[3:8] + cells[-1:] == _expected_cells(indicator.code), indicator.code
    # A target judged for girls and boys has one line per sex, with the engine's figures.
    by_sex = [i for i in PLAN.indicators if PHASE.result(i.code).by_sex]
    assert by_sex
    breakdown = [[c.text for c in r.cells] for r in table.rows if r.cells[1].text.startswith("- ")]
    assert len(breakdown) == sum(len(PHASE.result(i.code).by_sex) for i in by_sex)


def test_the_excel_sheet_holds_numbers_equal_to_the_engine():
    sheet = load_workbook(io.BytesIO(render(REPORT, "xlsx")))[YEARLY_SHEET]
    rows = {row[0].value: row for row in sheet.iter_rows() if row[0].value and "." in str(row[0].value)}
    for indicator in PLAN.indicators:
        row = rows[indicator.code]
        for column, year in enumerate(YEARS, start=3):
            expected = ENGINE[year].result(indicator.code).actual
            got = row[column].value
            assert (got is None) == (expected is None), (indicator.code, year)
            if expected is not None:
                assert got == pytest.approx(float(expected), rel=1e-9), (indicator.code, year)
        assert row[-1].value == Assessment(PHASE.result(indicator.code).status.value).label


def test_the_pdf_reads_the_same(tmp_path):
    path = tmp_path / "tong-ket.pdf"
    path.write_bytes(render(REPORT, "pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    assert "TỔNG KẾT" in text and "QUA TỪNG NĂM GIAI ĐOẠN 2021–2025" in text
    first = PLAN.indicators[0].code
    assert all(cell in text for cell in _expected_cells(first) if cell != "-")


def test_the_command_line_writes_the_phase_report(tmp_path):
    data = tmp_path / "so-lieu.csv"
    data.write_text(to_csv(OBSERVATIONS), encoding="utf-8")
    out = tmp_path / "tong-ket.xlsx"
    args = [ANNEX, data, "--period", "2021-2025", "--kind", "phase", "--format", "xlsx", "--output", out]
    args += ["--reorganisation", demo_reform.REORGANISATION_FILE, "--as-of", "2026-03-31"]
    done = subprocess.run(
        [sys.executable, "-m", "chitieu", "report", *map(str, args)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert YEARLY_SHEET in load_workbook(out).sheetnames
    args = [
        ANNEX,
        data,
        "--period",
        "2024",
        "--kind",
        "phase",
        "--format",
        "xlsx",
        "--output",
        tmp_path / "x",
    ]
    refused = subprocess.run(
        [sys.executable, "-m", "chitieu", "report", *map(str, args)], capture_output=True, text=True
    )
    assert refused.returncode == 1 and "không phải là một giai đoạn" in refused.stderr
