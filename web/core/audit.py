"""Writing audit rows; called by services inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

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
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        subject_type=subject._meta.model_name,
        subject_id=subject.pk,
        field=field,
        old=_text(old),
        new=_text(new),
        reason=reason,
    )


def audit_for(subject: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        subject_type=subject._meta.model_name, subject_id=subject.pk
    ).select_related("actor")
