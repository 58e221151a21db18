"""Choose the reader from the file's content (then its name): zip packages are Office files."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from chitieu.importer.docx_reader import read_docx
from chitieu.importer.grid import Grid
from chitieu.importer.text import read_text
from chitieu.importer.xlsx_reader import read_xlsx
from chitieu.issues import Issue, Severity
from chitieu.packages import package_problem

_MAGIC = {
    b"\x89PNG": "ảnh PNG",
    b"\xff\xd8\xff": "ảnh JPEG",
    b"GIF8": "ảnh GIF",
    b"%PDF": "tệp PDF",
    b"\xd0\xcf\x11\xe0": "tệp Office cũ (.doc/.xls): hãy lưu lại thành .docx hoặc .xlsx",
    b"MZ": "chương trình máy tính (.exe)",
    b"\x7fELF": "chương trình máy tính",
}
_HTML = (b"<!doctype html", b"<html")


def _error(where: str, message: str, code: str) -> list[Issue]:
    return [Issue(Severity.ERROR, where, message, code)]


def read_grid(data: bytes, filename: str) -> Grid | list[Issue]:
    suffix = PurePath(filename).suffix.lower()
    if not data.strip():
        return _error("file", "tệp rỗng", "empty")
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return _error(
                "file",
                f"tệp là {kind}, không phải phụ lục kế hoạch (.txt, .csv, .xlsx, .docx)",
                "not_a_table",
            )
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(_HTML):
        return _error("file", "tệp là trang web (HTML), không phải phụ lục kế hoạch", "not_a_table")
    if data.startswith(b"PK"):
        return _office(data, suffix)
    if suffix in (".xlsx", ".xlsm", ".docx"):
        return _error("file", f"tệp không phải {suffix} hợp lệ (không phải gói Office)", "bad_office_file")
    return read_text(data)


def _office(data: bytes, suffix: str) -> Grid | list[Issue]:
    problem = package_problem(data)  # zip bombs and the like, before any parser sees the file
    if problem is not None and problem.code == "bad_zip":
        kind = suffix or "Office"
        return _error(
            "file", f"tệp {kind} bị hỏng hoặc không đầy đủ (không mở được gói zip)", "bad_office_file"
        )
    if problem is not None:
        return _error("file", problem.message, problem.code)
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    if "word/document.xml" in names:
        return read_docx(data)
    if "xl/workbook.xml" in names:
        return read_xlsx(data)
    return _error(
        "file", "tệp nén không phải tài liệu Word (.docx) hay bảng tính Excel (.xlsx)", "bad_office_file"
    )
