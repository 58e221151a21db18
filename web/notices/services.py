"""Making notices from what happened, and handing them to every channel once, after the commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chitieu.approval import Action, Role, State
from chitieu.periods import period_label
from web.accounts.models import User
from web.data.models import Submission
from web.data.selectors import duties
from web.notices.channels import channels
from web.notices.models import Delivery, Notice
from web.orgs.models import OrgUnit
from web.orgs.selectors import unit_descendant_ids
from web.plans.models import PlanVersion

_held: ContextVar[bool] = ContextVar("notices_held", default=False)


@contextmanager
def held() -> Iterator[None]:
    """Notices made inside go to the in-app list but to no channel: loading history (the demo's four
    years of approvals) is not news to mail."""
    token = _held.set(True)
    try:
        yield
    finally:
        _held.reset(token)


def notify(users, *, key: str, kind: str, message: str, link: str = "") -> list[Notice]:
    """One notice per person for the event ``key`` (a second call for the same event adds none);
    the channels get the new ones once the surrounding transaction commits."""
    made = []
    for user in users:
        try:
            with transaction.atomic():  # a savepoint: the event's own transaction goes on either way
                made.append(Notice.objects.create(user=user, key=key, kind=kind, message=message, link=link))
        except IntegrityError:
            continue  # this person was told of this event already
    if made and not _held.get():
        ids = [n.pk for n in made]
        transaction.on_commit(lambda: deliver(ids))
    return made


def deliver(notice_ids: list[int]) -> None:
    """Each notice to each channel that wants it, at most once: the delivery row and the sending
    share a transaction, so a channel that fails leaves no row and a later run may try again."""
    for notice in Notice.objects.filter(pk__in=notice_ids).select_related("user"):
        for channel in channels():
            if not channel.wants(notice):
                continue
            try:
                with transaction.atomic():
                    Delivery.objects.create(notice=notice, channel=channel.name)
                    channel.send(notice)
            except IntegrityError:
                continue  # already sent on this channel


def mark_read(user) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def _reporters(unit: OrgUnit, *, besides=None):
    people = User.objects.filter(org_unit=unit, role=Role.REPORTER.value, is_active=True)
    return people.exclude(pk=besides.pk) if besides is not None else people


def _event(old_state: str, new_state: str, action: Action | None) -> str | None:
    if action is Action.RETURN or new_state == State.RETURNED:
        return "returned"
    if action is Action.APPROVE or new_state == State.APPROVED:
        return "approved"
    if action is Action.UNLOCK or (old_state == State.APPROVED and new_state == State.DRAFT):
        return "unlocked"
    return None


def notify_submission_moved(
    *, submission: Submission, old_state: str, action: Action | None = None, actor=None, **_details
) -> None:
    """A report returned, approved or unlocked: its unit's reporters are told (not the one who did it)."""
    kind = _event(old_state, submission.state, action)
    if kind is None:
        return
    values = {"period": period_label(submission.period_key), "unit": submission.org_unit.name}
    if kind == "returned":
        message = _("The report for %(period)s of %(unit)s was returned: %(reason)s") % {
            **values,
            "reason": submission.reason or "—",
        }
    elif kind == "approved":
        message = _("The report for %(period)s of %(unit)s was approved.") % values
    else:
        message = _("The report for %(period)s of %(unit)s was unlocked for corrections.") % values
    notify(
        _reporters(submission.org_unit, besides=actor),
        key=f"submission:{submission.pk}:{submission.revision}:{kind}",
        kind=kind,
        message=message,
        link=reverse("data:entry", args=[submission.org_unit_id, submission.period_key]),
    )


def _codes(version: PlanVersion | None, unit: OrgUnit) -> set[str]:
    return {d.indicator.code for d in duties(version, unit)} if version is not None else set()


def notify_new_duties(*, version: PlanVersion, previous: PlanVersion | None = None, **_details) -> None:
    """A plan version in force: each unit given indicators it did not report before is told which."""
    # Only units with someone to tell are worked out: a country loaded in bulk has thousands of
    # units and few accounts, and each unit's duties cost a walk of the plan's assignments.
    told = User.objects.filter(role=Role.REPORTER.value, is_active=True).values("org_unit_id")
    units = OrgUnit.objects.filter(pk__in=unit_descendant_ids(version.plan.area_id)).filter(pk__in=told)
    for unit in units:
        new = sorted(_codes(version, unit) - _codes(previous, unit))
        if not new:
            continue
        message = _("%(unit)s now reports for the plan “%(plan)s”: indicators %(codes)s.") % {
            "unit": unit.name,
            "plan": version.plan.name,
            "codes": ", ".join(new),
        }
        notify(
            _reporters(unit),
            key=f"duties:{version.pk}:{unit.pk}",
            kind="assigned",
            message=message,
            link=reverse("home"),
        )
