"""Classify the rows below the header: objective, indicator, or something to skip."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from chitieu.importer.grid import Cell, Grid, one_line
from chitieu.importer.layout import Layout, period_from_header
from chitieu.issues import Issue, Severity
from chitieu.periods import Period


class RowKind(StrEnum):
    OBJECTIVE = "objective"
    INDICATOR = "indicator"
    SKIP = "skip"


@dataclass(frozen=True)
class Row:
    kind: RowKind
    where: str  # "line 12", "row 9", "sheet Phụ lục, row 9"
    code: str = ""  # as written and tidied ("2.1"); "" when the row has no number
    name: str = ""
    number: str = ""  # "N" of "Chỉ tiêu N:" or "Mục tiêu N:"
    targets: tuple[tuple[Period, Cell], ...] = ()
    lead: str = ""
    unit: str = ""  # "Đơn vị tính" column, when the table has one


_OBJECTIVE = re.compile(r"^mục tiêu\s*(\d+|[ivxlc]+\b)?\s*[:.)–-]?", re.IGNORECASE)
_INDICATOR_PREFIX = re.compile(r"^(?:[-–—+•*]\s*)+")
_CHI_TIEU = re.compile(r"^chỉ tiêu\s*(\d+)?\s*[:.)–-]\s*", re.IGNORECASE)
_CODE = re.compile(r"^(\d+(?:\.\d+)*)[.)]?([a-zđ])?$", re.IGNORECASE)
_ROMAN = re.compile(r"^[IVXLC]+\.?$")
_CODE_IN_NAME = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+)\.?\s+(?=\S)")
_ROMAN_IN_NAME = re.compile(r"^([IVXLC]+)[.)]\s+(?=\S)")  # "IV. LĨNH VỰC Y TẾ"
_NUMBERING = re.compile(r"^\(?\d+\)?$")


def tidy_code(text: str) -> str:
    text = text.strip()
    if m := _CODE.match(text):
        return m[1] + (m[2] or "").lower()
    if _ROMAN.match(text):
        return text.rstrip(".")
    return ""


def indicator_name(text: str) -> tuple[str, str]:
    """ "- Chỉ tiêu 2: Tỷ lệ tử vong…" → ("Tỷ lệ tử vong…", "2")."""
    name = _INDICATOR_PREFIX.sub("", text)
    number = ""
    if m := _CHI_TIEU.match(name):
        number = m[1] or ""
        name = name[m.end() :]
    return name.strip().rstrip(".;").strip(), number


def _cell_text(grid: Grid, r: int, c: int | None, name_origin: tuple[int, int]) -> str:
    """The cell's own text; "" when it only repeats the name cell merged over it."""
    if c is None or grid.rows[r][c].origin == name_origin:
        return ""
    return grid.rows[r][c].text


def _is_furniture(texts: list[str]) -> bool:
    """A repeated header or the "(1) (2) (3)" numbering row under it."""
    if len(texts) >= 3 and all(_NUMBERING.match(t) for t in texts):
        return True
    return any(period_from_header(t) for t in texts) and not any(_CODE.match(t) for t in texts)


def classify(grid: Grid, layout: Layout) -> tuple[list[Row], list[Issue]]:
    rows: list[Row] = []
    issues: list[Issue] = []
    for r in range(layout.header_bottom + 1, len(grid.rows)):
        row, issue = _classify_row(grid, layout, r)
        if issue:
            issues.append(issue)
        if row.kind is not RowKind.SKIP:
            rows.append(row)
            issues += _stray_cells(grid, layout, r)
    return rows, issues


def _stray_cells(grid: Grid, layout: Layout, r: int) -> list[Issue]:
    """Text in a column without a header is ignored, and says so: often an unquoted decimal
    comma in a comma-separated file ("1,7 lần") has pushed the cells one column right."""
    return [
        Issue(
            Severity.WARNING,
            grid.rows[r][c].where,
            f"ô {grid.rows[r][c].text!r} nằm ở cột không có tiêu đề nên bị bỏ qua; nếu là tệp CSV"
            " dùng dấu phẩy, số thập phân có dấu phẩy phải đặt trong ngoặc kép",
            "stray_cell",
        )
        for c in layout.unlabelled
        if grid.rows[r][c].text and not grid.is_merged_continuation(r, c)
    ]


def _classify_row(grid: Grid, layout: Layout, r: int) -> tuple[Row, Issue | None]:
    where = grid.row_where[r]
    name_cell = grid.rows[r][layout.name_col]
    name_origin = name_cell.origin
    texts = [c.text for c in grid.rows[r] if c.text]
    if not texts or _is_furniture(texts):
        return Row(RowKind.SKIP, where), None
    code_text = ""
    if layout.code_col is not None:
        code_cell = grid.rows[r][layout.code_col]
        # A code cell merged down over several rows numbers only its first row.
        if code_cell.origin[0] in (-1, r) and code_cell.origin != name_origin:
            code_text = one_line(code_cell.text)
    code = tidy_code(code_text)
    name = one_line(name_cell.text)
    if not code_text and (m := _CODE_IN_NAME.match(name)):  # "2.1. Tăng tỷ lệ …" with no TT column
        code, name = m[1], name[m.end() :]
    targets = tuple(
        (period, grid.rows[r][c])
        for c, period in layout.periods
        if not grid.rows[r][c].empty and grid.rows[r][c].origin != name_origin
    )
    lead = _cell_text(grid, r, layout.lead_col, name_origin)
    unit = _cell_text(grid, r, layout.unit_col, name_origin)
    if not name and not targets:
        return Row(RowKind.SKIP, where), Issue(
            Severity.INFO,
            where,
            f"bỏ qua dòng không có tên chỉ tiêu: {' | '.join(texts)[:80]}",
            "skipped_row",
        )
    objective = _OBJECTIVE.match(name) or _ROMAN_IN_NAME.match(name)
    if not targets and (objective or (code and "." not in code and not _INDICATOR_PREFIX.match(name))):
        number = objective[1] if objective and objective[1] else code
        return Row(RowKind.OBJECTIVE, where, code, name, number=number or ""), None
    if not targets and not code and not _INDICATOR_PREFIX.match(name) and not _CHI_TIEU.match(name):
        return Row(RowKind.SKIP, where), Issue(
            Severity.INFO, where, f"bỏ qua dòng không có chỉ tiêu theo kỳ: {name[:80]}", "skipped_row"
        )
    clean, number = indicator_name(name)
    if not clean:
        return Row(RowKind.SKIP, where), Issue(
            Severity.WARNING, where, "dòng có chỉ tiêu nhưng không có tên chỉ tiêu", "no_name"
        )
    issue = None
    if code_text and not code:
        issue = Issue(
            Severity.WARNING,
            where,
            f"số thứ tự {code_text!r} không đọc được; coi như dòng không đánh số",
            "bad_code",
        )
    return Row(RowKind.INDICATOR, where, code, clean, number, targets, lead, unit), issue
