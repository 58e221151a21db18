"""Real Chromium (Debian's, through Playwright) against the live server: the quarterly round end to end."""

from __future__ import annotations

import re

import pytest

from web.orgs.models import OrgUnit

from .annex import ANNEX

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _entry_url(live_server, unit_name: str, period: str) -> str:
    return f"{live_server.url}/entry/{OrgUnit.objects.get(name=unit_name).pk}/{period}/"


def _field(page, code: str, part: str):
    """The numerator (part 'n') or denominator ('d') input of an indicator's total row."""
    return page.locator(f"[id='ind-{code}'] input[name^='{part}-']").first


def test_quarter_round_submit_return_fix_approve_lock(login, live_server, tmp_path):
    url = _entry_url(live_server, "Xã Đăk Tơ Lung", "2024-Q2")
    evidence = tmp_path / "bien-ban-quy-2.pdf"
    evidence.write_bytes(PDF)

    reporter = login("xa.daktolung")
    reporter.goto(url)
    _field(reporter, "3.2a", "n").fill("1.234")
    _field(reporter, "3.2a", "d").fill("2.468")
    preview = reporter.locator("[id='ind-3.2a'] .preview").first
    preview.filter(has_text="= 50 %").wait_for()  # htmx computed it as we typed
    _field(reporter, "6.3", "n").fill("03")
    reporter.set_input_files("#id_evidence", str(evidence))
    reporter.click("button[name=submit]")
    reporter.locator("#state", has_text="đã gửi, chờ duyệt").wait_for()
    assert reporter.locator("a", has_text="bien-ban-quy-2.pdf").count() == 1

    coordinator = login("dieuphoi")
    coordinator.goto(url)
    coordinator.fill("#id_reason", "Mẫu số chưa khớp sổ theo dõi của xã")
    coordinator.click("button[value=return]")
    coordinator.locator("#state", has_text="bị trả lại").wait_for()

    reporter.goto(url)
    assert "Mẫu số chưa khớp sổ theo dõi của xã" in reporter.locator("#return-reason").inner_text()
    _field(reporter, "3.2a", "d").fill("2.500,0")
    preview.filter(has_text="49,36 %").wait_for()
    reporter.click("button[name=submit]")
    reporter.locator("#state", has_text="đã gửi, chờ duyệt").wait_for()

    coordinator.goto(url)
    coordinator.click("button[value=approve]")
    coordinator.locator("#state", has_text="đã duyệt").wait_for()

    reporter.goto(url)
    assert reporter.locator("#locked").is_visible()
    assert _field(reporter, "3.2a", "n").is_disabled()
    assert reporter.locator("button[name=submit]").count() == 0
    history = reporter.locator("[id='ind-3.2a'] details.history").first
    history.locator("summary").click()
    assert re.search(r"2468\s*→\s*2500", history.inner_text())


def test_viewer_cannot_edit(login, live_server):
    url = _entry_url(live_server, "Xã Tân Lập", "2024-Q1")
    viewer = login("lanhdao")
    viewer.goto(url)
    assert _field(viewer, "3.2a", "n").is_disabled()
    assert viewer.locator("button[name=save], button[name=submit], #decision").count() == 0
    token = viewer.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    response = viewer.request.post(
        url, form={"csrfmiddlewaretoken": token, "revision": "0"}, headers={"Referer": url}
    )
    assert response.status == 403


def test_office_reporter_gets_403_on_another_offices_form(login, live_server):
    health = login("phong.yte")
    response = health.goto(_entry_url(live_server, "Phòng Lao động - Thương binh và Xã hội", "2024"))
    assert response.status == 403
    assert health.locator("h1", has_text="Không có quyền truy cập").is_visible()
    assert health.goto(_entry_url(live_server, "Phòng Y tế", "2024")).status == 200


def test_uploading_a_plan_shows_the_review_screen_with_the_sex_ratio_flag(login, live_server):
    coordinator = login("dieuphoi")
    coordinator.goto(f"{live_server.url}/plans/upload/")
    coordinator.fill("#id_name", "Kế hoạch thử năm 2024")
    coordinator.set_input_files("#id_file", str(ANNEX))
    coordinator.click("button.primary")
    # The demo's plan is this very annex: warned (issue 17), read again only when confirmed.
    assert "Chính tệp này đã là kế hoạch" in coordinator.inner_text("#same-file")
    coordinator.check("#id_same_file_ok")
    coordinator.set_input_files("#id_file", str(ANNEX))
    coordinator.click("button.primary")
    coordinator.wait_for_url(re.compile(r".*/plans/v/\d+/$"))
    flag = coordinator.locator("[id='indicator-4.1'] [data-issue=sex_ratio_target]")
    assert "Cần xác nhận" in flag.inner_text()
    assert "100 bé trai/100 bé gái" in coordinator.locator("[id='indicator-4.1']").inner_text()
