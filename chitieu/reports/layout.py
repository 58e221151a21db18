"""The page and type rules every rendering follows (Decree 30/2020/NĐ-CP, appendix I).

Word and PDF both read these numbers, so the two documents match.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from chitieu.periods import period_words
from chitieu.reports.model import Report, ResultRow, RowKind, YearlyRow, YearlyTable
from chitieu.reports.numbers import MAX_PLACES, format_number

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297  # A4
MARGIN_TOP_MM, MARGIN_BOTTOM_MM = 20, 20
MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 30, 15
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM
LANDSCAPE_TEXT_WIDTH_MM = PAGE_HEIGHT_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM

FONT = "Times New Roman"
BODY_PT = 14
HEADER_PT = 13  # issuing body, "CỘNG HÒA …", number line
TABLE_PT = 11
RECIPIENTS_PT = 11
FIRST_LINE_INDENT_MM = 12.7

# A page of six trend panels, with its heading, fits the landscape text height (170 mm).
TREND_WIDTH_MM = 215

# Header block: the issuing body on the left, the national motto on the right.
HEADER_LEFT_MM, HEADER_RIGHT_MM = 62, TEXT_WIDTH_MM - 62

MOTTO_COUNTRY = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_SLOGAN = "Độc lập - Tự do - Hạnh phúc"

SERIF_DIR = Path("/usr/share/fonts/truetype/liberation2")  # Debian fonts-liberation2
SERIF_FILES = {
    (False, False): "LiberationSerif-Regular.ttf",
    (True, False): "LiberationSerif-Bold.ttf",
    (False, True): "LiberationSerif-Italic.ttf",
    (True, True): "LiberationSerif-BoldItalic.ttf",
}


def serif_file(bold: bool = False, italic: bool = False) -> Path | None:
    path = SERIF_DIR / SERIF_FILES[bold, italic]
    return path if path.exists() else None


@lru_cache(maxsize=64)
def text_width_mm(text: str, size_pt: float, bold: bool = False) -> float:
    """Printed width of one line, measured with Liberation Serif (Times metrics).

    Used to draw the short rules under the motto and the issuing body at the
    length the decree asks for. Without the font file an average glyph width
    is close enough.
    """
    path = serif_file(bold)
    if path is not None:
        try:
            from PIL import ImageFont

            font = ImageFont.truetype(str(path), 1000)
            return font.getlength(text) / 1000 * size_pt * 25.4 / 72
        except (ImportError, OSError):
            pass
    return len(text) * 0.5 * size_pt * 25.4 / 72


# ------------------------------------------------------------ results table

COLUMN_WIDTHS_MM = (10, 58, 16, 20, 20, 18, 18, 24, 18, 26, 24)
CELL_PADDING_MM = 1.905  # Word's default left and right cell margin (0,08 in)
NAME_COLUMN = 1  # the widest column gives up what the others need


def column_widths(report: Report) -> tuple[float, ...]:
    """The annex columns sized to their content: none narrower than its longest word.

    A word wider than its column is broken inside the word by Word, LibreOffice
    and WeasyPrint alike ("3.2a", "trẻ/100.000"). Each column gets at least its
    longest word plus the cell padding; the indicator-name column pays for it,
    so the table keeps the width of the landscape page.
    """
    widths: list[float] = [float(w) for w in COLUMN_WIDTHS_MM]
    texts: list[list[tuple[str, bool]]] = [[(title, True)] for title in column_titles(report)]
    for row in report.rows:
        if row.kind is RowKind.OBJECTIVE:
            continue
        for column, text in enumerate(result_cells(row, row.text)):
            texts[column].append((text, False))
    for column, cells in enumerate(texts):
        longest = max(
            (text_width_mm(word, TABLE_PT, bold) for text, bold in cells for word in text.split()),
            default=0.0,
        )
        needed = round(longest + 2 * CELL_PADDING_MM + 1, 1)
        if column != NAME_COLUMN and needed > widths[column]:
            widths[NAME_COLUMN] -= needed - widths[column]
            widths[column] = needed
    return tuple(widths)


def column_titles(report: Report) -> tuple[str, ...]:
    phase = report.phase or "giai đoạn"
    previous = report.previous_period or "năm trước"
    return (
        "STT",
        "Mục tiêu, chỉ tiêu",
        "Đơn vị tính",
        f"Chỉ tiêu {period_words(phase)}",
        f"Chỉ tiêu năm {report.period}",
        f"Thực hiện năm {previous}",
        f"Thực hiện năm {report.period}",
        "So sánh với chỉ tiêu năm",
        "Đánh giá",
        "Đơn vị chủ trì",
        "Nguồn số liệu, ghi chú",
    )


_SYMBOLS = {">=": "≥ ", "<=": "≤ ", "==": ""}


def target_cell(value, comparator: str) -> str:
    """``≥ 50`` / ``≤ 31,6``: the number with the way it must be met."""
    if value is None:
        return "-"
    return _SYMBOLS.get(comparator, "") + format_number(value)


def value_cell(value, places: int = MAX_PLACES) -> str:
    return "-" if value is None else format_number(value, places)


def source_cell(source: str, notes: str) -> str:
    return "; ".join(part for part in (source, notes) if part)


def result_cells(row: ResultRow, text: str) -> tuple[str, ...]:
    """One results-table row as cell texts in column order; Word and PDF lay them out alike."""
    return (
        row.stt,
        text,
        row.unit,
        target_cell(row.target_phase, row.comparator),
        target_cell(row.target_year, row.comparator),
        value_cell(row.actual_previous),
        value_cell(row.actual, row.actual_places),
        row.comparison,
        row.assessment.label if row.assessment else "",
        row.lead_units,
        source_cell(row.source, row.notes),
    )


# ------------------------------------------------- the phase report's yearly table

YEARLY_FIXED_MM = (12, 68, 16)  # STT (12 mm: "STT" on one line in LibreOffice), indicator, unit
YEARLY_TAIL_MM = (24, 20, 24)  # phase target, the phase's figure, the verdict


def yearly_widths(table: YearlyTable) -> tuple[float, ...]:
    """Column widths that fill the landscape text width, the years sharing what is left."""
    fixed = sum(YEARLY_FIXED_MM) + sum(YEARLY_TAIL_MM)
    year = (LANDSCAPE_TEXT_WIDTH_MM - fixed) / max(len(table.years), 1)
    return (*map(float, YEARLY_FIXED_MM), *([year] * len(table.years)), *map(float, YEARLY_TAIL_MM))


def yearly_titles(table: YearlyTable, phase: str) -> tuple[str, ...]:
    return (
        "STT",
        "Mục tiêu, chỉ tiêu",
        "Đơn vị tính",
        *(f"Năm {y}" for y in table.years),
        f"Chỉ tiêu {period_words(phase)}",
        f"Thực hiện {period_words(phase)}",
        "Đánh giá giai đoạn",
    )


def yearly_cells(row: YearlyRow) -> tuple[str, ...]:
    """One yearly-table row as cell texts (Word and PDF); a missing year is "-"."""
    return (
        row.stt,
        row.text if row.kind is RowKind.INDICATOR else f"- {row.text}",
        row.unit,
        *(value_cell(v, row.places) for v in row.values),
        target_cell(row.target_phase, row.comparator),
        value_cell(row.actual_phase, row.places),
        row.assessment.label if row.assessment else "",
    )
