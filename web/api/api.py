"""The JSON API (django-ninja): plans, indicators, org units, observations, evaluations, exports.

Authentication is a bearer token (made on ``/exchange/tokens/`` or by ``manage.py api_token USER``);
what a token may see and change is what its user may do in the web app, narrowed by the token's
scope (read or write) and area: the same access rules, and writes go through the same services
as the forms.
The schema is at ``/api/openapi.json``, the browsable docs at ``/api/docs``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import typing
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.db.models import Q
from django.db.models.expressions import Col
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError, ValidationError
from ninja.pagination import PaginationBase, paginate
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from chitieu.exports import Provisional, to_sdmx_csv, to_tidy_csv
from chitieu.issues import Severity
from chitieu.observation_csv import read_observations_text
from chitieu.periods import PeriodKeyError, parse_period
from chitieu.plan import indicator_as_dict, plan_as_dict
from chitieu.sdmx_structure import sdmx_structure
from web.api.exchange import (
    Dhis2Config,
    Dhis2SettingsError,
    dhis2_config_check,
    dhis2_config_for,
    dhis2_document,
)
from web.api.schemas import EvaluationOut
from web.api.selectors import in_ids
from web.api.services import RowError, RowInput, TokenRefused, observations_upsert, token_check
from web.core.audit import last_entry_number
from web.dashboards.selectors import (
    APPROVED,
    PROVISIONAL,
    as_core_observation,
    core_plan,
    official_code,
    plan_evaluate,
    plan_version_active,
    plan_visible,
)
from web.data.models import Observation, Submission
from web.orgs.access import area_unit_ids, may_see_provisional, scope_to_area, units_visible_to
from web.orgs.models import OrgUnit
from web.orgs.selectors import unit_descendant_ids, unit_descendants_subquery
from web.plans.models import Plan as PlanRecord
from web.plans.selectors import in_use, visible_to

# Filters go straight into SQL: refuse what a database cannot store (NUL bytes
# in PostgreSQL text, integers beyond 64 bits in SQLite) with a 422 naming the
# field, instead of a server error.
_FILTER_TEXT = r"^[^\x00]*$"
_DB_INT_MAX = 2**63 - 1


def _too_large(limit: int) -> str:
    return f"dữ liệu gửi lên quá lớn: tối đa {limit / (1024 * 1024):g} MB"


_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_TOKEN_REFUSED = {
    "revoked": (401, "Mã truy cập «{name}» đã bị thu hồi: hãy tạo mã mới trong trang Mã truy cập API."),
    "expired": (
        401,
        "Mã truy cập «{name}» đã hết hạn (ngày cuối {day}): hãy tạo mã mới trong trang Mã truy cập API.",
    ),
    "read_only": (
        403,
        "Mã truy cập «{name}» chỉ có quyền đọc (scope read): không ghi được số liệu."
        " Hãy dùng mã có quyền đọc và ghi (write).",
    ),
}


class TokenAuth(HttpBearer):
    """A bearer token: what its user may do, narrowed by the token's scope (a read token writes nothing)
    and area (``web.orgs.access.scope_to_area``: the same rules, limited to that unit and below)."""

    def authenticate(self, request: HttpRequest, token: str):
        try:
            found = token_check(token, writes=request.method not in _SAFE_METHODS)
        except TokenRefused as refused:
            status, text = _TOKEN_REFUSED[refused.code]
            day = refused.token.expires_on.strftime("%d/%m/%Y") if refused.token.expires_on else ""
            raise HttpError(status, text.format(name=refused.token.name, day=day)) from None
        if found is None:
            return None
        request.user = scope_to_area(found.user, found.area_id)
        return request.user


class TokenRateThrottle(SimpleRateThrottle):
    """At most ``CHITIEU_API_RATE_PER_TOKEN`` requests per API token (not per user: a
    script's token cannot starve the same person's other tools). Requests without a
    token are refused by the authentication anyway."""

    scope = "token"

    def __init__(self) -> None:
        super().__init__("600/m")

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.CHITIEU_API_RATE_PER_TOKEN  # read per request: changeable without a restart
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return f"chitieu-throttle-token-{hashlib.sha256(token.strip().encode()).hexdigest()}"


class Api(NinjaAPI):
    def create_temporal_response(self, request: HttpRequest) -> HttpResponse:
        """The response ninja copies headers from, kept on the request for the paginator's headers."""
        response = super().create_temporal_response(request)
        request.chitieu_response = response  # type: ignore[attr-defined]
        return response

    def get_openapi_operation_id(self, operation) -> str:
        """Operation ids that read well in generated clients: the view's name (``plans_list``),
        not ninja's ``web_api_api_plans_list``."""
        return operation.view_func.__name__


api = Api(
    title="chitieu API",
    version="1",
    description="Theo dõi kế hoạch bình đẳng giới: kế hoạch, chỉ tiêu, đơn vị, số liệu, đánh giá.",
    auth=TokenAuth(),
    throttle=[TokenRateThrottle()],
    urls_namespace="api",
)


@api.exception_handler(RequestDataTooBig)
def request_too_big(request, exc):
    """A JSON body above DATA_UPLOAD_MAX_MEMORY_SIZE: 413 with the limit, not a bare 400."""
    return api.create_response(
        request, {"detail": _too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}, status=413
    )


# A request the schema refuses (a number written "1.234,5", a missing field): every bad row and field
# named in Vietnamese, and nothing saved: the batch is all or nothing at this stage.
_FIELD_WORDS = {
    "numerator": "tử số",
    "denominator": "mẫu số",
    "value": "giá trị",
    "indicator": "mã chỉ tiêu",
    "period": "kỳ",
    "org_unit_id": "mã đơn vị",
    "org_unit": "đơn vị",
    "sex": "giới tính",
    "note": "ghi chú",
    "revision": "phiên bản (revision)",
    "rows": "danh sách dòng",
    "submit": "gửi duyệt (submit)",
}
_NUMBER_HINT = "gửi số JSON hoặc chuỗi như 1234.5 (dấu chấm thập phân, không có dấu phân cách hàng nghìn)"


def _sent(request, loc: list[str]):
    """What the client sent at ``loc`` (the validator leaves it out of its errors), or None."""
    try:
        value = json.loads(request.body)
    except (ValueError, RawPostDataException):
        return None
    for part in loc[2:] if loc[:1] == ["body"] else ():  # ["body", "payload", "rows", 1, "value"]
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return value if loc[:1] == ["body"] else None


def _problem(error: dict, sent) -> str:
    kind = error.get("type", "")
    shown = error.get("input", sent)
    shown = f"«{shown}»" if isinstance(shown, str | int | float) else "giá trị gửi lên"
    if kind in ("decimal_parsing", "decimal_type", "float_parsing", "float_type"):
        return f"{shown} không phải là số; {_NUMBER_HINT}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{shown} không phải là số nguyên"
    if kind == "missing":
        return "thiếu trường bắt buộc"
    if kind in ("string_type", "bool_type", "bool_parsing", "list_type", "dict_type", "model_type"):
        return f"{shown} sai kiểu dữ liệu"
    if kind.startswith(("greater_than", "less_than", "decimal_max", "string_too_long")):
        return f"{shown} nằm ngoài giới hạn cho phép"
    return f"{shown} không hợp lệ"


def _field_errors(request, errors) -> list[dict]:
    found = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        row = 0
        if "rows" in loc and loc.index("rows") + 1 < len(loc) and loc[loc.index("rows") + 1].isdigit():
            row = int(loc[loc.index("rows") + 1]) + 1
        field = next((p for p in reversed(loc) if not p.isdigit()), "")
        words = _FIELD_WORDS.get(field, field)
        label = f"{words} ({field})" if words != field else field
        where = f"dòng {row}" if row else label
        problem = _problem(error, _sent(request, loc))
        message = f"dòng {row}, {label}: {problem}" if row else f"{label}: {problem}"
        found.append(
            {"row": row, "where": where, "field": field, "code": error.get("type", ""), "message": message}
        )
    return found


@api.exception_handler(ValidationError)
def invalid_request(request, exc: ValidationError):
    """422 in Vietnamese naming every bad row and field, instead of the validator's English list."""
    errors = _field_errors(request, exc.errors)
    detail = "Yêu cầu không hợp lệ, không lưu gì: " + "; ".join(e["message"] for e in errors[:50])
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


# ------------------------------------------------------------------ schemas


class FieldErrorOut(Schema):
    row: int = Field(description="1-based row of ``rows``; 0 when the field is not in a row")
    where: str
    field: str
    code: str
    message: str


class Error(Schema):
    # A sentence for people; for a request the schema refuses, ``errors`` names each row and field.
    detail: str
    errors: list[FieldErrorOut] = Field(default_factory=list)


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None
    valid_from: date | None
    valid_to: date | None
    code: str  # ASCII code used in DHIS2 and SDMX exports


class PlanOut(Schema):
    id: int
    name: str
    area_id: int
    area: str
    version: int | None  # the version in force, None while the annex is being reviewed
    title: str | None


# A plain pydantic model, not a ninja ``Schema``: the page hands over dicts in this shape, and a
# Schema runs each through its Python wrapper for ORM objects (a getter per field), 0.12 s of a page
# of 1,000; pydantic's own validation of a dict is a millisecond. The OpenAPI schema is the same.
class ObservationOut(BaseModel):
    id: int
    indicator: str
    period: str
    org_unit_id: int
    org_unit: str
    sex: str
    numerator: int | float | None
    denominator: int | float | None
    value: int | float | None
    note: str
    state: str
    revision: int  # of the unit's report for the period: send it back when changing these figures


# ------------------------------------------------------------------ helpers


def _plan(request: HttpRequest, plan_id: int) -> PlanRecord:
    plan = get_object_or_404(PlanRecord.objects.select_related("area"), pk=plan_id)
    if not plan_visible(request.user, plan):
        raise HttpError(403, "Không có quyền xem kế hoạch này")
    return plan


def _period(key: str) -> str:
    try:
        return parse_period(key).key
    except PeriodKeyError as error:
        raise HttpError(422, str(error)) from error


def _visible_units(user):
    return units_visible_to(user, OrgUnit.objects.order_by("kind", "name", "pk"))  # a total order: pages


def _number(value: Decimal | None) -> int | float | None:
    """A stored Decimal as a JSON number (docs/interfaces.md §5): 1200, not 1200.0 nor "1200"."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class LimitOffset(PaginationBase):
    """``?limit=&offset=`` on a list endpoint, opt-in: without ``limit`` the whole list comes back
    as before (the contract names a bare list). The body stays a list either way; the page's
    place is in the headers: ``X-Total-Count`` (rows matching the filters) and, when more
    follow, ``Link: <…>; rel="next"``. The endpoint hands over a lazy sequence, so only the
    page's rows are read (one ``COUNT`` and one ``SELECT … LIMIT … OFFSET``).

    A list in a keyed order (``_Converted`` with ``keys``: the observations) also takes
    ``after``, the opaque position of the last row of the page before: the next page then starts
    there (``WHERE (keys) > (…)``) instead of skipping ``offset`` rows, which made a page deep in
    the list cost a sort of every row before it. Its ``Link`` carries both ``offset`` and ``after``;
    ``after`` wins."""

    class Input(Schema):
        limit: int | None = Field(
            None, ge=1, le=settings.CHITIEU_API_PAGE_MAX, description="rows per page (opt-in)"
        )
        offset: int = Field(0, ge=0, le=_DB_INT_MAX, description="rows to skip")
        after: str | None = Field(
            None,
            max_length=1000,
            pattern=_FILTER_TEXT,
            description="where the page starts: the position the previous page's Link gives (observations)",
        )

    Output = None  # the declared list stays the response: existing clients keep working

    def paginate_queryset(self, queryset, pagination: Input, request: HttpRequest, **params):
        keyed = isinstance(queryset, _Converted) and queryset.keys
        if pagination.limit is None:
            return list(queryset[pagination.offset :]) if pagination.offset else list(queryset)
        end = pagination.offset + pagination.limit
        if keyed and pagination.after:
            page_rows = queryset.after(pagination.after)
            page, more = page_rows.page(0, pagination.limit)
        else:
            page_rows = queryset
            page, more = _page(page_rows, pagination.offset, pagination.limit)
        response = getattr(request, "chitieu_response", None)
        if response is not None:
            response["X-Total-Count"] = str(_total(queryset))
            if more:
                query = request.GET.copy()
                query["offset"] = str(end)
                if keyed:
                    query["after"] = page_rows.position_of_last()
                response["Link"] = f'<{request.path}?{query.urlencode()}>; rel="next"'
        return page


def _page(rows, start: int, limit: int) -> tuple[list, bool]:
    """One page, and whether rows follow it (one more row is read: the count may lag, see ``_total``)."""
    if isinstance(rows, _Converted):
        return rows.page(start, limit)
    found = list(rows[start : start + limit + 1])
    return found[:limit], len(found) > limit


COUNT_TIMEOUT = 60  # seconds: a change committed out of audit-number order shows in the count within a minute


def _total(rows) -> int:
    """The rows the filters select, counted once per audited change (a figure typed, a report moved,
    a load…): a country's observations take seconds to count, and a client paging through them asks
    on every page. Whether a page follows is read from the rows themselves, never from this count."""
    if not isinstance(rows, _Converted):
        return len(rows)
    sql, params = rows.queryset.query.sql_with_params()
    digest = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    key = f"api:count:{digest}:{last_entry_number()}"
    total = cache.get(key)
    if total is None:
        total = len(rows)
        cache.set(key, total, COUNT_TIMEOUT)
    return total


def _typed(func):
    """Annotations as objects, not text: ``from __future__ import annotations`` leaves them as
    text, which ninja would resolve in the pagination wrapper's module, where these names
    are unknown."""
    func.__annotations__ = typing.get_type_hints(func, include_extras=True)
    return func


class _Converted:
    """A queryset read lazily and page by page, each row turned into its API shape.

    ``keys``: the queryset's order (ascending fields, the last one unique), for pages that start
    after a given row (``after``)."""

    def __init__(self, queryset, convert, keys: tuple[str, ...] = ()):
        self.queryset, self.convert, self.keys = queryset, convert, keys
        self._last = None

    def __len__(self) -> int:
        return self.queryset.count()

    def __iter__(self):
        return (self.convert(row) for row in self.queryset)

    def __getitem__(self, page: slice) -> list:
        rows = list(self.queryset[page])
        self._last = rows[-1] if rows else None
        return [self.convert(row) for row in rows]

    def page(self, start: int, limit: int) -> tuple[list, bool]:
        """``limit`` rows from ``start``, and whether more follow (read as one row more)."""
        rows = list(self.queryset[start : start + limit + 1])
        more, rows = len(rows) > limit, rows[:limit]
        self._last = rows[-1] if rows else None
        return [self.convert(row) for row in rows], more

    def after(self, position: str) -> _Converted:
        """The rows after the one ``position`` names, in the same order."""
        values = _position_values(position, len(self.keys))
        later = Q()
        for number, key in enumerate(self.keys):  # (k1, k2, …) > (v1, v2, …), spelled out
            equal = {k: v for k, v in zip(self.keys[:number], values[:number], strict=True)}
            later |= Q(**equal, **{f"{key}__gt": values[number]})
        # Implied by the above, but a plain range on the first key is what lets the database start
        # its index scan at the position instead of filtering every row before it.
        start = Q(**{f"{self.keys[0]}__gte": values[0]})
        return _Converted(self.queryset.filter(start & later), self.convert, self.keys)

    def position_of_last(self) -> str:
        """The position of the last row read, for the next page's ``after``."""
        values = []
        for key in self.keys:
            value = self._last
            if isinstance(value, dict):  # a row read as values (the observations)
                value = value[key]
            else:
                for part in key.split("__"):
                    value = getattr(value, part)
            values.append(value.isoformat() if isinstance(value, date) else value)
        text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _position_values(position: str, count: int) -> list:
    try:
        values = json.loads(base64.urlsafe_b64decode(position + "=" * (-len(position) % 4)))
    except (binascii.Error, ValueError) as error:
        raise HttpError(422, "after: vị trí không hợp lệ") from error
    if (
        not isinstance(values, list)
        or len(values) != count
        or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values)
    ):
        raise HttpError(422, "after: vị trí không hợp lệ")
    return values


# ------------------------------------------------------------------ reads


@api.get("/plans", response=list[PlanOut], tags=["plans"])
@paginate(LimitOffset)
@_typed
def plans_list(request):
    rows = []
    for plan in in_use(visible_to(request.user, PlanRecord.objects.select_related("area").order_by("pk"))):
        version = plan_version_active(plan)
        rows.append(
            PlanOut(
                id=plan.pk,
                name=plan.name,
                area_id=plan.area_id,
                area=plan.area.name,
                version=version.number if version else None,
                title=version.title if version else None,
            )
        )
    return rows


class TargetOut(Schema):
    period: str
    comparator: Literal[">=", "<=", "=="]
    value: int | float = Field(description="a JSON number in the indicator's plain unit (26.6 for 26,6 %)")
    text: str


class IndicatorOut(Schema):
    code: str
    name: str
    measure: Literal["percent", "rate", "ratio", "times", "count"]
    per: int | None
    per_period: Literal["month", "quarter", "year"] | None
    direction: Literal["increase", "decrease", "maintain"]
    unit: str
    by_sex: bool
    per_unit: bool
    unit_share: int | float | None
    targets: list[TargetOut]
    lead_units: list[str]
    needs_review: bool


class ObjectiveOut(Schema):
    code: str
    title: str
    indicators: list[IndicatorOut]


class PeriodOut(Schema):
    key: str
    kind: Literal["phase", "year", "half", "quarter", "month"]
    start: date
    end: date


class IssueOut(Schema):
    severity: Literal["error", "warning", "review", "info"]
    where: str
    message: str
    code: str


class PlanDetailOut(Schema):
    """The plan in force: contracts §2 (numbers are JSON numbers), with the record's id, name, version."""

    id: int
    name: str
    version: int
    title: str
    subtitle: str
    periods: list[PeriodOut]
    objectives: list[ObjectiveOut]
    issues: list[IssueOut]


@api.get("/plans/{plan_id}", response={200: PlanDetailOut, 404: Error, 403: Error}, tags=["plans"])
def plan_detail(request, plan_id: int):
    """The plan in force, in the JSON form of ``chitieu plan check --json`` (docs/interfaces.md §2)."""
    plan = _plan(request, plan_id)
    version = plan_version_active(plan)
    if version is None:
        raise HttpError(404, "Kế hoạch chưa có phiên bản có hiệu lực")
    return {"id": plan.pk, "name": plan.name, "version": version.number, **plan_as_dict(core_plan(version))}


@api.get(
    "/plans/{plan_id}/indicators", response={200: list[IndicatorOut], 404: Error, 403: Error}, tags=["plans"]
)
@paginate(LimitOffset)
@_typed
def indicators_list(request, plan_id: int):
    plan = _plan(request, plan_id)
    version = plan_version_active(plan)
    if version is None:
        raise HttpError(404, "Kế hoạch chưa có phiên bản có hiệu lực")
    return [indicator_as_dict(i) for i in core_plan(version).indicators]


def _unit_out(u: OrgUnit) -> UnitOut:
    return UnitOut(
        id=u.pk,
        name=u.name,
        kind=u.kind,
        parent_id=u.parent_id,
        valid_from=u.valid_from,
        valid_to=u.valid_to,
        code=official_code(u),
    )


@api.get("/org-units", response=list[UnitOut], tags=["org units"])
@paginate(LimitOffset)
@_typed
def units_list(request):
    return _Converted(_visible_units(request.user), _unit_out)


class ObservationFilter(Schema):
    period: str | None = Field(None, max_length=20, pattern=_FILTER_TEXT)
    indicator: str | None = Field(None, max_length=20, pattern=_FILTER_TEXT)
    org_unit_id: int | None = Field(None, ge=1, le=_DB_INT_MAX)
    state: str | None = Field(None, max_length=20, pattern=_FILTER_TEXT)


# The order of the observation_once index (unique): a page is read by walking the index from its
# position, not by sorting every row of the plan on a joined unit name (which cost most of a page of
# 1,000 at 5 % of the country and grows with it). A report's figures come together, by indicator and sex.
_OBSERVATION_ORDER = ("submission_id", "indicator_code", "sex")


def _by_report(rows):
    """``_OBSERVATION_ORDER``, the report's id read from the joined report, not from the figure's
    ``submission_id`` (equal by the join). SQLite then sees that its walk of the plan's reports in id
    order (the submission_plan_order index) gives the order, and from a page's position on; ordered
    on the figure's column it sorted every figure of the plan for each page. Django turns
    ``submission__id`` into the figure's own column, hence the joined table's column by its alias."""
    table = Submission._meta.db_table
    alias = next(
        name
        for name, join in rows.query.alias_map.items()
        if join.table_name == table and name != rows.query.base_table
    )
    return rows.order_by(Col(alias, Submission._meta.pk), *_OBSERVATION_ORDER[1:])


# An export is read whole, by people too: by period and unit, as it always was.
_EXPORT_ORDER = ("submission__period_start", "submission__org_unit__name", "indicator_code", "sex", "pk")


def _observation_rows(request, plan: PlanRecord, filters: ObservationFilter):
    rows = Observation.objects.filter(submission__plan=plan).select_related("submission__org_unit")
    # A total order (observation_once is unique): without one a database may give pages that
    # overlap or skip rows.
    rows = _by_report(rows)
    ids = area_unit_ids(request.user)
    if ids is not None:  # one parameter, not one per unit of the area (16,000 for the nation)
        rows = rows.filter(in_ids("submission__org_unit_id", ids))
    if filters.period:
        rows = rows.filter(submission__period_key=_period(filters.period))
    if filters.indicator:
        rows = rows.filter(indicator_code=filters.indicator)
    if filters.org_unit_id is not None:
        rows = rows.filter(submission__org_unit_id__in=unit_descendants_subquery(filters.org_unit_id))
    if filters.state:
        rows = rows.filter(submission__state=filters.state)
    return rows


# Plain values, not model instances: a page of 1,000 built an Observation, a Submission and an OrgUnit
# per row, then an ObservationOut that ninja validated a second time as the response.
_OBSERVATION_FIELDS = (
    "pk",
    "indicator_code",
    "sex",
    "numerator",
    "denominator",
    "value",
    "note",
    "submission_id",
    "submission__period_key",
    "submission__org_unit_id",
    "submission__org_unit__name",
    "submission__state",
    "submission__revision",
)


def _observation_out(row: dict) -> dict:
    """A row of ``_OBSERVATION_FIELDS`` in ObservationOut's shape: ninja validates it once, as the answer."""
    return {
        "id": row["pk"],
        "indicator": row["indicator_code"],
        "period": row["submission__period_key"],
        "org_unit_id": row["submission__org_unit_id"],
        "org_unit": row["submission__org_unit__name"],
        "sex": row["sex"],
        "numerator": _number(row["numerator"]),
        "denominator": _number(row["denominator"]),
        "value": _number(row["value"]),
        "note": row["note"],
        "state": row["submission__state"],
        "revision": row["submission__revision"],
    }


@api.get(
    "/plans/{plan_id}/observations",
    response={200: list[ObservationOut], 403: Error, 404: Error, 422: Error},
    tags=["observations"],
)
@paginate(LimitOffset)
@_typed
def observations_list(request, plan_id: int, filters: Query[ObservationFilter]):
    """The figures the filters select, with their approval state; ``limit``/``offset`` page them.

    Without ``limit``, every row (as before); with it, one page, ``X-Total-Count`` and a
    ``Link`` to the next page. A page is two SQL statements whatever its size.
    """
    plan = _plan(request, plan_id)
    rows = _observation_rows(request, plan, filters).values(*_OBSERVATION_FIELDS)
    return _Converted(rows, _observation_out, _OBSERVATION_ORDER)


@api.get(
    "/plans/{plan_id}/evaluations/{period}",
    response={200: EvaluationOut, 403: Error, 404: Error, 422: Error},
    tags=["evaluations"],
)
def evaluation(request, plan_id: int, period: str, as_of: date | None = None, provisional: bool = False):
    """The engine's verdicts for a period (``2024``, ``2024-Q3``, ``2021-2025``), like ``chitieu evaluate``.

    ``as_of`` (default: today) fixes what was known; ``provisional`` counts figures not yet approved.
    """
    plan = _plan(request, plan_id)
    key = _period(period)
    if provisional and not may_see_provisional(request.user, plan):
        raise HttpError(403, "Chỉ người phụ trách cả địa bàn của kế hoạch xem được số liệu chưa duyệt")
    evaluated = plan_evaluate(
        plan, key, as_of=as_of or timezone.localdate(), states=PROVISIONAL if provisional else APPROVED
    )
    if evaluated is None:
        raise HttpError(404, "Kế hoạch chưa có phiên bản có hiệu lực")
    return {"plan_id": plan.pk, **evaluated.evaluation.as_dict()}


# ------------------------------------------------------------------ exports

EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "dhis2": ("application/json", "json"),
    "sdmx": ("application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8", "csv"),
}


class Dhis2Mapping(Schema):
    """The instance's identifiers for chitieu's codes (UIDs or codes, as ``id_scheme`` says)."""

    data_elements: dict[str, str] = Field(
        default_factory=dict, description="indicator code (2.1, 2.1.NUM) → data element"
    )
    org_units: dict[str, str] = Field(default_factory=dict, description="unit code → organisation unit")
    category_option_combos: dict[str, str] = Field(
        default_factory=dict, description='"F", "M", and "" for totals → category option combination'
    )


class Dhis2Options(Schema):
    data_set: str = Field("", max_length=100, pattern=_FILTER_TEXT, description="DHIS2 data set (dataSet)")
    id_scheme: Literal["", "UID", "CODE"] = Field("", description="DHIS2 idScheme written into the document")
    mapping: str = Field(
        "",
        max_length=100_000,
        description="JSON object: {data_elements: {...}, org_units: {...}, category_option_combos: {...}}",
    )

    def parsed(self) -> Dhis2Mapping:
        if not self.mapping:
            return Dhis2Mapping()
        try:
            return Dhis2Mapping.model_validate_json(self.mapping)
        except PydanticValidationError as error:
            raise HttpError(422, f"mapping: không đọc được ({error.error_count()} lỗi)") from None

    def config(self, plan: PlanRecord) -> Dhis2Config:
        """These options; when none is given, the plan's saved DHIS2 settings (the web app's form)."""
        if not (self.data_set or self.id_scheme or self.mapping):
            return dhis2_config_for(plan)
        mapping = self.parsed()
        try:
            return dhis2_config_check(
                data_set=self.data_set,
                id_scheme=self.id_scheme,
                data_elements=mapping.data_elements,
                org_units=mapping.org_units,
                category_option_combos=mapping.category_option_combos,
            )
        except Dhis2SettingsError as error:
            raise HttpError(422, f"Tùy chọn DHIS2 không hợp lệ: {error}") from None


def _named_by_sender(observations, rows, plan: PlanRecord):
    """The tidy CSV names the unit that sent each figure, as ``/observations`` does.

    The engine reads an office's figure as the whole area's (``reports_for_area``), which the
    core would also do with a blank unit; but a blank says nothing of who sent it, and a
    coordinator who imports the file back would file the office's figures under their own
    unit. Blank stays only for the plan's area itself: what §3 means by a blank unit.
    """
    return [
        obs
        if row.submission.org_unit_id == plan.area_id
        else replace(obs, org_unit=row.submission.org_unit.name)
        for obs, row in zip(observations, rows, strict=True)
    ]


@api.get(
    "/plans/{plan_id}/observations/export",
    response={200: None, 403: Error, 404: Error, 422: Error},
    tags=["observations"],
    openapi_extra={
        "responses": {
            "200": {
                "description": "the figures in the format asked for",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "object"}},
                    "application/vnd.sdmx.data+csv": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
def observations_export(
    request,
    plan_id: int,
    filters: Query[ObservationFilter],
    dhis2: Query[Dhis2Options],
    format: Literal["csv", "dhis2", "sdmx"] = "csv",
    provisional: bool = False,
    sdmx_version: Literal["2.0", "1.0"] = Query("2.0", description="SDMX-CSV version (sdmx only)"),
    dialect: Literal["excel-vn", "plain"] = Query(
        "excel-vn",
        description=(
            "CSV only. excel-vn (default): UTF-8 with BOM, ';' and decimal commas, what Excel on a "
            "Vietnamese Windows opens right; plain: UTF-8, ',' and decimal points, for programs"
        ),
    ),
):
    """Figures as tidy CSV (interfaces §3, ``csv``), DHIS2 ``dataValueSets`` JSON (``dhis2``) or SDMX-CSV.

    DHIS2 and SDMX carry approved figures only unless ``provisional`` is set; the tidy CSV
    carries what the filters select. Rows a format cannot carry are listed in the
    ``X-Chitieu-Left-Out`` header. Units are named by their official code (``ID<id>``
    for a unit without one). Figures not yet approved are marked: DHIS2 ``followup``
    and a comment, SDMX ``OBS_STATUS`` ``P``. The ``data_set``, ``id_scheme`` and
    ``mapping`` parameters adapt the DHIS2 document to an instance; when none of them is given,
    the plan's DHIS2 settings saved in the web app are used.
    """
    if format not in EXPORT_FORMATS:
        raise HttpError(422, "format phải là csv, dhis2 hoặc sdmx")
    plan = _plan(request, plan_id)
    version = plan_version_active(plan)
    core = core_plan(version) if version else None
    rows = _observation_rows(request, plan, filters).order_by(*_EXPORT_ORDER)
    if format != "csv" and not filters.state:
        rows = rows.filter(submission__state__in=list(PROVISIONAL if provisional else APPROVED))
    rows = list(rows)
    observations = [as_core_observation(row, plan.area) for row in rows]
    area = official_code(plan.area)
    if format == "csv":
        observations = _named_by_sender(observations, rows, plan)
    if format == "csv" and dialect == "plain":
        result = to_tidy_csv(observations)
    elif format == "csv":
        excel = to_tidy_csv(observations, delimiter=";", decimal_comma=True)
        # The BOM tells Excel the file is UTF-8; without it "Xã Tân Lập" shows as "XĂ£ TĂ¢n Láº­p".
        result = replace(excel, text="\ufeff" + excel.text)
    elif format == "dhis2":
        result = dhis2_document(rows, plan=plan, core=core, config=dhis2.config(plan))
    else:
        # DHIS2 and SDMX name units by their official code: names repeat across the
        # country (13 "Phòng Y tế" in two provinces) and change with a rename.
        # Each figure goes out under the code of the unit that sent it (an office too):
        # unit, indicator, period and sex are unique in the database, so the DHIS2 and
        # SDMX keys are unique by construction.
        coded = []
        for obs, row in zip(observations, rows, strict=True):
            obs = replace(obs, org_unit=official_code(row.submission.org_unit))
            coded.append(obs if row.submission.state in APPROVED else Provisional(obs))
        codes = {obs.org_unit: obs.org_unit for obs in coded if obs.org_unit}
        result = to_sdmx_csv(coded, plan=core, area=area, ref_area_ids=codes, version=sdmx_version)
    content_type, extension = EXPORT_FORMATS[format]
    if format == "sdmx" and sdmx_version == "1.0":
        content_type = "application/vnd.sdmx.data+csv; version=1.0.0; charset=utf-8"
    response = HttpResponse(result.text, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="chitieu-{plan.pk}-{format}.{extension}"'
    response["X-Chitieu-Count"] = str(result.count)
    if result.issues:
        response["X-Chitieu-Left-Out"] = str(len(result.issues))
    return response


@api.get(
    "/plans/{plan_id}/sdmx/structure",
    response={200: None, 403: Error, 404: Error},
    tags=["observations"],
    openapi_extra={
        "responses": {
            "200": {
                "description": "SDMX-ML 2.1 structure message",
                "content": {
                    "application/vnd.sdmx.structure+xml; version=2.1": {"schema": {"type": "string"}}
                },
            }
        }
    },
)
def sdmx_structure_get(request, plan_id: int):
    """The SDMX structure of the plan's SDMX-CSV export (dataflow, DSD, codelists, concepts).

    SDMX readers (sdmx1, pysdmx, .Stat) read the CSV with it; the unit codelist holds every
    unit of the plan's area by official code.
    """
    plan = _plan(request, plan_id)
    version = plan_version_active(plan)
    if version is None:
        raise HttpError(404, "Kế hoạch chưa có phiên bản có hiệu lực")
    units = OrgUnit.objects.filter(id__in=unit_descendant_ids(plan.area_id)).order_by("pk")
    text = sdmx_structure(core_plan(version), [(official_code(u), u.name) for u in units])
    response = HttpResponse(
        text, content_type="application/vnd.sdmx.structure+xml; version=2.1; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="chitieu-{plan.pk}-sdmx-structure.xml"'
    return response


# ------------------------------------------------------------------ writes


# A plain pydantic model (not a ninja Schema, whose wrapper for ORM objects cost 0.1 ms a row, 50 ms of
# a request of 500): the OpenAPI schema and the errors naming each row and field are the same.
class ObservationIn(BaseModel):
    indicator: str
    period: str
    org_unit_id: int | None = Field(None, ge=1, le=_DB_INT_MAX)  # beyond what a database stores: 422
    org_unit: str = ""
    sex: str = ""
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    note: str = ""
    # If-Match for this row's report (unit and period): the ``revision`` last read from the API.
    # Given, the row is refused with ``stale`` if someone changed the report since; omitted, no check.
    revision: int | None = Field(None, ge=0, le=_DB_INT_MAX)


class UpsertIn(Schema):
    rows: list[ObservationIn]
    submit: bool = False  # send the touched reports for approval after saving


class RowErrorOut(Schema):
    row: int
    where: str
    code: str
    message: str


class SubmissionOut(Schema):
    id: int
    org_unit_id: int
    period: str
    state: str
    revision: int


class UpsertOut(Schema):
    saved: int
    errors: list[RowErrorOut]
    submissions: list[SubmissionOut]


def _upsert_out(result) -> UpsertOut:
    return UpsertOut(
        saved=result.saved,
        errors=[RowErrorOut(row=e.row, where=e.where, code=e.code, message=e.message) for e in result.errors],
        submissions=[
            SubmissionOut(
                id=s.pk, org_unit_id=s.org_unit_id, period=s.period_key, state=s.state, revision=s.revision
            )
            for s in result.submissions
        ],
    )


MAX_ROWS = 5000


@api.post(
    "/plans/{plan_id}/observations",
    response={200: UpsertOut, 403: Error, 404: Error, 413: Error, 422: Error},
    tags=["observations"],
)
def observations_upsert_endpoint(request, plan_id: int, payload: UpsertIn):
    """Create or update figures; each refused row comes back with its position and the reason.

    The rules are the entry form's: only units the token's user may report for, only
    indicators assigned to them, nothing changes in an approved (locked) report.
    """
    plan = _plan(request, plan_id)
    if len(payload.rows) > MAX_ROWS:
        raise HttpError(413, f"tối đa {MAX_ROWS} dòng mỗi lần gửi")
    rows = [RowInput(**row.model_dump(), where=f"row {n}") for n, row in enumerate(payload.rows, start=1)]
    return _upsert_out(observations_upsert(actor=request.user, plan=plan, rows=rows, submit=payload.submit))


@api.post(
    "/plans/{plan_id}/observations/import",
    response={200: UpsertOut, 403: Error, 404: Error, 413: Error, 422: Error},
    tags=["observations"],
    # The body is read from the stream (no ninja parameter), so it is declared here:
    # generated clients then know to send the CSV as text/csv.
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "tidy CSV (contracts §3), UTF-8 with or without BOM; ',', ';' or tab",
            # text/csv for people and curl; the same bytes as application/octet-stream for
            # generated clients that cannot send text/csv (openapi-python-client sends a File).
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
def observations_import(request, plan_id: int, submit: bool = False):
    """Upload a tidy CSV (docs/interfaces.md §3) as the request body (``Content-Type: text/csv``).

    ``org_unit`` names the reporting unit (any spelling); a blank unit means the
    user's own unit. Lines the reader refuses come back with their line number.
    """
    plan = _plan(request, plan_id)
    limit = settings.CHITIEU_CSV_MAX_BYTES
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:  # refused before reading a byte of it
        raise HttpError(413, _too_large(limit))
    body = request.read(limit + 1)  # the stream, not request.body: that stops at DATA_UPLOAD_MAX_MEMORY_SIZE
    if len(body) > limit:
        raise HttpError(413, _too_large(limit))
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise HttpError(422, "tệp CSV phải là UTF-8") from error
    observations, issues = read_observations_text(text)
    reader_errors = [i for i in issues if i.severity is Severity.ERROR]
    if not observations and reader_errors:
        raise HttpError(422, "; ".join(f"{i.where}: {i.message}" for i in reader_errors[:20]))
    own = request.user.org_unit.name if request.user.org_unit_id else ""
    rows = [
        RowInput(
            indicator=o.indicator,
            period=o.period,
            org_unit=o.org_unit or own,
            sex=o.sex.value if o.sex else "",
            numerator=o.numerator,
            denominator=o.denominator,
            value=o.value,
            note=o.note,
            where=o.source,
        )
        for o in observations
    ]
    result = observations_upsert(actor=request.user, plan=plan, rows=rows, submit=submit)
    result.errors[:0] = [RowError(0, i.where, i.code or "bad_line", i.message) for i in reader_errors]
    return _upsert_out(result)
