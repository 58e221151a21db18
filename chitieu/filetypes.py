"""What an uploaded evidence file really is, from its first bytes, not its name.

A file named "bien-ban.pdf" that is an executable must be refused; a scanned
report saved as ".PDF" or without extension must be accepted.
"""

from __future__ import annotations

import io
import zipfile

_SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
)
# Office Open XML files are zip archives; the part inside tells Word from Excel.
_OOXML_PARTS = (("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"))


def sniff(data: bytes) -> str | None:
    """'pdf', 'png', 'jpeg', 'docx', 'xlsx', or None for anything else."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        return next((kind for part, kind in _OOXML_PARTS if part in names), None)
    return None
