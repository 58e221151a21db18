"""Markup and template syntax in names, notes and titles reach the Word, PDF and Excel reports as
the literal text people typed: not interpreted by the HTML behind the PDF, not lost, not a formula."""

from __future__ import annotations

import io
import subprocess
from dataclasses import replace

from docx import Document
from openpyxl import load_workbook

from chitieu.reports import render
from tests.reports.sample import sample_report

SCRIPT = "<script>alert('x')</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{ 7*7 }} {% debug %}"
BOLD = "<b>đậm</b> &amp; <i>nghiêng</i>"


def _hostile_report():
    report = sample_report()
    rows = list(report.rows)
    rows[1] = replace(rows[1], text=f"Cơ quan {SCRIPT}", lead_units=f"Phòng {IMG}", notes=TEMPLATE)
    header = replace(report.header, issuing_body=f"Ủy ban nhân dân\nhuyện {BOLD}")
    return replace(report, rows=tuple(rows), header=header, intro=(f"Mở đầu {TEMPLATE} {SCRIPT}",))


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_word_report_keeps_markup_as_text():
    document = Document(io.BytesIO(render(_hostile_report(), "docx")))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = _squash("\n".join(texts))
    for literal in (SCRIPT, IMG, TEMPLATE, f"Mở đầu {TEMPLATE} {SCRIPT}"):
        assert literal in text, literal
    assert _squash(BOLD).upper() in text.upper()


def test_pdf_report_keeps_markup_as_text(tmp_path):
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(render(_hostile_report(), "pdf"))
    text = _squash(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    )
    for literal in (
        "<script>alert('x')</script>",
        "{{ 7*7 }} {% debug %}",
        '"><img',  # the narrow lead-unit column wraps the rest onto the next lines
        "onerror=alert(1)>",
    ):
        assert literal in text, literal
    assert "&lt;" not in text and "&amp;amp;" not in text  # escaped once for the HTML, not twice


def test_excel_report_keeps_markup_as_text():
    workbook = load_workbook(io.BytesIO(render(_hostile_report(), "xlsx")))
    values = {
        str(c.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row if c.value
    }
    assert f"Cơ quan {SCRIPT}" in values
    assert f"Phòng {IMG}" in values
    assert TEMPLATE in values
