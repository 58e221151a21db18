"""Issue 17: data entry and approval with the keyboard alone (WCAG 2.1.1), in a real Chromium.

A commune reporter logs in, fills two figures and submits; the coordinator returns the report with a
reason, then approves the corrected one: Tab, typing, Enter and Space only, never the mouse. Every
control reached on the way shows where the focus is (WCAG 2.4.7)."""

from __future__ import annotations

import pytest

from web.orgs.models import OrgUnit

from .conftest import PASSWORD

pytestmark = pytest.mark.browser

MAX_TABS = 400  # the entry page of a commune has about 60 stops; more means a trap
FOCUS_SHOWN = """() => {
  const e = document.activeElement;
  if (e === document.body) return true;  // nothing focused (past the last stop): nothing to show
  const s = getComputedStyle(e);
  return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
}"""


def _tab_to(page, selector: str, unseen: list[str]) -> None:
    """Press Tab until the focus is on ``selector``; note any stop whose focus cannot be seen."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if not page.evaluate(FOCUS_SHOWN):
            unseen.append(page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)"))
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reached with Tab from the top of {page.url}")


def _login(browser, live_server, username: str, unseen: list[str]):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    _tab_to(page, "#id_username", unseen)
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


@pytest.mark.django_db(transaction=True)
def test_a_report_is_entered_returned_and_approved_with_the_keyboard_alone(browser, live_server, kon_ray):
    url = f"{live_server.url}/entry/{OrgUnit.objects.get(name='Xã Đăk Tơ Lung').pk}/2024-Q3/"
    unseen: list[str] = []
    reporter_context, reporter = _login(browser, live_server, "xa.daktolung", unseen)
    coordinator_context, coordinator = _login(browser, live_server, "dieuphoi", unseen)
    try:
        reporter.goto(url)
        _tab_to(reporter, "[id='ind-3.2a'] input[name^='n-']", unseen)
        reporter.keyboard.type("12")
        _tab_to(reporter, "[id='ind-3.2a'] input[name^='d-']", unseen)
        reporter.keyboard.type("40")
        reporter.locator("[id='ind-3.2a'] .preview", has_text="30 %").first.wait_for()
        _tab_to(reporter, "button[name=submit]", unseen)
        reporter.keyboard.press("Enter")
        reporter.locator("#state", has_text="đã gửi, chờ duyệt").wait_for()

        coordinator.goto(url)
        _tab_to(coordinator, "#id_reason", unseen)
        coordinator.keyboard.type("Mẫu số chưa khớp sổ theo dõi")
        _tab_to(coordinator, "button[value=return]", unseen)
        coordinator.keyboard.press("Space")
        coordinator.locator("#state", has_text="bị trả lại").wait_for()

        reporter.goto(url)
        _tab_to(reporter, "[id='ind-3.2a'] input[name^='d-']", unseen)
        reporter.keyboard.press("Control+A")
        reporter.keyboard.type("48")
        _tab_to(reporter, "button[name=submit]", unseen)
        reporter.keyboard.press("Enter")
        reporter.locator("#state", has_text="đã gửi, chờ duyệt").wait_for()

        coordinator.goto(url)
        _tab_to(coordinator, "button[value=approve]", unseen)
        coordinator.keyboard.press("Enter")
        coordinator.locator("#state", has_text="đã duyệt").wait_for()
        assert "25 %" in coordinator.locator("[id='ind-3.2a']").first.inner_text()
    finally:
        reporter_context.close()
        coordinator_context.close()
    assert unseen == []
