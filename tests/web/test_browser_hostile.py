"""In a real Chromium: with hostile names, notes and reasons in the data, no script runs on the
main pages (no dialog opens), the Content-Security-Policy reports nothing, htmx and the chart work."""

from __future__ import annotations

import pytest

from tests.web.test_inert_markup import hostile  # noqa: F401 - the hostile data fixture

pytestmark = pytest.mark.browser


def test_no_script_runs_from_hostile_data_on_the_main_pages(hostile, browser, live_server, client):  # noqa: F811
    plan, commune = hostile["plan"], hostile["commune"]
    client.force_login(hostile["coordinator"])
    context = browser.new_context(locale="vi-VN")
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    page = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    for path in (
        "/",
        "/plans/",
        f"/plans/v/{hostile['draft'].pk}/",
        "/units/",
        f"/entry/{commune.pk}/2024-Q2/",
        f"/dashboards/plans/{plan.pk}/?period=2024",
        f"/dashboards/plans/{plan.pk}/indicators/6.3/grid/?period=2024",
        f"/dashboards/plans/{plan.pk}/completeness/?period=2024",
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
    page.goto(f"{live_server.url}/dashboards/plans/{plan.pk}/indicators/2.1/?period=2024")
    page.wait_for_selector("#trend[data-rendered='1']", timeout=15000)  # plotly under the policy
    context.close()
    assert dialogs == []
    assert [e for e in errors if "Content Security Policy" in e or "Refused" in e] == []
