"""The three renderers, fed a hand-built report model and opened with real readers."""

from __future__ import annotations

import io
import subprocess
from dataclasses import replace
from decimal import Decimal

import pytest
from docx import Document
from docx.shared import Pt
from openpyxl import load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from chitieu.reports import filename, render
from chitieu.reports.excel import OBSERVATIONS_SHEET, RESULTS_SHEET, row_height
from chitieu.reports.model import ObservationRow, RowKind
from chitieu.reports.numbers import format_number
from tests.reports.sample import sample_report

REPORT = sample_report()


@pytest.fixture(scope="module")
def docx_document():
    return Document(io.BytesIO(render(REPORT, "docx")))


@pytest.fixture(scope="module")
def workbook():
    return load_workbook(io.BytesIO(render(REPORT, "xlsx")))


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "bao-cao.pdf"
    path.write_bytes(render(REPORT, "pdf"))
    return path


def _all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


# ---------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("1234.5", "1.234,5"),
        ("52.1666", "52,17"),
        ("100", "100"),
        ("0.5", "0,5"),
        ("-1234567.891", "-1.234.567,89"),
        ("-0.001", "0"),
        ("31.60", "31,6"),
    ],
)
def test_numbers_are_written_the_vietnamese_way(value, text):
    assert format_number(Decimal(value)) == text


# ------------------------------------------------------------------------- docx


def test_docx_portrait_body_is_a4_with_decree_margins(docx_document):
    body = docx_document.sections[0]
    assert (round(body.page_width.mm), round(body.page_height.mm)) == (210, 297)
    assert body.orientation == 0  # portrait
    top, bottom, left, right = (
        round(m.mm, 1) for m in (body.top_margin, body.bottom_margin, body.left_margin, body.right_margin)
    )
    assert 20 <= top <= 25 and 20 <= bottom <= 25
    assert 30 <= left <= 35 and 15 <= right <= 20


def test_docx_table_section_is_a4_landscape(docx_document):
    annex = docx_document.sections[-1]
    assert (round(annex.page_width.mm), round(annex.page_height.mm)) == (297, 210)
    assert 30 <= round(annex.left_margin.mm, 1) <= 35


def test_docx_text_is_times_new_roman_13_to_14(docx_document):
    normal = docx_document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size == Pt(14)
    sizes = {run.font.size.pt for p in docx_document.paragraphs for run in p.runs if run.font.size}
    body_sizes = {run.font.size.pt for p in docx_document.paragraphs if p.text.strip() for run in p.runs}
    assert body_sizes <= {12, 13, 14}, sizes
    fonts = {run.font.name for p in docx_document.paragraphs for run in p.runs} - {None}
    assert fonts <= {"Times New Roman"}


def test_docx_has_the_motto_issuer_number_and_date_blocks(docx_document):
    header = docx_document.tables[0].rows[0].cells
    left = [p.text for p in header[0].paragraphs if p.text]
    right = [p for p in header[1].paragraphs if p.text]
    assert left[:2] == ["ỦY BAN NHÂN DÂN", "HUYỆN KON RẪY"]
    assert left[-1].startswith("Số:") and left[-1].endswith("/BC-UBND")
    assert right[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert all(run.bold for run in right[0].runs)
    assert right[1].text == "Độc lập - Tự do - Hạnh phúc"
    assert all(run.bold for run in right[1].runs)
    assert (
        right[1]._p.pPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pBdr") is not None
    ), "the motto has its rule underneath"
    assert right[2].text.replace("\u00a0", " ").startswith("Kon Rẫy, ngày")
    assert all(run.italic for run in right[2].runs)


def test_docx_has_title_signature_and_recipients(docx_document):
    text = _all_text(docx_document)
    assert "BÁO CÁO" in [p.text for p in docx_document.paragraphs]
    for expected in (
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Văn A",
        "Nơi nhận:",
        "- Lưu: VT, LĐTBXH.",
    ):
        assert expected in text


def test_docx_results_table_has_every_row_with_its_assessment(docx_document):
    table = docx_document.tables[-1]
    assert table.rows[0].cells[8].text == "Đánh giá"
    body = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert len(body) == len(REPORT.rows)
    for cells, row in zip(body, REPORT.rows, strict=True):
        if row.kind is RowKind.OBJECTIVE:
            assert cells[0] == row.stt and cells[1] == row.text
            continue
        assert row.text in cells[1]
        assert cells[8] == row.assessment.label
        assert cells[6] == ("-" if row.actual is None else format_number(row.actual))
    assert [c[0] for c in body if c[0] and "." in c[0]] == ["1.1", "2.1", "2.2", "4.2", "5.2a"]


def test_docx_embeds_the_charts_as_png(docx_document):
    images = [rel.target_part for rel in docx_document.part.rels.values() if "image" in rel.reltype]
    assert len(images) == 2
    assert all(part.blob.startswith(b"\x89PNG") for part in images)


# ------------------------------------------------------------------------- xlsx


def test_xlsx_results_are_numbers_not_text(workbook):
    sheet = workbook[RESULTS_SHEET]
    rows = {row[0].value: row for row in sheet.iter_rows() if row[0].value}
    row = rows["2.1"]
    assert row[7].value == pytest.approx(52.17) and row[7].data_type == "n"
    assert row[7].number_format == "#,##0.00"
    assert row[4].value == 50 and row[4].number_format == "#,##0"
    assert row[3].value == "≥"
    assert row[10].value == "Vượt"
    assert rows["4.2"][7].value is None and rows["4.2"][10].value == "Chưa có số liệu"
    assert rows["4.2"][6].value == pytest.approx(1234.5)


def test_xlsx_every_indicator_row_is_there(workbook):
    sheet = workbook[RESULTS_SHEET]
    codes = [row[0].value for row in sheet.iter_rows(min_row=5)]
    assert [c for c in codes if c and "." in c] == [r.stt for r in REPORT.indicator_rows]
    labels = [row[10].value for row in sheet.iter_rows(min_row=5) if row[0].value and "." in row[0].value]
    assert labels == [r.assessment.label for r in REPORT.indicator_rows]


def test_xlsx_prints_on_a4_landscape_with_frozen_titles(workbook):
    for sheet in workbook:
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.freeze_panes is not None
        assert sheet.print_title_rows
    assert workbook[RESULTS_SHEET].freeze_panes == "C6"


def test_xlsx_lists_the_observations_behind_the_results(workbook):
    sheet = workbook[OBSERVATIONS_SHEET]
    data = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert data[0][:7] == ["2.1", "2024", "Toàn địa bàn", "Chung", 1200, 2300, None]
    assert data[1][2:4] == ["Xã Đăk Kôi", "Nữ"]


# -------------------------------------------------------------------------- pdf


def test_xlsx_every_observation_cell_is_boxed_wrapped_in_the_report_font_and_keeps_its_format(workbook):
    # The sheet styles its cells by the ids of the first cell's styles (openpyxl hashed a whole
    # Font, Border and Alignment per cell): every cell must still carry them, with its own format.
    sheet = workbook[OBSERVATIONS_SHEET]
    rows = list(sheet.iter_rows(min_row=4))
    assert len(rows) > 1
    for row in rows:
        for cell in row:
            assert cell.font.name == "Times New Roman" and cell.font.size == 11 and not cell.font.b
            assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin"
            assert cell.alignment.wrap_text
    numbers = [c for row in rows for c in row if isinstance(c.value, int | float)]
    assert numbers and all(c.number_format.startswith("#,##0") for c in numbers)


def _figures_workbook(*rows: ObservationRow, read_only: bool = False):
    report = replace(REPORT, observations=rows)
    return load_workbook(io.BytesIO(render(report, "xlsx")), read_only=read_only)


LONG_NOTE = "Số liệu ước tính từ báo cáo sáu tháng của các xã, chưa có xã Đăk Tơ Lung và xã Đăk Ruồng"


def test_xlsx_figures_keep_their_text_formats_and_heights_as_written():
    # The figures' rows are written as sheet XML, not through openpyxl's cells: what openpyxl
    # would have written (text kept as typed, a formula-like note as quoted text, the number's
    # own format, the boxed wrapped style, the wrapped row's height) must be there.
    rows = (
        ObservationRow(
            "2.1", "2024", "", "", None, None, Decimal("52.5"), '=HYPERLINK("http://x","bấm")', "a"
        ),
        ObservationRow(
            "2.2", "2024", "Xã <Đăk> & Kôi", "Nữ", Decimal(3), None, None, "  lề \r\nhai dòng ", "b"
        ),
        ObservationRow("2.3", "2024", "", "Nam", Decimal("1234.567"), Decimal(2), None, LONG_NOTE, "c"),
    )
    sheet = _figures_workbook(*rows)[OBSERVATIONS_SHEET]
    first = [c for c in sheet[4]]
    assert [c.value for c in first[:7]] == ["2.1", "2024", "Toàn địa bàn", "Chung", None, None, 52.5]
    assert first[6].number_format == "#,##0.0" and first[6].data_type == "n"
    assert first[7].value == '=HYPERLINK("http://x","bấm")' and first[7].data_type == "s"
    assert first[7].quotePrefix and not first[0].quotePrefix
    second = [c.value for c in sheet[5]]
    assert second[2] == "Xã <Đăk> & Kôi" and second[4] == 3 and sheet["E5"].number_format == "#,##0"
    assert second[7] == "  lề \r\nhai dòng "
    assert sheet["E6"].value == pytest.approx(1234.567) and sheet["E6"].number_format == "#,##0.00"
    for cell in (c for row in sheet.iter_rows(min_row=4) for c in row):  # the empty ones too
        assert (
            cell.border.top.style == "thin"
            and cell.alignment.wrap_text
            and cell.font.name == "Times New Roman"
        )
    assert sheet.row_dimensions[4].height == 18
    assert sheet.row_dimensions[6].height == row_height([LONG_NOTE], [30]) > 18
    assert sheet.auto_filter.ref == "A3:I6"
    assert [str(cells) for cells in sheet.merged_cells.ranges] == ["A1:I1"]


def test_xlsx_figures_sheet_states_its_used_range():
    rows = [ObservationRow("2.1", str(year), "", "", Decimal(year), None, None) for year in range(2021, 2026)]
    sheet = _figures_workbook(*rows, read_only=True)[OBSERVATIONS_SHEET]
    assert sheet.calculate_dimension() == "A1:I8"


def test_xlsx_refuses_a_control_character_as_openpyxl_does():
    with pytest.raises(IllegalCharacterError):
        _figures_workbook(ObservationRow("2.1", "2024", "", "", None, None, None, "chuông \x07"))


def test_pdf_text_keeps_the_vietnamese_diacritics(pdf_path):
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, check=True, text=True
    ).stdout
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN",
        "HUYỆN KON RẪY",
        "Kết quả thực hiện mục tiêu quốc gia về bình đẳng giới",
        "Nơi nhận:",
        "Chưa có",
        "52,17",
        "1.234,5",
    ):
        assert expected in text, expected


def test_pdf_embeds_its_fonts_and_is_a4(pdf_path):
    fonts = subprocess.run(["pdffonts", str(pdf_path)], capture_output=True, check=True, text=True).stdout
    lines = fonts.splitlines()[2:]
    assert lines and all(" yes " in line for line in lines), fonts
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "2", str(pdf_path)], capture_output=True, check=True, text=True
    ).stdout
    assert "595.28 x 841.89" in info or "595.276 x 841.89" in info, info


def test_pdf_pages_are_not_blank(pdf_path, tmp_path):
    from PIL import Image, ImageStat

    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "2", str(pdf_path), str(tmp_path / "p")], check=True
    )
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == 2
    for page in pages:
        spread = ImageStat.Stat(Image.open(page).convert("L")).stddev[0]
        assert spread > 10, f"{page.name} looks blank"


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="định dạng"):
        render(REPORT, "odt")
    assert filename(REPORT, "xlsx") == "phu-luc-ket-qua-2024.xlsx"


def test_docx_speaks_vietnamese_and_says_who_wrote_it_and_when(docx_document):
    """Word spell-checks by w:lang (was en-US); the properties were python-docx's, from 2013."""
    from datetime import UTC, datetime

    from docx.oxml.ns import qn

    languages = {lang.get(qn("w:val")) for lang in docx_document.styles.element.iter(qn("w:lang"))}
    assert languages == {"vi-VN"}
    properties = docx_document.core_properties
    assert properties.author == REPORT.header.issuing_body.replace("\n", " ")
    assert "python-docx" not in (properties.author + properties.comments + properties.last_modified_by)
    assert abs((datetime.now(UTC) - properties.created.replace(tzinfo=UTC)).total_seconds()) < 600
    assert properties.language == "vi-VN"


def test_docx_tables_carry_their_widths_in_the_grid_and_rows_do_not_split(docx_document):
    """LibreOffice and WPS lay tables out by w:tblGrid, not by the cell widths python-docx sets."""
    from docx.oxml.ns import qn

    for table in docx_document.tables:
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        first = [cell.width.twips for cell in table.rows[0].cells]
        assert grid == first, (grid, first)
    annex = docx_document.tables[-1]
    assert all(
        row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None for row in annex.rows
    )
