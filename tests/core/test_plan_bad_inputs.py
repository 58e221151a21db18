"""Files that are not a usable plan end with exit 1 and a message naming the file and where."""

import random
import subprocess
import sys
import unicodedata

import pytest

from chitieu.cli import main
from tests.core import annex_files, kon_ray

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def _no_targets() -> bytes:
    lines = kon_ray.ANNEX.read_text(encoding="utf-8").split("\n")
    kept = ["\t".join(line.split("\t")[:2] + line.split("\t")[4:]) for line in lines]
    kept = [line.replace("Giai đoạn 2021-2025", "").replace("Năm 2024", "") for line in kept]
    return "\n".join(kept).encode()


def _truncated_docx() -> bytes:
    data = annex_files.build_docx(annex_files.real_annex())
    return data[: len(data) // 2]


def _unsupported_zip_version() -> bytes:
    """A damaged central directory claiming a zip version Python cannot read (12.8)."""
    data = bytearray(annex_files.build_xlsx(annex_files.real_annex()))
    central = data.index(b"PK\x01\x02")
    data[central + 6] = 128
    return bytes(data)


def _abc_percent() -> bytes:
    text = kon_ray.ANNEX.read_text(encoding="utf-8")
    return text.replace("\t27%\t26.6%\t", "\t27%\tabc%\t").encode()


CASES = {
    "empty": ("rong.txt", b"", "file: tệp rỗng"),
    "random-bytes": ("ngau-nhien.csv", random.Random(7).randbytes(2000), "line "),
    "png-renamed": ("anh.xlsx", PNG, "file: tệp là ảnh PNG"),
    "truncated-docx": ("phu-luc.docx", _truncated_docx(), "file: tệp .docx bị hỏng hoặc không đầy đủ"),
    "no-target-columns": ("khong-cot.txt", _no_targets(), "không tìm thấy cột chỉ tiêu theo kỳ"),
    "abc-percent": ("phu-luc.txt", _abc_percent(), "line 14, cell D: không đọc được số trong 'abc%'"),
    "abc-percent-docx": (
        "phu-luc.docx",
        annex_files.build_docx(annex_files.with_problems(annex_files.real_annex())),
        "row 6, cell D: không đọc được số trong 'abc%'",
    ),
    "abc-percent-xlsx": (
        "phu-luc.xlsx",
        annex_files.build_xlsx(annex_files.with_problems(annex_files.real_annex())),
        "sheet Phụ lục, cell D10: không đọc được số trong 'abc%'",
    ),
    "zip-version": ("phu-luc.xlsx", _unsupported_zip_version(), "file: tệp .xlsx bị hỏng"),
    "garbage-xlsx-zip": ("hong.xlsx", annex_files.build_xlsx(annex_files.real_annex())[:3000], "bị hỏng"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_exits_1_naming_file_and_place(case, tmp_path, capsys):
    filename, data, expected = CASES[case]
    path = tmp_path / filename
    path.write_bytes(data)
    assert main(["plan", "check", str(path), "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{path}: " in captured.err
    assert expected in captured.err
    assert "Traceback" not in captured.err


def test_cp1258_text_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "cu.txt"
    text = unicodedata.normalize("NFD", "TT\tMục tiêu\tNăm 2024\n1\tPhòng Y tế\t5%\n")
    path.write_bytes(text.encode("cp1258", errors="replace"))
    assert main(["plan", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert "line 1" in err and "UTF-8" in err


def test_missing_file(tmp_path, capsys):
    assert main(["plan", "check", str(tmp_path / "khong-co.docx")]) == 1
    assert "không mở được tệp" in capsys.readouterr().err


def test_bad_input_through_the_console_script(tmp_path):
    path = tmp_path / "anh.xlsx"
    path.write_bytes(PNG)
    proc = subprocess.run(
        [sys.executable, "-m", "chitieu", "plan", "check", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert f"{path}: file: tệp là ảnh PNG" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_an_unexpected_failure_is_reported_with_the_file_name(tmp_path, capsys, monkeypatch):
    """Even a bug in a reader ends as a message naming the file, not a traceback."""
    import chitieu.commands.plan_check

    def broken(path):
        raise RuntimeError("reader bug")

    monkeypatch.setattr(chitieu.commands.plan_check, "read_plan", broken)
    path = tmp_path / "phu-luc.txt"
    path.write_bytes(kon_ray.ANNEX.read_bytes())
    assert main(["plan", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{path}: lỗi không mong đợi") and "reader bug" in err
