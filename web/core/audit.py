"""Writing audit rows; called by services inside their transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db import models
from django.utils import timezone

from web.core.bulk_sql import rows_insert
from web.core.models import AuditEntry


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def audit_record(
    *,
    actor,
    action: str,
    subject: models.Model,
    field: str = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
) -> AuditEntry:
    pending = audit_entry(
        actor=actor, action=action, subject=subject, field=field, old=old, new=new, reason=reason
    )
    entry = AuditEntry(**pending._asdict())
    entry.save()
    return entry


class PendingEntry(NamedTuple):
    """An audit entry not yet written: ``audit_entries_save`` writes thousands of them at once.

    A tuple, not an unsaved ``AuditEntry``: an API request of 10,000 new figures builds 30,000 of
    them, and a model instance each was a fifth of the request's time."""

    actor_id: int | None
    action: str
    subject_type: str
    subject_id: int | None
    field: str
    old: str
    new: str
    reason: str


def audit_entry(
    *,
    actor,
    action: str,
    subject: models.Model,
    field: str = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
) -> PendingEntry:
    """The entry ``audit_record`` writes, unsaved: for services that write many at once."""
    return PendingEntry(
        getattr(actor, "pk", None),
        action,
        subject._meta.model_name,
        subject.pk,
        field,
        _text(old),
        _text(new),
        reason,
    )


_COLUMNS = ("at", "actor", "action", "subject_type", "subject_id", "field", "old", "new", "reason")


def audit_entries_save(entries: Iterable[PendingEntry]) -> None:
    """Write entries built by ``audit_entry`` in batches (a bulk load's changed figures, an API
    request's), all at this moment, one multi-row INSERT per thousand."""
    now = timezone.now()
    rows_insert(
        AuditEntry,
        _COLUMNS,
        ((now, *entry) for entry in entries),
    )


def last_entry_number() -> int:
    """The newest entry's number: it grows with every audited change (a figure typed, a report
    sent or decided, evidence added, a load), so a page listing such things can be kept until it
    changes. Transactions may commit out of number order: readers keep such lists briefly."""
    return AuditEntry.objects.aggregate(newest=models.Max("id"))["newest"] or 0


def audit_for(subject: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        subject_type=subject._meta.model_name, subject_id=subject.pk
    ).select_related("actor")
