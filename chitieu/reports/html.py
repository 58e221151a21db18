"""The report as one HTML page with print CSS: the source of the PDF.

Same blocks and measures as the Word document (``layout``); WeasyPrint lays
it out on A4 with Decree 30 page numbers (top centre from page 2, the annex
numbered on its own) and embeds Liberation Serif, the
metric twin of Times New Roman.
"""

from __future__ import annotations

import base64
from html import escape

from chitieu.periods import period_words
from chitieu.reports import layout
from chitieu.reports.charts import ChartImages
from chitieu.reports.model import Report, ResultRow, RowKind


def _font_faces() -> str:
    faces = []
    for (bold, italic), _name in layout.SERIF_FILES.items():
        path = layout.serif_file(bold, italic)
        if path is None:
            continue
        faces.append(
            '@font-face { font-family: "Report Serif"; '
            f'src: url("{path.as_uri()}"); '
            f"font-weight: {'bold' if bold else 'normal'}; font-style: {'italic' if italic else 'normal'}; }}"
        )
    return "\n".join(faces)


def _css() -> str:
    m = layout
    return f"""
{_font_faces()}
@page {{
  size: A4;
  margin: {m.MARGIN_TOP_MM}mm {m.MARGIN_RIGHT_MM}mm {m.MARGIN_BOTTOM_MM}mm {m.MARGIN_LEFT_MM}mm;
  @top-center {{
    content: counter(page);
    font-family: "Report Serif", "Times New Roman", serif; font-size: {m.BODY_PT}pt;
  }}
}}
/* Decree 30: the number at the top centre from the second page; none on the first.
   The annex is numbered on its own, as in the Word document. */
@page :first {{ @top-center {{ content: none; }} }}
@page annex {{ size: A4 landscape; }}
@page annex:nth(1 of annex) {{ counter-reset: page 1; @top-center {{ content: none; }} }}
html {{ font-family: "Report Serif", "Times New Roman", "Liberation Serif", serif;
        font-size: {m.BODY_PT}pt; line-height: 1.25; color: #000; }}
body {{ margin: 0; }}
p {{ margin: 0 0 6pt 0; text-align: justify; }}
p.indent {{ text-indent: {m.FIRST_LINE_INDENT_MM}mm; }}
.center {{ text-align: center; }}
.bold {{ font-weight: bold; }}
.italic {{ font-style: italic; }}
table.blocks {{ width: 100%; border-collapse: collapse; }}
table.blocks td {{ vertical-align: top; text-align: center; padding: 0; }}
table.blocks p {{ text-align: center; margin: 0; }}
.header-pt {{ font-size: {m.HEADER_PT}pt; }}
.slogan {{ display: inline-block; border-bottom: 0.6pt solid #000; padding-bottom: 1pt; }}
.rule {{ border-top: 0.6pt solid #000; margin: 2pt auto 0 auto; height: 0; }}
.date {{ margin-top: 6pt !important; font-style: italic; }}
.number {{ margin-top: 6pt !important; }}
h1 {{ font-size: {m.BODY_PT}pt; text-align: center; margin: 18pt 0 0 0; }}
.subject {{ font-weight: bold; text-align: center; margin: 0; }}
h2 {{ font-size: {m.BODY_PT}pt; margin: 6pt 0 6pt 0; text-indent: {m.FIRST_LINE_INDENT_MM}mm;
      page-break-after: avoid; }}
figure {{ margin: 6pt 0; text-align: center; page-break-inside: avoid; }}
figure img {{ max-width: 100%; }}
figure.trend img {{ width: {m.TREND_WIDTH_MM}mm; }}
figcaption {{ font-size: 12pt; font-style: italic; }}
.signature {{ margin-top: 12pt; page-break-inside: avoid; }}
.signature td {{ width: 50%; }}
.signature td.recipients {{ text-align: left; }}
.signature td.recipients p {{ text-align: left; font-size: {m.RECIPIENTS_PT}pt; }}
.signature td.recipients p.label {{ font-size: 12pt; font-weight: bold; font-style: italic; }}
.signature .space {{ height: 28mm; }}
section.annex {{ page: annex; page-break-before: always; }}
section.annex p {{ text-align: center; margin: 0; }}
table.results {{ width: 100%; border-collapse: collapse; font-size: {m.TABLE_PT}pt; line-height: 1.15;
                 margin-top: 6pt; table-layout: fixed; }}
table.results th, table.results td {{ border: 0.6pt solid #000; padding: 1.5pt 3pt; vertical-align: middle; }}
table.results th {{ background: #e7e6e6; text-align: center; }}
table.results tr {{ page-break-inside: avoid; }}
table.results tr.objective td {{ background: #f2f2f2; font-weight: bold; }}
table.results tr.breakdown td.text {{ font-style: italic; padding-left: 10pt; }}
table.results td.c {{ text-align: center; }}
table.results td.attention {{ font-weight: bold; }}
.trends {{ page-break-before: always; }}
.yearly {{ page-break-before: always; }}
"""


def _text(text: str) -> str:
    # Blanks left for the number and date are filled in by hand: keep their width.
    return escape(text).replace("  ", "\u00a0\u00a0")


def _p(text: str, *classes: str) -> str:
    attr = f' class="{" ".join(classes)}"' if classes else ""
    return f"<p{attr}>{_text(text)}</p>"


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'


def _header(report: Report) -> str:
    header = report.header
    lines = header.issuing_body.upper().split("\n")
    rule = max(layout.text_width_mm(line, layout.HEADER_PT, True) for line in lines) * 0.4
    left = []
    if header.parent_body:
        left.append(_p(header.parent_body.upper(), "header-pt"))
    left += [_p(line, "header-pt", "bold") for line in lines]
    left.append(f'<div class="rule" style="width: {rule:.1f}mm"></div>')
    left.append(_p(header.number_line, "header-pt", "number"))
    right = [
        _p(layout.MOTTO_COUNTRY, "header-pt", "bold"),
        f'<p class="bold"><span class="slogan">{escape(layout.MOTTO_SLOGAN)}</span></p>',
        _p(header.date_line, "date"),
    ]
    return (
        '<table class="blocks header"><tr>'
        f'<td style="width: {layout.HEADER_LEFT_MM}mm">{"".join(left)}</td>'
        f"<td>{''.join(right)}</td></tr></table>"
    )


def _title(report: Report) -> str:
    lines = report.subject.split("\n")
    rule = min(layout.TEXT_WIDTH_MM, max(layout.text_width_mm(s, layout.BODY_PT, True) for s in lines)) * 0.4
    subject = "".join(_p(line, "subject") for line in lines)
    return (
        f"<h1>{escape(report.title)}</h1>{subject}"
        f'<div class="rule" style="width: {rule:.1f}mm; margin-bottom: 12pt"></div>'
    )


def _body(report: Report, images: ChartImages) -> str:
    parts = [_p(text, "indent") for text in report.intro]
    for section in report.sections:
        parts.append(f"<h2>{escape(section.heading)}</h2>")
        parts += [_p(text, "indent") for text in section.paragraphs]
        parts += [_p(f"- {text}", "indent") for text in section.bullets]
        parts += [_p(text, "indent") for text in section.closing]
        if section.achievement_chart and images.achievement and report.achievement_chart:
            caption = report.achievement_chart.title
            figure = _img(images.achievement, caption)
            parts.append(f"<figure>{figure}<figcaption>{escape(caption)}</figcaption></figure>")
    parts += [_p(text, "indent") for text in report.closing]
    return "".join(parts)


def _signature(report: Report) -> str:
    last = len(report.recipients) - 1
    recipients = [_p("Nơi nhận:", "label")]
    recipients += [_p(f"- {line}{'.' if i == last else ';'}") for i, line in enumerate(report.recipients)]
    signature = report.signature
    signer = [_p(signature.authority, "bold")]
    signer += [_p(line, "bold") for line in signature.position.split("\n")]
    signer += ['<div class="space"></div>', _p(signature.name, "bold")]
    return (
        '<table class="blocks signature"><tr>'
        f'<td class="recipients">{"".join(recipients)}</td><td>{"".join(signer)}</td>'
        "</tr></table>"
    )


_ALIGN_CENTER = {0, 2, 3, 4, 5, 6, 8}


def _row(row: ResultRow) -> str:
    if row.kind is RowKind.OBJECTIVE:
        span = len(layout.COLUMN_WIDTHS_MM) - 1
        return (
            f'<tr class="objective"><td class="c">{escape(row.stt)}</td>'
            f'<td colspan="{span}">{escape(row.text)}</td></tr>'
        )
    values = layout.result_cells(row, row.text)
    cells = []
    for i, value in enumerate(values):
        classes = ["c"] if i in _ALIGN_CENTER else []
        if i == 1:
            classes.append("text")
        if i == 8 and row.needs_attention:
            classes.append("attention")
        cells.append(f'<td class="{" ".join(classes)}">{escape(value)}</td>')
    return f'<tr class="{row.kind.value}">{"".join(cells)}</tr>'


def _annex(report: Report, images: ChartImages) -> str:
    columns = "".join(f'<col style="width: {w}mm">' for w in layout.column_widths(report))
    titles = "".join(f"<th>{escape(t)}</th>" for t in layout.column_titles(report))
    rows = "".join(_row(r) for r in report.rows)
    parts = [
        '<section class="annex">',
        _p("Phụ lục", "bold"),
        _p(report.table_title, "bold"),
        _p(report.table_subtitle, "italic"),
        f'<table class="results"><colgroup>{columns}</colgroup><thead><tr>{titles}</tr></thead>'
        f"<tbody>{rows}</tbody></table>",
    ]
    if report.yearly is not None:
        parts.append(_yearly(report))
    if images.trends:
        title = f"Biểu đồ xu hướng các chỉ tiêu so với mục tiêu {period_words(report.phase)}"
        parts.append(f'<div class="trends">{_p(title, "bold")}')
        parts += [f'<figure class="trend">{_img(png, title)}</figure>' for png in images.trends]
        parts.append("</div>")
    parts.append("</section>")
    return "".join(parts)


def _yearly(report: Report) -> str:
    """The phase report's year by year table, after the results table."""
    yearly = report.yearly
    assert yearly is not None
    widths = layout.yearly_widths(yearly)
    columns = "".join(f'<col style="width: {w:.1f}mm">' for w in widths)
    titles = "".join(f"<th>{escape(t)}</th>" for t in layout.yearly_titles(yearly, report.phase))
    rows = []
    for row in yearly.rows:
        if row.kind is RowKind.OBJECTIVE:
            rows.append(
                f'<tr class="objective"><td class="c">{escape(row.stt)}</td>'
                f'<td colspan="{len(widths) - 1}">{escape(row.text)}</td></tr>'
            )
            continue
        cells = "".join(
            f'<td class="{"text" if i == 1 else "c"}">{escape(v)}</td>'
            for i, v in enumerate(layout.yearly_cells(row))
        )
        rows.append(f'<tr class="{row.kind.value}">{cells}</tr>')
    return (
        f'<div class="yearly">{_p(yearly.title, "bold")}<table class="results"><colgroup>{columns}</colgroup>'
        f"<thead><tr>{titles}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def render_html(report: Report, images: ChartImages) -> str:
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{escape(report.title)} {escape(report.subject.replace(chr(10), ' '))}</title>"
        f"<style>{_css()}</style></head><body>"
        f"{_header(report)}{_title(report)}{_body(report, images)}{_signature(report)}"
        f"{_annex(report, images)}</body></html>"
    )
