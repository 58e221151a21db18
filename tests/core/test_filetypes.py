"""Evidence types are recognised by content, whatever the file name says."""

import io

import docx
import openpyxl

from chitieu.filetypes import sniff


def _docx() -> bytes:
    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Biên bản")
    document.save(out)
    return out.getvalue()


def _xlsx() -> bytes:
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


def test_real_office_files_are_recognised():
    assert sniff(_docx()) == "docx"
    assert sniff(_xlsx()) == "xlsx"


def test_signatures():
    assert sniff(b"%PDF-1.7\n...") == "pdf"
    assert sniff(b"\x89PNG\r\n\x1a\n\x00\x00") == "png"
    assert sniff(b"\xff\xd8\xff\xe0JFIF") == "jpeg"


def test_other_content_is_refused():
    assert sniff(b"MZ\x90\x00 executable") is None
    assert sniff(b"<html>") is None
    assert sniff(b"PK\x03\x04 not really a zip") is None
    assert sniff(b"") is None
