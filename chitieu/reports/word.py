"""The report as a Word document in the Decree 30/2020/NĐ-CP layout.

Portrait A4 body (header blocks, title, sections, signature, "Nơi nhận"),
then a landscape section with the results table as a real, editable Word
table and the trend charts. python-docx is imported here only.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
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

LANGUAGE = "vi-VN"
# Word's default left and right cell margins (0,08 in): a cell's text is this much narrower.
CELL_MARGIN_MM = layout.CELL_PADDING_MM
CENTER, JUSTIFY, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT


def render_docx(report: Report, images: ChartImages | None = None) -> bytes:
    images = images if images is not None else chart_images(report)
    document = Document()
    _set_styles(document)
    _properties(document, report)
    _portrait(document.sections[0])
    _page_numbers(document.sections[0])
    _header_blocks(document, report)
    _title(document, report)
    _body(document, report, images)
    _signature(document, report)
    annex = document.add_section(WD_SECTION.NEW_PAGE)
    _landscape(annex)
    _restart_numbering(annex)
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
    # Spell-checking and hyphenation follow w:lang, not the file's properties.
    for lang in document.styles.element.iter(qn("w:lang")):
        for attr in ("w:val", "w:eastAsia"):
            lang.set(qn(attr), LANGUAGE)


def _properties(document: Any, report: Report) -> None:
    """True file properties: python-docx's template says author "python-docx", created 2013."""
    now = datetime.now(UTC).replace(microsecond=0)
    properties = document.core_properties
    properties.language = LANGUAGE
    properties.author = properties.last_modified_by = report.header.issuing_body.replace("\n", " ")
    properties.title = report.title
    properties.subject = report.subject.replace("\n", " ")
    properties.comments = ""
    properties.created = properties.modified = now
    properties.revision = 1


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


def _restart_numbering(section: Any) -> None:
    """An annex is numbered on its own (Decree 30): from 1, no number on its first page.

    The section keeps the body's headers (linked), so its first page takes the
    empty first-page header and the following ones the centred number.
    """
    section.different_first_page_header_footer = True
    properties = section._sectPr
    numbering = properties.find(qn("w:pgNumType"))
    if numbering is None:
        numbering = OxmlElement("w:pgNumType")
        # w:pgNumType comes before w:cols, w:titlePg, w:docGrid in a sectPr.
        anchor = properties.find(qn("w:cols"))
        if anchor is not None:
            anchor.addprevious(numbering)
        else:
            properties.append(numbering)
    numbering.set(qn("w:start"), "1")


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


def _rule(container: Any, width_mm: float, box_mm: float) -> Any:
    """A short centred horizontal line under the text above it.

    An empty paragraph, indented to the rule's length, whose top border is the
    line. Its mark is 3 pt at single spacing and 3 pt before, so the border sits
    clear of the descenders of the text above; an exact 2 pt line height (what this was)
    makes LibreOffice draw the border through the letters.
    """
    paragraph = _paragraph(container, align=CENTER, before=3, after=0)
    side = max(0.0, (box_mm - width_mm) / 2)
    paragraph.paragraph_format.left_indent = Mm(side)
    paragraph.paragraph_format.right_indent = Mm(side)
    mark = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "6")
    mark.append(size)
    paragraph._p.get_or_add_pPr().append(mark)
    _border(paragraph, "top")
    return paragraph


# Children of w:pPr that must follow w:pBdr (ECMA-376 CT_PPrBase order).
_AFTER_PBDR = [
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
]


def _border(paragraph: Any, where: str) -> None:
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{where}")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        line.set(qn(f"w:{key}"), value)
    borders.append(line)
    following = [child for child in properties if child.tag in {qn(t) for t in _AFTER_PBDR}]
    if following:
        following[0].addprevious(borders)
    else:
        properties.append(borders)


def _no_cell_margins_table(document: Any, rows: int, widths_mm: tuple[float, ...]) -> Any:
    table = document.add_table(rows=rows, cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _grid(table, widths_mm)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    return table


def _grid(table: Any, widths_mm: tuple[float, ...]) -> None:
    """Column widths in the table grid and a fixed layout, not only on the cells.

    python-docx leaves ``w:tblGrid`` at equal widths and sets ``w:tcW`` per
    cell. Word follows the cells; LibreOffice and WPS follow the grid, so
    without this the motto wraps and the annex gets eleven equal columns.
    """
    grid = table._tbl.tblGrid
    columns = grid.findall(qn("w:gridCol"))
    for column, width in zip(columns, widths_mm, strict=True):
        column.set(qn("w:w"), str(Mm(width).twips))
    properties = table._tbl.tblPr
    total = properties.find(qn("w:tblW"))
    if total is None:
        total = OxmlElement("w:tblW")
        properties.append(total)
    total.set(qn("w:type"), "dxa")
    total.set(qn("w:w"), str(sum(Mm(w).twips for w in widths_mm)))
    fixed = properties.find(qn("w:tblLayout"))
    if fixed is None:
        fixed = OxmlElement("w:tblLayout")
        properties.append(fixed)
    fixed.set(qn("w:type"), "fixed")


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
    _rule(left, longest * 0.4, layout.HEADER_LEFT_MM - 2 * CELL_MARGIN_MM)
    _paragraph(left, header.number_line, size=layout.HEADER_PT, align=CENTER, before=6, after=0)

    _paragraph(right, layout.MOTTO_COUNTRY, size=layout.HEADER_PT, bold=True, align=CENTER, after=0)
    slogan = _paragraph(right, layout.MOTTO_SLOGAN, size=layout.BODY_PT, bold=True, align=CENTER, after=0)
    # The rule under the motto is as long as the motto itself (Decree 30, appendix I).
    width = layout.text_width_mm(layout.MOTTO_SLOGAN, layout.BODY_PT, True) + 2
    side = max(0.0, (layout.HEADER_RIGHT_MM - 2 * CELL_MARGIN_MM - width) / 2)
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
    for text in report.closing:
        _paragraph(document, text, indent=True)


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
    for heading in (
        _paragraph(document, "Phụ lục", bold=True, align=CENTER, after=0),
        _paragraph(document, report.table_title, bold=True, align=CENTER, after=0),
        _paragraph(document, report.table_subtitle, italic=True, align=CENTER, after=6),
    ):
        heading.paragraph_format.keep_with_next = True
    _results_table(document, report)
    if report.yearly is not None:
        _yearly_table(document, report)
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
    widths = layout.column_widths(report)
    table = document.add_table(rows=1, cols=len(widths))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _grid(table, widths)
    header = table.rows[0]
    _repeat_as_header(header)
    _keep_row_whole(header)
    for cell, title, width in zip(header.cells, layout.column_titles(report), widths, strict=True):
        cell.width = Mm(width)
        _cell_text(cell, title, bold=True, align=CENTER)
        _shade(cell, "E7E6E6")
    for row in report.rows:
        _result_row(table, row, widths)


def _yearly_table(document: Any, report: Report) -> None:
    """The phase report's year-by-year table, laid out like the results table."""
    yearly = report.yearly
    assert yearly is not None
    page_break = _paragraph(document, after=0)
    page_break.add_run().add_break(WD_BREAK.PAGE)
    _paragraph(
        document, yearly.title, bold=True, align=CENTER, after=6
    ).paragraph_format.keep_with_next = True
    widths = layout.yearly_widths(yearly)
    table = document.add_table(rows=1, cols=len(widths))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _grid(table, widths)
    header = table.rows[0]
    _repeat_as_header(header)
    _keep_row_whole(header)
    for cell, title, width in zip(
        header.cells, layout.yearly_titles(yearly, report.phase), widths, strict=True
    ):
        cell.width = Mm(width)
        _cell_text(cell, title, bold=True, align=CENTER)
        _shade(cell, "E7E6E6")
    for row in yearly.rows:
        added = table.add_row()
        _keep_row_whole(added)
        cells = added.cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = Mm(width)
        if row.kind is RowKind.OBJECTIVE:
            _cell_text(cells[0], row.stt, bold=True, align=CENTER)
            merged = cells[1].merge(cells[-1])
            _cell_text(merged, row.text, bold=True)
            continue
        for i, (cell, value) in enumerate(zip(cells, layout.yearly_cells(row), strict=True)):
            _cell_text(
                cell, value, align=LEFT if i == 1 else CENTER, italic=row.kind is RowKind.BREAKDOWN and i == 1
            )


def _result_row(table: Any, row: ResultRow, widths: tuple[float, ...]) -> None:
    added = table.add_row()
    _keep_row_whole(added)
    cells = added.cells
    for cell, width in zip(cells, widths, strict=True):
        cell.width = Mm(width)
    if row.kind is RowKind.OBJECTIVE:
        _cell_text(cells[0], row.stt, bold=True, align=CENTER)
        merged = cells[1].merge(cells[-1])
        _cell_text(merged, row.text, bold=True, align=LEFT)
        _shade(cells[0], "F2F2F2")
        _shade(merged, "F2F2F2")
        # An objective's row is a heading: it stays on the page of its first indicator.
        for cell in (cells[0], merged):
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True
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


def _keep_row_whole(row: Any) -> None:
    """A row is never split across two pages (``w:cantSplit``)."""
    flag = OxmlElement("w:cantSplit")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().insert(0, flag)


def _repeat_as_header(row: Any) -> None:
    """The column titles repeat on every page the table runs over."""
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)
