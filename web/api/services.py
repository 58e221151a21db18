"""API tokens, and bulk writes of figures through the same services as the entry form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from chitieu.approval import ApprovalError, Role
from chitieu.figures import FigureIssue
from chitieu.periods import PeriodKeyError, parse_period
from web.api.models import ApiToken, TokenScope, new_token_secret, token_digest
from web.core.audit import audit_record
from web.core.figures import figure_message, sex_missing_message
from web.data.models import Submission
from web.data.selectors import DutyIndex
from web.data.services import (
    FigureError,
    FigureInput,
    GroupSave,
    SexMissing,
    StaleSubmission,
    check_figure,
    submission_save,
    submission_submit,
    submissions_save_many,
)
from web.orgs.access import can_see_unit
from web.orgs.models import OrgUnit
from web.orgs.selectors import unit_find
from web.plans.models import Plan
from web.plans.selectors import active_version


class TokenRefused(Exception):
    """A token that exists but may not be used now; ``code``: revoked, expired, read_only."""

    def __init__(self, code: str, token: ApiToken):
        super().__init__(code)
        self.code = code
        self.token = token


class TokenInvalid(ValueError):
    """A token that cannot be made as asked; ``code``: area_not_visible, expiry_past, name_missing."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@transaction.atomic
def token_create(
    *,
    user,
    name: str,
    actor=None,
    scope: str = TokenScope.WRITE,
    area: OrgUnit | None = None,
    expires_on: date | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``user``; the secret is returned once and never stored (nor audited).

    ``area`` must be one the user may see (``web.orgs.access``), ``expires_on`` a day after today."""
    if not name.strip():
        raise TokenInvalid("name_missing")
    if area is not None and not can_see_unit(user, area):
        raise TokenInvalid("area_not_visible")
    if expires_on is not None and expires_on <= timezone.localdate():
        raise TokenInvalid("expiry_past")
    raw = new_token_secret()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        digest=token_digest(raw),
        prefix=raw[:10],
        scope=TokenScope(scope),
        area=area,
        expires_on=expires_on,
    )
    audit_record(
        actor=actor, action="token_create", subject=token, field="user", new=f"{user.username}: {token.name}"
    )
    for field_name, value in (
        ("scope", token.scope),
        ("area", area.name if area else ""),
        ("expires_on", expires_on),
    ):
        if value:
            audit_record(actor=actor, action="token_create", subject=token, field=field_name, new=value)
    return token, raw


def token_check(raw: str, *, writes: bool) -> ApiToken | None:
    """The token ``raw`` names, for a request that ``writes`` or only reads; None when unknown.

    ``TokenRefused`` when it exists but is revoked, past its last day, its user inactive, or
    read-only for a write: the API says which. ``last_used_at`` is set on success."""
    if not raw or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(raw)).first()
    if token is None or not token.user.is_active:
        return None
    if token.revoked_at is not None:
        raise TokenRefused("revoked", token)
    if token.expires_on is not None and token.expires_on < timezone.localdate():
        raise TokenRefused("expired", token)
    if writes and token.scope != TokenScope.WRITE:
        raise TokenRefused("read_only", token)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def token_user(raw: str):
    """The active user a token belongs to, for a read; None when unknown, revoked or expired."""
    try:
        token = token_check(raw, writes=False)
    except TokenRefused:
        return None
    return token.user if token is not None else None


@transaction.atomic
def token_revoke(*, token: ApiToken, actor=None) -> None:
    """Revoke a token; only its owner or an administrator may (PermissionDenied otherwise)."""
    if actor is not None and actor.pk != token.user_id and actor.chitieu_role is not Role.ADMINISTRATOR:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, action="token_revoke", subject=token, field="revoked_at", new=token.revoked_at
        )


# ------------------------------------------------------------------ bulk upsert


@dataclass(frozen=True)
class RowInput:
    """One figure to store: the API's JSON row or a line of an uploaded tidy CSV."""

    indicator: str
    period: str
    org_unit_id: int | None = None
    org_unit: str = ""  # a name, when no id is given (CSV files name units)
    sex: str = ""
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    note: str = ""
    where: str = ""  # "row 3", "line 5"
    # The report's revision the client last read (like HTTP If-Match): when given, the row is
    # stored only if nobody changed that unit's report for the period since. None: no check.
    revision: int | None = None


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based position in the request
    where: str
    code: str
    message: str


@dataclass
class UpsertResult:
    saved: int = 0
    errors: list[RowError] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)


ROW_MESSAGES = {
    "unknown_indicator": "mã chỉ tiêu không có trong kế hoạch đang có hiệu lực",
    "bad_period": "kỳ báo cáo không hợp lệ",
    "bad_sex": "giới tính phải là F, M hoặc để trống",
    "sex_not_required": "chỉ tiêu này không báo cáo theo giới tính: để trống cột sex",
    "sex_required": "chỉ tiêu này báo cáo riêng nữ (F) và nam (M)",
    "unknown_unit": "không tìm thấy đơn vị",
    "no_unit": "cần ghi đơn vị (org_unit_id hoặc org_unit)",
    "forbidden": "không có quyền nhập số liệu cho đơn vị này hoặc chỉ tiêu này không giao cho đơn vị",
    "locked": "số liệu đã được duyệt và khóa; đề nghị điều phối viên mở khóa",
    "not_allowed_in_state": "báo cáo đang chờ duyệt: không sửa được",
    "zero_denominator": "mẫu số bằng 0: không tính được giá trị",
    "negative": "số liệu không được âm",
    "numerator_above_denominator": "tử số lớn hơn mẫu số",
    "no_figure": "dòng không có số liệu",
    "duplicate": "trùng chỉ tiêu, kỳ, đơn vị và giới tính với một dòng trước",
    "stale": (
        "báo cáo của đơn vị cho kỳ này đã bị người khác thay đổi sau phiên bản (revision) bạn gửi kèm; "
        "không lưu gì: đọc lại số liệu hiện tại rồi gửi lại"
    ),
    "revision_mixed": "các dòng cùng đơn vị và kỳ phải ghi cùng một revision",
}


def _error(index: int, row: RowInput, code: str, issue: FigureIssue | None = None) -> RowError:
    """A refused row; a figure the rule refuses is worded by ``web.core.figures`` (part and limit)."""
    message = figure_message(issue) if issue is not None else ROW_MESSAGES[code]
    return RowError(index, row.where or f"row {index}", code, message)


class _Units:
    """The units a request names, each looked up once (ids in one query, names one by one)."""

    def __init__(self, rows: list[RowInput], plan: Plan):
        ids = {r.org_unit_id for r in rows if r.org_unit_id is not None}
        self.by_id = OrgUnit.objects.in_bulk(ids) if ids else {}
        self.by_name: dict[str, OrgUnit | None] = {}
        self.plan = plan

    def __call__(self, row: RowInput) -> OrgUnit | None:
        if row.org_unit_id is not None:
            return self.by_id.get(row.org_unit_id)
        if row.org_unit:
            if row.org_unit not in self.by_name:
                self.by_name[row.org_unit] = unit_find(row.org_unit, within=self.plan.area)
            return self.by_name[row.org_unit]
        return None


def _check_row(index: int, row: RowInput, indicators: dict, unit_for, duties_of):
    """(indicator, unit, period key, sex) when the row can be stored, else a RowError."""
    indicator = indicators.get(row.indicator)
    if indicator is None:
        return _error(index, row, "unknown_indicator")
    try:
        period_key = parse_period(row.period).key
    except PeriodKeyError:
        return _error(index, row, "bad_period")
    sex = row.sex.strip().upper()
    if sex not in ("", "F", "M"):
        return _error(index, row, "bad_sex")
    by_sex = indicator.assignment.by_sex if hasattr(indicator, "assignment") else indicator.by_sex
    if by_sex and not sex:
        return _error(index, row, "sex_required")
    if sex and not by_sex:
        return _error(index, row, "sex_not_required")
    if row.org_unit_id is None and not row.org_unit:
        return _error(index, row, "no_unit")
    unit = unit_for(row)
    if unit is None:
        return _error(index, row, "unknown_unit")
    if indicator.code not in duties_of(unit):
        return _error(index, row, "forbidden")  # not assigned to this unit: refused alone
    if all(v is None for v in (row.numerator, row.denominator, row.value)):
        return _error(index, row, "no_figure")
    figure = FigureInput(row.numerator, row.denominator, row.value, row.note)
    try:
        check_figure(indicator, figure)
    except FigureError as error:
        return _error(index, row, error.code, error.issue)
    return indicator, unit, period_key, sex, figure


def observations_upsert(*, actor, plan: Plan, rows: list[RowInput], submit: bool = False) -> UpsertResult:
    """Store figures through the data-entry services, in one transaction, all or nothing per unit and period.

    The same rules as the entry form apply (permissions, assignments, approval
    state, figure checks); a refused row is reported with its position and the
    others are still stored, unless they share a unit and period with it.
    """
    result = UpsertResult()
    version = active_version(plan)
    indicators = (
        {i.code: i for i in version.indicators.select_related("assignment")} if version is not None else {}
    )
    groups: dict[tuple[int, str], list[tuple[int, RowInput, tuple]]] = {}
    seen: set[tuple] = set()
    assigned: dict[int, set[str]] = {}
    # Read once per request, not once per unit: the plan's area and its assignments.
    duty_index = DutyIndex(version) if version is not None else None
    unit_for = _Units(rows, plan)
    if duty_index is not None:  # the units named by id: whether each is in the plan's area, at once
        duty_index.know(unit_for.by_id.values())

    def duties_of(unit: OrgUnit) -> set[str]:
        if unit.pk not in assigned:
            assigned[unit.pk] = duty_index.codes(unit) if duty_index else set()
        return assigned[unit.pk]

    for index, row in enumerate(rows, start=1):
        checked = _check_row(index, row, indicators, unit_for, duties_of)
        if isinstance(checked, RowError):
            result.errors.append(checked)
            continue
        indicator, unit, period_key, sex, _figure = checked
        identity = (indicator.code, period_key, unit.pk, sex)
        if identity in seen:
            result.errors.append(_error(index, row, "duplicate"))
            continue
        seen.add(identity)
        groups.setdefault((unit.pk, period_key), []).append((index, row, checked))
    revisions = _revisions(plan, {unit_pk for unit_pk, _ in groups})
    # One transaction for the request, a savepoint per unit and period: a refused group is
    # rolled back alone as before, the figures are committed once (on SQLite a commit
    # waits for the disk, which made a 5,000-row request take minutes), and an upload cut
    # off midway (the worker killed, the database gone) leaves nothing behind. Groups in a
    # fixed order, so that two uploads lock the same reports in the same order: no deadlock.
    with transaction.atomic():
        if submit:  # each report is sent as soon as saved: the approval services, one by one
            for key, members in sorted(groups.items()):
                _save_group(actor, plan, members, submit, result, revisions.get(key, 0), duty_index)
        else:
            _save_groups(actor, plan, sorted(groups.items()), result, revisions, duty_index)
    return result


def _group_revision(members: list, revision: int) -> int | None:
    """The revision a group is saved against: the client's (one for the group), else the current."""
    given = {row.revision for _, row, _ in members if row.revision is not None}
    if len(given) > 1:
        return None
    return given.pop() if given else revision


def _refusal(error: Exception) -> tuple[str, FigureIssue | None]:
    """The row code (and figure issue) of what refused a group."""
    if isinstance(error, PermissionDenied):
        return "forbidden", None
    if isinstance(error, ApprovalError):
        return (error.code if error.code in ROW_MESSAGES else "not_allowed_in_state"), None
    if isinstance(error, FigureError):
        return error.code, error.issue
    return "stale", None


def _save_groups(actor, plan: Plan, groups: list, result: UpsertResult, revisions: dict, duty_index) -> None:
    """Every group at once through the set-based ``submissions_save_many`` (the same checks, audit
    and errors per row as one ``submission_save`` per group, in a handful of queries)."""
    saving, members_of = [], []
    for key, members in groups:
        revision = _group_revision(members, revisions.get(key, 0))
        if revision is None:
            result.errors.extend(_error(index, row, "revision_mixed") for index, row, _ in members)
            continue
        _index, _row, (_indicator, unit, period_key, _sex, _figure) = members[0]
        figures = {(indicator, sex): figure for _, _, (indicator, _, _, sex, figure) in members}
        saving.append(GroupSave(unit, period_key, revision, figures))
        members_of.append(members)
    outcomes = submissions_save_many(actor=actor, plan=plan, groups=saving, duty_index=duty_index)
    for members, outcome in zip(members_of, outcomes, strict=True):
        if isinstance(outcome, Exception):
            code, issue = _refusal(outcome)
            result.errors.extend(_error(index, row, code, issue) for index, row, _ in members)
        else:
            result.saved += len(members)
            result.submissions.append(outcome)


def _revisions(plan: Plan, unit_ids: set[int]) -> dict[tuple[int, str], int]:
    """(unit, period) → revision of the reports already there, in one query per thousand units."""
    ids = sorted(unit_ids)
    revisions = {}
    for start in range(0, len(ids), 1000):
        found = Submission.objects.filter(plan=plan, org_unit_id__in=ids[start : start + 1000]).order_by()
        revisions.update(
            {(u, p): r for u, p, r in found.values_list("org_unit_id", "period_key", "revision")}
        )
    return revisions


def _save_group(
    actor, plan: Plan, members: list, submit: bool, result: UpsertResult, revision: int, duty_index
) -> None:
    _index, _row, (_indicator, unit, period_key, _sex, _figure) = members[0]
    revision = _group_revision(members, revision)  # the client's view; submission_save compares under lock
    if revision is None:
        result.errors.extend(_error(index, row, "revision_mixed") for index, row, _ in members)
        return
    figures = {(indicator, sex): figure for _, _, (indicator, _, _, sex, figure) in members}
    code, issue = None, None
    try:
        with transaction.atomic():
            submission = submission_save(
                actor=actor,
                plan=plan,
                unit=unit,
                period_key=period_key,
                revision=revision,
                figures=figures,
                duty_index=duty_index,
            )
            if submit:
                submission = submission_submit(
                    actor=actor, submission=submission, revision=submission.revision
                )
    except (PermissionDenied, ApprovalError, FigureError, StaleSubmission) as error:
        code, issue = _refusal(error)
    except SexMissing as error:
        code, (missing_code, missing_sex) = "sex_missing", error.missing[0]
        message = sex_missing_message(missing_code, missing_sex)
    if code == "sex_missing":
        result.errors.extend(
            RowError(index, row.where or f"row {index}", code, message) for index, row, _ in members
        )
        return
    if code is not None:
        result.errors.extend(_error(index, row, code, issue) for index, row, _ in members)
        return
    result.saved += len(members)
    result.submissions.append(submission)
