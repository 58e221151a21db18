"""Uploads: limited by size with a message that says the limit, checked by content not by name,
zip bombs refused before they are unpacked, evidence served back inert (SECURITY.md, "Uploads")."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests.core import annex_files
from tests.core.test_fuzz_regressions import _renamed
from tests.core.test_isolated_reading import _heavy_workbook
from web.data.models import Evidence, Submission
from web.orgs.models import OrgUnit
from web.plans.models import Plan, PlanVersion

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(100)
QUARTER = "2024-Q2"


@pytest.fixture
def commune(kon_ray):
    return OrgUnit.objects.get(name="Xã Đăk Tơ Lung")


@pytest.fixture
def reporter(client, kon_ray):
    client.force_login(kon_ray[1]["xa.daktolung"])
    return client


def _post_evidence(client, unit, upload):
    page = client.get(f"/entry/{unit.pk}/{QUARTER}/")
    data = {"revision": page.context["form"]["revision"].value(), "evidence": [upload]}
    return client.post(f"/entry/{unit.pk}/{QUARTER}/", data)


@pytest.mark.parametrize(
    ("name", "content"),
    [("bien-ban.pdf", HTML), ("bien-ban.pdf", EXE), ("anh.png", HTML), ("bao-cao.docx", b"PK\x03\x04junk")],
)
def test_evidence_that_is_not_what_its_name_says_is_refused(reporter, commune, name, content):
    response = _post_evidence(
        reporter, commune, SimpleUploadedFile(name, content, content_type="application/pdf")
    )
    assert response.status_code == 200
    assert "kiểm tra theo nội dung" in response.content.decode()
    assert not Evidence.objects.exists()
    assert not Submission.objects.filter(org_unit=commune).exists()


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_a_zip_bomb_as_evidence_is_refused_before_it_is_unpacked(reporter, commune, kind):
    response = _post_evidence(
        reporter, commune, SimpleUploadedFile(f"so-lieu.{kind}", annex_files.zip_bomb(kind))
    )
    assert response.status_code == 200
    assert "không an toàn" in response.content.decode()
    assert not Evidence.objects.exists()


def test_evidence_over_the_limit_is_refused_with_the_limit_in_the_message(reporter, commune, settings):
    settings.CHITIEU_EVIDENCE_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("bien-ban.pdf", PDF + b"0" * (1024 * 1024))
    response = _post_evidence(reporter, commune, big)
    page = response.content.decode()
    assert "quá lớn" in page and "tối đa 1 MB" in page
    assert not Evidence.objects.exists()


def test_evidence_is_stored_under_a_random_name_and_served_inert(reporter, commune):
    # A real PNG named ".pdf": accepted (the content decides), served as what it is.
    upload = SimpleUploadedFile("../../bien ban <b>.pdf", PNG, content_type="text/html")
    assert _post_evidence(reporter, commune, upload).status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.kind == "png"
    assert "bien" not in evidence.file.name and evidence.file.name.endswith(".png")
    response = reporter.get(f"/entry/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"  # the stored type, not the browser's claim
    assert response["Content-Disposition"].startswith("attachment;")
    assert "bien ban <b>.pdf.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PNG


def _upload_plan(client, data: bytes, name: str, area):
    return client.post("/plans/upload/", {"file": SimpleUploadedFile(name, data), "area": area.pk})


@pytest.fixture
def coordinator(client, kon_ray):
    client.force_login(kon_ray[1]["dieuphoi"])
    return client


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("phu-luc.txt", PDF, "tệp PDF"),
        ("phu-luc.docx", EXE, "chương trình máy tính"),
        ("phu-luc.txt", EXE, "chương trình máy tính"),
        ("phu-luc.txt", HTML, "trang web (HTML)"),
        ("phu-luc.xlsx", "bomb", "giải nén ra quá lớn"),
        ("phu-luc.docx", "bomb", "giải nén ra quá lớn"),
    ],
)
def test_plan_files_are_judged_by_content(coordinator, district, name, content, says):
    before = PlanVersion.objects.count()
    if content == "bomb":
        content = annex_files.zip_bomb(name[-4:])
    response = _upload_plan(coordinator, content, name, district)
    assert response.status_code == 200
    assert says in response.content.decode()
    assert PlanVersion.objects.count() == before


def test_a_plan_annex_with_an_odd_name_is_read_by_its_content(coordinator, district):
    before = Plan.objects.count()
    response = _upload_plan(
        coordinator, annex_files.build_xlsx(annex_files.real_annex()), "phu-luc.pdf", district
    )
    assert response.status_code == 302
    assert Plan.objects.count() == before + 1


def test_a_plan_file_over_the_limit_says_the_limit(coordinator, district, settings):
    settings.CHITIEU_PLAN_MAX_BYTES = 1024 * 1024
    response = _upload_plan(coordinator, b"x" * (1024 * 1024 + 1), "phu-luc.txt", district)
    assert "tối đa 1 MB" in response.content.decode()


def test_a_request_larger_than_any_upload_is_refused_before_it_is_read(client, kon_ray, settings):
    settings.CHITIEU_REQUEST_MAX_BYTES = 1000
    client.force_login(kon_ray[1]["dieuphoi"])
    response = client.post("/plans/upload/", {"file": SimpleUploadedFile("a.txt", b"x" * 2000)})
    assert response.status_code == 413
    assert "tối đa" in response.content.decode()
    api = client.post("/api/plans/1/observations/import", b"x" * 2000, content_type="text/csv")
    assert api.status_code == 413 and "tối đa" in api.json()["detail"]


def test_a_merge_bomb_in_a_renamed_part_is_refused_through_the_upload(coordinator, district):
    # was: the scan looked at *.xml only; a worksheet stored as sheet1.bin took a worker to 1 GB
    whole = b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells></worksheet>'
    xlsx = annex_files.build_xlsx(annex_files.real_annex())
    bomb = _renamed(
        xlsx,
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet1.bin",
        lambda x: x.replace(b"</worksheet>", whole),
    )
    before = PlanVersion.objects.count()
    response = _upload_plan(coordinator, bomb, "phu-luc.xlsx", district)
    assert response.status_code == 200
    assert "A1:XFD1048576" in response.content.decode()
    assert PlanVersion.objects.count() == before


def test_an_annex_heavier_than_the_parse_budget_is_refused_and_the_worker_lives(
    coordinator, district, settings
):
    settings.CHITIEU_PLAN_PARSE_MEMORY_MB = 32
    before = PlanVersion.objects.count()
    response = _upload_plan(coordinator, _heavy_workbook(60_000), "phu-luc.xlsx", district)
    assert response.status_code == 200
    assert "giới hạn 32 MB" in response.content.decode()
    assert PlanVersion.objects.count() == before
    settings.CHITIEU_PLAN_PARSE_MEMORY_MB = 768
    ok = _upload_plan(coordinator, annex_files.build_xlsx(annex_files.real_annex()), "phu-luc.xlsx", district)
    assert ok.status_code == 302


def _media_files(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_files_of_a_refused_save_are_not_kept(reporter, commune, settings):
    # was: the two good files were written before the third was refused, and stayed on disk
    # (80 MB per request with nine 9 MB PDFs) although the page said nothing was saved
    before = _media_files(settings)
    uploads = [SimpleUploadedFile(f"bien-ban-{n}.pdf", PDF + bytes(1000 * n)) for n in (1, 2)]
    uploads.append(SimpleUploadedFile("anh.png", HTML))
    response = _post_evidence_many(reporter, commune, uploads)
    assert response.status_code == 200
    assert "Chưa lưu gì: một tệp đính kèm không được chấp nhận" in response.content.decode()
    assert Evidence.objects.count() == 0
    assert _media_files(settings) == before


def test_files_of_a_saved_form_are_kept(reporter, commune, settings):
    before = _media_files(settings)
    uploads = [SimpleUploadedFile(f"bien-ban-{n}.pdf", PDF) for n in (1, 2)]
    assert _post_evidence_many(reporter, commune, uploads).status_code == 302
    names = set(Evidence.objects.values_list("file", flat=True))
    assert len(names) == 2
    assert _media_files(settings) == before | names


def _post_evidence_many(client, unit, uploads):
    page = client.get(f"/entry/{unit.pk}/{QUARTER}/")
    data = {"revision": page.context["form"]["revision"].value(), "evidence": uploads}
    return client.post(f"/entry/{unit.pk}/{QUARTER}/", data)


def test_media_orphans_finds_and_removes_files_no_report_names(reporter, commune, settings):
    assert _post_evidence(reporter, commune, SimpleUploadedFile("bien-ban.pdf", PDF)).status_code == 302
    kept = Evidence.objects.get().file.name
    root = Path(settings.MEDIA_ROOT)
    stray = root / "evidence" / "2020" / "01" / "left-by-a-killed-worker.pdf"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(PDF)
    fresh = root / "evidence" / "2020" / "01" / "being-saved-now.pdf"
    fresh.write_bytes(PDF)
    hour_ago = time.time() - 7200
    os.utime(stray, (hour_ago, hour_ago))
    os.utime(root / kept, (hour_ago, hour_ago))
    out = io.StringIO()
    call_command("media_orphans", stdout=out)
    assert "evidence/2020/01/left-by-a-killed-worker.pdf" in out.getvalue()
    assert "Tìm thấy 1 tệp" in out.getvalue()
    assert stray.exists()  # listing deletes nothing
    call_command("media_orphans", "--delete", stdout=io.StringIO())
    assert not stray.exists()
    assert fresh.exists()  # younger than an hour: perhaps a save committing right now
    assert (root / kept).exists()
    fresh.unlink()


def test_more_files_than_allowed_get_a_vietnamese_page_with_the_limit(reporter, commune, settings):
    # was: a bare English "Bad Request (400)"
    before = _media_files(settings)
    uploads = [SimpleUploadedFile(f"bien-ban-{n}.pdf", PDF) for n in range(11)]
    response = _post_evidence_many(reporter, commune, uploads)
    assert response.status_code == 400
    page = response.content.decode()
    assert "tối đa 10 tệp" in page.lower()
    assert "Bad Request" not in page
    assert Evidence.objects.count() == 0
    assert _media_files(settings) == before
