"""The real Kon Rẫy annex, as text and re-built as the Word and Excel files people send."""

from __future__ import annotations

import io

from chitieu import konray

ANNEX = konray.ANNEX


def annex_bytes() -> bytes:
    return ANNEX.read_bytes()


def _rows() -> list[list[str]]:
    return [line.split("\t") for line in ANNEX.read_text(encoding="utf-8").splitlines()]


def annex_docx() -> bytes:
    import docx

    document = docx.Document()
    rows = _rows()
    table_rows = [r for r in rows if len(r) > 1]
    for r in rows:
        if len(r) == 1 and r[0].strip():
            document.add_paragraph(r[0])
    width = max(len(r) for r in table_rows)
    table = document.add_table(rows=len(table_rows), cols=width)
    for i, r in enumerate(table_rows):
        for j, text in enumerate(r):
            table.cell(i, j).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def annex_xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for r in _rows():
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
