"""Apply a reorganisation file: units, accounts and assignments in one transaction, audited."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from chitieu.issues import Issue, has_errors
from web.core.audit import audit_record
from web.orgs.access import require_coordinator
from web.orgs.reorganise import Reorganised, reorganisation_units_apply
from web.plans.models import Assignment
from web.reorg.selectors import LIVE_VERSIONS, account_successor, reorganisation_check
from web.rollups.cache import summary_changed_all


class ReorganisationRefused(ValueError):
    def __init__(self, issues: list[Issue]):
        super().__init__("reorganisation refused")
        self.issues = issues


@transaction.atomic
def reorganisation_apply(*, actor, data: bytes, source_name: str) -> Reorganised:
    """All or nothing: the file is checked again against the units as they are now.

    Accounts of a closed unit move to its successor when there is one of the
    same kind (a commune's to the merged commune). A split, or a dissolved
    district whose duties pass to the province, leaves them where they are,
    listed in the preview: the staff keep reading the years their unit
    existed, read-only (``User.chitieu_role``), and an administrator gives them
    a new unit if they have one. The
    assignments of plans in force or in review gain the successors as lead
    units; the closed units stay on them for the periods they reported.
    Figures are not touched: they stay with the unit that reported them.
    """
    require_coordinator(actor)
    checked = reorganisation_check(actor, data)
    if has_errors(checked.issues) or not checked.rows:
        raise ReorganisationRefused(checked.issues)
    reason = _("Reorganisation from the file %(name)s") % {"name": source_name}
    done = reorganisation_units_apply(actor=actor, plan=checked.plan, on_line=checked.on_line, reason=reason)
    for account in get_user_model().objects.filter(org_unit_id__in=done.closed).select_related("org_unit"):
        successors = done.closed[account.org_unit_id]
        if account_successor(account.org_unit.kind, [s.kind for s in successors]) is None:
            continue  # stays on the closed unit: it reads the years the unit existed (read-only)
        old = account.org_unit
        account.org_unit = successors[0]
        account.save(update_fields=["org_unit"])
        audit_record(
            actor=actor,
            action="user_unit",
            subject=account,
            field="org_unit",
            old=old,
            new=successors[0],
            reason=reason,
        )
    assignments = (
        Assignment.objects.filter(
            lead_units__in=list(done.closed), indicator__version__status__in=LIVE_VERSIONS
        )
        .prefetch_related("lead_units")
        .distinct()
    )
    for assignment in assignments:
        before = list(assignment.lead_units.all())
        added = [s for u in before if u.pk in done.closed for s in done.closed[u.pk] if s not in before]
        added = list(dict.fromkeys(added))
        if added:
            assignment.lead_units.add(*added)
            audit_record(
                actor=actor,
                action="assignment_update",
                subject=assignment,
                field="lead_units",
                old=", ".join(u.name for u in before),
                new=", ".join(u.name for u in before + added),
                reason=reason,
            )
    summary_changed_all()
    return done
