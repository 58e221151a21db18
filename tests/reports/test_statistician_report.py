"""Issues 12.2 and 19.7 in the report: a provisional verdict says so, the figure agrees with it."""

from __future__ import annotations

import io
from decimal import Decimal

from docx import Document
from openpyxl import load_workbook

from chitieu.observations import Observation
from chitieu.reports import render
from chitieu.reports.build import build_report
from chitieu.reports.excel import RESULTS_SHEET
from chitieu.reports.model import Assessment
from tests.reports.district import kon_ray_plan


def _report():
    plan = kon_ray_plan()
    rows = [
        # 1.1: 11.999 ÷ 20.000 × 100 = 59,995 < 60: "Không đạt", so never printed "60"
        Observation("1.1", "2024", "", None, Decimal(11999), Decimal(20000), source="line 2"),
        # 3.2a: Q1 and Q2 only, 5 ÷ 5 = 100 %: provisional, Q3 and Q4 missing
        Observation("3.2a", "2024-Q1", "Đăk Kôi", None, Decimal(2), Decimal(2), source="line 3"),
        Observation("3.2a", "2024-Q2", "Đăk Kôi", None, Decimal(3), Decimal(3), source="line 4"),
        # 3.3: no victim returned
        Observation("3.3", "2024", "", None, Decimal(0), Decimal(0), source="line 5"),
    ]
    return build_report(plan, rows, "2024")


def test_the_printed_figure_agrees_with_the_verdict_and_provisional_is_said():
    report = _report()
    rows = {r.indicator_code: r for r in report.indicator_rows}
    assert rows["1.1"].assessment is Assessment.NOT_ACHIEVED and rows["1.1"].actual_places == 3
    assert "Tạm tính — thiếu số liệu Quý 3/2024, Quý 4/2024" in rows["3.2a"].notes
    assert rows["3.3"].assessment is Assessment.NOT_ARISEN

    text = "\n".join(
        cell.text
        for table in Document(io.BytesIO(render(report, "docx"))).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "59,995" in text and "Không phát sinh" in text and "Quý 3/2024, Quý 4/2024" in text

    sheet = load_workbook(io.BytesIO(render(report, "xlsx")))[RESULTS_SHEET]
    cell = next(row[7] for row in sheet.iter_rows() if row[0].value == "1.1")
    assert cell.value == 59.995 and cell.number_format == "#,##0.000"
