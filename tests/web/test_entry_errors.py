"""Issue 17 (accessibility): after a refused save or decision, the page says what to correct where a
screen reader hears it (role="alert"), outlines the box, and puts the focus there."""

from __future__ import annotations

import lxml.html
import pytest

from tests.web.once import demo_for_module
from web.accounts.models import User
from web.data.models import Submission

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker, demo_copies):
    with demo_for_module(demo_copies, django_db_blocker, reform=False):
        yield


def test_a_refused_decision_and_a_refused_save_say_where(client, _demo):
    _a_return_without_a_reason_marks_the_reason_box(client)
    _a_refused_save_lists_each_box_with_a_link(client)


def _a_return_without_a_reason_marks_the_reason_box(client):
    submission = Submission.objects.filter(state="submitted").first()
    client.force_login(User.objects.get(username="dieuphoi"))
    url = f"/entry/{submission.org_unit_id}/{submission.period_key}/"
    page = client.post(
        url + "decide/", {"action": "return", "reason": "", "revision": submission.revision}, follow=True
    )
    doc = lxml.html.fromstring(page.content.decode())
    (box,) = doc.xpath("//textarea[@id='id_reason']")
    assert box.get("aria-invalid") == "true" and box.get("aria-describedby") == "reason-error"
    assert box.get("data-autofocus") is not None
    assert doc.xpath("//p[@id='reason-error']") and doc.xpath("//ul[@class='messages']/li[@role='alert']")


def _a_refused_save_lists_each_box_with_a_link(client):
    submission = (
        Submission.objects.filter(state="draft").first()
        or Submission.objects.filter(state="returned").first()
    )
    reporter = User.objects.filter(org_unit=submission.org_unit, role="reporter").first()
    client.force_login(reporter)
    url = f"/entry/{submission.org_unit_id}/{submission.period_key}/"
    form = lxml.html.fromstring(client.get(url).content.decode()).xpath("//form[@id='entry-form']")[0]
    data = {
        i.get("name"): i.get("value") or "" for i in form.xpath(".//input[@name]") if i.get("type") != "file"
    }
    first_number = next(name for name in data if name.startswith("n-"))
    data[first_number] = "-5"  # a count below zero: refused
    page = client.post(url, data)
    doc = lxml.html.fromstring(page.content.decode())
    (summary,) = doc.xpath("//div[@id='error-summary']")
    assert summary.get("role") == "alert" and summary.get("data-autofocus") is not None
    links = summary.xpath(".//a/@href")
    assert links and all(doc.xpath(f"//*[@id='{href[1:]}']") for href in links)
