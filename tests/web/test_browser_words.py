"""Issue 12 item 6: the demo, walked in a real Chromium as coordinator, viewer and reporters, shows no
raw period key ("2024-Q3"), internal name ("single", "ratio_of_sums"), dotted decimal ("26.6%",
"100.0000%") or English word; every value goes through the one Vietnamese formatter.

Every page reachable by a link from the home page is visited (the same kind of page at most
``SAME_SHAPE`` times: one entry page per unit and period would say nothing new), its whole text read,
folded parts ("Tại sao?") included. Text quoted from the annex as written (class ``source``) is left
out: the review screen shows it on purpose. Downloads (reports, evidence) are checked in
tests/web/report_downloads.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urljoin, urlparse

import pytest

from .plain_words import problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ("dieuphoi", "lanhdao", "xa.tanlap", "phong.yte")
SAME_SHAPE = 2
MAX_PAGES = 150
SKIP = ("/admin", "/api", "/static", "/i18n", "/accounts/logout", "/reports/", "/data/evidence", "/media")

# The page's text with what is not shown as words left out: scripts, styles, the annex quoted as written.
TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('script, style, template, .source').forEach(e => e.remove());
  return body.textContent;
}"""
# Links, and the period chooser's choices as the links its form makes (every year and the phase).
LINKS = """() => Array.from(document.querySelectorAll('a[href]'), a => a.getAttribute('href')).concat(
  Array.from(document.querySelectorAll('select#f-period option'), o => '?period=' + o.value))"""


def _kind(key: str) -> str:
    from chitieu.periods import PeriodKeyError, parse_period

    try:
        return parse_period(key).kind.value
    except PeriodKeyError:
        return "?"


def _shape(url: str) -> str:
    """/entry/12/2024-Q3/ and /entry/15/2024-Q1/ are the same kind of page; indicators 2.1 and 4.2 are not."""
    parsed = urlparse(url)
    # The query by its names, and the period by its kind: a year page and the phase page differ.
    params = sorted(p.partition("=") for p in parsed.query.split("&") if p)
    keys = "&".join(n + (f"={_kind(v)}" if n == "period" else "") for n, _, v in params)
    path = re.sub(r"/\d+(?=/)", "/N", parsed.path)
    return re.sub(r"/\d{4}(-\w+)?/", "/PERIOD/", path) + "?" + keys


def _session_page(browser, live_server, client, user):
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    return context, context.new_page()


def _walk(page, base: str) -> tuple[list[str], list[str]]:
    """Visit every page reachable from "/"; return the pages seen and the problems found."""
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    queue, visited, found = ["/"], [], []
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if shapes[_shape(url)] >= SAME_SHAPE:
            continue
        shapes[_shape(url)] += 1
        response = page.goto(base + url)
        if (
            response is None
            or response.status != 200
            or "html" not in response.headers.get("content-type", "")
        ):
            continue
        visited.append(url)
        found += [f"{url}: {p}" for p in problems(page.evaluate(TEXT))]
        for href in page.evaluate(LINKS):
            target = urlparse(urljoin(base + url, href))
            if target.netloc != urlparse(base).netloc or target.path.startswith(SKIP):
                continue
            if target.path.endswith((".xlsx", ".docx", ".pdf", ".csv", ".json")):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return visited, found


def test_every_page_of_the_demo_speaks_plain_vietnamese(browser, live_server, client):
    from web.accounts.models import User
    from web.home.demo import load_demo

    load_demo()
    report = {}
    for username in ROLES:
        context, page = _session_page(browser, live_server, client, User.objects.get(username=username))
        try:
            visited, found = _walk(page, live_server.url)
        finally:
            context.close()
        assert len(visited) >= 5, (username, visited)  # the walk did reach the pages
        report[username] = found
    assert {u: f[:15] for u, f in report.items() if f} == {}


def test_an_address_that_only_takes_a_form_answers_in_vietnamese(browser, live_server, client):
    """A GET on a POST-only address (a bookmark, a reload): a Vietnamese page, not the browser's own."""
    from web.accounts.models import User
    from web.data.models import Submission
    from web.home.demo import load_demo

    load_demo()
    submission = Submission.objects.filter(state="submitted").first()
    context, page = _session_page(browser, live_server, client, User.objects.get(username="dieuphoi"))
    try:
        response = page.goto(
            f"{live_server.url}/entry/{submission.org_unit_id}/{submission.period_key}/decide/"
        )
        assert response.status == 405
        assert "Địa chỉ này không mở trực tiếp" in page.inner_text("body")
    finally:
        context.close()
