"""Forms opened before someone else's change are refused, not applied (targets, assignments, decisions).

The parallel versions of these races run on PostgreSQL in test_concurrency.py;
here the same refusals, one request after the other, on any database.
"""

from __future__ import annotations

from decimal import Decimal

from web.data.models import Submission
from web.plans import services as plans
from web.plans.models import Assignment, Target

STALE = "Có người khác đã thay đổi mục này sau khi bạn mở trang"
STALE_DECISION = "Có người đã thay đổi báo cáo này sau khi bạn mở trang"


def _seen(page) -> str:
    return page.context["form"]["seen"].value()


def test_a_target_changed_meanwhile_is_not_overwritten(client, world, db):
    client.force_login(world.users["coordinator"])
    url = f"/plans/target/{world.target.pk}/"
    seen = _seen(client.get(url))
    target = Target.objects.get(pk=world.target.pk)
    plans.target_update(
        actor=world.users["administrator"],
        target=target,
        comparator=">=",
        value=Decimal(58),
        reason="Quyết định của tỉnh",
    )
    response = client.post(
        url, {"comparator": ">=", "value": "61", "reason": "Sửa", "seen": seen}, follow=True
    )
    assert STALE in response.content.decode()
    assert Target.objects.get(pk=world.target.pk).value == Decimal(58)
    fresh = _seen(client.get(url))
    assert (
        client.post(url, {"comparator": ">=", "value": "61", "reason": "Sửa", "seen": fresh}).status_code
        == 302
    )
    assert Target.objects.get(pk=world.target.pk).value == Decimal(61)


def test_an_assignment_changed_meanwhile_is_not_overwritten(client, world, db):
    client.force_login(world.users["coordinator"])
    url = f"/plans/assignment/{world.assignment.pk}/"
    seen = _seen(client.get(url))
    assignment = Assignment.objects.get(pk=world.assignment.pk)
    plans.assignment_update(
        actor=world.users["administrator"],
        assignment=assignment,
        lead_units=[],
        reporters=assignment.reporters,
        frequency="quarter",
        by_sex=assignment.by_sex,
    )
    data = {"reporters": assignment.reporters, "frequency": "month", "seen": seen}
    response = client.post(url, data, follow=True)
    assert STALE in response.content.decode()
    assert Assignment.objects.get(pk=world.assignment.pk).frequency == "quarter"


def test_a_decision_on_a_report_changed_meanwhile_is_not_applied(client, world, db):
    """The coordinator's page showed the report before the unit's resubmission: approving it is refused."""
    from web.data import services as data

    submission = Submission.objects.get(pk=world.submissions["a_submitted"].pk)
    seen = submission.revision
    data.submission_return(actor=world.users["administrator"], submission=submission, reason="Thiếu tệp")
    submission = Submission.objects.get(pk=submission.pk)
    data.submission_submit(
        actor=world.users["reporter_a"], submission=submission, revision=submission.revision
    )
    client.force_login(world.users["coordinator"])
    url = f"/entry/{world.unit_a.pk}/2024-Q1/"
    response = client.post(url + "decide/", {"action": "approve", "revision": str(seen)}, follow=True)
    assert STALE_DECISION in response.content.decode()
    assert Submission.objects.get(pk=submission.pk).state == "submitted"
