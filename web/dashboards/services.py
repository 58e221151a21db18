"""Reminder e-mails for figures that are due or late; each due item is reminded once per stage.

Meant for cron (``manage.py send_reminders``). The sent-reminder row and the
e-mail share one transaction: if the mail server refuses, the row is rolled
back and the next run tries again; if the row already exists (an earlier run,
or a concurrent one), nothing is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from chitieu.reminders import DueItem, Stage, not_yet_sent
from web.accounts.models import User
from web.core.words import period_words
from web.dashboards.models import SentReminder
from web.dashboards.selectors import Expected, open_report_items, plan_version_active
from web.orgs.models import OrgUnit
from web.plans.models import Plan as PlanRecord

# Late items older than this are shown on the completeness page but not e-mailed:
# a new installation with years of history must not send hundreds of old reminders.
DEFAULT_LOOKBACK_DAYS = 120


@dataclass
class ReminderRun:
    sent: list[SentReminder] = field(default_factory=list)
    already_sent: int = 0
    without_recipient: list[DueItem] = field(default_factory=list)


def recipients_for(unit: OrgUnit, plan: PlanRecord) -> list[str]:
    """The unit's reporters; when it has none with an address, the plan area's coordinators."""
    active = User.objects.filter(is_active=True).exclude(email="")
    reporters = active.filter(org_unit=unit, role="reporter").order_by("username")
    emails = [u.email for u in reporters]
    if not emails:
        emails = [u.email for u in active.filter(org_unit=plan.area, role="coordinator").order_by("username")]
    return sorted(set(emails))


def _message(due: DueItem, expected: Expected, plan: PlanRecord) -> tuple[str, str]:
    item = due.item
    sex = {"F": _("female"), "M": _("male")}.get(item.sex, "")
    what = f"{item.indicator} ({sex})" if sex else item.indicator
    if due.stage is Stage.LATE:
        subject = _("Report overdue: indicator %(what)s, period %(period)s") % {
            "what": what,
            "period": period_words(item.period),
        }
        timing = _("The deadline was %(deadline)s (%(days)d days ago).") % {
            "deadline": due.deadline.strftime("%d/%m/%Y"),
            "days": due.days,
        }
    else:
        subject = _("Report due: indicator %(what)s, period %(period)s") % {
            "what": what,
            "period": period_words(item.period),
        }
        timing = _("The deadline is %(deadline)s (in %(days)d days).") % {
            "deadline": due.deadline.strftime("%d/%m/%Y"),
            "days": due.days,
        }
    link = settings.CHITIEU_SITE_URL.rstrip("/") + reverse("dashboards:tasks")
    body = "\n".join(
        [
            _("Dear colleagues of %(unit)s,") % {"unit": expected.unit.name},
            "",
            _(
                "The figure for indicator %(what)s — %(name)s — for period %(period)s of the plan «%(plan)s»"
                " has not been received yet."
            )
            % {
                "what": what,
                "name": expected.indicator_name,
                "period": period_words(item.period),
                "plan": plan.name,
            },
            timing,
            "",
            _("Please enter and submit it: %(link)s") % {"link": link},
            "",
            _("This message is sent once for this report; you will not receive it again."),
        ]
    )
    prefix = _("Gender-equality plan")
    return f"[{prefix}] {subject}", body


def reminders_send(
    *,
    as_of: date,
    plans: list[PlanRecord] | None = None,
    remind_before: int | None = None,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
    dry_run: bool = False,
) -> ReminderRun:
    """Send one e-mail per due or late item not reminded before at that stage."""
    before = settings.CHITIEU_REMIND_BEFORE_DAYS if remind_before is None else remind_before
    run = ReminderRun()
    with translation.override(settings.LANGUAGE_CODE):
        for plan in plans if plans is not None else PlanRecord.objects.select_related("area").order_by("pk"):
            if plan_version_active(plan) is None:
                continue
            _plan_reminders(plan, as_of, before, lookback_days, dry_run, run)
    return run


def _plan_reminders(plan, as_of: date, before: int, lookback: int, dry_run: bool, run: ReminderRun) -> None:
    items = open_report_items(plan, as_of=as_of, remind_before=before)
    by_item = {i.due.item.identity: i.expected for i in items}
    due = [i.due for i in items if i.due.deadline >= as_of - timedelta(days=lookback)]
    taken = set(SentReminder.objects.filter(key__in=[d.key for d in due]).values_list("key", flat=True))
    fresh = not_yet_sent(due, taken)
    run.already_sent += len(due) - len(fresh)
    for item in fresh:
        expected_item = by_item[item.item.identity]
        recipients = recipients_for(expected_item.unit, plan)
        if not recipients:
            run.without_recipient.append(item)
            continue
        if dry_run:
            continue
        sent = _send_once(item, expected_item, plan, recipients)
        if sent is None:
            run.already_sent += 1
        else:
            run.sent.append(sent)


def _send_once(item: DueItem, expected: Expected, plan, recipients: list[str]) -> SentReminder | None:
    subject, body = _message(item, expected, plan)
    try:
        with transaction.atomic():
            sent = SentReminder.objects.create(
                key=item.key,
                stage=item.stage.value,
                plan=plan,
                indicator_code=item.item.indicator,
                period_key=item.item.period,
                org_unit=expected.unit,
                sex=item.item.sex,
                deadline=item.deadline,
                recipients=", ".join(recipients),
            )
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except IntegrityError:  # another run sent it meanwhile
        return None
    return sent
