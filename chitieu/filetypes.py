"""What an uploaded evidence file really is, from its first bytes, not its name.

A file named "bien-ban.pdf" that is an executable must be refused; a scanned
report saved as ".PDF" or without extension must be accepted.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

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


# What each kind is served as, whatever the uploader's browser claimed, and its file suffixes.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SUFFIXES = {
    "pdf": (".pdf",),
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
    "docx": (".docx",),
    "xlsx": (".xlsx",),
}


def download_name(original: str, kind: str) -> str:
    """The name to save a file under: the uploader's name, with the suffix its content deserves.

    "bien-ban.pdf" holding a PNG is offered as "bien-ban.pdf.png", so no program opens
    it as something it is not.
    """
    name = PurePath(original.replace("\\", "/")).name or "tep"
    if PurePath(name).suffix.lower() in SUFFIXES[kind]:
        return name
    return f"{name}{SUFFIXES[kind][0]}"
