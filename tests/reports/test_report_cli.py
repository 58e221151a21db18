"""``chitieu report`` through the real command line (docs/interfaces.md §4)."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys

import pytest
from docx import Document
from openpyxl import load_workbook

from chitieu.plan import plan_as_dict
from tests.reports.district import ANNEX, kon_ray_plan, observations, to_csv


def chitieu(*args):
    return subprocess.run([sys.executable, "-m", "chitieu", *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def data_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "so-lieu.csv"
    path.write_text(to_csv(observations(kon_ray_plan())), encoding="utf-8")
    return path


def test_writes_the_excel_annex_from_the_real_annex(data_file, tmp_path):
    out = tmp_path / "phu-luc.xlsx"
    done = chitieu("report", ANNEX, data_file, "--period", "2024", "--format", "xlsx", "--output", out)
    assert done.returncode == 0, done.stderr
    assert "20 chỉ tiêu" in done.stdout
    sheet = load_workbook(out)["Kết quả"]
    codes = [row[0].value for row in sheet.iter_rows() if row[0].value and "." in str(row[0].value)]
    assert len(codes) == 20
    assert [p.name for p in tmp_path.iterdir()] == ["phu-luc.xlsx"], "no temporary file left behind"


def test_a_plan_in_json_works_too(data_file, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(plan_as_dict(kon_ray_plan()), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "bc.docx"
    done = chitieu(
        "report",
        plan,
        data_file,
        "--period",
        "2024",
        "--format",
        "docx",
        "--output",
        out,
        "--number",
        "12",
        "--date",
        "10/12/2024",
    )
    assert done.returncode == 0, done.stderr
    text = "\n".join(p.text for p in Document(out).paragraphs)
    assert "(số liệu tính đến ngày 10/12/2024)" in text, "a report signed on 10/12 knows figures up to then"


def test_bad_rows_are_named_and_the_old_report_survives(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text(
        "indicator,period,numerator,denominator,value\n2.1,2024,5,0,\n9.9,2024,1,2,\n", encoding="utf-8"
    )
    out = tmp_path / "bc.pdf"
    out.write_bytes(b"previous report")
    done = chitieu("report", ANNEX, data, "--period", "2024", "--format", "pdf", "--output", out)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{data}: dòng 2:" in done.stderr and f"{data}: dòng 3:" in done.stderr
    assert "chưa tạo báo cáo" in done.stderr
    assert out.read_bytes() == b"previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bc.pdf", "data.csv"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--period": "2024-Q5"}, "--period: kỳ báo cáo không hợp lệ"),
        ({"--output": "/khong/co/thu-muc/bc.docx"}, "--output: thư mục /khong/co/thu-muc không tồn tại"),
        ({"--date": "2024-12-10"}, "--date: ngày không hợp lệ"),
        ({"plan": "khong-co.txt"}, "khong-co.txt: không tìm thấy tệp kế hoạch"),
        ({"data": "khong-co.csv"}, "khong-co.csv: không tìm thấy tệp số liệu"),
    ],
)
def test_bad_input_exits_1_with_a_vietnamese_message(change, message, data_file, tmp_path):
    args = {
        "plan": ANNEX,
        "data": data_file,
        "--period": "2024",
        "--format": "docx",
        "--output": tmp_path / "bc.docx",
    }
    args.update(change)
    flags = [x for key, value in args.items() if key.startswith("--") for x in (key, value)]
    done = chitieu("report", args["plan"], args["data"], *flags)
    assert done.returncode == 1, done.stdout
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "bc.docx").exists()


def test_a_plan_that_is_not_a_plan_is_refused(data_file, tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text("chỉ là một dòng chữ\n", encoding="utf-8")
    done = chitieu(
        "report", plan, data_file, "--period", "2024", "--format", "xlsx", "--output", tmp_path / "x.xlsx"
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert str(plan) in done.stderr


RAW_WORDS = re.compile(r"\b(line \d+|\d{4}-Q\d|\d{4}-H\d|\d{4}-\d{2}\b|single|ratio_of_sums|xem lại)")


def _docx_text(path) -> str:
    document = Document(path)
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_official_documents_speak_plain_vietnamese(data_file, tmp_path):
    """Issue 12 items 6–7: no review note, raw period key or "line 4" in the docx or xlsx; units read
    naturally."""
    docx_out, xlsx_out = tmp_path / "bc.docx", tmp_path / "pl.xlsx"
    for out, fmt in ((docx_out, "docx"), (xlsx_out, "xlsx")):
        done = chitieu("report", ANNEX, data_file, "--period", "2024", "--format", fmt, "--output", out)
        assert done.returncode == 0, done.stderr
    text = _docx_text(docx_out)
    assert not RAW_WORDS.findall(text)
    book = load_workbook(xlsx_out)
    cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not RAW_WORDS.findall("\n".join(cells))
    assert "trẻ/100.000 trẻ sinh ra sống" in cells
    assert not any(c.strip().startswith("/") for c in cells), "a unit reads as a unit, not '/ 100.000 trẻ'"
    data = book["Số liệu"] if "Số liệu" in book.sheetnames else book[book.sheetnames[-1]]
    assert any(str(c.value).startswith(("Năm 20", "Quý ", "Tháng ")) for row in data.iter_rows() for c in row)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_the_report_file_gets_the_mode_of_any_new_file(umask, mode, data_file, tmp_path):
    """Not 0600 from mkstemp: a shared office folder must be able to read the report."""
    out = tmp_path / "bao-cao.xlsx"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "chitieu",
            "report",
            ANNEX,
            data_file,
            "--period",
            "2024",
            "--format",
            "xlsx",
            "--output",
            out,
        ],
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.umask(umask),
    )
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == mode


@pytest.mark.parametrize("kind", ["json", "toml"])
def test_header_number_signer_and_recipients_come_from_a_settings_file(kind, data_file, tmp_path):
    settings = {
        "issuing_body": "Ủy ban nhân dân\\nxã Đăk Kôi",
        "parent_body": "Huyện Kon Rẫy",
        "number": "45",
        "signer_title": "KT. CHỦ TỊCH\\nPHÓ CHỦ TỊCH",
        "signer": "Nguyễn Văn An",
        "recipients": ["Sở Nội vụ tỉnh Kon Tum", "Lưu: VT"],
    }
    path = tmp_path / f"cai-dat.{kind}"
    if kind == "json":
        path.write_text(json.dumps(settings, ensure_ascii=False), encoding="utf-8")
    else:
        path.write_text("".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in settings.items()))
    out = tmp_path / "bc.docx"
    done = chitieu(
        "report",
        ANNEX,
        data_file,
        "--period",
        "2024",
        "--format",
        "docx",
        "--output",
        out,
        "--settings",
        path,
    )
    assert done.returncode == 0, done.stderr
    text = _docx_text(out)
    for expected in ("XÃ ĐĂK KÔI", "HUYỆN KON RẪY", "Số: 45/BC-UBND", "PHÓ CHỦ TỊCH", "Nguyễn Văn An"):
        assert expected in text, expected
    assert "- Sở Nội vụ tỉnh Kon Tum;" in text and "- Lưu: VT." in text
    # The command line wins over the file.
    done = chitieu(
        "report", ANNEX, data_file, "--period", "2024", "--format", "docx", "--output", out,
        "--settings", path, "--signer", "Trần Thị Bình",
    )  # fmt: skip
    assert done.returncode == 0 and "Trần Thị Bình" in _docx_text(out)


def test_a_settings_file_with_an_unknown_key_is_refused(data_file, tmp_path):
    path = tmp_path / "cai-dat.json"
    path.write_text('{"signr": "x"}', encoding="utf-8")
    done = chitieu(
        "report", ANNEX, data_file, "--period", "2024", "--format", "docx", "--output", tmp_path / "a.docx",
        "--settings", path,
    )  # fmt: skip
    assert done.returncode == 1 and "signr" in done.stderr
