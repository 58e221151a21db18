"""Report settings per plan: kept by the plan's coordinator, printed in the Word and PDF reports."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest

from chitieu.approval import Role

from ..dashboards.conftest import AS_OF

SAVED = {
    "issuing_body": "ỦY BAN NHÂN DÂN\nHUYỆN KON RẪY",
    "parent_body": "ỦY BAN NHÂN DÂN TỈNH KON TUM",
    "number": "217",
    "symbol": "BC-UBND",
    "place": "Đăk Rve",
    "signer_authority": "KT. CHỦ TỊCH",
    "signer_title": "PHÓ CHỦ TỊCH",
    "signer": "Nguyễn Thị Hoa",
    "recipients": "Sở Nội vụ tỉnh Kon Tum (b/c)\nThường trực Huyện ủy (b/c)\nLưu: VT, NV",
    "closing": "Trên đây là báo cáo của Ủy ban nhân dân huyện Kon Rẫy về kết quả năm 2024./.",
}


def _url(plan) -> str:
    return f"/reports/{plan.pk}/settings/"


def _post(client, plan, **changes):
    page = client.get(_url(plan))
    revision = page.context["form"].initial["revision"]
    return client.post(_url(plan), {**SAVED, "revision": revision, **changes})


def _stored(plan):
    from web.reports.models import PlanReportSettings

    record = PlanReportSettings.objects.filter(plan=plan).first()
    return None if record is None else record.data


def test_saved_settings_are_printed_in_the_word_and_pdf_reports(client, figures, coordinator, tmp_path):
    import docx

    client.force_login(coordinator)
    response = _post(client, figures)
    assert response.status_code == 302, response.content.decode()[:2000]
    document = docx.Document(
        io.BytesIO(client.get(f"/reports/{figures.pk}/2024/docx", {"as_of": AS_OF}).content)
    )
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    text = "\n".join(p.text for p in document.paragraphs) + "\n" + cells
    for expected in (
        "ỦY BAN NHÂN DÂN TỈNH KON TUM",
        "Số: 217/BC-UBND",
        "Đăk Rve, ngày",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Thị Hoa",
        "- Thường trực Huyện ủy (b/c);",
        "- Lưu: VT, NV.",
        SAVED["closing"],
    ):
        assert expected in text, expected
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is installed by make system-deps")
    pdf = tmp_path / "bao-cao.pdf"
    pdf.write_bytes(client.get(f"/reports/{figures.pk}/2024/pdf", {"as_of": AS_OF}).content)
    words = " ".join(
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    for expected in ("Số: 217/BC-UBND", "KT. CHỦ TỊCH", "Nguyễn Thị Hoa", "Thường trực Huyện ủy", "./."):
        assert expected in words, expected


def test_the_change_is_audited(client, figures, coordinator):
    from web.core.audit import audit_for

    client.force_login(coordinator)
    assert _post(client, figures).status_code == 302
    entry = audit_for(figures).get(action="report_settings")
    assert entry.actor == coordinator and "Nguyễn Thị Hoa" in entry.new and entry.old == ""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"signer": ""}, "không được để trống"),
        ({"signer": "Nguyễn " * 20}, "tối đa 80 ký tự"),
        ({"number": "1" * 130}, "tối đa 120 ký tự"),
        ({"signer_authority": "THAY MẶT"}, "Nghị định 30"),
    ],
)
def test_bad_input_is_named_and_nothing_is_half_saved(client, figures, coordinator, change, message):
    client.force_login(coordinator)
    assert _post(client, figures).status_code == 302
    before = _stored(figures)
    response = _post(client, figures, **{**change, "place": "Nơi khác"})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "Chưa lưu" in html
    assert _stored(figures) == before  # the good field sent with the bad one is not kept either


def test_a_stale_form_saves_nothing(client, figures, coordinator):
    client.force_login(coordinator)
    assert _post(client, figures).status_code == 302
    before = _stored(figures)
    response = client.post(_url(figures), {**SAVED, "signer": "Người khác", "revision": 0})
    assert response.status_code == 302 and _stored(figures) == before


def test_only_the_plans_coordinators_see_the_link(client, figures, coordinator, make_user, district):
    page = f"/dashboards/plans/{figures.pk}/"
    client.force_login(coordinator)
    assert _url(figures) in client.get(page, {"period": "2024", "as_of": AS_OF}).content.decode()
    client.force_login(make_user("lanh-dao", Role.VIEWER, district))
    assert _url(figures) not in client.get(page, {"period": "2024", "as_of": AS_OF}).content.decode()
    assert client.get(_url(figures)).status_code == 403


def test_the_phase_report_uses_the_same_settings(client, figures, coordinator):
    """Both reports of a plan carry its saved header and signer (the phase report came later)."""
    import docx

    client.force_login(coordinator)
    assert _post(client, figures).status_code == 302
    response = client.get(f"/reports/phase/{figures.pk}/docx", {"as_of": AS_OF})
    assert response.status_code == 200, response.content[:500]
    document = docx.Document(io.BytesIO(response.content))
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    text = "\n".join(p.text for p in document.paragraphs) + "\n" + cells
    assert "Số: 217/BC-UBND" in text and "Nguyễn Thị Hoa" in text
