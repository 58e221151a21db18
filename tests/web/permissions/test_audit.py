"""The audit trail: every change leaves a row (who, when, old → new), and no one can change a row.

One test per kind of change, each failing if its row is missing; then the ways
someone could try to alter the trail: the admin (even a superuser), the API,
and on PostgreSQL the database itself (a trigger refuses UPDATE and DELETE).
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from chitieu.approval import Role
from web.accounts.services import user_ensure
from web.api.services import token_create, token_revoke
from web.core.models import AuditEntry
from web.data import services as data
from web.data.models import Submission
from web.orgs import services as orgs
from web.orgs.models import UnitKind
from web.plans import services as plans
from web.plans.models import Plan

from .world import PDF, World


def _newest(action: str, **filters) -> AuditEntry:
    row = AuditEntry.objects.filter(action=action, **filters).order_by("-id").first()
    assert row is not None, f"no audit row for {action} {filters}"
    assert timezone.now() - row.at < timedelta(minutes=5)
    return row


def _expect(
    action: str,
    actor,
    subject,
    *,
    field: str = "",
    old: str | None = None,
    new: str | None = None,
    reason: str | None = None,
) -> AuditEntry:
    filters = {"subject_type": subject._meta.model_name, "subject_id": subject.pk}
    if field:
        filters["field"] = field
    row = _newest(action, **filters)
    assert row.actor_id == (actor.pk if actor else None), (row.actor, actor)
    for name, wanted in (("old", old), ("new", new), ("reason", reason)):
        if wanted is not None:
            assert getattr(row, name) == wanted, (name, getattr(row, name), wanted)
    return row


def _reloaded(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def w(world, db) -> World:
    """The module's world with its objects read again: services change the instances they are given."""
    fields = ("district", "unit_a", "unit_b", "version", "draft", "target", "assignment")
    fresh = dataclasses.replace(world, **{name: _reloaded(getattr(world, name)) for name in fields})
    fresh.submissions = {key: _reloaded(s) for key, s in world.submissions.items()}
    return fresh


def _fresh(w: World) -> Submission:
    return Submission.objects.get(pk=w.submissions["a_draft"].pk)


def _figure(w: World, numerator, denominator) -> dict:
    indicator = w.version.indicators.get(code="3.2a")
    return {(indicator, ""): data.FigureInput(numerator, denominator)}


# ------------------------------------------------------------------ figures, evidence, approval


def test_figure_created(w):
    reporter = w.users["reporter_a"]
    submission = data.submission_save(
        actor=reporter,
        plan=w.plan,
        unit=w.unit_a,
        period_key="2024-Q3",
        revision=0,
        figures=_figure(w, Decimal(4), Decimal(9)),
    )
    _expect("figure_change", reporter, submission, field="3.2a//numerator", old="", new="4")
    _expect("figure_change", reporter, submission, field="3.2a//denominator", old="", new="9")


def test_figure_updated(w):
    coordinator = w.users["coordinator"]
    submission = _fresh(w)
    data.submission_save(
        actor=coordinator,
        plan=w.plan,
        unit=w.unit_a,
        period_key="2024-Q2",
        revision=submission.revision,
        figures=_figure(w, Decimal(3), Decimal(5)),
    )
    _expect("figure_change", coordinator, submission, field="3.2a//numerator", old="2", new="3")


def test_figure_cleared(w):
    """Emptying a figure is its deletion: the old value stays in the trail."""
    reporter = w.users["reporter_a"]
    submission = _fresh(w)
    data.submission_save(
        actor=reporter,
        plan=w.plan,
        unit=w.unit_a,
        period_key="2024-Q2",
        revision=submission.revision,
        figures=_figure(w, None, None),
    )
    _expect("figure_change", reporter, submission, field="3.2a//numerator", old="2", new="")


def test_evidence_added(w):
    reporter = w.users["reporter_a"]
    submission = _fresh(w)
    data.submission_save(
        actor=reporter,
        plan=w.plan,
        unit=w.unit_a,
        period_key="2024-Q2",
        revision=submission.revision,
        figures={},
        evidence=[SimpleUploadedFile("so-theo-doi.pdf", PDF, "application/pdf")],
    )
    _expect("evidence_add", reporter, submission, field="evidence", new="so-theo-doi.pdf")


def test_submitted(w):
    reporter = w.users["reporter_a"]
    submission = _fresh(w)
    data.submission_submit(actor=reporter, submission=submission, revision=submission.revision)
    _expect("submit", reporter, submission, field="state", old="draft", new="submitted")


def test_approved(w):
    coordinator = w.users["coordinator"]
    submission = w.submissions["a_submitted"]
    data.submission_approve(actor=coordinator, submission=submission)
    _expect("approve", coordinator, submission, field="state", old="submitted", new="approved")


def test_returned(w):
    coordinator = w.users["coordinator"]
    submission = w.submissions["a_submitted"]
    data.submission_return(actor=coordinator, submission=submission, reason="Mẫu số sai")
    _expect(
        "return", coordinator, submission, field="state", old="submitted", new="returned", reason="Mẫu số sai"
    )


def test_unlocked(w):
    coordinator = w.users["coordinator"]
    submission = w.submissions["a_approved"]
    data.submission_unlock(actor=coordinator, submission=submission, reason="Bổ sung số liệu")
    _expect(
        "unlock",
        coordinator,
        submission,
        field="state",
        old="approved",
        new="draft",
        reason="Bổ sung số liệu",
    )


# ------------------------------------------------------------------ plans, targets, assignments


def test_plan_version_created(w):
    coordinator = w.users["coordinator"]
    version = plans.plan_import(
        actor=coordinator, data=bytes(w.version.source_bytes), filename="moi.txt", area=w.district
    )
    _expect("plan_import", coordinator, version, field="source_name", new="moi.txt")


def test_plan_version_reviewed(w):
    coordinator = w.users["coordinator"]
    indicator = w.draft.indicators.order_by("position").first()
    edit = plans.IndicatorEdit(
        name="Tên mới",
        measure=indicator.measure,
        per=indicator.per,
        direction=indicator.direction,
        by_sex=indicator.by_sex,
        numerator_label=indicator.numerator_label,
        denominator_label=indicator.denominator_label,
    )
    plans.plan_version_review_save(
        actor=coordinator,
        version=w.draft,
        revision=w.draft.revision,
        indicators={indicator.pk: edit},
        targets={},
    )
    _expect("review_edit", coordinator, indicator, field="name", old=indicator.name, new="Tên mới")


def test_plan_version_confirmed_and_the_old_one_superseded(w):
    coordinator = w.users["coordinator"]
    plans.plan_version_confirm(actor=coordinator, version=w.draft)
    _expect("plan_confirm", coordinator, w.draft, field="status", new="active")
    _expect("plan_supersede", coordinator, w.version, field="status", new="superseded")


def test_plan_version_discarded(w):
    coordinator = w.users["coordinator"]
    plans.plan_version_discard(actor=coordinator, version=w.draft)
    _expect("plan_discard", coordinator, w.draft, field="status", new="discarded")


def test_target_changed(w):
    coordinator = w.users["coordinator"]
    old = w.target.value
    plans.target_update(
        actor=coordinator,
        target=w.target,
        comparator=w.target.comparator,
        value=Decimal("61.5"),
        reason="Nghị quyết mới",
    )
    _expect(
        "target_update",
        coordinator,
        w.target,
        field="value",
        old=str(old),
        new="61.5",
        reason="Nghị quyết mới",
    )


def test_target_added(w):
    coordinator = w.users["coordinator"]
    target = plans.target_add(
        actor=coordinator,
        indicator=w.target.indicator,
        period_key="2026",
        comparator=">=",
        value=Decimal(70),
        reason="Năm mới",
    )
    _expect("target_add", coordinator, target, field="value", new="70", reason="Năm mới")


def test_assignment_changed(w):
    coordinator = w.users["coordinator"]
    a = w.assignment
    old_units = ", ".join(sorted(u.name for u in a.lead_units.all()))
    plans.assignment_update(
        actor=coordinator,
        assignment=a,
        lead_units=[w.unit_a],
        reporters=a.reporters,
        frequency="half",
        by_sex=a.by_sex,
    )
    _expect("assignment_update", coordinator, a, field="frequency", old=a.frequency, new="half")
    _expect("assignment_update", coordinator, a, field="lead_units", old=old_units, new=w.unit_a.name)


# ------------------------------------------------------------------ units, tokens, users


def test_unit_created(w):
    coordinator = w.users["coordinator"]
    unit = orgs.unit_create(actor=coordinator, name="Xã Mới Lập", kind=UnitKind.COMMUNE, parent=w.district)
    _expect("unit_create", coordinator, unit, field="name", new="Xã Mới Lập")


def test_unit_renamed(w):
    coordinator = w.users["coordinator"]
    orgs.unit_rename(actor=coordinator, unit=w.unit_b, name="Xã Tân Lập Mới", on=date(2025, 7, 1))
    _expect("unit_rename", coordinator, w.unit_b, field="name", old="Xã Tân Lập", new="Xã Tân Lập Mới")


def test_units_merged(w):
    coordinator = w.users["coordinator"]
    merged = orgs.units_merge(
        actor=coordinator, units=[w.unit_a, w.unit_b], name="Xã Gộp", on=date(2025, 7, 1)
    )
    _expect("unit_merge", coordinator, w.unit_a, field="successor", new="Xã Gộp")
    _expect("unit_merge", coordinator, w.unit_b, field="successor", new="Xã Gộp")
    _expect("unit_create", coordinator, merged, field="name", new="Xã Gộp")


def test_unit_split(w):
    coordinator = w.users["coordinator"]
    parts = orgs.unit_split(actor=coordinator, unit=w.unit_b, names=["Xã B1", "Xã B2"], on=date(2025, 7, 1))
    _expect("unit_split", coordinator, w.unit_b, field="successors", new="Xã B1, Xã B2")
    for part in parts:
        _expect("unit_create", coordinator, part, field="name", new=part.name, reason="Xã Tân Lập")


def test_token_created_and_revoked_without_the_secret(w):
    admin = w.users["administrator"]
    token, raw = token_create(user=w.users["reporter_a"], name="Đồng bộ DHIS2", actor=admin)
    row = _expect("token_create", admin, token, field="user", new="xa.daktolung: Đồng bộ DHIS2")
    assert raw not in (row.old + row.new + row.reason)
    token_revoke(token=token, actor=admin)
    _expect("token_revoke", admin, token, field="revoked_at")


def test_user_created(w):
    admin = w.users["administrator"]
    user, _ = user_ensure(username="xa.moi", password="x", role=Role.REPORTER, org_unit=w.unit_a, actor=admin)
    _expect("user_create", admin, user, field="role", new="reporter")


# ------------------------------------------------------------------ nobody changes the trail


@pytest.fixture
def entry(w) -> AuditEntry:
    return AuditEntry.objects.filter(action="approve").order_by("id").first()


def _admin(client, w):
    client.force_login(w.users["administrator"])
    return client


def test_admin_shows_audit_read_only_even_to_a_superuser(client, w, entry):
    admin = _admin(client, w)
    assert w.users["administrator"].is_superuser
    assert admin.get("/admin/core/auditentry/").status_code == 200
    page = admin.get(f"/admin/core/auditentry/{entry.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    fields = {"action": "forged", "subject_type": "submission", "subject_id": "1", "old": "x", "new": "y"}
    assert admin.post(f"/admin/core/auditentry/{entry.pk}/change/", fields).status_code == 403
    assert admin.get("/admin/core/auditentry/add/").status_code == 403
    assert admin.post("/admin/core/auditentry/add/", fields).status_code == 403
    assert admin.get(f"/admin/core/auditentry/{entry.pk}/delete/").status_code == 403
    assert admin.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    listing = admin.post(
        "/admin/core/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk]}
    )
    assert listing.status_code in (200, 302)
    after = AuditEntry.objects.get(pk=entry.pk)
    assert (after.action, after.old, after.new) == (entry.action, entry.old, entry.new)


def test_staff_flag_alone_does_not_open_the_admin(client, w):
    coordinator = w.users["coordinator"]
    coordinator.is_staff = True
    coordinator.save(update_fields=["is_staff"])
    client.force_login(coordinator)
    response = client.get("/admin/core/auditentry/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_api_has_no_way_to_write_the_audit_trail(client, w):
    from web.api.api import api

    schema = api.get_openapi_schema()
    writes = sorted(f"{m.upper()} {p}" for p, ops in schema["paths"].items() for m in ops if m != "get")
    assert writes == [
        "POST /api/plans/{plan_id}/observations",
        "POST /api/plans/{plan_id}/observations/import",
    ]
    assert not any("audit" in path for path in schema["paths"])
    before = list(AuditEntry.objects.order_by("id").values())
    response = client.post(
        f"/api/plans/{w.plan.pk}/observations",
        data={
            "rows": [
                {
                    "indicator": "3.2a",
                    "period": "2024-Q2",
                    "org_unit_id": w.unit_a.pk,
                    "numerator": "1",
                    "denominator": "9",
                    "note": "audit",
                }
            ]
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {w.tokens['reporter_a']}",
    )
    assert response.json()["saved"] == 1
    after = list(AuditEntry.objects.order_by("id").values())
    assert after[: len(before)] == before  # the old rows untouched; the write only added rows
    assert {row["action"] for row in after[len(before) :]} == {"figure_change"}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_update_and_delete_of_audit_rows(w, entry):
    for statement in (
        "UPDATE core_auditentry SET new = 'forged' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        refused = pytest.raises(DatabaseError, match="audit entries cannot be changed or deleted")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(new="forged")
    assert AuditEntry.objects.get(pk=entry.pk).new == entry.new
    with transaction.atomic():  # inserting is how the app writes: still allowed
        AuditEntry.objects.create(action="check", subject_type="plan", subject_id=Plan.objects.first().pk)
