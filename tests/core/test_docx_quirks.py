"""Word documents as they come back from offices: tracked changes, content controls."""

import io
import zipfile

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from chitieu.importer import read_plan_bytes
from chitieu.plan import plan_as_dict
from tests.core import annex_files, kon_ray


def _edited_annex() -> bytes:
    document = Document(io.BytesIO(annex_files.build_docx(annex_files.real_annex())))
    table = document.tables[0]
    for row in table.rows:
        cell = row.cells[3]
        if cell.text == "26.6%":
            # The year target was changed with "Track changes" on: 27% deleted, 26.6% inserted.
            p = cell.paragraphs[0]._p
            run = p.find(qn("w:r"))
            p.remove(run)
            inserted = parse_xml(f'<w:ins {nsdecls("w")} w:id="91" w:author="Phòng TC-KH"/>')
            inserted.append(run)
            p.append(inserted)
            deleted = (
                f'<w:del {nsdecls("w")} w:id="92" w:author="x"><w:r><w:delText>27%</w:delText></w:r></w:del>'
            )
            p.insert(0, parse_xml(deleted))
    last = table.rows[-1]._tr
    # The last row wrapped in a content control (w:sdt), as form templates do.
    sdt = parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtContent/></w:sdt>")
    last.addprevious(sdt)
    sdt.find(qn("w:sdtContent")).append(last)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_tracked_changes_and_content_controls_read_as_shown():
    data = _edited_annex()
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    assert b"w:delText" in xml and b"w:sdtContent" in xml and b"<w:ins " in xml
    result = read_plan_bytes(data, "phu-luc.docx")
    assert result.plan is not None, result.issues
    assert plan_as_dict(result.plan) == plan_as_dict(
        read_plan_bytes(kon_ray.ANNEX.read_bytes(), "a.txt").plan
    )
    assert result.plan.indicator("2.3").target_for("2024").text == "26.6%"
    assert result.plan.indicator("6.4") is not None


def test_word_document_without_a_table(tmp_path):
    document = Document()
    document.add_paragraph("Kế hoạch bình đẳng giới năm 2024")
    out = io.BytesIO()
    document.save(out)
    result = read_plan_bytes(out.getvalue(), "ke-hoach.docx")
    assert result.plan is None
    assert [(i.where, i.code) for i in result.errors] == [("file", "no_table")]


def test_line_breaks_inside_cells():
    """One unit per line in the lead-unit cell; a name wrapped with a manual line break."""
    document = Document(io.BytesIO(annex_files.build_docx(annex_files.real_annex())))
    for row in document.tables[0].rows:
        if row.cells[0].text == "6.3":
            row.cells[4].text = "UBND các xã, thị trấn\nTrung tâm Văn hoá-Thể thao -Du lịch và Truyền thông"
        if row.cells[0].text == "4.3":
            row.cells[1].text = "- Chỉ tiêu 3: Tỷ suất sinh\nở vị thành niên"
    out = io.BytesIO()
    document.save(out)
    plan = read_plan_bytes(out.getvalue(), "phu-luc.docx").plan
    assert plan.indicator("6.3").lead_units == ("UBND các xã, thị trấn", kon_ray.TTVH)
    assert plan.indicator("4.3").name == "Tỷ suất sinh ở vị thành niên"
    assert plan_as_dict(plan) == plan_as_dict(read_plan_bytes(kon_ray.ANNEX.read_bytes(), "a.txt").plan)
