"""Office files (.xlsx, .docx) are zip packages: look inside before any library parses them.

A few kilobytes can unpack to gigabytes (a zip bomb), an XML part can declare
entities that expand without end, and one merged range "A1:XFD1048576" makes
openpyxl build seventeen billion cell objects. None of these occur in a real
annex or evidence file, so they are refused here, from the zip's directory and a
bounded scan of the XML, before openpyxl or python-docx touch the file.

The sizes in the zip directory bound what Python's zipfile will ever unpack: it
stops at the declared size, so checking the directory is enough.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

MAX_MEMBERS = 2000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # all parts, images included
MAX_XML_BYTES = 20 * 1024 * 1024  # the parts a reader parses
MAX_MERGED_CELLS = 100_000  # one merged range; a whole annex has a few hundred cells

_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_REF = re.compile(r"([A-Za-z]{1,3})(\d{1,7})")
_DECLARATIONS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)


@dataclass(frozen=True)
class PackageProblem:
    code: str  # bad_zip, too_many_parts, unpacks_too_large, xml_declarations, merge_too_large
    message: str  # Vietnamese, for people


def _column(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def merged_cells(ref: str) -> int:
    """How many cells a range such as "A1:XFD1048576" covers (1 for one cell or an unreadable ref)."""
    corners = [_REF.fullmatch(part.strip().replace("$", "")) for part in ref.split(":")]
    if len(corners) != 2 or not all(corners):
        return 1
    (c1, r1), (c2, r2) = ((_column(m[1]), int(m[2])) for m in corners if m is not None)
    return (abs(c2 - c1) + 1) * (abs(r2 - r1) + 1)


def package_problem(data: bytes) -> PackageProblem | None:
    """Why this zip package must not be opened, or None when it is safe to hand to a reader."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except Exception:  # BadZipFile, NotImplementedError, ValueError… on damaged packages
        return PackageProblem("bad_zip", "tệp bị hỏng hoặc không đầy đủ (không mở được gói zip)")
    if len(members) > MAX_MEMBERS:
        return PackageProblem("too_many_parts", f"tệp nén có quá nhiều thành phần ({len(members)})")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_BYTES:
        return PackageProblem(
            "unpacks_too_large",
            f"tệp nén giải nén ra quá lớn ({unpacked // (1024 * 1024)} MB, tối đa "
            f"{MAX_UNPACKED_BYTES // (1024 * 1024)} MB): có thể là tệp độc hại",
        )
    xml = _markup_parts(data, members)
    if sum(m.file_size for m in xml) > MAX_XML_BYTES:
        return PackageProblem(
            "unpacks_too_large",
            f"phần nội dung của tệp quá lớn (tối đa {MAX_XML_BYTES // (1024 * 1024)} MB sau khi giải nén)",
        )
    return _xml_problem(data, xml)


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _looks_like_markup(head: bytes) -> bool:
    """XML (any encoding a parser accepts) starts with "<" after a byte-order mark and blanks."""
    for bom in _BOMS:
        head = head.removeprefix(bom)
    head = head.replace(b"\x00", b"").lstrip()  # UTF-16 without a mark
    return head.startswith(b"<")


def _markup_parts(data: bytes, members: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """Every part a reader may parse as XML, whatever its name.

    A reader follows the package's relationships, not file extensions: a worksheet stored
    as ``sheet1.bin`` is still parsed. So every part that starts like markup is scanned;
    pictures and other binary parts are not (a PNG may hold "<!DOCTYPE" by chance).
    """
    package = zipfile.ZipFile(io.BytesIO(data))
    parts = []
    for member in members:
        if member.filename.lower().endswith((".xml", ".rels")):
            parts.append(member)
            continue
        try:
            with package.open(member) as stream:
                head = stream.read(64)
        except Exception:  # a damaged part: the reader will say the file is damaged
            continue
        if _looks_like_markup(head):
            parts.append(member)
    return parts


def _xml_problem(data: bytes, xml: list[zipfile.ZipInfo]) -> PackageProblem | None:
    package = zipfile.ZipFile(io.BytesIO(data))
    for member in xml:
        try:
            content = package.read(member)
        except Exception:  # a damaged part: the reader will say the file is damaged
            continue
        if any(marker in content for marker in _DECLARATIONS):
            return PackageProblem(
                "xml_declarations",
                f"tệp chứa khai báo XML không được phép ({member.filename}): có thể là tệp độc hại",
            )
        for match in _MERGE.finditer(content):
            ref = match[1].decode("ascii", errors="replace")
            if merged_cells(ref) > MAX_MERGED_CELLS:
                return PackageProblem(
                    "merge_too_large",
                    f"vùng ô gộp {ref} quá lớn (quá {MAX_MERGED_CELLS} ô): không phải bảng phụ lục",
                )
    return None
