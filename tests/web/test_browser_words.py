"""Issue 12 item 6: the demo, walked as coordinator, viewer and reporters, shows no
raw period key ("2024-Q3"), internal name ("single", "ratio_of_sums"), dotted decimal ("26.6%",
"100.0000%") or English word; every value goes through the one Vietnamese formatter.

Every page reachable by a link from the home page is visited (the same kind of page at most
``SAME_SHAPE`` times: one entry page per unit and period would say nothing new), its whole text read,
folded parts ("Tại sao?") included. Text quoted from the annex as written (class ``source``) is left
out: the review screen shows it on purpose. Downloads (reports, evidence) are checked in
tests/web/report_downloads.

The four roles' walks read the pages as served (the test client and lxml: seconds, not minutes); one
walk in a real Chromium, one page of each kind, reads what scripts draw (charts, live previews).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin, urlparse

import lxml.html
import pytest
from django.conf import settings

from .plain_words import problems

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
# The same for lxml: what the walk by the test client leaves out.
HIDDEN = "//script|//style|//template|//*[contains(concat(' ', normalize-space(@class), ' '), ' source ')]"
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


PHONE = {"width": 390, "height": 844}
AXE_JS = Path(settings.CHITIEU_VENDOR_DIR) / "axe-core" / "axe.min.js"  # `make vendor-js`


def _session_page(browser, live_server, client, user, viewport=None):
    client.force_login(user)
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale="en-US")
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    return context, context.new_page()


# One visited page: its text as a reader sees it, and the addresses it leads to; None when it is not
# an HTML page that answered 200.
Page = tuple[str, list[str]]


def _walk(open_page: Callable[[str], Page | None], base: str, same_shape: int) -> tuple[list[str], list[str]]:
    """Visit every page reachable from "/"; return the pages seen and the problems found."""
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    queue, visited, found = ["/"], [], []
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if shapes[_shape(url)] >= same_shape:
            continue
        shapes[_shape(url)] += 1
        page = open_page(url)
        if page is None:
            continue
        text, hrefs = page
        visited.append(url)
        found += [f"{url}: {p}" for p in problems(text)]
        for href in hrefs:
            target = urlparse(urljoin(base + url, href))
            if target.netloc != urlparse(base).netloc or target.path.startswith(SKIP):
                continue
            if target.path.endswith((".xlsx", ".docx", ".pdf", ".csv", ".json")):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return visited, found


def _served_text(client) -> Callable[[str], Page | None]:
    """A page as the server sends it, read with lxml: the same text the browser shows before scripts run."""

    def open_page(url: str) -> Page | None:
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("content-type", ""):
            return None
        doc = lxml.html.fromstring(response.content.decode())
        for hidden in doc.xpath(HIDDEN):
            hidden.drop_tree()
        periods = doc.xpath("//select[@id='f-period']/option/@value")
        return doc.body.text_content(), doc.xpath("//a/@href") + [f"?period={p}" for p in periods]

    return open_page


# Wider than the screen: the page scrolls sideways, or an element reaches past the right edge outside
# a box that scrolls on its own (a wide table may scroll inside its card; the page may not).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [], page = document.documentElement.scrollWidth;
  if (page > width + 1) wide.push('page ' + page + 'px');
  const scrolls = e => { for (let a = e.parentElement; a; a = a.parentElement) {
    if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true; } return false; };
  document.querySelectorAll('body *').forEach(e => {
    const box = e.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0 && getComputedStyle(e).position !== 'fixed' && !scrolls(e))
      wide.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + Math.round(box.right) + 'px');
  });
  return wide.slice(0, 3);
}"""


# axe-core (injected before the page's own scripts) on the page as drawn: WCAG 2.1 A and AA rules.
AXE = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']});
  return result.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.length + ' × '
    + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(', '));
}"""


def _drawn_text(
    page, base: str, too_wide: list[str], inaccessible: list[str]
) -> Callable[[str], Page | None]:
    """A page as Chromium shows it after its scripts ran: charts and live previews included. What
    does not fit the screen's width goes to ``too_wide``, what axe-core finds to ``inaccessible``."""

    def open_page(url: str) -> Page | None:
        response = page.goto(base + url)
        if (
            response is None
            or response.status != 200
            or "html" not in response.headers.get("content-type", "")
        ):
            return None
        too_wide.extend(f"{url}: {what}" for what in page.evaluate(OVERFLOW))
        inaccessible.extend(f"{url}: {what}" for what in page.evaluate(AXE))
        return page.evaluate(TEXT), page.evaluate(LINKS)

    return open_page


@pytest.mark.django_db(transaction=True)  # so that it can share the demo with the browser walks
def test_every_page_of_the_demo_speaks_plain_vietnamese(client, demo_site):
    """Every role, every kind of page (two of each), as served: cheap enough to do for all four roles."""
    from django.db import connection

    from web.accounts.models import User

    if connection.vendor != "sqlite":
        pytest.skip("the words do not depend on the database: the walk runs once, on SQLite")
    demo_site()
    report = {}
    for username in ROLES:
        client.force_login(User.objects.get(username=username))
        visited, found = _walk(_served_text(client), "http://testserver", SAME_SHAPE)
        assert len(visited) >= 100, (username, visited)  # the walk did reach the pages
        report[username] = found
    assert {u: f[:15] for u, f in report.items() if f} == {}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("username", ROLES)
def test_what_the_browser_draws_speaks_plain_vietnamese(browser, live_server, client, demo_site, username):
    """What scripts write (chart axes and hover labels, the live preview) is seen only in a browser:
    one page of each kind, as each role (a reporter's entry form is not the coordinator's), on a
    phone's screen (issue 17): nothing may be wider than the screen (a wide table scrolls inside its
    own box, ``.scroll-x``), and axe-core finds no WCAG 2.1 A/AA violation."""
    from web.accounts.models import User

    demo_site()
    user = User.objects.get(username=username)
    context, page = _session_page(browser, live_server, client, user, PHONE)
    context.add_init_script(path=str(AXE_JS))
    too_wide: list[str] = []
    inaccessible: list[str] = []
    try:
        visited, found = _walk(_drawn_text(page, live_server.url, too_wide, inaccessible), live_server.url, 1)
    finally:
        context.close()
    assert any("/indicators/" in url for url in visited), visited  # the chart pages were reached
    assert len(visited) >= 10, visited
    # The API tokens page is in every role's walk; the Excel form page only in those who still enter
    # figures after the reform: tests/web/test_browser.py checks it the same way besides.
    assert "/exchange/tokens/" in visited, visited
    assert found[:15] == []
    assert too_wide == [], "\n".join(too_wide)
    assert inaccessible == [], "\n".join(inaccessible)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_address_that_only_takes_a_form_answers_in_vietnamese(browser, live_server, client, demo_site):
    """A GET on a POST-only address (a bookmark, a reload): a Vietnamese page, not the browser's own."""
    from web.accounts.models import User
    from web.data.models import Submission

    demo_site()
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
