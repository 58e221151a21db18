"""Each crash or hang the fuzz tests found, kept as a plain test so it cannot come back."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest

from chitieu.importer import read_plan_bytes
from chitieu.importer.formats import read_grid
from chitieu.number_input import parse_number_input
from chitieu.observation_csv import read_observations_csv, read_observations_text
from chitieu.packages import MAX_UNPACKED_BYTES, merged_cells, package_problem
from chitieu.periods import PeriodKeyError, parse_period
from chitieu.quantity import format_number, to_decimal
from tests.core import annex_files
from tests.core.fuzz import no_hang

XLSX = annex_files.build_xlsx(annex_files.real_annex())
DOCX = annex_files.build_docx(annex_files.real_annex())
HEADER = "indicator,period,org_unit,sex,numerator,denominator,value,note\n"


def _repacked(data: bytes, part: str, edit) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            target.writestr(name, edit(content) if name == part else content)
    return out.getvalue()


def _no_crash(result) -> None:
    assert not [i for i in result.issues if i.code == "internal"], result.issues


@pytest.mark.parametrize("number", [b"1e300", b"123456789012345678901234567890123", b"1e-300"])
def test_an_excel_cell_holding_a_huge_or_tiny_number_is_read(number):
    # was: decimal.InvalidOperation from quantize (beyond the 28-digit context)
    data = _repacked(
        XLSX, "xl/worksheets/sheet1.xml", lambda x: x.replace(b"<v>0.6</v>", b"<v>" + number + b"</v>")
    )
    result = read_plan_bytes(data, "phu-luc.xlsx")
    _no_crash(result)


def test_not_a_number_and_infinity_are_no_figures():
    assert to_decimal(float("nan")) is None
    assert to_decimal(float("inf")) is None
    assert to_decimal(Decimal("NaN")) is None
    assert to_decimal(1.5) == Decimal("1.5")


def test_a_merge_over_the_whole_sheet_is_refused_at_once():
    # was: openpyxl built one object per covered cell, 17 billion of them (memory, then a hang)
    whole = b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells></worksheet>'
    data = _repacked(XLSX, "xl/worksheets/sheet1.xml", lambda x: x.replace(b"</worksheet>", whole))
    with no_hang():  # before the fix: 6.7 GB of memory, then no end
        result = read_plan_bytes(data, "phu-luc.xlsx")
    assert result.plan is None
    assert [i.code for i in result.errors] == ["merge_too_large"]
    assert "A1:XFD1048576" in result.errors[0].message


def test_merged_cells_are_counted_from_either_corner():
    assert merged_cells("A1:B2") == 4
    assert merged_cells("B2:A1") == 4
    assert merged_cells("$A$1:$XFD$1048576") == 16384 * 1048576
    assert merged_cells("ZZZ") == 1


def test_one_far_away_cell_does_not_make_a_million_row_grid():
    # was: 15 s to read a 6 KB workbook (300 000 empty cells asked of openpyxl)
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    data = _repacked(XLSX, "xl/worksheets/sheet1.xml", lambda x: x.replace(b"</sheetData>", far))
    grid = read_grid(data, "phu-luc.xlsx")
    assert len(grid.rows) < 50 and grid.width <= 10  # only the cells the annex has
    result = read_plan_bytes(data, "phu-luc.xlsx")
    assert result.plan is not None and len(result.plan.indicators) == 20


@pytest.mark.parametrize(
    ("kind", "part"), [("xlsx", "xl/worksheets/sheet1.xml"), ("docx", "word/document.xml")]
)
def test_xml_entity_declarations_are_refused(kind, part):
    laughs = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    data = _repacked(XLSX if kind == "xlsx" else DOCX, part, lambda x: laughs + x.split(b"?>", 1)[-1])
    result = read_plan_bytes(data, f"phu-luc.{kind}")
    assert [i.code for i in result.errors] == ["xml_declarations"]


def test_a_zip_bomb_is_refused_from_its_directory_before_unpacking():
    bomb = annex_files.zip_bomb("xlsx")
    assert len(bomb) < MAX_UNPACKED_BYTES // 200  # small on disk, huge unpacked
    assert package_problem(bomb).code == "unpacks_too_large"
    result = read_plan_bytes(bomb, "phu-luc.xlsx")
    assert [i.code for i in result.errors] == ["unpacks_too_large"]
    assert "MB" in result.errors[0].message


def test_one_very_wide_line_does_not_make_every_line_as_wide():
    # was: 30 s for a 6 KB text (each of 2 000 lines padded to 2 000 cells); 60 KB hung
    data = b"\t" * 200_000 + b"\n" + b"x\n" * 2000
    grid = read_grid(data, "phu-luc.txt")
    assert grid.width == 64 and len(grid.rows) == 2001
    result = read_plan_bytes(data, "phu-luc.txt")
    _no_crash(result)
    assert result.plan is None


def test_a_text_file_longer_than_any_annex_is_refused_with_its_line():
    result = read_plan_bytes(b"1\tx\t60%\t60%\tPhong\n" * 5001, "phu-luc.txt")
    assert [(i.code, i.where) for i in result.errors] == [("too_many_rows", "line 5001")]


def test_cells_beyond_the_64th_column_are_named_not_silently_dropped():
    annex = annex_files.build_delimited(annex_files.real_annex(), "\t").decode()
    lines = annex.split("\r\n")
    lines[12] += "\t" * 70 + "tràn"
    result = read_plan_bytes("\r\n".join(lines).encode(), "phu-luc.txt")
    assert [i.where for i in result.issues if i.code == "too_many_columns"] == ["line 13"]


@pytest.mark.parametrize("key", ["0000", "0000-Q1", "0001-2025", "9999-H1", "0000-12"])
def test_years_outside_any_plan_are_refused_as_period_keys(key):
    # was: ValueError("year 0 is out of range") escaping the CSV reader
    with pytest.raises(PeriodKeyError):
        parse_period(key)


def test_a_row_for_year_zero_is_an_issue_with_its_line():
    observations, issues = read_observations_text(HEADER + "2.1,0000,,,1,2,,\n")
    assert observations == []
    errors = [i for i in issues if i.severity == "error"]
    assert errors and errors[0].where == "line 2" and "1900" in errors[0].message


def test_period_keys_take_ascii_digits_only():
    with pytest.raises(PeriodKeyError):
        parse_period("２０２４")


def test_numbers_longer_than_28_digits_are_read_exactly():
    # was: the sign multiplication rounded to the 28-digit context
    assert parse_number_input("0,00000000000000000000000000078415124912119066450090150452") == Decimal(
        "7.8415124912119066450090150452E-28"
    )
    assert parse_number_input("-123456789012345678901234567890,5") == Decimal(
        "-123456789012345678901234567890.5"
    )


def test_large_figures_are_formatted_with_fixed_places():
    # was: InvalidOperation from quantize beyond 28 digits
    assert format_number(Decimal("11314373772331861040693244"), 3) == "11.314.373.772.331.861.040.693.244,000"


def test_csv_text_from_a_request_is_never_taken_for_a_file_name(tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text(HEADER + "2.1,2024,,,1,2,,\n", encoding="utf-8")
    assert len(read_observations_csv(str(secret))[0]) == 1  # the command line may name a file
    observations, issues = read_observations_text(str(secret))  # a request body may not
    assert observations == [] and issues


def _renamed(data: bytes, old: str, new: str, edit=lambda x: x) -> bytes:
    """The package with one part renamed, and its relationship and content-type entries updated."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    short_old, short_new = old.rsplit("/", 1)[1].encode(), new.rsplit("/", 1)[1].encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == old:
                target.writestr(new, edit(content))
                continue
            if name.endswith((".rels", "[Content_Types].xml")):
                content = content.replace(short_old, short_new)
            target.writestr(name, content)
    return out.getvalue()


def test_a_merge_bomb_in_a_part_not_named_xml_is_refused():
    # was: only members ending in .xml/.rels were scanned, yet openpyxl reads a worksheet part
    # by its relationship whatever its name: a 5 KB plan took a worker from 152 MB to 1 GB
    whole = b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells></worksheet>'
    data = _renamed(
        XLSX,
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet1.bin",
        lambda x: x.replace(b"</worksheet>", whole),
    )
    assert package_problem(data).code == "merge_too_large"
    with no_hang():
        result = read_plan_bytes(data, "phu-luc.xlsx")
    assert [i.code for i in result.errors] == ["merge_too_large"]


def test_entity_declarations_in_a_part_not_named_xml_are_refused():
    laughs = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    data = _renamed(DOCX, "word/document.xml", "word/document.dat", lambda x: laughs + x.split(b"?>", 1)[-1])
    assert package_problem(data).code == "xml_declarations"


def test_a_well_formed_annex_with_a_picture_is_still_read():
    # binary that happens to hold a marker
    picture = b"\x89PNG\r\n\x1a\n" + b"<!DOCTYPE" + bytes(range(256)) * 8
    source = zipfile.ZipFile(io.BytesIO(XLSX))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
        target.writestr("xl/media/image1.png", picture)
    assert package_problem(out.getvalue()) is None
