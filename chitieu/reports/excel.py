"""The results annex as an Excel workbook (openpyxl, imported only here).

Sheet "Kết quả": one row per objective, indicator and sex breakdown, figures
stored as numbers so the office can keep calculating with them. Sheet "Số
liệu": every observation behind the results, one per row. Both print on A4
landscape with the column titles repeated on each page.

Number formats use Excel's standard codes (``#,##0.0#``); Excel and
LibreOffice show them with the separators of the reader's regional settings,
which on a Vietnamese system is 1.234,5. Writing the Vietnamese form as text
would stop the numbers from being numbers.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.worksheet import Worksheet

from chitieu.formulas import quote_prefixed, set_text
from chitieu.periods import period_words
from chitieu.reports import layout
from chitieu.reports.model import Report, ResultRow, RowKind
from chitieu.reports.numbers import MAX_PLACES, decimal_places

RESULTS_SHEET, OBSERVATIONS_SHEET = "Kết quả", "Số liệu"
FONT = layout.FONT
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E7E6E6")
OBJECTIVE_FILL = PatternFill("solid", fgColor="F2F2F2")
WRAP = Alignment(wrap_text=True, vertical="center")
WRAP_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")


@cache  # one object per look: a new Font per cell was built and hashed each time
def _font(size: int, bold: bool = False, italic: bool = False) -> Font:
    return Font(name=FONT, size=size, bold=bold, italic=italic)


_COMPARATOR_TEXT = {">=": "≥", "<=": "≤", "==": "="}


@lru_cache(maxsize=4096)  # the annex repeats the same few figures (0, 1, counts) thousands of times
def number_format(value: Decimal, limit: int = MAX_PLACES) -> str:
    places = decimal_places(value, limit)
    return "#,##0" if places == 0 else "#,##0." + "0" * places


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _put(cell, value: Any, places: int = MAX_PLACES) -> None:
    """A figure as a number with its format; any text as text, never as a formula."""
    if isinstance(value, Decimal):
        cell.value, cell.number_format = _number(value), number_format(value, places)
    elif isinstance(value, str):
        set_text(cell, value)
    else:
        cell.value = value


def _results_columns(report: Report) -> tuple[tuple[str, float], ...]:
    """(title, width in characters) of the results sheet."""
    phase, previous = report.phase or "giai đoạn", report.previous_period or "năm trước"
    return (
        ("STT", 6),
        ("Mục tiêu, chỉ tiêu", 34),
        ("Đơn vị tính", 10),
        ("Yêu cầu", 7),
        (f"Chỉ tiêu {period_words(phase)}", 10),
        (f"Chỉ tiêu năm {report.period}", 10),
        (f"Thực hiện năm {previous}", 10),
        (f"Thực hiện năm {report.period}", 10),
        ("Chênh lệch so với chỉ tiêu năm", 10),
        ("So sánh với chỉ tiêu năm", 14),
        ("Đánh giá", 10),
        ("Đơn vị chủ trì", 16),
        ("Nguồn số liệu", 14),
        ("Ghi chú", 14),
    )


_NUMBER_COLUMNS = (5, 6, 7, 8, 9)  # 1-based: targets, actuals, difference


def render_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    # The default font sets the unit of column widths. openpyxl's is Calibri, which
    # LibreOffice without Microsoft's fonts replaces with the much wider DejaVu Sans:
    # the columns then grow by a third and the sheet prints two pages wide.
    workbook._fonts = IndexedList([Font(name=FONT, size=11, family=1)])
    results = workbook.active
    results.title = RESULTS_SHEET
    _results_sheet(results, report)
    if report.yearly is not None:
        _yearly_sheet(workbook.create_sheet(YEARLY_SHEET), report)
    figures = _observations_sheet(workbook.create_sheet(OBSERVATIONS_SHEET), report)
    workbook.properties.title = report.table_title
    workbook.properties.language = "vi-VN"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _with_rows(buffer.getvalue(), figures)


def _titles(sheet: Worksheet, lines: tuple[tuple[str, bool, bool], ...], width: int) -> int:
    """Merged title lines above the table; returns the next free row."""
    for row, (text, bold, italic) in enumerate(lines, start=1):
        set_text(sheet.cell(row, 1), text)  # unit names and titles come from users
        sheet.cell(row, 1).font = _font(13, bold, italic)
        sheet.cell(row, 1).alignment = WRAP_CENTER
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    return len(lines) + 2


def _header_row(sheet: Worksheet, row: int, columns: tuple[tuple[str, float], ...]) -> None:
    for col, (title, width) in enumerate(columns, start=1):
        cell = sheet.cell(row, col)
        set_text(cell, title)
        cell.font = _font(11, True)
        cell.alignment, cell.fill, cell.border = WRAP_CENTER, HEADER_FILL, BOX
        sheet.column_dimensions[get_column_letter(col)].width = width
    fit_row_height(sheet, row, [width for _title, width in columns])
    sheet.freeze_panes = sheet.cell(row + 1, 3)  # titles and the indicator names stay in view
    sheet.print_title_rows = f"{row}:{row}"


# Printed size of one unit of column width: 1,94 mm measured in LibreOffice with
# Times New Roman 11 as the default font (Excel: 7 px at 96 dpi, 1,85 mm); 2 mm leaves room.
_MM_PER_WIDTH = 2.0
_LINE_PT = 15  # one wrapped line of 11 pt text, with leading
MIN_SCALE = 70  # below this 11 pt text prints smaller than 8 pt


def print_scale(widths: Iterable[float]) -> int:
    """The percentage at which the columns fit the landscape A4 text width, never under 70 %."""
    total_mm = sum(w * _MM_PER_WIDTH for w in widths)
    return max(MIN_SCALE, min(100, int(100 * layout.LANDSCAPE_TEXT_WIDTH_MM / total_mm)))


@lru_cache(maxsize=8192)  # unit names, periods and sources repeat on every row of the annex
def _lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (word by word)."""
    room = max(1, int(width * 1.1) - 1)  # Times at 11 pt sets about 1,1 characters per unit
    lines = 0
    for paragraph in text.split("\n"):
        count, used = 1, 0
        for word in paragraph.split():
            needed = len(word) if used == 0 else used + 1 + len(word)
            if needed <= room:
                used = needed
            else:
                count += 1 + (len(word) - 1) // room
                used = len(word) % room or room
        lines += count
    return lines


def fit_row_height(
    sheet: Worksheet, row: int, columns: Iterable[float], merged_width: dict[int, float] | None = None
) -> None:
    """Store the row's height for its wrapped text.

    Excel measures wrapped rows when it opens a file; LibreOffice and most
    printers use the stored height, so without one the lines overlap.
    """
    widths = list(columns)
    values = [sheet.cell(row, col).value for col in range(1, len(widths) + 1)]
    sheet.row_dimensions[row].height = row_height(values, widths, merged_width)


def row_height(
    values: Iterable[Any], widths: Sequence[float], merged_width: dict[int, float] | None = None
) -> float:
    """The height in points of a row showing ``values`` (one per column) wrapped in ``widths``."""
    merged_width = merged_width or {}
    lines = 1
    for col, (value, width) in enumerate(zip(values, widths, strict=False), start=1):
        if isinstance(value, str) and value:
            lines = max(lines, _lines(value, merged_width.get(col, width)))
    return lines * _LINE_PT + 3


def _print_setup(sheet: Worksheet, widths: Iterable[float]) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    # A fixed scale, not "fit to width": the columns are sized to print at ≥ 70 %.
    sheet.sheet_properties.pageSetUpPr.fitToPage = False
    sheet.page_setup.scale = print_scale(widths)
    sheet.print_options.horizontalCentered = True
    mm = 1 / 25.4
    sheet.page_margins.left = layout.MARGIN_LEFT_MM * mm
    sheet.page_margins.right = layout.MARGIN_RIGHT_MM * mm
    sheet.page_margins.top = layout.MARGIN_TOP_MM * mm
    sheet.page_margins.bottom = layout.MARGIN_BOTTOM_MM * mm
    sheet.oddFooter.center.text = "Trang &P/&N"
    sheet.oddFooter.center.font = FONT


def _results_sheet(sheet: Worksheet, report: Report) -> None:
    columns = _results_columns(report)
    first = _titles(
        sheet,
        (
            (report.header.issuing_body.upper().replace("\n", " "), True, False),
            (report.table_title, True, False),
            (report.table_subtitle, False, True),
        ),
        len(columns),
    )
    _header_row(sheet, first, columns)
    widths = [width for _title, width in columns]
    for offset, row in enumerate(report.rows, start=1):
        _result_row(sheet, first + offset, row, len(columns))
        merged = {2: sum(widths[1:])} if row.kind is RowKind.OBJECTIVE else None
        fit_row_height(sheet, first + offset, widths, merged)
    _print_setup(sheet, widths)


_ACTUAL_COLUMN = 8  # 1-based: "Thực hiện năm …"


def _result_values(row: ResultRow) -> tuple[Any, ...]:
    if row.kind is RowKind.OBJECTIVE:
        return (row.stt, row.text)
    text = row.text if row.kind is RowKind.INDICATOR else f"- {row.text}"
    return (
        row.stt,
        text,
        row.unit,
        _COMPARATOR_TEXT.get(row.comparator, ""),
        row.target_phase,
        row.target_year,
        row.actual_previous,
        row.actual,
        row.difference,
        row.comparison,
        row.assessment.label if row.assessment else "",
        row.lead_units,
        row.source,
        row.notes,
    )


def _result_row(sheet: Worksheet, number: int, row: ResultRow, width: int) -> None:
    values = _result_values(row)
    for col in range(1, width + 1):
        value = values[col - 1] if col <= len(values) else None
        cell = sheet.cell(number, col)
        _put(cell, value, row.actual_places if col == _ACTUAL_COLUMN else MAX_PLACES)
        cell.border = BOX
        cell.alignment = WRAP if col in (2, 10, 12, 13, 14) else WRAP_CENTER
        cell.font = _font(11, row.kind is RowKind.OBJECTIVE, row.kind is RowKind.BREAKDOWN and col == 2)
        if row.kind is RowKind.OBJECTIVE:
            cell.fill = OBJECTIVE_FILL
    if row.kind is RowKind.OBJECTIVE:
        sheet.merge_cells(start_row=number, start_column=2, end_row=number, end_column=width)


YEARLY_SHEET = "Theo năm"


def _yearly_sheet(sheet: Worksheet, report: Report) -> None:
    """The phase report's year by year table: numbers as numbers, as on the results sheet."""
    yearly = report.yearly
    assert yearly is not None
    titles = layout.yearly_titles(yearly, report.phase)
    widths = (6.0, 34.0, 10.0, *([10.0] * len(yearly.years)), 12.0, 12.0, 12.0)
    columns = tuple(zip(titles, widths, strict=True))
    first = _titles(sheet, ((yearly.title, True, False),), len(columns))
    _header_row(sheet, first, columns)
    for number, row in enumerate(yearly.rows, start=first + 1):
        if row.kind is RowKind.OBJECTIVE:
            values: tuple[Any, ...] = (row.stt, row.text)
        else:
            text = row.text if row.kind is RowKind.INDICATOR else f"- {row.text}"
            values = (
                row.stt,
                text,
                row.unit,
                *row.values,
                row.target_phase,
                row.actual_phase,
                row.assessment.label if row.assessment else "",
            )
        for col in range(1, len(columns) + 1):
            cell = sheet.cell(number, col)
            _put(cell, values[col - 1] if col <= len(values) else None, row.places)
            cell.border = BOX
            cell.alignment = WRAP if col == 2 else WRAP_CENTER
            cell.font = _font(11, row.kind is RowKind.OBJECTIVE)
            if row.kind is RowKind.OBJECTIVE:
                cell.fill = OBJECTIVE_FILL
        if row.kind is RowKind.OBJECTIVE:
            sheet.merge_cells(start_row=number, start_column=2, end_row=number, end_column=len(columns))
        span: dict[int, float] | None = {2: sum(widths[1:])} if row.kind is RowKind.OBJECTIVE else None
        fit_row_height(sheet, number, list(widths), span)
    _print_setup(sheet, widths)


_OBSERVATION_COLUMNS = (
    ("Mã chỉ tiêu", 10),
    ("Kỳ", 10),
    ("Đơn vị báo cáo", 26),
    ("Giới tính", 10),
    ("Tử số", 12),
    ("Mẫu số", 12),
    ("Giá trị", 12),
    ("Ghi chú", 30),
    ("Nguồn", 24),
)


def _observations_sheet(sheet: Worksheet, report: Report) -> _Rows:
    """Titles, header and page setup through openpyxl; the figures' rows as sheet XML (``_Rows``)."""
    first = _titles(
        sheet,
        ((f"SỐ LIỆU THỰC HIỆN DÙNG ĐỂ ĐÁNH GIÁ NĂM {report.period}", True, False),),
        len(_OBSERVATION_COLUMNS),
    )
    _header_row(sheet, first, _OBSERVATION_COLUMNS)
    sheet.freeze_panes = sheet.cell(first + 1, 1)
    last = first + max(len(report.observations), 1)
    sheet.auto_filter.ref = f"A{first}:{_OBSERVATION_LETTERS[-1]}{last}"
    _print_setup(sheet, [width for _title, width in _OBSERVATION_COLUMNS])
    rows = _observation_rows(_FigureCells(sheet), report, first + 1)
    return _Rows(sheet, rows, first + len(rows))


_OBSERVATION_LETTERS = tuple(get_column_letter(col) for col in range(1, len(_OBSERVATION_COLUMNS) + 1))


class _FigureCells:
    """The figures' cells as sheet XML, with style ids (``s="…"``) registered in the workbook as
    openpyxl registers a cell's.

    Every cell has the report font, a box and wrapped text; a number adds its format, a text
    that could run as a formula the quote prefix (``chitieu.formulas.set_text``).
    """

    def __init__(self, sheet: Worksheet):
        self._sheet = sheet
        self._checker = Cell(sheet)  # never placed in the sheet
        self._ids: dict[tuple[str, bool], str] = {}
        self._texts: dict[str, str] = {}  # codes, periods, unit names repeat on thousands of rows
        self._numbers: dict[Decimal, str] = {}  # so do figures (equal values are written alike)
        self._empty = f's="{self._id("General", False)}" t="n"/>'  # still boxed

    def _id(self, number_format: str, quote_prefix: bool) -> str:
        found = self._ids.get((number_format, quote_prefix))
        if found is None:
            model = Cell(self._sheet)  # not placed in the sheet: only its style is registered
            model.font, model.border, model.alignment = _BODY_FONT, BOX, WRAP
            model.number_format, model.quotePrefix = number_format, quote_prefix
            found = self._ids[number_format, quote_prefix] = str(model.style_id)
        return found

    def cell(self, ref: str, value: Any) -> str:
        """One cell as openpyxl writes it: a figure as a number with its format, any text as text."""
        if isinstance(value, Decimal):
            rest = self._numbers.get(value)
            if rest is None:
                number = safe_string(_number(value))
                style = self._id(number_format(value), False)
                rest = self._numbers[value] = f's="{style}" t="n"><v>{number}</v></c>'
            return f'<c r="{ref}" {rest}'
        if isinstance(value, str) and value:
            rest = self._texts.get(value)
            if rest is None:
                rest = self._texts[value] = self._text(value)
            return f'<c r="{ref}" {rest}'
        if value is None or value == "":
            return f'<c r="{ref}" {self._empty}'
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f'<c r="{ref}" s="{self._id("General", False)}" t="n"><v>{safe_string(value)}</v></c>'
        raise TypeError(f"no cell for {value!r}")

    def _text(self, value: str) -> str:
        text = self._checker.check_string(
            value
        )  # openpyxl's: cut to Excel's length, control characters refused
        space = ' xml:space="preserve"' if text != text.strip() else ""
        style = self._id("General", quote_prefixed(text))
        return f's="{style}" t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'


_BODY_FONT = _font(11)


def _observation_rows(cells: _FigureCells, report: Report, first: int) -> list[str]:
    """The rows of the figures as sheet XML, one string per row.

    openpyxl spends about 25 µs on each cell it makes and writes (Cell objects, style
    lookups, lxml elements): 2 s for a district's 88,000 cells, the most of its report.
    The rows hold the same values, styles and heights it would write.
    """
    widths = [width for _title, width in _OBSERVATION_COLUMNS]
    rows = []
    for number, obs in enumerate(report.observations, start=first):
        values = (
            obs.indicator,
            obs.period,
            obs.org_unit or "Toàn địa bàn",
            obs.sex or "Chung",
            obs.numerator,
            obs.denominator,
            obs.value,
            obs.note,
            obs.source,
        )
        xml = "".join(
            cells.cell(f"{letter}{number}", value)
            for letter, value in zip(_OBSERVATION_LETTERS, values, strict=True)
        )
        height = row_height(values, widths)  # from the values, as for the results sheet
        rows.append(f'<row r="{number}" ht="{safe_string(height)}" customHeight="1">{xml}</row>')
    return rows


def _escape(text: str) -> str:
    # A carriage return written as is would be read back as a line feed (XML end-of-line handling).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


@dataclass(frozen=True)
class _Rows:
    """Rows of ``sheet`` written as XML, to be put after the ones openpyxl writes (``_with_rows``)."""

    sheet: Worksheet
    xml: list[str]
    last: int  # the sheet's last row, with them


_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+[0-9]+):([A-Z]+)[0-9]+"/>')


def _with_rows(data: bytes, rows: _Rows) -> bytes:
    """The saved workbook ``data`` with ``rows`` at the end of their sheet's data."""
    path = rows.sheet.path.lstrip("/")  # set by openpyxl when it saved the sheet
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as saved, zipfile.ZipFile(out, "w") as target:
        for item in saved.infolist():
            content = saved.read(item)
            if item.filename == path:
                content = _spliced(content, rows)
            target.writestr(item, content)  # the entry's own name, date and compression
    return out.getvalue()


def _spliced(sheet_xml: bytes, rows: _Rows) -> bytes:
    head, end, tail = sheet_xml.partition(b"</sheetData>")
    if not end:
        raise ValueError("openpyxl wrote the sheet without its rows' element")
    # The used range, which openpyxl computed from its own rows only.
    head = _DIMENSION.sub(lambda m: b'<dimension ref="%s:%s%d"/>' % (m[1], m[2], rows.last), head, count=1)
    return b"".join((head, "".join(rows.xml).encode("utf-8"), end, tail))
