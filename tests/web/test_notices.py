"""Issue 17: nobody was told. A returned, approved or unlocked report gives its unit's reporters one
notice each, in the app and by e-mail, once; a person can turn the e-mail off; new duties are told."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import TestCase

from chitieu.approval import Role
from tests.web.once import rolled_back
from web.accounts.models import User
from web.core import hooks
from web.data.models import Submission
from web.data.services import submission_approve, submission_return, submission_unlock
from web.home.demo import load_demo
from web.notices.models import Delivery, Notice, NoticeSettings
from web.notices.services import notify_submission_moved

pytestmark = pytest.mark.django_db


# The tests without the demo first: the demo below, built once for the module, stays until its last test.
def test_every_moment_a_lower_app_announces_is_still_declared():
    assert hooks.PLAN_CONFIRMED == "plan_confirmed" and hooks.SUBMISSION_MOVED == "submission_moved"


def test_new_duties_are_worked_out_only_for_units_with_someone_to_tell(kon_ray, make_user):
    """A plan in force over many units and few accounts (a country loaded in bulk): the queries do not
    grow with the units nobody reports for (35 s of a 5 % country's load_country went here)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from web.notices.services import notify_new_duties
    from web.orgs.models import OrgUnit

    version, _accounts = kon_ray
    User.objects.filter(role=Role.REPORTER.value).update(is_active=False)
    with CaptureQueriesContext(connection) as nobody:
        notify_new_duties(version=version)
    commune = OrgUnit.objects.get(name="Xã Tân Lập")
    make_user("xa.moi", Role.REPORTER, commune)
    with CaptureQueriesContext(connection) as one:
        notify_new_duties(version=version)
    assert len(nobody) <= 5, [q["sql"][:80] for q in nobody]
    assert Notice.objects.filter(user__username="xa.moi", kind="assigned").count() == 1
    assert len(one) > len(nobody)


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker):
    """The demo built once for the module (rolled back after it; each test's changes after the test).
    Before July 2025: the communes and their reporters at work. The commit callbacks run, so a
    notice of the demo's history would be mailed here if the loader did not hold them."""
    with rolled_back(django_db_blocker):
        mail.outbox = []
        with TestCase.captureOnCommitCallbacks(execute=True):
            load_demo(reform=False)
        yield list(mail.outbox)


@pytest.fixture
def demo(_demo, db):
    coordinator = User.objects.get(username="dieuphoi")
    coordinator.mail_while_loading = _demo
    return coordinator


def _reporters(submission):
    return list(User.objects.filter(org_unit=submission.org_unit, role=Role.REPORTER.value))


def test_a_returned_report_makes_one_notice_and_one_mail_per_reporter(
    client, demo, django_capture_on_commit_callbacks
):
    # The demo is the slow part: its history and the header are checked on the same load.
    _the_demo_history_is_in_the_lists_but_mailed_to_nobody(demo)
    _a_plan_coming_into_force_tells_each_unit_what_it_now_reports(demo)
    submission = Submission.objects.filter(state="submitted").select_related("org_unit").first()
    reporters = _reporters(submission)
    assert reporters and all(r.email for r in reporters)
    with django_capture_on_commit_callbacks(execute=True):
        submission_return(actor=demo, submission=submission, reason="Thiếu minh chứng")
    notices = Notice.objects.filter(kind="returned", user__in=reporters, read_at__isnull=True)
    assert notices.count() == len(reporters)
    assert "Thiếu minh chứng" in notices.first().message and "bị trả lại" in notices.first().message
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in reporters)
    assert f"/entry/{submission.org_unit_id}/{submission.period_key}/" in mail.outbox[0].body

    # The same event announced again (a retry, a second listener run) tells nobody twice.
    submission.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        hooks_again = dict(submission=submission, old_state="submitted")
        notify_submission_moved(**hooks_again)
    assert Notice.objects.filter(kind="returned", user__in=reporters).count() == len(reporters)
    assert len(mail.outbox) == len(reporters)
    _the_header_counts_unread_notices_and_reading_clears_them(
        client, demo, django_capture_on_commit_callbacks
    )


def test_approve_then_unlock_each_tell_once_and_the_e_mail_can_be_turned_off(
    demo, django_capture_on_commit_callbacks
):
    submission = Submission.objects.filter(state="submitted").select_related("org_unit").first()
    reporter = _reporters(submission)[0]
    NoticeSettings.objects.create(user=reporter, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        submission_approve(actor=demo, submission=submission)
        submission_unlock(actor=demo, submission=submission, reason="Sửa số liệu quý")
    kinds = list(Notice.objects.filter(user=reporter, key__startswith=f"submission:{submission.pk}:"))
    assert sorted(n.kind for n in kinds) == ["approved", "unlocked"]
    assert reporter.email not in [m.to[0] for m in mail.outbox]  # in the list, not by e-mail
    assert not Delivery.objects.filter(notice__user=reporter).exists()


def _the_header_counts_unread_notices_and_reading_clears_them(
    client, demo, django_capture_on_commit_callbacks
):
    submission = Submission.objects.filter(state="submitted").select_related("org_unit").first()
    reporter = _reporters(submission)[0]
    with django_capture_on_commit_callbacks(execute=True):
        submission_return(actor=demo, submission=submission, reason="Sai mẫu số")
    unread = Notice.objects.filter(user=reporter, read_at__isnull=True).count()
    assert unread >= 1
    client.force_login(reporter)
    page = client.get("/").content.decode()
    assert f'<span class="badge unread-count">{unread}<' in page
    listing = client.get("/notices/").content.decode()
    assert "Sai mẫu số" in listing
    client.post("/notices/read/")
    assert "unread-count" not in client.get("/").content.decode()


def _the_demo_history_is_in_the_lists_but_mailed_to_nobody(demo):
    assert Notice.objects.filter(kind="approved").exists()  # four years of approvals
    assert demo.mail_while_loading == []


def _a_plan_coming_into_force_tells_each_unit_what_it_now_reports(demo):
    reporter = User.objects.get(username="xa.tanlap")
    (told,) = Notice.objects.filter(user=reporter, kind="assigned")
    assert told.message.startswith("Xã Tân Lập được giao báo cáo") and "6.3" in told.message
