"""Issue 17: a search box over indicators and units, forgiving of missing tone marks, and never
showing what the person may not see."""

from __future__ import annotations

import lxml.html
import pytest

from tests.web.once import demo_for_module
from web.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker, demo_copies):
    # Before July 2025: the communes and their reporters at work.
    with demo_for_module(demo_copies, django_db_blocker, reform=False):
        yield


@pytest.fixture
def demo(_demo, db):
    """The demo (put back as it was after the module; the test's changes rolled back after it)."""


def _found(client, username: str, query: str) -> tuple[list[str], list[str]]:
    client.force_login(User.objects.get(username=username))
    response = client.get("/dashboards/search/", {"q": query})
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content.decode())
    return (
        [" ".join(li.text_content().split()) for li in doc.xpath("//ul[@id='found-indicators']/li")],
        [" ".join(li.text_content().split()) for li in doc.xpath("//ul[@id='found-units']/li")],
    )


def test_names_are_found_without_tone_marks(client, demo):
    indicators, units = _found(client, "dieuphoi", "dak to lung")
    assert [u.split(" — ")[0] for u in units] == ["Xã Đăk Tơ Lung"]
    indicators, _ = _found(client, "dieuphoi", "TRE EM")
    assert indicators and all("trẻ em" in i.lower() for i in indicators)
    indicators, _ = _found(client, "dieuphoi", "6.3")
    assert indicators[0].startswith("6.3.")
    # On the same demo load (the slow part):
    _a_commune_reporter_finds_no_other_commune(client, demo)
    _nothing_found_is_said(client, demo)


def _a_commune_reporter_finds_no_other_commune(client, demo):
    _, units = _found(client, "xa.tanlap", "xã")
    assert [u.split(" — ")[0] for u in units] == ["Xã Tân Lập"]


def _nothing_found_is_said(client, demo):
    client.force_login(User.objects.get(username="dieuphoi"))
    page = client.get("/dashboards/search/", {"q": "không có gì như thế"}).content.decode()
    assert 'id="nothing-found"' in page and "Không tìm thấy gì" in page
