"""Excel workbooks: title rows above the table, merged cells, numbers stored as numbers or text.

A merged range's value belongs to every cell it covers (as people see it),
and each cell remembers the range's top-left cell so that later steps can
tell a value written once from one repeated by a merge. A number shown with
a % format is stored as a fraction (0.6 for 60%): it is read as 60 %.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from decimal import Decimal

from chitieu.importer.grid import Cell, Grid, clean_text, pad
from chitieu.importer.layout import first_usable
from chitieu.issues import Issue, Severity
from chitieu.quantity import to_decimal

# Beyond this many rows a sheet is not an annex: stop rather than exhaust memory.
_MAX_ROWS = 5000
_MAX_COLS = 60


def _cell_value(value: object, number_format: str) -> tuple[str, Decimal | None, bool]:
    """(text as shown, number when stored as one, shown as percent)."""
    if value is None:
        return "", None, False
    if isinstance(value, str):
        return clean_text(value), None, False
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else str(value), None, False
    number = to_decimal(value)
    if number is None:
        return clean_text(str(value)), None, False
    # Shown without grouping ("2024", "2.1", "26.6%"): a year, a row number and a
    # target must all survive being read back as text.
    if "%" in (number_format or ""):
        percent = _plain(number * 100)
        return f"{format(percent, 'f')}%", percent, True
    number = _plain(number)
    return format(number, "f"), number, False


def _plain(number: Decimal) -> Decimal:
    # Whole numbers without exponent ("2024", not "2.024E+3"); beyond the decimal context's
    # 28 digits quantize cannot hold them (a cell typed 1E+300), so they keep their exponent.
    if number == number.to_integral() and number.adjusted() < 27:
        return number.quantize(Decimal(1))
    return number.normalize()


def _sheet_grid(sheet) -> Grid:
    name = sheet.title
    # Only the cells the file holds: a sheet with one cell at XFD1048576 claims a million rows,
    # and asking openpyxl for every position would build hundreds of thousands of empty cells.
    stored: dict[tuple[int, int], tuple[str, Decimal | None, bool]] = {}
    for (row, col), cell in sheet._cells.items():
        if row <= _MAX_ROWS and col <= _MAX_COLS and cell.value is not None:
            stored[(row - 1, col - 1)] = _cell_value(cell.value, cell.number_format)
    merges = [m for m in sheet.merged_cells.ranges if m.min_row <= _MAX_ROWS and m.min_col <= _MAX_COLS]
    max_row = max([r + 1 for r, _ in stored] + [min(m.max_row, _MAX_ROWS) for m in merges], default=0)
    max_col = max([c + 1 for _, c in stored] + [min(m.max_col, _MAX_COLS) for m in merges], default=0)
    origins: dict[tuple[int, int], tuple[int, int]] = {}
    for merged in merges:
        top, left = merged.min_row - 1, merged.min_col - 1
        for r in range(merged.min_row - 1, min(merged.max_row, max_row)):
            for c in range(merged.min_col - 1, min(merged.max_col, max_col)):
                origins[(r, c)] = (top, left)
    empty = ("", None, False)
    rows: list[list[Cell]] = []
    where_of: list[str] = []
    for r in range(max_row):
        where_of.append(f"sheet {name}, row {r + 1}")
        cells = []
        for c in range(max_col):
            origin = origins.get((r, c), (r, c))
            text, number, percent = stored.get(origin, empty)
            cells.append(Cell(text, f"sheet {name}, cell {_letter(c)}{r + 1}", origin, number, percent))
        rows.append(cells)
    return Grid(pad(rows, where_of), tuple(where_of))


def _letter(c: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(c + 1)


def read_xlsx(data: bytes) -> Grid | list[Issue]:
    from openpyxl import load_workbook

    try:
        # Not read_only: merged ranges are only available on normal worksheets.
        with warnings.catch_warnings():  # "extension is not supported" notes are not for our users
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged packages
        message = f"không mở được tệp Excel .xlsx (tệp hỏng hoặc không đầy đủ: {type(exc).__name__})"
        return [Issue(Severity.ERROR, "file", message, "bad_office_file")]
    unsaved = _formulas_without_values(data, workbook)
    if unsaved:
        return [_formulas_issue(unsaved)]
    grids = [_sheet_grid(sheet) for sheet in workbook.worksheets]
    if not grids:
        return [Issue(Severity.ERROR, "file", "tệp Excel không có trang tính nào", "empty")]
    return first_usable(grids)


def _formulas_without_values(data: bytes, shown) -> list[str]:
    """Cells holding a formula whose result the file does not store ("sheet!B7").

    Excel and LibreOffice save each formula's last result beside it; a workbook written
    by a program (or a tool that does not calculate) has the formula only, and reading
    values alone would take those cells for empty: targets silently lost.
    """
    from openpyxl import load_workbook

    try:
        if b"<f" not in _sheet_xml(data):
            return []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            formulas = load_workbook(io.BytesIO(data), data_only=False)
    except Exception:  # a part damaged past what the values reading needed: nothing more to say
        return []
    found = []
    for sheet in formulas.worksheets:
        if sheet.title not in shown.sheetnames:
            continue
        values = shown[sheet.title]._cells
        for (row, col), cell in sorted(sheet._cells.items()):
            if row > _MAX_ROWS or col > _MAX_COLS or cell.data_type != "f":
                continue
            value = values.get((row, col))
            if value is None or value.value is None:
                found.append(f"{sheet.title}!{cell.coordinate}")
    return found


def _sheet_xml(data: bytes) -> bytes:
    """Every part of the package, concatenated: cheap (the package checks bounded it) and name-blind."""
    package = zipfile.ZipFile(io.BytesIO(data))
    return b"".join(package.read(m) for m in package.infolist() if not m.filename.startswith("xl/media/"))


def _formulas_issue(cells: list[str]) -> Issue:
    shown = ", ".join(cells[:8]) + (f" và {len(cells) - 8} ô khác" if len(cells) > 8 else "")
    message = (
        f"{len(cells)} ô chứa công thức nhưng tệp không lưu sẵn kết quả ({shown}): tệp do một chương trình "
        "tạo ra mà chưa được tính. Hãy mở tệp bằng Excel hoặc LibreOffice, lưu lại rồi tải lên lại "
        "(hoặc thay công thức bằng giá trị)"
    )
    return Issue(Severity.ERROR, cells[0], message, "formulas_without_values")
