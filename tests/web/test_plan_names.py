"""Issue 17, plan review: the plan is called by its own name (asked at upload, or its year and
area), not by the annex heading; the same file uploaded again as a new plan is warned about; a
discarded copy leaves the lists and the API."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chitieu.approval import Role
from web.api.services import token_create
from web.plans.models import Plan, PlanVersion
from web.plans.services import plan_version_discard

from .annex import annex_bytes


@pytest.fixture
def coordinator(district, make_user):
    return make_user("dieuphoi", Role.COORDINATOR, district)


def _upload(client, area, **extra):
    data = {"file": SimpleUploadedFile("phu-luc.txt", annex_bytes()), "area": area.pk, **extra}
    return client.post("/plans/upload/", data)


def test_the_plan_has_the_name_given_or_its_year_and_area(client, district, coordinator):
    client.force_login(coordinator)
    assert _upload(client, district, name="Kế hoạch BĐG huyện Kon Rẫy năm 2024").status_code == 302
    assert Plan.objects.get().name == "Kế hoạch BĐG huyện Kon Rẫy năm 2024"
    assert _upload(client, district, same_file_ok="on").status_code == 302
    assert Plan.objects.latest("pk").name == "Kế hoạch bình đẳng giới năm 2024 — Kon Rẫy"
    assert "PHÂN CÔNG" not in client.get("/plans/").content.decode()


def test_the_same_file_again_is_warned_about_and_read_only_when_confirmed(client, district, coordinator):
    client.force_login(coordinator)
    assert _upload(client, district, name="Kế hoạch 2024").status_code == 302
    again = _upload(client, district, name="Bản sao")
    assert again.status_code == 200 and 'id="same-file"' in again.content.decode()
    assert "Kế hoạch 2024" in again.content.decode()
    assert Plan.objects.count() == 1  # nothing was read or stored
    assert _upload(client, district, name="Bản sao", same_file_ok="on").status_code == 302
    assert Plan.objects.count() == 2


def test_a_discarded_copy_leaves_the_lists_and_the_api(client, district, coordinator):
    client.force_login(coordinator)
    _upload(client, district, name="Kế hoạch thật")
    _upload(client, district, name="Bản tải nhầm", same_file_ok="on")
    mistake = PlanVersion.objects.get(plan__name="Bản tải nhầm")
    plan_version_discard(actor=coordinator, version=mistake)
    listing = client.get("/plans/").content.decode()
    assert "Kế hoạch thật" in listing and "Bản tải nhầm" not in listing
    _token, raw = token_create(user=coordinator, name="thử")
    names = [p["name"] for p in client.get("/api/plans", HTTP_AUTHORIZATION=f"Bearer {raw}").json()]
    assert names == ["Kế hoạch thật"]
