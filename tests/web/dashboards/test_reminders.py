"""``send_reminders``: one e-mail per overdue item, none on the second run, console backend by default."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from chitieu.approval import Role
from web.dashboards.models import SentReminder
from web.dashboards.services import DEFAULT_LOOKBACK_DAYS
from web.dashboards.views import completeness_data

from .conftest import AS_OF


@pytest.fixture
def reporters(figures, make_user):
    from web.orgs.selectors import unit_find

    made = {}
    for name, username in (("Xã Tân Lập", "tan-lap"), ("Xã Đăk Kôi", "dak-koi")):
        user = make_user(username, Role.REPORTER, unit_find(name))
        user.email = f"{username}@konray.example"
        user.save()
        made[name] = user
    return made


def _overdue_within_lookback(plan, as_of: date) -> list:
    items = []
    for year in ("2024",):  # the plan's year, not the calendar's
        items += completeness_data(plan, year, as_of=as_of)["overdue"]
    return [o for o in items if o["expected"].deadline >= as_of - timedelta(days=DEFAULT_LOOKBACK_DAYS)]


def _run(**options) -> str:
    out = io.StringIO()
    call_command("send_reminders", as_of=AS_OF, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def test_one_email_per_overdue_item_and_none_the_second_time(figures, reporters, coordinator, settings):
    as_of = date.fromisoformat(AS_OF)
    overdue = _overdue_within_lookback(figures, as_of)
    assert overdue, "the fixture must have overdue items"
    output = _run(days_before=0)
    assert len(mail.outbox) == len(overdue) == SentReminder.objects.count()
    assert f"gửi {len(overdue)} thư" in output
    to_tan_lap = [m for m in mail.outbox if m.to == ["tan-lap@konray.example"]]
    assert len(to_tan_lap) == 1
    assert "6.3" in to_tan_lap[0].subject and "Quý 4/2024" in to_tan_lap[0].subject
    assert "Xã Tân Lập" in to_tan_lap[0].body
    # Offices without a reporter of their own: the coordinator of the area hears about it.
    assert any(m.to == [coordinator.email] for m in mail.outbox)
    assert not any("Đăk Pne" in m.body for m in mail.outbox)  # it reported every quarter

    second = _run(days_before=0)
    assert len(mail.outbox) == len(overdue)
    assert "gửi 0 thư" in second and f"{len(overdue)} việc đã nhắc trước đó" in second


def test_a_figure_sent_in_time_stops_the_reminders(figures, reporters):
    from web.data.models import Submission

    Submission.objects.filter(org_unit__name="Xã Đăk Kôi", period_key="2024-Q4").update(state="submitted")
    _run(days_before=0)
    assert not [m for m in mail.outbox if m.to == ["dak-koi@konray.example"]]


def test_dry_run_sends_nothing(figures, reporters):
    _run(dry_run=True)
    assert mail.outbox == [] and SentReminder.objects.count() == 0


def test_bad_date_is_a_clear_error(figures):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", as_of="10/02/2025")


def test_console_backend_is_the_default():
    from django.conf import settings

    from web.config.settings import base

    assert base.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
    assert settings.DEFAULT_FROM_EMAIL


def test_tasks_and_reminders_come_from_the_plans_periods_and_agree(client, figures, reporters, settings):
    """Issue 12 item 4: on 3/12/2026 a commune of the 2024 plan owes its 2024-Q4 report, nothing for
    2025 or 2026; the page and the e-mails list the same items with one window."""
    settings.CHITIEU_REMIND_BEFORE_DAYS = 7
    client.force_login(reporters["Xã Đăk Kôi"])
    html = client.get("/dashboards/tasks/", {"as_of": "2026-12-03"}).content.decode()
    late = html[html.index('id="late"') : html.index('id="due"')]
    text = re.sub(r"<[^>]+>", " ", late)
    assert "Quý 4/2024" in text
    assert not re.search(r"Năm 202[56]|/202[56]\b|2024-Q4", text), text
    shown = set(re.findall(r'href="/entry/\d+/([^/"]+)/"', late))
    out = io.StringIO()
    call_command("send_reminders", as_of="2026-12-03", lookback=5000, stdout=out, stderr=io.StringIO())
    mailed = [m for m in mail.outbox if m.to == ["dak-koi@konray.example"]]
    assert mailed and all("2024" in m.subject for m in mailed)
    assert {p for p in shown} == {
        s.period_key for s in SentReminder.objects.filter(org_unit__name="Xã Đăk Kôi")
    }


def test_an_office_sees_its_own_open_draft(client, figures, make_user):
    from web.data.models import Submission
    from web.orgs.selectors import unit_find

    office = unit_find("Phòng Y tế")
    Submission.objects.filter(org_unit=office, period_key="2024").update(state="draft")
    user = make_user("phong-y-te", Role.REPORTER, office)
    client.force_login(user)
    html = client.get("/dashboards/tasks/", {"as_of": "2026-12-03"}).content.decode()
    late = html[html.index('id="late"') : html.index('id="due"')]
    assert "Năm 2024" in late and "4.2" in late
