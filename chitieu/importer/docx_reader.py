"""Word documents: the table inside, with merged cells; title paragraphs above it.

Cells are read from the XML grid: ``w:gridSpan`` widens a cell over several
grid columns and ``w:vMerge`` continues the cell above, so every grid
position gets the text people see there plus the position of the merge's
first cell (its origin).
"""

from __future__ import annotations

import io

from chitieu.importer.grid import Cell, Grid, clean_text, column_letter, pad
from chitieu.importer.layout import first_usable
from chitieu.issues import Issue, Severity

_MAX_ROWS = 5000


def _int_attr(element, path: str, qn, default: int) -> int:
    found = element.find(path) if element is not None else None
    if found is None:
        return default
    try:
        return int(found.get(qn("w:val")))
    except (TypeError, ValueError):
        return default


def _cell_text(tc, qn) -> str:
    from docx.text.paragraph import Paragraph

    lines = [Paragraph(p, None).text for p in tc.iter(qn("w:p"))]
    return clean_text("\n".join(lines))


def _table_grid(tbl, label: str, titles: tuple[str, ...]) -> Grid:
    from docx.oxml.ns import qn

    rows: list[list[Cell]] = []
    where_of: list[str] = []
    for r, tr in enumerate(tbl.findall(qn("w:tr"))[:_MAX_ROWS]):
        where_of.append(f"{label}row {r + 1}")
        cells: list[Cell] = []
        col = _int_attr(tr.find(qn("w:trPr")), qn("w:gridBefore"), qn, 0)
        cells += [Cell("", f"{label}row {r + 1}, cell {column_letter(c)}", (r, c)) for c in range(col)]
        for tc in tr.findall(qn("w:tc")):
            tc_pr = tc.find(qn("w:tcPr"))
            span = max(1, _int_attr(tc_pr, qn("w:gridSpan"), qn, 1))
            v_merge = tc_pr.find(qn("w:vMerge")) if tc_pr is not None else None
            continues = v_merge is not None and v_merge.get(qn("w:val"), "continue") == "continue"
            above = rows[r - 1][col] if continues and r > 0 and col < len(rows[r - 1]) else None
            origin = above.origin if above is not None else (r, col)
            text = above.text if above is not None else _cell_text(tc, qn)
            for c in range(col, col + span):
                cells.append(Cell(text, f"{label}row {r + 1}, cell {column_letter(c)}", origin))
            col += span
        rows.append(cells)
    return Grid(pad(rows, where_of), tuple(where_of), titles)


def read_docx(data: bytes) -> Grid | list[Issue]:
    try:
        from docx import Document
        from docx.oxml.ns import qn

        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on damaged packages
        message = f"không mở được tài liệu Word .docx (tệp hỏng hoặc không đầy đủ: {type(exc).__name__})"
        return [Issue(Severity.ERROR, "file", message, "bad_office_file")]
    tables: list[tuple[object, tuple[str, ...]]] = []
    paragraphs: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            paragraphs.append(_cell_text(child, qn))
        elif child.tag == qn("w:tbl"):
            tables.append((child, tuple(paragraphs)))
            paragraphs = []
    if not tables:
        return [Issue(Severity.ERROR, "file", "tài liệu Word không có bảng nào", "no_table")]
    several = len(tables) > 1
    grids = [
        _table_grid(tbl, f"table {k}, " if several else "", titles)
        for k, (tbl, titles) in enumerate(tables, 1)
    ]
    return first_usable(grids)
