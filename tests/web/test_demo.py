"""The demo loader: realistic, with gaps, late and returned reports; running it twice changes nothing.

The demo is built once per module (``demo``: a minute of the suite's time on each database instead
of one per test), inside a transaction rolled back after the module; each test's own changes, a
second ``load_demo`` included, are rolled back after it by its ``db`` savepoint.
"""

from dataclasses import dataclass
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from tests.web.once import rolled_back
from web.accounts.models import User
from web.core.models import AuditEntry
from web.data.models import Observation, Submission
from web.data.selectors import is_late
from web.orgs.models import OrgUnit
from web.plans.models import PlanVersion


def _snapshot():
    return (
        User.objects.count(),
        OrgUnit.objects.count(),
        PlanVersion.objects.count(),
        Submission.objects.count(),
        Observation.objects.count(),
        AuditEntry.objects.count(),
    )


@dataclass(frozen=True)
class Demo:
    printed: str  # what `manage.py load_demo` told the operator
    mailed: int  # e-mails sent while loading (history is for the notice lists, not the mailboxes)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """``manage.py load_demo`` on an empty database, once per module; rolled back after it."""
    with rolled_back(django_db_blocker):
        out = StringIO()
        mail.outbox = []
        call_command("load_demo", stdout=out)
        yield Demo(printed=out.getvalue(), mailed=len(mail.outbox))


def test_load_demo_twice_neither_fails_nor_duplicates(demo, db):
    first = _snapshot()
    call_command("load_demo", stdout=StringIO())
    assert _snapshot() == first
    assert "dieuphoi" in demo.printed and "ChiTieu@2024" in demo.printed and "xa.daktolung" in demo.printed


def test_demo_data_is_realistic(demo, db):
    returned = Submission.objects.get(state="returned")
    assert (returned.org_unit.name, returned.period_key) == ("Xã Đăk Tơ Lung", "2024-Q3") and returned.reason
    years = {s.period_start.year for s in Submission.objects.all()}
    assert years == {2021, 2022, 2023, 2024}
    from chitieu.periods import parse_period

    late = [
        s
        for s in Submission.objects.exclude(submitted_at=None).select_related("org_unit")
        if is_late(s, parse_period(s.period_key), s.org_unit, s.submitted_at.date())
    ]
    assert late, "some reports are late"
    communes = OrgUnit.objects.filter(kind="commune").count()
    assert Submission.objects.filter(period_key__contains="-Q").count() < communes * 16  # some missing
    ratio = Observation.objects.filter(indicator_code="4.1").first()
    assert 90 < ratio.value < 115  # boys per 100 girls: plausible
    assert Observation.objects.filter(indicator_code="5.2a", sex="F").exists()
    assert set(User.objects.values_list("role", flat=True)) == {
        "administrator",
        "coordinator",
        "reporter",
        "viewer",
    }


def test_demo_accounts_have_addresses_filled_once(demo, db):
    from web.home.demo import ACCOUNTS, EMAIL_DOMAIN

    emails = dict(User.objects.values_list("username", "email"))
    assert {a.username for a in ACCOUNTS} <= emails.keys()
    assert all(emails[a.username].endswith("@" + EMAIL_DOMAIN) for a in ACCOUNTS)
    assert len({emails[a.username] for a in ACCOUNTS}) == len(ACCOUNTS)
    # An account made before addresses existed gets one; one somebody set is kept.
    User.objects.filter(username="xa.dakkoi").update(email="")
    User.objects.filter(username="phong.yte").update(email="trang.pt@yte.example")
    call_command("load_demo", stdout=StringIO())
    assert User.objects.get(username="xa.dakkoi").email == emails["xa.dakkoi"]
    assert User.objects.get(username="phong.yte").email == "trang.pt@yte.example"
    assert User.objects.count() == len(emails)


def test_reminders_on_the_demo_reach_someone_once(demo, db, settings):
    from datetime import date, timedelta

    from web.dashboards.services import DEFAULT_LOOKBACK_DAYS
    from web.dashboards.views import completeness_data
    from web.plans.models import Plan

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert demo.mailed == 0  # the demo's years of history reached nobody's mailbox
    as_of = date(2025, 1, 22)  # a month after the 2024 deadlines
    plan = Plan.objects.get(area__name="Kon Rẫy")
    overdue = [
        o
        for year in ("2024",)  # the plan's year: nothing is owed for 2025
        for o in completeness_data(plan, year, as_of=as_of)["overdue"]
        if o["expected"].deadline >= as_of - timedelta(days=DEFAULT_LOOKBACK_DAYS)
    ]
    assert overdue, "the demo has overdue items"
    out, err = StringIO(), StringIO()
    call_command("send_reminders", as_of=as_of.isoformat(), days_before=0, stdout=out, stderr=err)
    assert "không có người nhận" not in err.getvalue()
    assert len(mail.outbox) == len(overdue)  # one e-mail per overdue item
    addresses = set(User.objects.exclude(email="").values_list("email", flat=True))
    assert all(m.to and set(m.to) <= addresses for m in mail.outbox)
    call_command("send_reminders", as_of=as_of.isoformat(), days_before=0, stdout=out, stderr=err)
    assert len(mail.outbox) == len(overdue)  # none the second time


def test_the_district_dashboard_of_the_demo_lists_no_sums_as_a_row_that_does_not_count(demo, client, db):
    # was: "2024-Q1: dòng 6.3 kỳ 2024-Q1 (~) không được tính: đơn vị không thuộc danh sách…" four
    # times: the roll-up's sums of the communes were handed to the engine beside each commune's rows
    client.force_login(User.objects.get(username="dieuphoi"))
    version = PlanVersion.objects.get(status="active", plan__area__name="Kon Rẫy")
    page = client.get(f"/dashboards/plans/{version.plan_id}/?period=2024").content.decode()
    assert "(~)" not in page
    assert "không thuộc danh sách đơn vị của địa bàn" not in page


# From dashboards/test_dashboards.py, whose other tests share one plan with figures (tests/web/once.py):
# the same demo as load_demo() there, built once for this module.
def test_dashboard_verdicts_equal_the_engine_on_the_demo_data(demo, client, db):
    from datetime import date

    from chitieu.evaluate import evaluate_plan
    from chitieu.importer import read_plan
    from chitieu.issues import has_errors
    from chitieu.observation_csv import read_observations_csv
    from tests.web.dashboards.conftest import ANNEX
    from tests.web.dashboards.test_dashboards import _demo_csv, _statuses

    plan = PlanVersion.objects.get(status="active", plan__area__name="Kon Rẫy").plan
    client.force_login(User.objects.get(username="lanhdao"))
    as_of = "2025-01-22"
    observations, issues = read_observations_csv(_demo_csv(plan))
    assert not has_errors(issues)
    communes = sorted(OrgUnit.objects.filter(kind="commune", parent=plan.area).values_list("name", flat=True))
    for period in ("2024", "2021-2025"):
        html = client.get(
            f"/dashboards/plans/{plan.pk}/", {"period": period, "as_of": as_of}
        ).content.decode()
        shown = _statuses(html)
        evaluation = evaluate_plan(
            read_plan(ANNEX).plan, observations, period, as_of=date.fromisoformat(as_of), units=communes
        )
        assert shown == {r.indicator: r.status.value for r in evaluation.results}, period
        assert len(set(shown.values())) >= 2, period  # the demo is not all one verdict
