"""In a real Chromium, on the Kon Rẫy demo data: charts draw without console errors, the
completeness page lists the late units, and a reminder run mails each overdue item once.

Debian's chromium is driven through Playwright (``executable_path``); nothing is downloaded.
Screenshots go to docs/screenshots/ for the README with UPDATE_SCREENSHOTS=1.
"""

from __future__ import annotations

import io
import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
DOCS_SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
AS_OF = "2025-01-22"  # a month after the 2024 deadlines; no deadline falls on this day


@pytest.fixture
def demo(transactional_db, demo_site):
    return demo_site()


@pytest.fixture
def district_demo(transactional_db, demo_site):
    """The demo as it stood before 1 July 2025: the district and its staff at work (reminders for 2024)."""
    return demo_site(reform=False)


@pytest.fixture
def shots(tmp_path):
    """docs/screenshots with UPDATE_SCREENSHOTS=1 (refreshes the README pictures), else a temporary folder."""
    folder = DOCS_SHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _page(browser, live_server, client, user):
    """A browser page logged in as ``user`` (the session cookie of a Django test login)."""
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


def _user(username):
    from web.accounts.models import User

    return User.objects.get(username=username)


def test_dashboard_and_indicator_chart_render_without_console_errors(
    demo, browser, live_server, client, shots
):
    plan = demo["version"].plan
    page, errors = _page(browser, live_server, client, _user("lanhdao"))
    page.goto(f"{live_server.url}/dashboards/plans/{plan.pk}/?period=2024&as_of={AS_OF}")
    assert page.locator("tr[data-indicator]").count() == len(demo["version"].indicators.all())
    page.locator('tr[data-why="6.3"] details.why summary').click()  # open one "why"
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    # A report download says at once that it is under way, then that it arrived (issue 17).
    with page.expect_download(timeout=60000) as download:
        page.locator('a[data-report-format="docx"]').click()
        assert "Đang tạo báo cáo" in page.locator(".download-status output").inner_text()
        assert page.locator(".download-status progress").is_visible()
    assert download.value.suggested_filename.endswith(".docx")
    page.wait_for_function("document.querySelector('.download-status output').textContent.includes('Đã tải')")

    page.goto(f"{live_server.url}/dashboards/plans/{plan.pk}/indicators/2.1/?period=2024&as_of={AS_OF}")
    page.wait_for_selector("#trend[data-rendered='1']", timeout=15000)
    assert page.locator("#trend .main-svg").count() >= 1
    assert page.locator("#trend .scatterlayer .trace").count() == 3  # actual, yearly target, phase target
    # Vietnamese separators on the axis and in the table
    assert re.search(r"\d+,\d", page.locator("#trend-table").inner_text())
    page.screenshot(path=str(shots / "indicator.png"), full_page=True)
    # Printed (issue 17): the chart and the table stay, the menus and filters go.
    page.emulate_media(media="print")
    assert page.locator("#trend .main-svg").first.is_visible() and page.locator("#trend-table").is_visible()
    assert not page.locator("header.top").is_visible() and not page.locator("form.filters").is_visible()
    page.pdf(path=str(shots / "indicator-print.pdf"), format="A4")
    page.emulate_media(media="screen")

    page.goto(f"{live_server.url}/dashboards/plans/{plan.pk}/indicators/6.3/grid/?period=2024&as_of={AS_OF}")
    assert page.locator("#grid tr[data-unit]").count() == demo["communes"]
    page.screenshot(path=str(shots / "grid.png"), full_page=True)
    assert errors == []


def test_the_as_of_date_is_vietnamese_in_an_english_browser(demo, browser, live_server, client):
    """Issue 17: the box showed 12/03/2026 (month first) in an English-installed browser beside text
    saying 03/12/2026. Typed or picked from the page's own calendar, the date is day first."""
    plan = demo["version"].plan
    client.force_login(_user("dieuphoi"))
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/dashboards/plans/{plan.pk}/?period=2024&as_of={AS_OF}")
    box = page.locator("#f-as-of")
    assert box.input_value() == "22/01/2025"
    page.get_by_role("button", name="Chọn ngày").click()
    assert "Tháng 1/2025" in page.locator(".calendar-head").inner_text()
    page.get_by_role("button", name="Tháng trước").click()
    page.get_by_role("button", name="03/12/2024", exact=True).click()
    assert box.input_value() == "03/12/2024"
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url(re.compile(r"as_of=03%2F12%2F2024"))
    assert page.locator("#f-as-of").input_value() == "03/12/2024"
    assert "03/12/2024" in page.locator("main").inner_text()
    context.close()


def _late_units_oracle(version, year: int, as_of: date) -> set[str]:
    """Late units computed from the data-entry side's own selectors, not the dashboard's code."""
    from chitieu.periods import ReportingCalendar
    from web.data.models import Submission
    from web.data.selectors import duties, periods_due, reporting_units, unit_level

    calendar = ReportingCalendar()
    late = set()
    for unit in reporting_units(version, date(year, 1, 1), date(year, 12, 31)):
        for period in periods_due(version, unit, today=date(year, 12, 31), year=year):
            if calendar.deadline(period, unit_level(unit)) >= as_of:
                continue
            submission = Submission.objects.filter(
                plan=version.plan, org_unit=unit, period_key=period.key
            ).first()
            sent = submission is not None and submission.state in ("submitted", "approved")
            have = {(o.indicator_code, o.sex) for o in submission.observations.all()} if submission else set()
            needed = {(d.indicator.code, s) for d in duties(version, unit, period.kind) for s in d.sexes}
            if not sent or not needed <= have:
                late.add(unit.name)
    return late


def test_completeness_lists_the_late_units_and_reminders_go_once(
    district_demo, browser, live_server, client, shots
):
    version = district_demo["version"]
    plan = version.plan
    as_of = date.fromisoformat(AS_OF)
    expected_late = _late_units_oracle(version, 2024, as_of)
    assert expected_late, "the demo data has late units"

    page, errors = _page(browser, live_server, client, _user("dieuphoi"))
    page.goto(f"{live_server.url}/dashboards/plans/{plan.pk}/completeness/?period=2024&as_of={AS_OF}")
    shown = {t.strip() for t in page.locator("#late-units .late-unit").all_inner_texts()}
    assert shown == expected_late
    page.screenshot(path=str(shots / "completeness.png"), full_page=True)
    assert errors == []

    # The demo accounts have addresses of their own: run the cron command twice.
    lookback = as_of - timedelta(days=120)
    overdue_rows = [
        row
        for year in ("2024",)  # the plan asks figures for its year, 2024: nothing is owed for 2025
        for row in _overdue_rows(page, live_server, plan, year)
        if row["deadline"] >= lookback
    ]
    out = io.StringIO()
    call_command("send_reminders", as_of=AS_OF, days_before=0, stdout=out, stderr=io.StringIO())
    assert len(mail.outbox) == len(overdue_rows) > 0
    mailed = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert len(set(mailed)) == len(mailed)  # one e-mail per item
    call_command("send_reminders", as_of=AS_OF, days_before=0, stdout=io.StringIO(), stderr=io.StringIO())
    assert len(mail.outbox) == len(overdue_rows)  # none the second time


def _overdue_rows(page, live_server, plan, year: str) -> list[dict]:
    """The overdue table as the browser shows it."""
    page.goto(f"{live_server.url}/dashboards/plans/{plan.pk}/completeness/?period={year}&as_of={AS_OF}")
    rows = []
    for row in page.locator("#overdue tbody tr[data-unit]").all():
        cells = row.locator("td").all_inner_texts()
        day, month, year_ = cells[4].split("/")
        rows.append(
            {
                "unit": cells[0],
                "indicator": cells[1],
                "period": cells[2],
                "deadline": date(int(year_), int(month), int(day)),
            }
        )
    return rows


def test_an_anonymous_visitor_reads_the_public_page_on_a_phone(demo, browser, live_server, shots):
    """Issue 17: published, the plan is read without a login: approved figures, no menus of the site."""
    from web.public.services import plan_publish

    plan = demo["version"].plan
    plan_publish(actor=_user("quantri"), plan=plan, published=True)  # the administrator
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server.url}/public/{plan.pk}/?period=2024")
    assert page.locator("tr[data-indicator]").count() == demo["version"].indicators.count()
    assert "Chỉ tính số liệu đã duyệt" in page.inner_text("#public-note")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("#notices-link").count() == 0  # nobody is logged in
    page.screenshot(path=str(shots / "public-page-phone.png"), full_page=False)
    context.close()


def test_the_successor_s_coordinator_reviews_the_2026_plan_and_downloads_the_phase_report(
    demo, browser, live_server, client
):
    """Issue 16 done-when: after the July 2025 reorganisation, as the coordinator of the successor area."""
    import io

    from docx import Document

    reform = demo["reform"]
    new_plan, old_plan = reform["plan_2026"].plan, demo["version"].plan
    page, errors = _page(browser, live_server, client, reform["coordinator"])
    page.goto(f"{live_server.url}/reorganisation/")
    page.click(f"#handovers a[href='/reorganisation/carry-over/{new_plan.pk}/']")
    assert "MINH HOẠ" in page.inner_text("#illustrative")  # the mapping is never presented as official
    assert "Quý 1/2026" in page.inner_text("#calendar")
    page.locator("#carry-3\\.2 button.primary").click()
    assert "Đã quyết định" in page.inner_text("#carry-3\\.2")
    page.goto(f"{live_server.url}/plans/v/{reform['plan_2026'].pk}/")
    assert "khoảng 60%" in page.inner_text("main")
    page.goto(f"{live_server.url}/dashboards/plans/{old_plan.pk}/?period=2021-2025")
    assert "01/07/2025" in page.inner_text(".reorganisation-note")
    with page.expect_download() as download:
        page.click("#phase-report a:text('DOCX')")
    text = "\n".join(
        p.text for p in Document(io.BytesIO(Path(download.value.path()).read_bytes())).paragraphs
    )
    assert "Tổng kết thực hiện các mục tiêu, chỉ tiêu bình đẳng giới giai đoạn 2021–2025" in text
    assert "giải thể Kon Rẫy" in text
    assert errors == []
