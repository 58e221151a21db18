"""Issue 12 item 8: timeliness is judged from the first submission; "nộp muộn" is not "chưa nộp"."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.utils import timezone

from chitieu.approval import Role
from web.data import services as data_services
from web.data.models import Submission

from .conftest import AS_OF


def _at(day: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(f"{day}T09:00"))


@pytest.fixture
def tan_lap(figures, make_user):
    from web.orgs.selectors import unit_find

    return make_user("tan-lap", Role.REPORTER, unit_find("Xã Tân Lập"))


def test_an_unlock_and_a_new_submission_keep_a_report_on_time(client, figures, tan_lap, coordinator):
    q1 = Submission.objects.get(org_unit=tan_lap.org_unit, period_key="2024-Q1")
    Submission.objects.filter(pk=q1.pk).update(submitted_at=_at("2024-03-01"))
    q1.refresh_from_db()
    q1 = data_services.submission_unlock(actor=coordinator, submission=q1, reason="Sửa số tin bài")
    q1 = data_services.submission_submit(actor=tan_lap, submission=q1, revision=q1.revision)
    assert q1.submitted_at.date() > q1.period_end  # sent again today, long after the deadline
    client.force_login(tan_lap)
    page = client.get(f"/entry/{tan_lap.org_unit_id}/2024-Q1/").content.decode()
    assert 'class="badge late"' not in page, "first sent on 1/3/2024: on time"


def test_completeness_shows_submitted_late_apart_from_not_submitted(client, figures, coordinator):
    # Xã Đăk Pne first sent its 2024-Q2 report in January 2025, long after the deadline.
    Submission.objects.filter(org_unit__name="Xã Đăk Pne", period_key="2024-Q2").update(
        submitted_at=_at("2025-01-20")
    )
    Submission.objects.exclude(org_unit__name="Xã Đăk Pne", period_key="2024-Q2").update(
        submitted_at=_at("2024-01-02")
    )
    client.force_login(coordinator)
    html = client.get(
        f"/dashboards/plans/{figures.pk}/completeness/", {"period": "2024", "as_of": AS_OF}
    ).content.decode()
    assert re.search(r'id="sent-late">Nộp muộn: 1<', html), html[html.index('id="totals"') :][:600]
    assert "Chưa nộp" in html
    row = re.search(r'<tr data-unit="Xã Đăk Pne" data-period="2024-Q2">.*?</tr>', html, re.S)[0]
    assert 'data-col="sent-late">1<' in row and 'data-col="not-submitted">0<' in row
    assert "Quý 2/2024" in row
