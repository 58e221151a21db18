"""Data-entry writes: save figures, submit, approve, return, unlock.

Every write checks the actor (chitieu.approval decides the state moves), refuses
a form opened before someone else's change (optimistic concurrency on
``Submission.revision``), and writes its rows and audit entries in one
transaction. Nothing is deleted: a changed figure keeps its old value in the
audit trail.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from chitieu.approval import Action, ApprovalError, Role, State, check_four_eyes, may_ever, transition
from chitieu.figures import FigureRefused, FigureRule, is_not_applicable, missing_sexes
from chitieu.filetypes import SUFFIXES, sniff
from chitieu.packages import package_problem
from chitieu.periods import parse_period
from web.core import hooks
from web.core.audit import audit_entries_save, audit_entry, audit_record
from web.core.bulk_sql import rows_insert
from web.core.fields import FigureField
from web.core.staging import track
from web.data.models import Evidence, Observation, Submission
from web.data.selectors import DutyIndex
from web.orgs.access import area_unit_ids, visible_among
from web.orgs.models import OrgUnit
from web.plans.models import Indicator, Plan


class StaleSubmission(Exception):
    """The figures changed after this form was opened; nothing was written."""


class EvidenceError(ValueError):
    def __init__(self, code: str, name: str):
        super().__init__(f"{code}: {name}")
        self.code = code
        self.name = name


FigureError = FigureRefused  # a figure the rule refuses: ``.issue`` says why (web.core.figures words it)


class SexMissing(Exception):
    """A by-sex indicator sent with one sex blank; ``missing`` is [(indicator code, sex), …]."""

    def __init__(self, missing: list[tuple[str, str]]):
        super().__init__(", ".join(f"{code}/{sex}" for code, sex in missing))
        self.missing = missing


@dataclass(frozen=True)
class FigureInput:
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None  # counts, or a value given without its parts
    note: str = ""


def figure_rule(indicator: Indicator) -> FigureRule:
    """The core's figure rule for an indicator of the plan in the database."""
    return _rule(indicator.measure, indicator.per)


@lru_cache(maxsize=256)
def _rule(measure: str, per: int | None) -> FigureRule:
    return FigureRule.of(measure, per)  # the same few (measure, factor) pairs for every figure


def compute_value(indicator: Indicator, figure: FigureInput) -> Decimal | None:
    """The value to store (``chitieu.figures``); FigureError when the figure breaks the rule."""
    return figure_rule(indicator).accept(figure.numerator, figure.denominator, figure.value)


def check_figure(indicator: Indicator, figure: FigureInput) -> None:
    compute_value(indicator, figure)


Figures = dict[tuple[Indicator, str], FigureInput]
Values = dict[tuple[Indicator, str], Decimal | None]


def _accepted_values(figures: Figures) -> Values:
    """The value to store for each figure, the rule applied once each; FigureError at the first
    figure it refuses (nothing is written then)."""
    return {key: compute_value(key[0], figure) for key, figure in figures.items()}


def _may_act_for(actor, unit: OrgUnit, area: set[int] | bool | None = False) -> Role:
    """The actor's role if they may act for ``unit`` at all; PermissionDenied otherwise.

    ``area``: the actor's ``area_unit_ids`` when the caller acts for many units (read once)."""
    if not actor.is_authenticated:
        raise PermissionDenied
    role = actor.chitieu_role
    ids = area_unit_ids(actor) if area is False else area
    if ids is not None and unit.pk not in ids:
        raise PermissionDenied
    return role


def _transition(
    actor, submission: Submission, action: Action, reason: str = "", area: set[int] | bool | None = False
) -> State:
    role = _may_act_for(actor, submission.org_unit, area)
    try:
        state = transition(State(submission.state), action, role=role, reason=reason)
        check_four_eyes(
            action,
            required=submission.plan.four_eyes,
            decider_submitted=submission.submitted_by_id == actor.pk,
        )
        return state
    except ApprovalError as error:
        if error.code == "role_not_allowed":
            raise PermissionDenied from error
        raise


def _locked_submission(plan: Plan, unit: OrgUnit, period_key: str) -> tuple[Submission, bool]:
    period = parse_period(period_key)
    submission, created = Submission.objects.select_for_update().get_or_create(
        plan=plan,
        org_unit=unit,
        period_key=period.key,
        defaults={"period_start": period.start, "period_end": period.end},
    )
    submission.org_unit = unit  # the same row: spares a query when the unit is checked next
    return submission, created


@transaction.atomic
def submission_save(
    *,
    actor,
    plan: Plan,
    unit: OrgUnit,
    period_key: str,
    revision: int,
    figures: dict[tuple[Indicator, str], FigureInput],
    evidence: list[UploadedFile] = (),
    duty_index=None,
) -> Submission:
    """Store the figures typed for one unit and period; refuse a stale form.

    ``duty_index``: a ``web.data.selectors.DutyIndex`` of the plan in force, when the
    caller writes for many units at once (the API) and has read the assignments already.
    """
    _may_act_for(actor, unit)
    submission, _ = _locked_submission(plan, unit, period_key)
    if submission.revision != revision:
        raise StaleSubmission
    _transition(actor, submission, Action.EDIT)
    _require_duties(unit, [indicator for indicator, _ in figures], duty_index)
    _store_figures_many(actor, [(submission, figures, _accepted_values(figures))])
    for upload in evidence:
        evidence_add(actor=actor, submission=submission, upload=upload)
    submission.revision += 1
    submission.save(update_fields=["revision"])
    return submission


@dataclass
class GroupSave:
    """The figures of one unit and period, as ``submission_save`` takes them."""

    unit: OrgUnit
    period_key: str
    revision: int
    figures: dict[tuple[Indicator, str], FigureInput]


@transaction.atomic
def submissions_save_many(
    *, actor, plan: Plan, groups: list[GroupSave], duty_index=None
) -> list[Submission | Exception]:
    """``submission_save`` for many units and periods at once (the API's bulk upsert), set-based.

    The same checks for each group (permission, revision, approval state, assignments, the
    figure rule) and the same writes (one audit entry per changed value); what differs is the
    number of queries: the actor's area is read once, the reports are created and locked
    together (in id order: two uploads never deadlock), their figures read in one query and
    written in one insert and one update. Returns, per group, its report or the exception
    ``submission_save`` would have raised; nothing of a refused group is stored."""
    outcomes: list[Submission | Exception | None] = [None] * len(groups)
    # The actor's area as far as these reports' units go: not every unit below a national coordinator.
    area = visible_among(actor, {g.unit.pk for g in groups}) if actor.is_authenticated else set()
    locked = _submissions_locked(plan, groups)
    accepted: list[tuple[Submission, Figures, Values]] = []
    for number, group in enumerate(groups):
        try:
            _may_act_for(actor, group.unit, area)
            submission = locked[(group.unit.pk, parse_period(group.period_key).key)]
            submission.org_unit, submission.plan = group.unit, plan  # the same rows: no query each
            if submission.revision != group.revision:
                raise StaleSubmission
            _transition(actor, submission, Action.EDIT, area=area)
            _require_duties(group.unit, [indicator for indicator, _ in group.figures], duty_index)
            values = _accepted_values(group.figures)
        except (PermissionDenied, StaleSubmission, ApprovalError, FigureError) as refused:
            outcomes[number] = refused
            continue
        outcomes[number] = submission
        accepted.append((submission, group.figures, values))
    _store_figures_many(actor, accepted)
    ids = [submission.pk for submission, _, _ in accepted]
    for start in range(0, len(ids), 1000):
        Submission.objects.filter(pk__in=ids[start : start + 1000]).update(revision=F("revision") + 1)
    for submission, _, _ in accepted:
        submission.revision += 1
    return outcomes  # type: ignore[return-value]


def _submissions_locked(plan: Plan, groups: list[GroupSave]) -> dict[tuple[int, str], Submission]:
    """The reports of the groups, created where missing, locked FOR UPDATE in the order of their key
    in the plan (unit, period): two uploads lock shared reports in the same order, and it is the
    order of the key's index, which SQLite reads them by (ordered by id it walked every report of
    the plan, in the submission_plan_order index, to spare itself sorting a few)."""
    periods = {parse_period(g.period_key) for g in groups}
    wanted = {(g.unit.pk, parse_period(g.period_key).key) for g in groups}
    units = sorted({unit for unit, _ in wanted})
    keys = sorted({p.key for p in periods})

    def read() -> dict[tuple[int, str], Submission]:
        found = {}
        for start in range(0, len(units), 1000):
            rows = (
                Submission.objects.select_for_update()
                .filter(plan=plan, org_unit_id__in=units[start : start + 1000], period_key__in=keys)
                .order_by("org_unit_id", "period_key")
            )
            found.update({(s.org_unit_id, s.period_key): s for s in rows})
        return found

    found = read()
    missing = wanted - set(found)
    if missing:
        spans = {p.key: p for p in periods}
        new = [
            Submission(
                plan=plan,
                org_unit_id=unit,
                period_key=key,
                period_start=spans[key].start,
                period_end=spans[key].end,
            )
            for unit, key in sorted(missing)
        ]
        Submission.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        found = read()
    return found


def _require_duties(unit: OrgUnit, indicators: list[Indicator], duty_index=None) -> None:
    """A unit enters only the indicators assigned to it in the plan in force."""
    versions = {i.version_id: i for i in indicators}
    for version_id, indicator in versions.items():
        version = indicator.version
        index = duty_index if duty_index is not None and duty_index.version_id == version_id else None
        allowed = (index or DutyIndex(version)).codes(unit)
        mine = [i for i in indicators if i.version_id == version_id]
        if version.status != "active" or any(i.code not in allowed for i in mine):
            raise PermissionDenied


_FIGURE_FIELDS = ("numerator", "denominator", "value", "note")


def _store_figures_many(actor, items: list[tuple[Submission, Figures, Values]]) -> None:
    """Write the figures that changed, with one audit entry per changed value (old → new), for
    each report with its figures and the values the rule accepted for them (``_accepted_values``).

    The reports' stored figures are read in one query per thousand reports and written with one
    insert and one update, whatever the number of figures (the API sends thousands)."""
    by_id = {submission.pk: submission for submission, _, _ in items}
    ids = sorted(by_id)
    stored_all: dict[tuple[int, str, str], Observation] = {}
    for start in range(0, len(ids), 1000):
        for o in Observation.objects.filter(submission_id__in=ids[start : start + 1000]):
            stored_all[(o.submission_id, o.indicator_code, o.sex)] = o
    created, updated, entries = [], [], []
    for submission, figures, values in items:
        _figures_diff(actor, submission, figures, values, stored_all, created, updated, entries)
    rows_insert(Observation, _OBSERVATION_COLUMNS, created)
    _observations_update(updated)
    audit_entries_save(entries)


_OBSERVATION_COLUMNS = ("submission", "indicator_code", "sex", *_FIGURE_FIELDS)


def _observations_update(observations: list[Observation]) -> None:
    """Write the changed figures with one ``UPDATE … FROM (VALUES …)`` per thousand. Django's
    ``bulk_update`` writes a CASE per field with a branch per row: built as expressions in Python
    (most of an API request of 500 changed figures) and matched branch by branch in the database.
    Values go through each field's own conversion for the database, as ``bulk_update`` does."""
    if not observations:
        return
    fields = [Observation._meta.get_field(name) for name in _FIGURE_FIELDS]
    table = connection.ops.quote_name(Observation._meta.db_table)
    numeric = "::numeric" if connection.vendor == "postgresql" else ""  # a column of NULLs is text there
    casts = [numeric if isinstance(field, FigureField) else "" for field in fields]
    assignments = ", ".join(
        f"{connection.ops.quote_name(field.column)} = v.column{number}{cast}"
        for number, (field, cast) in enumerate(zip(fields, casts, strict=True), start=2)
    )
    key = connection.ops.quote_name(Observation._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(observations), 1000):
            chunk = observations[start : start + 1000]
            params: list = []
            for observation in chunk:
                params.append(observation.pk)
                params += [
                    field.get_db_prep_save(getattr(observation, field.attname), connection)
                    for field in fields
                ]
            rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {rows}) AS v WHERE {table}.{key} = v.column1",
                params,
            )


def _figures_diff(
    actor, submission: Submission, figures: Figures, values: Values, stored_all, created, updated, entries
) -> None:
    """The observations to create (rows of ``_OBSERVATION_COLUMNS``) and update for one report, and
    an audit entry per changed value."""
    for (indicator, sex), figure in figures.items():
        new = {
            "numerator": figure.numerator,
            "denominator": figure.denominator,
            "value": values[(indicator, sex)],
            "note": figure.note.strip(),
        }
        observation = stored_all.get((submission.pk, indicator.code, sex))
        if observation is None:
            if all(v in (None, "") for v in new.values()):
                continue  # nothing typed, nothing stored: missing stays missing
            created.append((submission.pk, indicator.code, sex, *new.values()))
        changed = False
        for field, value in new.items():
            old = getattr(observation, field) if observation is not None else _NEW[field]
            if _differs(old, value):
                entries.append(
                    audit_entry(
                        actor=actor,
                        action="figure_change",
                        subject=submission,
                        field=f"{indicator.code}/{sex}/{field}",
                        old=_plain(old),
                        new=_plain(value),
                    )
                )
                if observation is not None:
                    setattr(observation, field, value)
                    changed = True
        if changed:
            updated.append(observation)


_NEW = {field: Observation._meta.get_field(field).get_default() for field in _FIGURE_FIELDS}


def _differs(old, new) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return (old is None) != (new is None) or (old is not None and Decimal(old) != Decimal(new))
    return (old or "") != (new or "")


def _plain(value) -> str:
    if isinstance(value, Decimal):
        text = f"{value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return "" if value is None else str(value)


def evidence_add(*, actor, submission: Submission, upload: UploadedFile) -> Evidence:
    """Attach a file after checking what it really is and how big it is. Call inside a transaction."""
    if upload.size > settings.CHITIEU_EVIDENCE_MAX_BYTES:
        raise EvidenceError("too_large", upload.name)
    head = upload.read()
    upload.seek(0)
    kind = sniff(head)  # by content: a "bien-ban.pdf" that is HTML or a program is refused
    if kind is None:
        raise EvidenceError("type_not_allowed", upload.name)
    if kind in ("docx", "xlsx") and package_problem(head) is not None:
        raise EvidenceError("unsafe_package", upload.name)  # a zip bomb, XML entities…
    original_name = upload.name[:255]
    # Stored under a random name: nothing the uploader chose ends up in a path on the server.
    upload.name = f"{uuid.uuid4().hex}{SUFFIXES[kind][0]}"
    evidence = Evidence.objects.create(
        submission=submission,
        file=upload,
        original_name=original_name,
        kind=kind,
        size=upload.size,
        uploaded_by=actor,
    )
    track(Evidence, "file", evidence.file.name)  # removed again if this save rolls back
    audit_record(actor=actor, action="evidence_add", subject=submission, field="evidence", new=original_name)
    return evidence


def _move(
    actor, submission: Submission, action: Action, reason: str = "", revision: int | None = None
) -> Submission:
    """One approval step under a row lock; ``revision`` (the page's) must still be the stored one."""
    submission = Submission.objects.select_for_update().select_related("org_unit").get(pk=submission.pk)
    if not may_ever(action, _may_act_for(actor, submission.org_unit)):
        raise PermissionDenied  # before the revision: a viewer is told it may not, not that it is stale
    if revision is not None and submission.revision != revision:
        raise StaleSubmission  # checked before the state: "someone changed it" says more than "not now"
    new_state = _transition(actor, submission, action, reason)
    old_state = submission.state
    submission.state = new_state.value
    now = timezone.now()
    if action is Action.SUBMIT:
        # The first submission stays the one timeliness is judged from (rows older than the field
        # carry it in submitted_at until their next submission).
        submission.first_submitted_at = submission.first_submitted_at or submission.submitted_at or now
        submission.submitted_at, submission.submitted_by = now, actor
    else:
        submission.decided_at, submission.decided_by = now, actor
    if reason:
        submission.reason = reason.strip()
    submission.revision += 1
    submission.save()
    hooks.announce(  # same transaction
        hooks.SUBMISSION_MOVED, submission=submission, old_state=old_state, action=action, actor=actor
    )
    audit_record(
        actor=actor,
        action=action.value,
        subject=submission,
        field="state",
        old=old_state,
        new=new_state.value,
        reason=reason.strip(),
    )
    return submission


# ``revision`` is the one the person's page showed: a decision taken on figures
# that changed since (or a second click racing the first) is refused, not applied.
@transaction.atomic
def submission_submit(*, actor, submission: Submission, revision: int) -> Submission:
    _require_both_sexes(submission)
    return _move(actor, submission, Action.SUBMIT, revision=revision)


def _require_both_sexes(submission: Submission) -> None:
    """Refuse to send a by-sex indicator with one sex blank (issue 12.5); SexMissing names them."""
    given: dict[str, dict[str, bool]] = {}
    for code, sex, *numbers, note in Observation.objects.filter(submission=submission).values_list(
        "indicator_code", "sex", "numerator", "denominator", "value", "note"
    ):
        if sex:
            filled = any(n is not None for n in numbers) or is_not_applicable(note)
            given.setdefault(code, {"F": False, "M": False})[sex] = filled
    missing = [(code, sex) for code, sexes in sorted(given.items()) for sex in missing_sexes(sexes)]
    if missing:
        raise SexMissing(missing)


@transaction.atomic
def submission_approve(*, actor, submission: Submission, revision: int | None = None) -> Submission:
    return _move(actor, submission, Action.APPROVE, revision=revision)


@transaction.atomic
def submission_return(
    *, actor, submission: Submission, reason: str, revision: int | None = None
) -> Submission:
    return _move(actor, submission, Action.RETURN, reason, revision=revision)


@transaction.atomic
def submission_unlock(
    *, actor, submission: Submission, reason: str, revision: int | None = None
) -> Submission:
    return _move(actor, submission, Action.UNLOCK, reason, revision=revision)
