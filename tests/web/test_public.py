"""Issue 17: a coordinator publishes a plan; anyone, without logging in, reads its approved figures
and verdicts (nothing awaiting approval, no verdict on incomplete figures, no person's name), with a
CSV and a last-updated date; `manage.py publish` writes the same as static files."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import lxml.html
import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.web.once import demo_for_module
from web.accounts.models import User
from web.core.models import AuditEntry
from web.data.models import Observation
from web.plans.models import Plan
from web.public.services import plan_publish

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _published(django_db_setup, django_db_blocker, demo_copies):
    """The demo once for the module (put back as it was after it; each test's changes after the test)."""
    # A district still at work: its coordinator publishes.
    with demo_for_module(demo_copies, django_db_blocker, reform=False) as result:
        plan = result["version"].plan
        plan_publish(actor=User.objects.get(username="dieuphoi"), plan=plan, published=True)
        yield plan.pk


@pytest.fixture
def published(_published, db):
    return Plan.objects.get(pk=_published)  # read again: no attribute a previous test changed


def _rows(html: str) -> dict[str, tuple[str, str]]:
    doc = lxml.html.fromstring(html)
    return {
        tr.get("data-indicator"): (
            " ".join(tr.xpath("td")[2].text_content().split()),
            " ".join(tr.xpath("td")[4].text_content().split()),
        )
        for tr in doc.xpath("//tr[@data-indicator]")
    }


def test_an_anonymous_visitor_reads_approved_figures_only_as_a_page_a_csv_and_static_files(
    client, published, tmp_path
):
    page = client.get(f"/public/{published.pk}/", {"period": "2024"})
    assert page.status_code == 200
    html = page.content.decode()
    rows = _rows(html)
    assert len(rows) == published.versions.get(status="active").indicators.count()
    # A figure waiting for approval changes nothing a visitor sees; approving it would.
    waiting = Observation.objects.filter(submission__plan=published, submission__state="submitted").first()
    assert waiting is not None
    before = _rows(client.get(f"/public/{published.pk}/", {"period": "2024"}).content.decode())
    waiting.value, waiting.numerator = Decimal("99"), Decimal("99")
    waiting.save()
    assert _rows(client.get(f"/public/{published.pk}/", {"period": "2024"}).content.decode()) == before
    assert "Cập nhật lần cuối" in html and "Chỉ tính số liệu đã duyệt" in html
    for person in User.objects.exclude(first_name="").values_list("first_name", "last_name"):
        assert " ".join(p for p in person if p) not in html  # nobody's name
    assert "Tạm tính" not in html and "tạm tính" not in html
    # One demo load for the three doors (the demo is the slow part): the CSV and the static files.
    _the_csv_holds_the_same_rows_for_excel(client, published)
    _static_files_hold_the_same_page(client, published, tmp_path)


def _the_csv_holds_the_same_rows_for_excel(client, published):
    html = client.get(f"/public/{published.pk}/", {"period": "2024"}).content.decode()
    data = client.get(f"/public/{published.pk}/data.csv", {"period": "2024"}).content.decode("utf-8")
    assert data.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(data[1:]), delimiter=";"))
    shown = _rows(html)
    assert {r[0]: (r[3], r[5]) for r in table[1:]} == shown


def test_a_reporter_cannot_publish_an_unpublished_plan_is_gone_and_both_are_audited(client, published):
    _a_reporter_cannot_publish(client, published)
    # Without ?period: this year while the plan runs, else its last year (not its first).
    years = [str(y) for y in range(2021, 2026)]
    expected = str(timezone.localdate().year) if str(timezone.localdate().year) in years else "2025"
    page = client.get(f"/public/{published.pk}/").content.decode()
    assert f'<option value="{expected}" selected>' in page
    coordinator = User.objects.get(username="dieuphoi")
    plan_publish(actor=coordinator, plan=published, published=False)
    assert client.get(f"/public/{published.pk}/").status_code == 404
    assert client.get("/public/").content.decode().count(f"/public/{published.pk}/") == 0
    actions = list(AuditEntry.objects.filter(action__startswith="plan_").values_list("action", flat=True))
    assert "plan_publish" in actions and "plan_unpublish" in actions


def _a_reporter_cannot_publish(client, published):
    reporter = User.objects.get(username="xa.tanlap")
    client.force_login(reporter)
    assert client.post(f"/public/{published.pk}/publish/", {}).status_code == 403
    assert client.get(f"/public/{published.pk}/").status_code == 200  # still published


def _static_files_hold_the_same_page(client, published, tmp_path):
    call_command("publish", str(published.pk), str(tmp_path), stdout=io.StringIO())
    served = _rows(client.get(f"/public/{published.pk}/", {"period": "2024"}).content.decode())
    assert _rows((tmp_path / "2024.html").read_text(encoding="utf-8")) == served
    assert (tmp_path / "index.html").is_file() and (tmp_path / "site.css").is_file()
    assert (tmp_path / "2024.csv").read_text(encoding="utf-8").startswith("\ufeff")
