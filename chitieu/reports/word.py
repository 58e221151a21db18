"""The report as a Word document in the Decree 30/2020/NĐ-CP layout.

Portrait A4 body (header blocks, title, sections, signature, "Nơi nhận"),
then a landscape section with the results table as a real, editable Word
table and the trend charts. python-docx is imported here only.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from chitieu.periods import period_words
from chitieu.reports import layout
from chitieu.reports.charts import ChartImages, chart_images
from chitieu.reports.model import Report, ResultRow, RowKind

CENTER, JUSTIFY, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT


def render_docx(report: Report, images: ChartImages | None = None) -> bytes:
    images = images if images is not None else chart_images(report)
    document = Document()
    _set_styles(document)
    _portrait(document.sections[0])
    _page_numbers(document.sections[0])
    _header_blocks(document, report)
    _title(document, report)
    _body(document, report, images)
    _signature(document, report)
    annex = document.add_section(WD_SECTION.NEW_PAGE)
    _landscape(annex)
    _annex(document, report, images)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------ page set-up


def _set_styles(document: Any) -> None:
    style = document.styles["Normal"]
    style.font.name = layout.FONT
    style.font.size = Pt(layout.BODY_PT)
    # Word picks the font per script; without eastAsia/cs it may fall back to Calibri.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), layout.FONT)
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.space_after = Pt(6)
    style.paragraph_format.line_spacing = 1.0
    document.core_properties.language = "vi-VN"


def _margins(section: Any) -> None:
    section.top_margin = Mm(layout.MARGIN_TOP_MM)
    section.bottom_margin = Mm(layout.MARGIN_BOTTOM_MM)
    section.left_margin = Mm(layout.MARGIN_LEFT_MM)
    section.right_margin = Mm(layout.MARGIN_RIGHT_MM)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)


def _portrait(section: Any) -> None:
    # python-docx's template is US Letter: A4 must be set explicitly.
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(layout.PAGE_WIDTH_MM), Mm(layout.PAGE_HEIGHT_MM)
    _margins(section)


def _landscape(section: Any) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(layout.PAGE_HEIGHT_MM), Mm(layout.PAGE_WIDTH_MM)
    _margins(section)


def _page_numbers(section: Any) -> None:
    """Page number centred at the top from the second page on, as the decree asks."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = CENTER
    _field(paragraph, "PAGE", "2")


def _field(paragraph: Any, instruction: str, placeholder: str) -> None:
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run._r.extend([begin, code, separate])
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


# ----------------------------------------------------------------- paragraphs


def _paragraph(
    container: Any,
    text: str = "",
    *,
    size: float = layout.BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align: Any = JUSTIFY,
    indent: bool = False,
    after: float = 6,
    before: float = 0,
) -> Any:
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_after, fmt.space_before = Pt(after), Pt(before)
    if indent:
        fmt.first_line_indent = Mm(layout.FIRST_LINE_INDENT_MM)
    if text:
        run = paragraph.add_run(text)
        run.font.size, run.font.bold, run.font.italic = Pt(size), bold, italic
    return paragraph


def _rule(container: Any, width_mm: float, box_mm: float, *, where: str = "top") -> Any:
    """A short centred horizontal line: an empty paragraph with one border, indented to length."""
    paragraph = _paragraph(container, align=CENTER, after=0, size=2)
    side = max(0.0, (box_mm - width_mm) / 2)
    paragraph.paragraph_format.left_indent = Mm(side)
    paragraph.paragraph_format.right_indent = Mm(side)
    paragraph.paragraph_format.line_spacing = Pt(2)
    _border(paragraph, where)
    return paragraph


def _border(paragraph: Any, where: str) -> None:
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{where}")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        line.set(qn(f"w:{key}"), value)
    borders.append(line)
    properties.append(borders)


def _no_cell_margins_table(document: Any, rows: int, widths_mm: tuple[float, ...]) -> Any:
    table = document.add_table(rows=rows, cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    return table


def _clear(cell: Any) -> Any:
    """A fresh cell keeps one empty paragraph; drop it so blocks start at the top."""
    paragraph = cell.paragraphs[0]
    paragraph._p.getparent().remove(paragraph._p)
    return cell


# -------------------------------------------------------------- header blocks


def _header_blocks(document: Any, report: Report) -> None:
    header = report.header
    table = _no_cell_margins_table(document, 1, (layout.HEADER_LEFT_MM, layout.HEADER_RIGHT_MM))
    left, right = (_clear(c) for c in table.rows[0].cells)

    if header.parent_body:
        _paragraph(left, header.parent_body.upper(), size=layout.HEADER_PT, align=CENTER, after=0)
    body_lines = header.issuing_body.upper().split("\n")
    for line in body_lines:
        _paragraph(left, line, size=layout.HEADER_PT, bold=True, align=CENTER, after=0)
    longest = max(layout.text_width_mm(line, layout.HEADER_PT, True) for line in body_lines)
    _rule(left, longest * 0.4, layout.HEADER_LEFT_MM)
    _paragraph(left, header.number_line, size=layout.HEADER_PT, align=CENTER, before=6, after=0)

    _paragraph(right, layout.MOTTO_COUNTRY, size=layout.HEADER_PT, bold=True, align=CENTER, after=0)
    slogan = _paragraph(right, layout.MOTTO_SLOGAN, size=layout.BODY_PT, bold=True, align=CENTER, after=0)
    # The rule under the motto is as long as the motto itself (Decree 30, appendix I).
    width = layout.text_width_mm(layout.MOTTO_SLOGAN, layout.BODY_PT, True) + 1
    side = max(0.0, (layout.HEADER_RIGHT_MM - width) / 2)
    slogan.paragraph_format.left_indent = slogan.paragraph_format.right_indent = Mm(side)
    _border(slogan, "bottom")
    _paragraph(right, header.date_line, size=layout.BODY_PT, italic=True, align=CENTER, before=6, after=0)


def _title(document: Any, report: Report) -> None:
    _paragraph(document, report.title, bold=True, align=CENTER, before=18, after=0)
    for line in report.subject.split("\n"):
        _paragraph(document, line, bold=True, align=CENTER, after=0)
    longest = max(layout.text_width_mm(line, layout.BODY_PT, True) for line in report.subject.split("\n"))
    _rule(document, min(longest, layout.TEXT_WIDTH_MM) * 0.4, layout.TEXT_WIDTH_MM)
    _paragraph(document, after=6)


# ----------------------------------------------------------------------- body


def _body(document: Any, report: Report, images: ChartImages) -> None:
    for text in report.intro:
        _paragraph(document, text, indent=True)
    for section in report.sections:
        heading = _paragraph(document, section.heading, bold=True, indent=True, before=6)
        heading.paragraph_format.keep_with_next = True
        for text in section.paragraphs:
            _paragraph(document, text, indent=True)
        for text in section.bullets:
            _paragraph(document, f"- {text}", indent=True)
        for text in section.closing:
            _paragraph(document, text, indent=True)
        if section.achievement_chart and images.achievement:
            _picture(document, images.achievement, layout.TEXT_WIDTH_MM - 10)
            if report.achievement_chart:
                _paragraph(document, report.achievement_chart.title, size=12, italic=True, align=CENTER)


def _picture(document: Any, png: bytes, width_mm: float) -> None:
    paragraph = _paragraph(document, align=CENTER, after=3)
    paragraph.paragraph_format.keep_with_next = True
    paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))


def _signature(document: Any, report: Report) -> None:
    table = _no_cell_margins_table(document, 1, (layout.TEXT_WIDTH_MM / 2, layout.TEXT_WIDTH_MM / 2))
    left, right = (_clear(c) for c in table.rows[0].cells)
    recipients = _paragraph(left, "Nơi nhận:", size=12, bold=True, italic=True, align=LEFT, before=6, after=0)
    recipients.paragraph_format.keep_with_next = True
    last = len(report.recipients) - 1
    for i, line in enumerate(report.recipients):
        ending = "." if i == last else ";"
        _paragraph(left, f"- {line}{ending}", size=layout.RECIPIENTS_PT, align=LEFT, after=0)
    signature = report.signature
    _paragraph(right, signature.authority, bold=True, align=CENTER, before=6, after=0)
    for line in signature.position.split("\n"):
        _paragraph(right, line, bold=True, align=CENTER, after=0)
    # Room for the signature and the seal.
    for _ in range(4):
        _paragraph(right, align=CENTER, after=0)
    _paragraph(right, signature.name, bold=True, align=CENTER, after=0)


# ---------------------------------------------------------------------- annex


def _annex(document: Any, report: Report, images: ChartImages) -> None:
    _paragraph(document, "Phụ lục", bold=True, align=CENTER, after=0)
    _paragraph(document, report.table_title, bold=True, align=CENTER, after=0)
    _paragraph(document, report.table_subtitle, italic=True, align=CENTER, after=6)
    _results_table(document, report)
    if images.trends:
        page_break = _paragraph(document, after=0)
        page_break.add_run().add_break(WD_BREAK.PAGE)
        _paragraph(
            document,
            f"Biểu đồ xu hướng các chỉ tiêu so với mục tiêu {period_words(report.phase)}",
            bold=True,
            align=CENTER,
        )
        for png in images.trends:
            _picture(document, png, layout.TREND_WIDTH_MM)


def _results_table(document: Any, report: Report) -> None:
    widths = layout.COLUMN_WIDTHS_MM
    table = document.add_table(rows=1, cols=len(widths))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header = table.rows[0]
    _repeat_as_header(header)
    for cell, title, width in zip(header.cells, layout.column_titles(report), widths, strict=True):
        cell.width = Mm(width)
        _cell_text(cell, title, bold=True, align=CENTER)
        _shade(cell, "E7E6E6")
    for row in report.rows:
        _result_row(table, row, widths)


def _result_row(table: Any, row: ResultRow, widths: tuple[int, ...]) -> None:
    cells = table.add_row().cells
    for cell, width in zip(cells, widths, strict=True):
        cell.width = Mm(width)
    if row.kind is RowKind.OBJECTIVE:
        _cell_text(cells[0], row.stt, bold=True, align=CENTER)
        merged = cells[1].merge(cells[-1])
        _cell_text(merged, row.text, bold=True, align=LEFT)
        _shade(cells[0], "F2F2F2")
        _shade(merged, "F2F2F2")
        return
    text = row.text if row.kind is RowKind.INDICATOR else f"- {row.text}"
    values = layout.result_cells(row, text)
    aligns = (CENTER, LEFT, CENTER, CENTER, CENTER, CENTER, CENTER, LEFT, CENTER, LEFT, LEFT)
    for i, (cell, value, align) in enumerate(zip(cells, values, aligns, strict=True)):
        _cell_text(
            cell,
            value,
            align=align,
            bold=(i == 8 and row.needs_attention),
            italic=row.kind is RowKind.BREAKDOWN and i == 1,
        )


def _cell_text(cell: Any, text: str, *, bold: bool = False, italic: bool = False, align: Any = LEFT) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(0)
    run = paragraph.add_run(text)
    run.font.size, run.font.bold, run.font.italic = Pt(layout.TABLE_PT), bold, italic


def _shade(cell: Any, colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_as_header(row: Any) -> None:
    """The column titles repeat on every page the table runs over."""
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)
