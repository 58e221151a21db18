"""Hostile inputs for the fuzz tests: tables that look like an annex until they do not.

Structured-but-hostile: most cases start from the real Kon Rẫy annex so that they
reach deep into the pipeline (layout, rows, quantities, plan checks), then get
odd cells (huge and odd numbers, control characters, markup, formulas), rows and
columns inserted or dropped, merged ranges, wrong encodings and truncated files.

``budget(weight)`` scales a test's number of cases with the Hypothesis profile
(``default`` for the suite, ``fuzz`` for ``make fuzz``); ``no_hang`` fails a case
that takes longer than a few seconds instead of letting it hang the suite.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import resource
import signal
import zipfile

from hypothesis import settings
from hypothesis import strategies as st

from tests.core import annex_files

# ------------------------------------------------------------------ budget and time


def budget(weight: float = 1.0) -> settings:
    """Settings for one fuzz test: ``weight`` × the profile's max_examples cases, no deadline."""
    return settings(max_examples=max(10, int(settings().max_examples * weight)), deadline=None)


class Hang(AssertionError):
    pass


@contextlib.contextmanager
def no_hang(seconds: float = 60.0, memory_mb: int = 1500):
    """Fail (not hang, not swap the machine) when one case runs longer than ``seconds`` (wall clock, on a
    busy machine) or needs more than ``memory_mb`` of address space beyond what the process holds."""

    def expired(signum, frame):
        raise Hang(f"one case ran longer than {seconds} s")

    page = os.sysconf("SC_PAGE_SIZE")
    with open("/proc/self/statm") as statm:
        in_use = int(statm.read().split()[0]) * page
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (in_use + memory_mb * 1024 * 1024, hard))
    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


# ------------------------------------------------------------------ cells

ODD_NUMBERS = [
    "1e999999",
    "-1e999999",
    "1E-400",
    "NaN",
    "nan%",
    "Infinity",
    "-inf",
    "sNaN",
    "9" * 400,
    "0." + "0" * 300 + "1",
    "9" * 40 + "%",
    "1.234.567,89",
    "1,234,567.89",
    "1,2,3",
    "1..2",
    ".5",
    "5.",
    "--1",
    "+-3",
    "-0",
    "0/0",
    "1/0",
    "100/0",
    "/100.000",
    "5/",
    "１２３",
    "٣٤٫٥",
    "²",
    "⅕",
    "1_000",
    "0x1F",
    "1e5",
    "-5%",
    "−5",
    "120%",
    "100.000/100.000",
    "3/0,5",
    "0,000001 lần",
    "99999999999999999999 tin/quý",
    "31.6/100.000.000.000.000.000 trẻ",
    "1.000.0000",
    "1,7 lần lần",
    "% 5",
    "5 %%",
    "ít nhất -3%",
]
MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}",
    "{% debug %}",
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "&lt;b&gt;",
    "&amp;",
    "]]>",
    "'; DROP TABLE plans; --",
    "${jndi:ldap://x}",
    "../../../etc/passwd",
    "%s%s%n",
    "\\x00",
]
CONTROL = "\x00\x01\x07\x08\x0b\x0c\x0e\x1b\x1f\x7f\x85\xa0\u200b\u200e\u202e\u2028\u2029\ufeff\ufffd\ufffe"
ANNEX_WORDS = [
    "TT",
    "Mục tiêu",
    "Mục tiêu 1:",
    "Mục tiêu/chỉ tiêu",
    "Giai đoạn 2021-2025",
    "Năm 2024",
    "Năm 2025",
    "Đơn vị chủ trì",
    "Chỉ tiêu",
    "1",
    "1.1",
    "2.3",
    "5.2",
    "a)",
    "-",
    "60%",
    "26.6%",
    "1,7 lần",
    "31.6/100.000 trẻ",
    "03 tin, bài/quý",
    "Giảm 5%",
    "Duy trì",
    "ít nhất 80%",
    "Phòng Y tế",
    "UBND các xã, thị trấn",
    "Phòng Lao động - Thương binh và Xã hội",
    "",
    " ",
    "\n",
]
NUMBER_LIKE = st.from_regex(
    r"[+-]?\d{1,6}([.,]\d{1,4}){0,3}(%| lần|/100\.000| tin/quý|/1\.000 trẻ)?", fullmatch=True
)

CELLS = st.one_of(
    st.sampled_from(ANNEX_WORDS),
    st.sampled_from(ODD_NUMBERS),
    st.sampled_from(MARKUP),
    NUMBER_LIKE,
    st.text(max_size=40),
    st.text(alphabet=CONTROL + "ab1.,%/ ", max_size=12),
    st.integers(-(10**30), 10**30).map(str),
    st.floats().map(repr),
)


def _without_xml_illegal(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text).replace("\ufffe", "").replace("\uffff", "")


# ------------------------------------------------------------------ tables

REAL = annex_files.real_annex()
REAL_ROWS = annex_files.table_rows(REAL)


@st.composite
def tables(draw) -> tuple[list[str], list[list[str]]]:
    """(title lines, rows of cells): the real annex mutated, or a table made of hostile cells."""
    if draw(st.integers(0, 4)) == 0:
        width = draw(st.integers(1, 8))
        rows = draw(st.lists(st.lists(CELLS, min_size=width, max_size=width), max_size=12))
        titles = draw(st.lists(CELLS, max_size=3))
        return titles, rows
    start = draw(st.integers(0, len(REAL_ROWS) - 1))
    stop = draw(st.integers(start + 1, len(REAL_ROWS)))
    rows = [list(r) for r in (REAL_ROWS[:2] + REAL_ROWS[max(2, start) : stop])]
    for _ in range(draw(st.integers(0, 8))):
        action = draw(st.sampled_from(["cell", "cell", "cell", "insert", "delete", "column", "copy"]))
        r = draw(st.integers(0, len(rows) - 1)) if rows else 0
        if action == "cell" and rows:
            row = rows[r]
            if row:
                row[draw(st.integers(0, len(row) - 1))] = draw(CELLS)
        elif action == "insert":
            rows.insert(r, draw(st.lists(CELLS, max_size=7)))
        elif action == "delete" and rows:
            del rows[r]
        elif action == "column":
            at = draw(st.integers(0, 6))
            for row in rows:
                row.insert(min(at, len(row)), draw(CELLS))
        elif action == "copy" and rows:
            rows.insert(r, list(rows[r]))
    titles = draw(st.sampled_from([REAL.titles, [], [draw(CELLS)], [*REAL.titles, draw(CELLS)]]))
    return list(titles), rows


def _rectangles(draw, height: int, width: int) -> list[tuple[int, int, int, int]]:
    """Non-overlapping merged ranges (top, left, bottom, right) inside the table."""
    taken: set[tuple[int, int]] = set()
    found = []
    if not height or not width:
        return found
    for _ in range(draw(st.integers(0, 6))):
        top = draw(st.integers(0, height - 1))
        left = draw(st.integers(0, width - 1))
        bottom = draw(st.integers(top, min(height - 1, top + 3)))
        right = draw(st.integers(left, min(width - 1, left + 4)))
        cells = {(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)}
        if len(cells) > 1 and not cells & taken:
            taken |= cells
            found.append((top, left, bottom, right))
    return found


# ------------------------------------------------------------------ text files

ENCODINGS = ["utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1258", "latin-1", "utf-32"]


@st.composite
def text_files(draw) -> bytes:
    titles, rows = draw(tables())
    delimiter = draw(st.sampled_from(["\t", "\t", ";", ",", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if draw(st.booleans()):
        out = io.StringIO()
        import csv

        csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows([[t] for t in titles] + rows)
        text = out.getvalue()
    else:  # pasted by hand: no quoting at all, quotes left unbalanced
        text = newline.join([*titles, *(delimiter.join(r) for r in rows)])
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    return damage_bytes(draw, data)


def damage_bytes(draw, data: bytes) -> bytes:
    """Sometimes truncate, sometimes overwrite a few bytes: files cut by a failed upload or copy.

    Positions are drawn independently of the length, which varies between runs for Office files
    (their packages hold the time they were written)."""
    choice = draw(st.integers(0, 5))
    if choice == 0 and data:
        return data[: draw(st.integers(0, 10**6)) % len(data)]
    if choice == 1 and data:
        damaged = bytearray(data)
        for _ in range(draw(st.integers(1, 6))):
            damaged[draw(st.integers(0, 10**6)) % len(damaged)] = draw(st.integers(0, 255))
        return bytes(damaged)
    return data


# ------------------------------------------------------------------ Excel workbooks

NUMBER_FORMATS = ["General", "0%", "0.00%", "0.00", "@", "dd/mm/yyyy", "#,##0", '0.0"%"', ";;;"]


def _xlsx_value(draw, text: str):
    """The cell as typed: text, or a number/date/boolean the way Excel stores one."""
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(
            st.one_of(st.integers(-(10**20), 10**20), st.floats(allow_nan=False, allow_infinity=False))
        )
    if kind == 1:
        import datetime as dt

        return draw(
            st.sampled_from([dt.date(2024, 1, 1), dt.datetime(1900, 1, 1, 0, 0), dt.time(12, 30), True])
        )
    if kind == 2 and re.fullmatch(r"\d{1,15}(\.\d{1,6})?", text):
        return float(text) if "." in text else int(text)
    return _without_xml_illegal(text) or None


@st.composite
def xlsx_files(draw) -> bytes:
    from openpyxl import Workbook

    titles, rows = draw(tables())
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = draw(st.sampled_from(["Phụ lục", "Sheet1", "'x'", "a" * 31, "Biểu 01 (2024)"]))
    if draw(st.integers(0, 4)) == 0:  # an empty first sheet before the real one
        sheet = workbook.create_sheet("Phụ lục 2")
    first = len(titles)
    for r, text in enumerate(titles):
        sheet.cell(r + 1, 1, _xlsx_value(draw, text))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cell = sheet.cell(first + r + 1, c + 1, _xlsx_value(draw, text))
            if draw(st.integers(0, 6)) == 0:
                cell.number_format = draw(st.sampled_from(NUMBER_FORMATS))
    width = max((len(r) for r in rows), default=0)
    for top, left, bottom, right in _rectangles(draw, len(rows), width):
        sheet.merge_cells(
            start_row=first + top + 1, start_column=left + 1, end_row=first + bottom + 1, end_column=right + 1
        )
    out = io.BytesIO()
    workbook.save(out)
    data = out.getvalue()
    if draw(st.integers(0, 3)) == 0:
        data = mutate_package(draw, data, "xl/worksheets/sheet1.xml", XLSX_SNIPPETS)
    return damage_bytes(draw, data)


# Things a damaged or malicious workbook may hold, put where the sheet's XML ends.
XLSX_SNIPPETS = [
    b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
    b'<mergeCells count="1"><mergeCell ref="B2:A1"/></mergeCells>',
    b'<mergeCells count="1"><mergeCell ref="ZZZ"/></mergeCells>',
    b'<sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
    b'<sheetData><row r="1"><c r="A1"><v>1e999</v></c><c r="B1"><v>nan</v></c></row></sheetData>',
    b'<sheetData><row r="1"><c r="A1" t="e"><v>#DIV/0!</v></c><c r="B1" t="b"><v>7</v></c></row></sheetData>',
    b'<sheetData><row r="1"><c r="A1" t="s"><v>99999</v></c><c r="B1" t="n"><v>abc</v></c></row></sheetData>',
    b'<sheetData><row r="-1"><c r="A0"><v>1</v></c></row></sheetData>',
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&#0;</t></is></c></row></sheetData>',
    b"<!-- unterminated",
    b"",
]


def mutate_package(draw, data: bytes, part: str, snippets: list[bytes]) -> bytes:
    """Replace an element of one part of the zip by a hostile snippet (or insert one)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == part:
                snippet = draw(st.sampled_from(snippets))
                tag = snippet[1:].split(b" ")[0].split(b">")[0]
                found = re.search(
                    rb"<" + re.escape(tag) + rb"[ >].*?</" + re.escape(tag) + rb">", content, re.S
                )
                if tag and found:
                    content = content[: found.start()] + snippet + content[found.end() :]
                else:
                    close = content.rfind(b"</")
                    content = content[:close] + snippet + content[close:]
            target.writestr(info, content)
    return out.getvalue()


# ------------------------------------------------------------------ Word documents


_DOCX_TEMPLATE: dict[str, bytes] = {}


def _docx_template() -> dict[str, bytes]:
    """The parts of python-docx's blank document, made once (building a Document per case is slow)."""
    if not _DOCX_TEMPLATE:
        from docx import Document

        out = io.BytesIO()
        Document().save(out)
        package = zipfile.ZipFile(out)
        _DOCX_TEMPLATE.update({name: package.read(name) for name in package.namelist()})
    return _DOCX_TEMPLATE


def _w_text(text: str) -> str:
    from xml.sax.saxutils import escape

    lines = _without_xml_illegal(text).split("\n")
    runs = "".join(f'<w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r>' for line in lines)
    return f"<w:p>{runs}</w:p>"


def _w_table(draw, rows: list[list[str]]) -> str:
    """A Word table as Word writes it: merged cells as gridSpan (across) and vMerge (down)."""
    width = max((len(r) for r in rows), default=0)
    merges = _rectangles(draw, len(rows), width)
    start = {(t, left): (b, r) for t, left, b, r in merges}
    xml = [f"<w:tbl><w:tblGrid>{'<w:gridCol/>' * width}</w:tblGrid>"]
    for r, row in enumerate(rows):
        xml.append("<w:tr>")
        c = 0
        while c < width:
            text = row[c] if c < len(row) else ""
            owner = next(((t, left) for t, left, b, rr in merges if t <= r <= b and left <= c <= rr), None)
            if owner is None:
                xml.append(f"<w:tc>{_w_text(text)}</w:tc>")
                c += 1
                continue
            bottom, right = start[owner]
            span = right - owner[1] + 1
            first_row = r == owner[0]
            props = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + (
                ('<w:vMerge w:val="restart"/>' if first_row else "<w:vMerge/>") if bottom > owner[0] else ""
            )
            body = _w_text(text) if first_row else "<w:p/>"
            xml.append(f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>")
            c += span
        xml.append("</w:tr>")
    xml.append("</w:tbl>")
    return "".join(xml)


@st.composite
def docx_files(draw) -> bytes:
    titles, rows = draw(tables())
    body = [_w_text(t) for t in titles]
    if rows and max(len(r) for r in rows):
        body.append(_w_table(draw, rows))
        if draw(st.integers(0, 5)) == 0:  # a second table after a paragraph
            body += [_w_text(draw(CELLS)), _w_table(draw, [[draw(CELLS)]])]
    template = _docx_template()
    document = template["word/document.xml"].decode()
    head, _, rest = document.partition("<w:body>")
    tail = rest[rest.index("<w:sectPr") :]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in template.items():
            if name == "word/document.xml":
                content = (head + "<w:body>" + "".join(body) + tail).encode()
            package.writestr(name, content)
    data = out.getvalue()
    if draw(st.integers(0, 3)) == 0:
        data = mutate_package(draw, data, "word/document.xml", DOCX_SNIPPETS)
    return damage_bytes(draw, data)


_TC = b"<w:tc><w:tcPr>%s</w:tcPr><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:tc>"
DOCX_SNIPPETS = [
    b"<w:tbl><w:tr>" + _TC % (b'<w:gridSpan w:val="999999999"/>', b"TT") + b"</w:tr></w:tbl>",
    b"<w:tbl><w:tr>" + _TC % (b'<w:gridSpan w:val="-4"/>', b"x") + b"</w:tr></w:tbl>",
    b"<w:tbl><w:tr>" + _TC % (b'<w:gridSpan w:val="abc"/><w:vMerge/>', b"x") + b"</w:tr></w:tbl>",
    b'<w:tbl><w:tr><w:trPr><w:gridBefore w:val="2147483647"/></w:trPr>'
    + _TC % (b"", b"1")
    + b"</w:tr></w:tbl>",
    b"<w:tbl><w:tr>" + _TC % (b'<w:vMerge w:val="continue"/>', b"") + b"</w:tr></w:tbl>",
    b"<w:tbl><w:tr><w:tc><w:tbl><w:tr>"
    + _TC % (b"", b"nested")
    + b"</w:tr></w:tbl><w:p/></w:tc></w:tr></w:tbl>",
    b"<w:tbl><w:sdt><w:sdtContent><w:tr>" + _TC % (b"", b"TT") + b"</w:tr></w:sdtContent></w:sdt></w:tbl>",
    b"<w:tbl></w:tbl>",
    b"<w:p><w:r><w:t>" + b"x" * 5000 + b"</w:t></w:r></w:p>",
    b"<w:p><w:r><w:t>&#xFFFF;</w:t></w:r></w:p>",
    b"<w:tbl><w:tr>",
]
