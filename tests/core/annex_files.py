"""Build the Kon Rẫy annex in other formats, the way people really have it.

The rows are the real annex's; the layout is the original Word table's: title
paragraphs (or title rows) above it, a two-row header where "Mục tiêu, chỉ
tiêu thực hiện" spans the two period columns while "TT", "Mục tiêu/chỉ tiêu"
and "Đơn vị chủ trì" are merged down over both header rows, objective titles
merged across the row, and continuation rows whose lead-unit cell is merged
with the row above (5.2's number cell too).
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from tests.core import kon_ray

WIDTH = 5  # TT | Mục tiêu/chỉ tiêu | Giai đoạn 2021-2025 | Năm 2024 | Đơn vị chủ trì


@dataclass(frozen=True)
class Annex:
    titles: list[str]
    data: list[list[str]]  # rows below the header, blank lines dropped

    def is_objective(self, i: int) -> bool:
        return unicodedata.normalize("NFC", self.data[i][1]).startswith("Mục tiêu")

    def continues(self, i: int) -> bool:
        """An unnumbered indicator row right after another indicator row."""
        return i > 0 and not self.data[i][0] and not self.is_objective(i - 1) and not self.is_objective(i)


def real_annex() -> Annex:
    lines = kon_ray.ANNEX.read_text(encoding="utf-8").split("\n")
    titles = [line for line in lines[:6] if line.strip()]
    data = [(line.split("\t") + [""] * WIDTH)[:WIDTH] for line in lines[8:] if line.strip()]
    return Annex(titles, data)


def with_problems(annex: Annex) -> Annex:
    """A bad target cell ("abc%" for 2.1 in 2024) and 2.3 numbered again as 2.2."""
    data = [list(row) for row in annex.data]
    for row in data:
        if row[0] == "2.1":
            row[3] = "abc%"
        if row[0] == "2.3":
            row[0] = "2.2"
    return Annex(annex.titles, data)


HEADER_TOP = ["TT", "Mục tiêu/chỉ tiêu", "Mục tiêu, chỉ tiêu thực hiện", "", "Đơn vị chủ trì thực hiện"]
HEADER_BOTTOM = ["", "", "Giai đoạn 2021-2025", "Năm 2024", ""]


def merges(annex: Annex, first_data_row: int) -> list[tuple[int, int, int, int]]:
    """(top, left, bottom, right) ranges, 0-based table coordinates."""
    ranges = [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 3), (0, 4, 1, 4)]
    for i in range(len(annex.data)):
        r = first_data_row + i
        if annex.is_objective(i):
            ranges.append((r, 1, r, 4))
        elif annex.continues(i):
            ranges.append((r - 1, 4, r, 4))
            if annex.data[i - 1][0] == "5.2":
                ranges.append((r - 1, 0, r, 0))
    return ranges


def table_rows(annex: Annex) -> list[list[str]]:
    return [HEADER_TOP, HEADER_BOTTOM, *annex.data]


def build_docx(annex: Annex) -> bytes:
    from docx import Document

    document = Document()
    for text in annex.titles:
        document.add_paragraph(text)
    rows = table_rows(annex)
    table = document.add_table(rows=len(rows), cols=WIDTH)
    covered: set[tuple[int, int]] = set()
    for top, left, bottom, right in merges(annex, 2):
        table.cell(top, left).merge(table.cell(bottom, right))
        covered |= {(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)} - {(top, left)}
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if (r, c) not in covered and text:
                table.cell(r, c).text = text
    document.add_paragraph("Ghi chú: số liệu theo báo cáo của các đơn vị.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


SHEET = "Phụ lục"


def build_xlsx(annex: Annex, *, percents_as_numbers: bool = True, numbers_for_codes: bool = False) -> bytes:
    """Title rows, a blank row, then the table; plain percentages stored as numbers with a % format.

    ``numbers_for_codes``: row numbers typed into Excel become numbers (2.1), and so does a
    year header typed as 2024.
    """
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    first = len(annex.titles) + 1  # 0-based row of the table's first header row
    for r, text in enumerate(annex.titles):
        sheet.cell(r + 1, 1, text)
        if r > 0:
            sheet.merge_cells(start_row=r + 1, start_column=1, end_row=r + 1, end_column=WIDTH)
    for r, row in enumerate(table_rows(annex)):
        for c, text in enumerate(row):
            cell = sheet.cell(first + r + 1, c + 1)
            if numbers_for_codes and ((re.fullmatch(r"\d+(\.\d+)?", text) and c == 0) or text == "Năm 2024"):
                number = text.removeprefix("Năm ")
                cell.value = float(number) if "." in number else int(number)
            elif percents_as_numbers and text.endswith("%") and text[:-1].isdigit():
                cell.value = int(text[:-1]) / 100  # 0.6 shown as 60%
                cell.number_format = "0%"
            elif text:
                cell.value = text
    for top, left, bottom, right in merges(annex, 2):
        sheet.merge_cells(
            start_row=first + top + 1, start_column=left + 1, end_row=first + bottom + 1, end_column=right + 1
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def build_delimited(annex: Annex, delimiter: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for title in annex.titles:
        writer.writerow([title])
    writer.writerow([])
    writer.writerows(table_rows(annex))
    return out.getvalue().encode("utf-8")


@functools.lru_cache(maxsize=2)
def zip_bomb(kind: str) -> bytes:
    """The real annex as .docx or .xlsx plus one part of zeros that unpacks past
    ``chitieu.packages.MAX_UNPACKED_BYTES``: a few hundred kilobytes on disk."""
    from chitieu.packages import MAX_UNPACKED_BYTES

    source = build_docx(real_annex()) if kind == "docx" else build_xlsx(real_annex())
    package = zipfile.ZipFile(io.BytesIO(source))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for name in package.namelist():
            bomb.writestr(name, package.read(name))
        with bomb.open("media/zeros.bin", "w") as zeros:
            chunk = bytes(1 << 20)
            for _ in range(MAX_UNPACKED_BYTES // len(chunk) + 1):
                zeros.write(chunk)
    return out.getvalue()
