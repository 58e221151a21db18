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
_MAX_COLS = 64  # a damaged gridSpan must not make us build a million cells
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Rows and cells may sit inside content controls (w:sdt) or custom XML in real documents.
_ROWS = "./w:tr | ./w:sdt/w:sdtContent/w:tr | ./w:customXml/w:tr"
_CELLS = "./w:tc | ./w:sdt/w:sdtContent/w:tc | ./w:customXml/w:tc"


def _int_attr(parent, tag: str, default: int) -> int:
    found = parent.find(_W + tag) if parent is not None else None
    if found is None:
        return default
    try:
        return int(found.get(_W + "val"))
    except (TypeError, ValueError):
        return default


def _paragraph_text(p) -> str:
    """The text a reader sees, tracked insertions included and tracked deletions left out."""
    parts = []
    for element in p.iter(_W + "t", _W + "tab", _W + "br", _W + "cr", _W + "noBreakHyphen"):
        tag = element.tag[len(_W) :]
        if tag == "t":
            parts.append(element.text or "")
        elif tag == "tab":
            parts.append(" ")
        elif tag == "noBreakHyphen":
            parts.append("-")
        else:
            parts.append("\n")
    return "".join(parts)


def _cell_text(tc) -> str:
    return clean_text("\n".join(_paragraph_text(p) for p in tc.iter(_W + "p")))


def _table_grid(tbl, label: str, titles: tuple[str, ...]) -> Grid:
    rows: list[list[Cell]] = []
    where_of: list[str] = []
    for r, tr in enumerate(tbl.xpath(_ROWS)[:_MAX_ROWS]):
        where_of.append(f"{label}row {r + 1}")
        col = min(max(0, _int_attr(tr.find(_W + "trPr"), "gridBefore", 0)), _MAX_COLS)
        cells = [Cell("", f"{label}row {r + 1}, cell {column_letter(c)}", (r, c)) for c in range(col)]
        for tc in tr.xpath(_CELLS):
            tc_pr = tc.find(_W + "tcPr")
            span = min(max(1, _int_attr(tc_pr, "gridSpan", 1)), _MAX_COLS - col)
            v_merge = tc_pr.find(_W + "vMerge") if tc_pr is not None else None
            continues = v_merge is not None and v_merge.get(_W + "val", "continue") == "continue"
            above = rows[r - 1][col] if continues and r > 0 and col < len(rows[r - 1]) else None
            origin = above.origin if above is not None else (r, col)
            text = above.text if above is not None else _cell_text(tc)
            cells += [
                Cell(text, f"{label}row {r + 1}, cell {column_letter(c)}", origin)
                for c in range(col, col + span)
            ]
            col += span
        rows.append(cells)
    return Grid(pad(rows, where_of), tuple(where_of), titles)


def read_docx(data: bytes) -> Grid | list[Issue]:
    try:
        from docx import Document

        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on damaged packages
        message = f"không mở được tài liệu Word .docx (tệp hỏng hoặc không đầy đủ: {type(exc).__name__})"
        return [Issue(Severity.ERROR, "file", message, "bad_office_file")]
    tables: list[tuple[object, tuple[str, ...]]] = []
    paragraphs: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag == _W + "p":
            paragraphs.append(clean_text(_paragraph_text(child)))
        elif child.tag == _W + "tbl":
            # A table laid inside another (a layout table around the annex) counts too: the
            # outer one comes first, and the first whose header is found is the annex.
            tables += [(tbl, tuple(paragraphs)) for tbl in child.iter(_W + "tbl")]
            paragraphs = []
    if not tables:
        return [Issue(Severity.ERROR, "file", "tài liệu Word không có bảng nào", "no_table")]
    several = len(tables) > 1
    grids = [
        _table_grid(tbl, f"table {k}, " if several else "", titles)
        for k, (tbl, titles) in enumerate(tables, 1)
    ]
    return first_usable(grids)
