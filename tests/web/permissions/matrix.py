"""The permission matrix: for every URL of the site and every API operation, what each role gets.

A probe is one request (method, URL, body) made as each role in ``ROLES``; its
``expect`` says the outcome per role, and for a write ``snapshot`` reads the
object the request would change, so the test can say whether it changed:
it must change for the roles in ``writers`` and stay as it was for everyone
else. ``route`` ties the probe to a URL pattern (or an OpenAPI operation) so
that a view added without a decision here fails the completeness test.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .world import NOTE_A, NOTE_B, ROLES, World

OK, LOGIN, ADMIN_LOGIN, DENIED, NOT_FOUND, NOT_ALLOWED, UNAUTHORISED, REDIRECT = (
    "200",
    "302→login",
    "302→admin login",
    "403",
    "404",
    "405",
    "401",
    "302",
)


def by_role(default: str, **overrides: str) -> dict[str, str]:
    unknown = set(overrides) - set(ROLES)
    assert not unknown, unknown
    return {role: overrides.get(role, default) for role in ROLES}


# The usual answers, named after the rule they come from (web.orgs.access).
EVERYONE = by_role(OK)
LOGGED_IN = by_role(OK, anonymous=LOGIN)
PLAN_READERS = by_role(OK, anonymous=LOGIN, coordinator_other=DENIED)  # require_see_plan
UNIT_A_READERS = by_role(OK, anonymous=LOGIN, reporter_b=DENIED, coordinator_other=DENIED)
UNIT_B_READERS = by_role(OK, anonymous=LOGIN, reporter_a=DENIED, coordinator_other=DENIED)
COORDINATORS = by_role(DENIED, anonymous=LOGIN, coordinator=OK, administrator=OK, coordinator_other=OK)
PLAN_MANAGERS = by_role(DENIED, anonymous=LOGIN, coordinator=OK, administrator=OK)  # can_manage_plan
POST_ONLY = by_role(NOT_ALLOWED, anonymous=LOGIN)
API_TOKEN_HOLDERS = by_role(OK, anonymous=UNAUTHORISED)
API_PLAN_READERS = by_role(OK, anonymous=UNAUTHORISED, coordinator_other=DENIED)
ENTERERS_OF_A = frozenset({"reporter_a", "coordinator", "administrator"})
MANAGERS = frozenset({"coordinator", "administrator"})


@dataclass(frozen=True)
class Probe:
    name: str
    route: str  # the URL pattern, or "API <METHOD> <openapi path>"
    method: str
    url: Callable[[World], str]
    expect: dict[str, str]
    data: Callable[[World], Any] | None = None
    content_type: str | None = None  # for a raw body (JSON, CSV)
    snapshot: Callable[[World], Any] | None = None  # writes: the state the request may change
    writers: frozenset[str] = frozenset()  # roles whose write must take effect
    api: bool = False  # authenticate with the role's bearer token
    # (world, role, response) -> None: what the body may and may not show to whom
    check: Callable[[World, str, Any], None] | None = None
    tags: tuple[str, ...] = field(default=())


def _obs(world: World, key: str, code: str = "3.2a"):
    from web.data.models import Observation

    row = Observation.objects.filter(submission=world.submissions[key], indicator_code=code).first()
    return None if row is None else (row.numerator, row.denominator, row.value, row.note)


def _state(world: World, key: str):
    from web.data.models import Submission

    return Submission.objects.get(pk=world.submissions[key].pk).state


def _entry_url(unit, period: str) -> str:
    return f"/entry/{unit.pk}/{period}/"


def _entry_post(world: World, unit_key: str, submission_key: str) -> dict:
    """The entry form of the unit as its reporter would send it, with 3.2a changed to 1 / 7."""
    from web.data.forms import field_names
    from web.data.selectors import duties

    unit = getattr(world, unit_key)
    submission = world.submissions[submission_key]
    data = {"revision": str(submission.revision)}
    for duty in duties(world.version, unit, "quarter"):
        for sex in duty.sexes:
            num, den, note = field_names(duty, sex)
            data[num], data[den], data[note] = "2", "5", ""
            if duty.indicator.code == "3.2a":
                data[num], data[den] = "1", "7"
    return data


def _offline_form_post(world: World) -> dict:
    """Unit A's Excel form as its reporter downloads it, with 3.2a of 2024-Q2 changed to 1 / 7."""
    import io

    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chitieu.offline_form import ID_ROWS, SHEET_DATA, SHEET_ID
    from web.data.offline import form_workbook

    data = form_workbook(actor=world.users["reporter_a"], scope=world.unit_a, year=2024)
    book = openpyxl.load_workbook(io.BytesIO(data))
    keys = book[SHEET_ID]
    for n in range(ID_ROWS, keys.max_row + 1):
        row, _unit, period, code = (keys.cell(row=n, column=c).value for c in range(1, 5))
        if (period, code) == ("2024-Q2", "3.2a"):
            book[SHEET_DATA][f"F{row}"], book[SHEET_DATA][f"G{row}"] = 1, 7
    out = io.BytesIO()
    book.save(out)
    return {"file": SimpleUploadedFile("bieu-mau.xlsx", out.getvalue()), "save": "1"}


def _token_count(world: World) -> int:
    from web.api.models import ApiToken

    return ApiToken.objects.filter(name="probe").count()


def _token_of(world: World, role: str):
    from web.api.models import ApiToken

    return ApiToken.objects.get(user=world.users[role], name="matrix")


def _review_post(world: World, *, extra: dict | None = None) -> dict:
    """The draft's review form untouched, but the first indicator renamed."""
    from web.plans.views import _review_forms

    from .world import form_data

    data = {"revision": str(world.draft.revision)}
    for n, (_indicator, form, targets) in enumerate(_review_forms(world.draft)):
        values = form_data(form)
        if n == 0:
            values[form.add_prefix("name")] = "TÊN CHỈ TIÊU ĐÃ SỬA"
        data.update(values)
        for _target, target_form in targets:
            data.update(form_data(target_form))
    data.update(extra or {})
    return data


def _published(world: World) -> bool:
    from web.public.models import Publication

    return Publication.objects.filter(plan=world.plan).exists()


def _first_draft_name(world: World) -> str:
    return world.draft.indicators.order_by("position").first().name


def _assignment_post(world: World, *, extra_units=()) -> dict:
    a = world.assignment
    return {
        "lead_units": [u.pk for u in a.lead_units.all()] + [u.pk for u in extra_units],
        "reporters": a.reporters,
        "frequency": "half" if a.frequency != "half" else "year",
        "by_sex": "on" if a.by_sex else "",
    }


def _assignment_state(world: World):
    from web.plans.models import Assignment

    a = Assignment.objects.get(pk=world.assignment.pk)
    return a.frequency, sorted(u.pk for u in a.lead_units.all())


def _upload(world: World, *, plan=None, area=None) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "file": SimpleUploadedFile("ke-hoach.txt", bytes(world.version.source_bytes), "text/plain"),
        "area": str((area or world.district).pk),
    }
    if plan is not None:
        data.update({"plan": str(plan.pk), "amendment_note": "Sửa đổi"})
    else:  # the world's own annex again, as a new plan: confirmed past the same-file warning
        data["same_file_ok"] = "on"
    return data


def _reorganisation_file(world: World) -> bytes:
    """Unit A renamed from 1 July 2025 (a unit without an official code is named ``#<id>``)."""
    return (
        "loai,ma_moi,ten_moi,ma_cu,ma_cap_tren,ngay_hieu_luc\n"
        f"đổi tên,,Xã Sau Sắp Xếp,#{world.unit_a.pk},,01/07/2025\n"
    ).encode()


def _reorganisation_upload(world: World) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("qd.csv", _reorganisation_file(world), "text/csv")}


def _reorganisation_apply(world: World) -> dict:
    import base64

    return {
        "action": "apply",
        "data": base64.b64encode(_reorganisation_file(world)).decode(),
        "name": "qd.csv",
    }


def _versions(plan) -> int:
    from web.plans.models import PlanVersion

    return PlanVersion.objects.filter(plan=plan).count()


def _plan_count(world: World) -> int:
    from web.plans.models import Plan

    return Plan.objects.count()


def _unit(world: World, attr: str):
    from web.orgs.models import OrgUnit

    unit = OrgUnit.objects.get(pk=getattr(world, attr).pk)
    return unit.name, unit.valid_to


def _api_rows(world: World, unit_key: str = "unit_a", **changes) -> str:
    row = {"indicator": "3.2a", "period": "2024-Q2", "org_unit_id": getattr(world, unit_key).pk}
    row.update({"numerator": "1", "denominator": "9"}, **changes)
    return json.dumps({"rows": [row]})


def _csv(unit_name: str) -> str:
    return (
        f"indicator,period,org_unit,sex,numerator,denominator,value,note\n3.2a,2024-Q2,{unit_name},,1,8,,\n"
    )


# ------------------------------------------------------------------ body checks


def _form_of(world: World, response) -> None:
    """The form downloaded is unit A's, with its note: nobody gets another unit's rows in it."""
    import io

    import openpyxl

    from chitieu.offline_form import read_form

    form = read_form(response.content)
    assert form.identity.unit_ids == (world.unit_a.pk,), form.identity
    notes = {row.note for row in form.rows}
    assert NOTE_A in notes and NOTE_B not in notes, notes
    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames[0] == "Hướng dẫn"


def _hides(texts_by_role: dict[str, tuple[str, ...]], shows: dict[str, tuple[str, ...]]):
    def check(world: World, role: str, response) -> None:
        body = response.content.decode("utf-8", errors="replace")
        for text in texts_by_role.get(role, ()):
            assert text not in body, f"{role} sees {text!r}"
        for text in shows.get(role, ()):
            assert text in body, f"{role} should see {text!r}"

    return check


NOTES_STAY_HOME = _hides(
    {"reporter_a": (NOTE_B,), "reporter_b": (NOTE_A,)},
    {"reporter_a": (NOTE_A,), "reporter_b": (NOTE_B,), "coordinator": (NOTE_A, NOTE_B), "viewer": (NOTE_A,)},
)


def _unit_ids_check(world: World, role: str, response) -> None:
    if response.status_code != 200:
        return
    ids = {u["id"] for u in response.json()}
    sees_a = role in ("viewer", "reporter_a", "coordinator", "administrator")
    assert (world.unit_a.pk in ids) is sees_a, role
    assert (world.other_commune.pk in ids) is (role in ("administrator", "coordinator_other")), role


def _rows_check(world: World, role: str, response) -> None:
    if response.status_code != 200:
        return
    units = {row["org_unit_id"] for row in response.json()}
    if role in ("reporter_a", "reporter_b"):
        own = world.unit_a.pk if role == "reporter_a" else world.unit_b.pk
        assert units == {own}, (role, units)
    else:
        assert {world.unit_a.pk, world.unit_b.pk} <= units, (role, units)


def _filtered_rows_check(world: World, role: str, response) -> None:
    """?org_unit_id=<unit A>: whoever may not see unit A gets nothing, not A's rows."""
    if response.status_code != 200:
        return
    units = {row["org_unit_id"] for row in response.json()}
    assert units == (set() if role == "reporter_b" else {world.unit_a.pk}), (role, units)


def _plans_check(world: World, role: str, response) -> None:
    if response.status_code != 200:
        return
    ids = {p["id"] for p in response.json()}
    assert (world.plan.pk in ids) is (role != "coordinator_other"), role


def _upsert_errors(world: World, role: str, response) -> None:
    """Refused rows say why; the request itself succeeds for whoever may read the plan."""
    if response.status_code != 200:
        return
    errors = response.json()["errors"]
    if role in ENTERERS_OF_A:
        assert errors == [], (role, errors)
    else:
        assert errors and {e["code"] for e in errors} == {"forbidden"}, (role, errors)


# ------------------------------------------------------------------ the probes


def _coordinator_job(world: World) -> int:
    """A finished job the coordinator started (web.jobs): its page is theirs and the administrator's."""
    from web.jobs.models import Job

    job, _ = Job.objects.get_or_create(
        kind="rollup", plan=world.plan, requested_by=world.users["coordinator"], defaults={"status": "done"}
    )
    return job.pk


def _rollup_jobs(world: World) -> int:
    from web.jobs.models import Job

    return Job.objects.filter(kind="rollup", plan=world.plan).exclude(status="queued").count()


def _site_probes() -> list[Probe]:
    w = World  # for readability of the lambdas' annotations only
    del w
    return [
        Probe("healthz", "healthz", "get", lambda w: "/healthz", EVERYONE),
        Probe("healthz-post", "healthz", "post", lambda w: "/healthz", by_role(NOT_ALLOWED)),
        Probe("home", "", "get", lambda w: "/", LOGGED_IN),
        Probe("login-page", "login/", "get", lambda w: "/login/", EVERYONE),
        Probe("logout-get", "logout/", "get", lambda w: "/logout/", by_role(NOT_ALLOWED)),
        Probe("logout", "logout/", "post", lambda w: "/logout/", by_role(LOGIN)),  # to the login page
        Probe("password-page", "password/", "get", lambda w: "/password/", LOGGED_IN),
        # Without the old password nothing changes: the form again, with its errors.
        Probe("password-change", "password/", "post", lambda w: "/password/", LOGGED_IN),
        Probe("password-done", "password/done/", "get", lambda w: "/password/done/", LOGGED_IN),
        Probe(
            "set-language",
            "i18n/setlang/",
            "post",
            lambda w: "/i18n/setlang/",
            by_role(REDIRECT),
            data=lambda w: {"language": "en", "next": "/"},
        ),
        # ---------------------------------------------------------- units
        Probe(
            "unit-tree",
            "units/",
            "get",
            lambda w: "/units/",
            LOGGED_IN,
            check=_hides(
                {"reporter_b": ("Đăk Tơ Lung",), "coordinator_other": ("Đăk Tơ Lung",)},
                {"coordinator": ("Đăk Tơ Lung",)},
            ),
        ),
        Probe(
            "unit-change-page",
            "units/<int:pk>/change/",
            "get",
            lambda w: f"/units/{w.unit_a.pk}/change/",
            by_role(DENIED, anonymous=LOGIN, coordinator=OK, administrator=OK),
        ),
        Probe(
            "unit-rename",
            "units/<int:pk>/change/",
            "post",
            lambda w: f"/units/{w.unit_a.pk}/change/",
            by_role(DENIED, anonymous=LOGIN, coordinator=REDIRECT, administrator=REDIRECT),
            data=lambda w: {"action": "rename", "rename-name": "Xã Mới", "rename-on": "01/07/2025"},
            snapshot=lambda w: _unit(w, "unit_a"),
            writers=MANAGERS,
        ),
        # A district coordinator merging their district with the one next door (listed as a sibling).
        Probe(
            "unit-merge-other-district",
            "units/<int:pk>/change/",
            "post",
            lambda w: f"/units/{w.district.pk}/change/",
            by_role(DENIED, anonymous=LOGIN, administrator=REDIRECT),
            data=lambda w: {
                "action": "merge",
                "merge-others": [w.other_district.pk],
                "merge-name": "Huyện Gộp",
                "merge-on": "01/07/2025",
            },
            snapshot=lambda w: _unit(w, "other_district"),
            writers=frozenset({"administrator"}),
        ),
        # ---------------------------------------------------------- reorganisation (issue 16)
        Probe("reorganisation-page", "reorganisation/", "get", lambda w: "/reorganisation/", COORDINATORS),
        # The preview changes nothing, for anyone; the coordinator next door sees an unknown code.
        Probe(
            "reorganisation-preview",
            "reorganisation/",
            "post",
            lambda w: "/reorganisation/",
            COORDINATORS,
            data=_reorganisation_upload,
            snapshot=lambda w: _unit(w, "unit_a"),
            check=_hides({"coordinator_other": ("Đăk Tơ Lung",)}, {"coordinator": ("Xã Sau Sắp Xếp",)}),
        ),
        Probe(
            "reorganisation-apply",
            "reorganisation/",
            "post",
            lambda w: "/reorganisation/",
            by_role(
                DENIED, anonymous=LOGIN, coordinator=REDIRECT, administrator=REDIRECT, coordinator_other=OK
            ),  # unit A is not in their area: refused, nothing changed
            data=_reorganisation_apply,
            snapshot=lambda w: _unit(w, "unit_a"),
            writers=MANAGERS,
        ),
        Probe(
            "reorganisation-trend",
            "reorganisation/trend/<int:pk>/",
            "get",
            lambda w: f"/reorganisation/trend/{w.unit_a.pk}/?plan={w.plan.pk}&indicator=3.2a",
            UNIT_A_READERS,
        ),
        # ---------------------------------------------------------- notices (issue 17): one's own only
        # ---------------------------------------------------------- API tokens (issue 17): one's own only
        Probe("tokens", "exchange/tokens/", "get", lambda w: "/exchange/tokens/", LOGGED_IN),
        Probe(
            "token-create-a",
            "exchange/tokens/",
            "post",
            lambda w: "/exchange/tokens/",
            # Unit A is not among the areas of those who may not see it: the form says so, nothing made.
            by_role(REDIRECT, anonymous=LOGIN, reporter_b=OK, coordinator_other=OK),
            data=lambda w: {
                "name": "probe",
                "scope": "read",
                "area": w.unit_a.pk,
                "expires_on": "31/12/2099",
            },
            snapshot=lambda w: _token_count(w),
            writers=frozenset({"viewer", "reporter_a", "coordinator", "administrator"}),
        ),
        Probe(
            "token-revoke-of-a",
            "exchange/tokens/<int:pk>/revoke/",
            "post",
            lambda w: f"/exchange/tokens/{_token_of(w, 'reporter_a').pk}/revoke/",
            by_role(NOT_FOUND, anonymous=LOGIN, reporter_a=REDIRECT),
            snapshot=lambda w: _token_of(w, "reporter_a").revoked_at,
            writers=frozenset({"reporter_a"}),
        ),
        Probe(
            "token-revoke-get",
            "exchange/tokens/<int:pk>/revoke/",
            "get",
            lambda w: f"/exchange/tokens/{_token_of(w, 'reporter_a').pk}/revoke/",
            POST_ONLY,
        ),
        Probe("notices", "notices/", "get", lambda w: "/notices/", LOGGED_IN),
        Probe(
            "notices-read",
            "notices/read/",
            "post",
            lambda w: "/notices/read/",
            by_role(REDIRECT, anonymous=LOGIN),
        ),
        Probe(
            "notice-settings",
            "notices/settings/",
            "post",
            lambda w: "/notices/settings/",
            by_role(REDIRECT, anonymous=LOGIN),
            data=lambda w: {"email": ""},
        ),
        # ---------------------------------------------------------- the public page (issue 17)
        Probe("public-index", "public/", "get", lambda w: "/public/", EVERYONE),
        Probe(
            "public-plan",
            "public/<int:plan_id>/",
            "get",
            lambda w: f"/public/{w.plan.pk}/",
            by_role(NOT_FOUND),
        ),
        Probe(
            "public-csv",
            "public/<int:plan_id>/data.csv",
            "get",
            lambda w: f"/public/{w.plan.pk}/data.csv",
            by_role(NOT_FOUND),
        ),
        Probe(
            "public-publish",
            "public/<int:plan_id>/publish/",
            "post",
            lambda w: f"/public/{w.plan.pk}/publish/",
            by_role(DENIED, anonymous=LOGIN, coordinator=REDIRECT, administrator=REDIRECT),
            data=lambda w: {"published": "on"},
            snapshot=lambda w: _published(w),
            writers=MANAGERS,
        ),
        Probe(
            "reorganisation-carry-over",
            "reorganisation/carry-over/<int:plan_id>/",
            "get",
            lambda w: f"/reorganisation/carry-over/{w.plan.pk}/",
            PLAN_MANAGERS,
        ),
        # ---------------------------------------------------------- plans
        Probe("plan-list", "plans/", "get", lambda w: "/plans/", LOGGED_IN),
        Probe("plan-upload-page", "plans/upload/", "get", lambda w: "/plans/upload/", COORDINATORS),
        Probe(
            "plan-upload",
            "plans/upload/",
            "post",
            lambda w: "/plans/upload/",
            by_role(
                DENIED, anonymous=LOGIN, coordinator=REDIRECT, administrator=REDIRECT, coordinator_other=OK
            ),  # the district is not among their areas: form error
            data=lambda w: _upload(w),
            snapshot=_plan_count,
            writers=MANAGERS,
        ),
        Probe(
            "plan-upload-amend-province-plan",
            "plans/upload/",
            "post",
            lambda w: "/plans/upload/",
            by_role(DENIED, anonymous=LOGIN, administrator=REDIRECT, coordinator_other=OK),
            data=lambda w: _upload(w, plan=w.province_plan),
            snapshot=lambda w: _versions(w.province_plan),
            writers=frozenset({"administrator"}),
        ),
        Probe(
            "plan-version", "plans/v/<int:pk>/", "get", lambda w: f"/plans/v/{w.version.pk}/", PLAN_READERS
        ),
        Probe("plan-draft", "plans/v/<int:pk>/", "get", lambda w: f"/plans/v/{w.draft.pk}/", PLAN_READERS),
        Probe(
            "plan-review",
            "plans/v/<int:pk>/",
            "post",
            lambda w: f"/plans/v/{w.draft.pk}/",
            by_role(DENIED, anonymous=LOGIN, coordinator=REDIRECT, administrator=REDIRECT),
            data=lambda w: _review_post(w),
            snapshot=_first_draft_name,
            writers=MANAGERS,
        ),
        # A target of the plan in force slipped into the draft's review form: ignored.
        Probe(
            "plan-review-foreign-target",
            "plans/v/<int:pk>/",
            "post",
            lambda w: f"/plans/v/{w.draft.pk}/",
            by_role(DENIED, anonymous=LOGIN, coordinator=REDIRECT, administrator=REDIRECT),
            data=lambda w: _review_post(
                w, extra={f"t{w.target.pk}-comparator": ">=", f"t{w.target.pk}-value": "1"}
            ),
            snapshot=lambda w: str(type(w.target).objects.get(pk=w.target.pk).value),
        ),
        Probe(
            "plan-discard-get",
            "plans/v/<int:pk>/discard/",
            "get",
            lambda w: f"/plans/v/{w.draft.pk}/discard/",
            POST_ONLY,
        ),
        Probe(
            "plan-discard",
            "plans/v/<int:pk>/discard/",
            "post",
            lambda w: f"/plans/v/{w.draft.pk}/discard/",
            by_role(DENIED, anonymous=LOGIN, coordinator=REDIRECT, administrator=REDIRECT),
            snapshot=lambda w: type(w.draft).objects.get(pk=w.draft.pk).status,
            writers=MANAGERS,
        ),
        Probe(
            "plan-four-eyes-get",
            "plans/<int:pk>/four-eyes/",
            "get",
            lambda w: f"/plans/{w.version.plan_id}/four-eyes/",
            POST_ONLY,
        ),
        Probe(
            "plan-four-eyes",
            "plans/<int:pk>/four-eyes/",
            "post",
            lambda w: f"/plans/{w.version.plan_id}/four-eyes/",
            by_role(DENIED, anonymous=LOGIN, coordinator=REDIRECT, administrator=REDIRECT),
            data=lambda w: {},  # the box left unticked: the rule turned off
            snapshot=lambda w: type(w.version.plan).objects.get(pk=w.version.plan_id).four_eyes,
            writers=MANAGERS,
        ),
        Probe(
            "target-page",
            "plans/target/<int:pk>/",
            "get",
            lambda w: f"/plans/target/{w.target.pk}/",
            PLAN_MANAGERS,
        ),
        Probe(
            "target-change",
            "plans/target/<int:pk>/",
            "post",
            lambda w: f"/plans/target/{w.target.pk}/",
            by_role(DENIED, anonymous=LOGIN, coordinator=REDIRECT, administrator=REDIRECT),
            data=lambda w: {"comparator": ">=", "value": "61,5", "reason": "Nghị quyết mới"},
            snapshot=lambda w: str(type(w.target).objects.get(pk=w.target.pk).value),
            writers=MANAGERS,
        ),
        Probe(
            "assignment-page",
            "plans/assignment/<int:pk>/",
            "get",
            lambda w: f"/plans/assignment/{w.assignment.pk}/",
            PLAN_MANAGERS,
        ),
        Probe(
            "assignment-change",
            "plans/assignment/<int:pk>/",
            "post",
            lambda w: f"/plans/assignment/{w.assignment.pk}/",
            by_role(DENIED, anonymous=LOGIN, coordinator=REDIRECT, administrator=REDIRECT),
            data=lambda w: _assignment_post(w),
            snapshot=_assignment_state,
            writers=MANAGERS,
        ),
        # A commune of another district given as lead unit: not a choice, nothing stored.
        Probe(
            "assignment-foreign-unit",
            "plans/assignment/<int:pk>/",
            "post",
            lambda w: f"/plans/assignment/{w.assignment.pk}/",
            PLAN_MANAGERS,
            data=lambda w: _assignment_post(w, extra_units=[w.other_commune]),
            snapshot=_assignment_state,
        ),
        # ---------------------------------------------------------- data entry
        Probe(
            "entry-a",
            "entry/<int:unit_id>/<str:period_key>/",
            "get",
            lambda w: _entry_url(w.unit_a, "2024-Q2"),
            UNIT_A_READERS,
            check=_hides({}, {"reporter_a": (NOTE_A,), "coordinator": (NOTE_A,)}),
        ),
        Probe(
            "entry-b",
            "entry/<int:unit_id>/<str:period_key>/",
            "get",
            lambda w: _entry_url(w.unit_b, "2024-Q2"),
            UNIT_B_READERS,
        ),
        Probe(
            "entry-unknown-unit",
            "entry/<int:unit_id>/<str:period_key>/",
            "get",
            lambda w: "/entry/987654/2024-Q2/",
            by_role(NOT_FOUND, anonymous=LOGIN),
        ),
        Probe(
            "entry-bad-period",
            "entry/<int:unit_id>/<str:period_key>/",
            "get",
            lambda w: _entry_url(w.unit_a, "2024-Q9"),
            by_role(NOT_FOUND, anonymous=LOGIN, reporter_b=DENIED, coordinator_other=DENIED),
        ),
        Probe(
            "entry-save-a",
            "entry/<int:unit_id>/<str:period_key>/",
            "post",
            lambda w: _entry_url(w.unit_a, "2024-Q2"),
            by_role(
                DENIED, anonymous=LOGIN, reporter_a=REDIRECT, coordinator=REDIRECT, administrator=REDIRECT
            ),
            data=lambda w: _entry_post(w, "unit_a", "a_draft"),
            snapshot=lambda w: _obs(w, "a_draft"),
            writers=ENTERERS_OF_A,
        ),
        Probe(
            "entry-save-submitted",
            "entry/<int:unit_id>/<str:period_key>/",
            "post",
            lambda w: _entry_url(w.unit_a, "2024-Q1"),
            by_role(DENIED, anonymous=LOGIN),
            data=lambda w: _entry_post(w, "unit_a", "a_submitted"),
            snapshot=lambda w: _obs(w, "a_submitted"),
        ),  # waiting for approval: nobody edits it
        # ---------------------------------------------------------- the Excel form (issue 17)
        Probe(
            "offline-form-a",
            "entry/form/<int:unit_id>/",
            "get",
            lambda w: f"/entry/form/{w.unit_a.pk}/?year=2024",
            by_role(DENIED, anonymous=LOGIN, reporter_a=OK, coordinator=OK, administrator=OK),
        ),
        Probe(
            "offline-form-download-a",
            "entry/form/<int:unit_id>/<int:year>.xlsx",
            "get",
            lambda w: f"/entry/form/{w.unit_a.pk}/2024.xlsx",
            by_role(DENIED, anonymous=LOGIN, reporter_a=OK, coordinator=OK, administrator=OK),
            check=lambda w, role, r: None if r.status_code != 200 else _form_of(w, r),
        ),
        Probe(
            "offline-form-upload-a",
            "entry/form/<int:unit_id>/",
            "post",
            lambda w: f"/entry/form/{w.unit_a.pk}/?year=2024",
            by_role(
                DENIED, anonymous=LOGIN, reporter_a=REDIRECT, coordinator=REDIRECT, administrator=REDIRECT
            ),
            data=_offline_form_post,
            snapshot=lambda w: _obs(w, "a_draft"),
            writers=ENTERERS_OF_A,
        ),
        Probe(
            "decide-get",
            "entry/<int:unit_id>/<str:period_key>/decide/",
            "get",
            lambda w: _entry_url(w.unit_a, "2024-Q1") + "decide/",
            POST_ONLY,
        ),
        Probe(
            "approve-a",
            "entry/<int:unit_id>/<str:period_key>/decide/",
            "post",
            lambda w: _entry_url(w.unit_a, "2024-Q1") + "decide/",
            by_role(DENIED, anonymous=LOGIN, coordinator=REDIRECT, administrator=REDIRECT),
            data=lambda w: {"action": "approve"},
            snapshot=lambda w: _state(w, "a_submitted"),
            writers=MANAGERS,
        ),
        Probe(
            "return-b",
            "entry/<int:unit_id>/<str:period_key>/decide/",
            "post",
            lambda w: _entry_url(w.unit_b, "2024-Q1") + "decide/",
            by_role(DENIED, anonymous=LOGIN, coordinator=REDIRECT, administrator=REDIRECT),
            data=lambda w: {"action": "return", "reason": "Sai mẫu số"},
            snapshot=lambda w: _state(w, "b_submitted"),
            writers=MANAGERS,
        ),
        Probe(
            "unlock-a",
            "entry/<int:unit_id>/<str:period_key>/decide/",
            "post",
            lambda w: _entry_url(w.unit_a, "2023-Q4") + "decide/",
            by_role(DENIED, anonymous=LOGIN, coordinator=REDIRECT, administrator=REDIRECT),
            data=lambda w: {"action": "unlock", "reason": "Bổ sung"},
            snapshot=lambda w: _state(w, "a_approved"),
            writers=MANAGERS,
        ),
        Probe(
            "preview",
            "entry/preview/<int:indicator_id>/<str:sex_key>/",
            "post",
            lambda w: f"/entry/preview/{w.target.indicator_id}/T/",
            PLAN_READERS,
            data=lambda w: {f"n-{w.target.indicator_id}-T": "1", f"d-{w.target.indicator_id}-T": "2"},
        ),
        Probe(
            "preview-get",
            "entry/preview/<int:indicator_id>/<str:sex_key>/",
            "get",
            lambda w: f"/entry/preview/{w.target.indicator_id}/T/",
            POST_ONLY,
        ),
        Probe(
            "evidence-a",
            "entry/evidence/<int:pk>/",
            "get",
            lambda w: f"/entry/evidence/{w.evidence['a'].pk}/",
            UNIT_A_READERS,
        ),
        Probe(
            "evidence-b",
            "entry/evidence/<int:pk>/",
            "get",
            lambda w: f"/entry/evidence/{w.evidence['b'].pk}/",
            UNIT_B_READERS,
        ),
        # ---------------------------------------------------------- dashboards and reports
        Probe("dashboards", "dashboards/", "get", lambda w: "/dashboards/", LOGGED_IN),
        Probe("tasks", "dashboards/tasks/", "get", lambda w: "/dashboards/tasks/", LOGGED_IN),
        Probe("search", "dashboards/search/", "get", lambda w: "/dashboards/search/?q=xa", LOGGED_IN),
        Probe(
            "dashboard",
            "dashboards/plans/<int:plan_id>/",
            "get",
            lambda w: f"/dashboards/plans/{w.plan.pk}/?period=2024",
            PLAN_READERS,
        ),
        Probe(
            "completeness",
            "dashboards/plans/<int:plan_id>/completeness/",
            "get",
            lambda w: f"/dashboards/plans/{w.plan.pk}/completeness/?period=2024",
            PLAN_READERS,
        ),
        Probe(
            "indicator",
            "dashboards/plans/<int:plan_id>/indicators/<str:code>/",
            "get",
            lambda w: f"/dashboards/plans/{w.plan.pk}/indicators/3.2a/?period=2024&provisional=1",
            PLAN_READERS,
            check=NOTES_STAY_HOME,
        ),
        Probe(
            "grid",
            "dashboards/plans/<int:plan_id>/indicators/<str:code>/grid/",
            "get",
            lambda w: f"/dashboards/plans/{w.plan.pk}/indicators/6.3/grid/?period=2024",
            PLAN_READERS,
        ),
        Probe(
            "report",
            "reports/<int:plan_id>/<str:period>/<str:fmt>",
            "get",
            lambda w: f"/reports/{w.plan.pk}/2024/xlsx",
            PLAN_READERS,
        ),
        Probe(
            "report-unknown-plan",
            "reports/<int:plan_id>/<str:period>/<str:fmt>",
            "get",
            lambda w: "/reports/987654/2024/xlsx",
            by_role(NOT_FOUND, anonymous=LOGIN),
        ),
        Probe(
            "phase-report",
            "reports/phase/<int:plan_id>/<str:fmt>",
            "get",
            lambda w: f"/reports/phase/{w.plan.pk}/xlsx",
            PLAN_READERS,
        ),
        Probe(
            "report-settings-page",
            "reports/<int:plan_id>/settings/",
            "get",
            lambda w: f"/reports/{w.plan.pk}/settings/",
            PLAN_MANAGERS,
        ),
        Probe(
            "report-settings-save",
            "reports/<int:plan_id>/settings/",
            "post",
            lambda w: f"/reports/{w.plan.pk}/settings/",
            by_role(DENIED, anonymous=LOGIN, coordinator=REDIRECT, administrator=REDIRECT),
            data=lambda w: {
                "signer_title": "CHỦ TỊCH",
                "signer": "Người Ký Thử",
                "revision": _settings_revision(w),
            },
            snapshot=_report_settings,
            writers=MANAGERS,
        ),
        Probe(
            "dhis2-settings-page",
            "exchange/<int:plan_id>/dhis2/",
            "get",
            lambda w: f"/exchange/{w.plan.pk}/dhis2/",
            PLAN_MANAGERS,
        ),
        Probe(
            "dhis2-settings-save",
            "exchange/<int:plan_id>/dhis2/",
            "post",
            lambda w: f"/exchange/{w.plan.pk}/dhis2/",
            by_role(DENIED, anonymous=LOGIN, coordinator=REDIRECT, administrator=REDIRECT),
            data=lambda w: {"data_set": "ProbeSet001", "id_scheme": "UID", "revision": _dhis2_revision(w)},
            snapshot=_dhis2_settings,
            writers=MANAGERS,
        ),
        Probe(
            "dhis2-download",
            "exchange/<int:plan_id>/dhis2.json",
            "get",
            lambda w: f"/exchange/{w.plan.pk}/dhis2.json",
            PLAN_READERS,
            # Approved figures only, and a commune's note never reaches another commune.
            check=_hides({"reporter_a": (NOTE_B,), "reporter_b": (NOTE_A,)}, {}),
        ),
        Probe(
            "jobs-plan",
            "jobs/plans/<int:plan_id>/",
            "get",
            lambda w: f"/jobs/plans/{w.plan.pk}/",
            PLAN_READERS,
        ),
        Probe(
            "jobs-start-get",
            "jobs/plans/<int:plan_id>/<str:kind>/",
            "get",
            lambda w: f"/jobs/plans/{w.plan.pk}/rollup/",
            POST_ONLY,
        ),
        Probe(
            "jobs-start-rollup",
            "jobs/plans/<int:plan_id>/<str:kind>/",
            "post",
            lambda w: f"/jobs/plans/{w.plan.pk}/rollup/",
            by_role(DENIED, anonymous=LOGIN, coordinator=REDIRECT, administrator=REDIRECT),
            snapshot=_rollup_jobs,
            writers=MANAGERS,
        ),
        Probe("job", "jobs/<int:pk>/", "get", lambda w: f"/jobs/{_coordinator_job(w)}/", PLAN_MANAGERS),
        Probe(
            "job-status",
            "jobs/<int:pk>/status/",
            "get",
            lambda w: f"/jobs/{_coordinator_job(w)}/status/",
            PLAN_MANAGERS,
        ),
        Probe(
            "job-file",  # finished without a file: nothing to download, for those who may see the job
            "jobs/<int:pk>/file/",
            "get",
            lambda w: f"/jobs/{_coordinator_job(w)}/file/",
            by_role(DENIED, anonymous=LOGIN, coordinator=NOT_FOUND, administrator=NOT_FOUND),
        ),
    ]


def _dhis2_settings(world: World):
    from web.api.models import PlanDhis2Settings

    return PlanDhis2Settings.objects.filter(plan=world.plan).values_list("data_set", flat=True).first()


def _dhis2_revision(world: World) -> int:
    from web.api.models import PlanDhis2Settings

    return PlanDhis2Settings.objects.filter(plan=world.plan).values_list("revision", flat=True).first() or 0


def _report_settings(world: World):
    from web.reports.models import PlanReportSettings

    return PlanReportSettings.objects.filter(plan=world.plan).values_list("data", flat=True).first()


def _settings_revision(world: World) -> int:
    from web.reports.models import PlanReportSettings

    return PlanReportSettings.objects.filter(plan=world.plan).values_list("revision", flat=True).first() or 0


def _api_probes() -> list[Probe]:
    plan = "/api/plans/{plan_id}"
    return [
        Probe("api-schema", "api/openapi.json", "get", lambda w: "/api/openapi.json", EVERYONE),
        Probe("api-docs", "api/docs", "get", lambda w: "/api/docs", EVERYONE),
        Probe("api-root", "api/", "get", lambda w: "/api/", by_role(NOT_FOUND)),
        Probe(
            "api-plans",
            "API GET /api/plans",
            "get",
            lambda w: "/api/plans",
            API_TOKEN_HOLDERS,
            api=True,
            check=_plans_check,
        ),
        Probe(
            "api-plan",
            f"API GET {plan}",
            "get",
            lambda w: f"/api/plans/{w.plan.pk}",
            API_PLAN_READERS,
            api=True,
        ),
        Probe(
            "api-plan-unknown",
            f"API GET {plan}",
            "get",
            lambda w: "/api/plans/987654",
            by_role(NOT_FOUND, anonymous=UNAUTHORISED),
            api=True,
        ),
        Probe(
            "api-indicators",
            f"API GET {plan}/indicators",
            "get",
            lambda w: f"/api/plans/{w.plan.pk}/indicators",
            API_PLAN_READERS,
            api=True,
        ),
        Probe(
            "api-units",
            "API GET /api/org-units",
            "get",
            lambda w: "/api/org-units",
            API_TOKEN_HOLDERS,
            api=True,
            check=_unit_ids_check,
        ),
        Probe(
            "api-observations",
            f"API GET {plan}/observations",
            "get",
            lambda w: f"/api/plans/{w.plan.pk}/observations?period=2024-Q2",
            API_PLAN_READERS,
            api=True,
            check=_rows_check,
        ),
        Probe(
            "api-observations-of-a",
            f"API GET {plan}/observations",
            "get",
            lambda w: f"/api/plans/{w.plan.pk}/observations?org_unit_id={w.unit_a.pk}",
            API_PLAN_READERS,
            api=True,
            check=_filtered_rows_check,
        ),
        Probe(
            "api-upsert-a",
            f"API POST {plan}/observations",
            "post",
            lambda w: f"/api/plans/{w.plan.pk}/observations",
            API_PLAN_READERS,
            api=True,
            data=lambda w: _api_rows(w),
            content_type="application/json",
            snapshot=lambda w: _obs(w, "a_draft"),
            writers=ENTERERS_OF_A,
            check=_upsert_errors,
        ),
        # Unit A's figures named by unit name instead of id: the same rule.
        Probe(
            "api-upsert-a-by-name",
            f"API POST {plan}/observations",
            "post",
            lambda w: f"/api/plans/{w.plan.pk}/observations",
            API_PLAN_READERS,
            api=True,
            data=lambda w: json.dumps(
                {
                    "rows": [
                        {
                            "indicator": "3.2a",
                            "period": "2024-Q2",
                            "org_unit": "xa dak to lung",
                            "numerator": "1",
                            "denominator": "6",
                        }
                    ]
                }
            ),
            content_type="application/json",
            snapshot=lambda w: _obs(w, "a_draft"),
            writers=ENTERERS_OF_A,
            check=_upsert_errors,
        ),
        # A plan id changed by hand: the province's plan, which this district's people may read but
        # whose in-force version does not exist; nothing is stored anywhere.
        Probe(
            "api-upsert-other-plan",
            f"API POST {plan}/observations",
            "post",
            lambda w: f"/api/plans/{w.province_plan.pk}/observations",
            API_TOKEN_HOLDERS,
            api=True,
            data=lambda w: _api_rows(w),
            content_type="application/json",
            snapshot=lambda w: _obs(w, "a_draft"),
        ),
        Probe(
            "api-evaluation",
            f"API GET {plan}/evaluations/{{period}}",
            "get",
            lambda w: f"/api/plans/{w.plan.pk}/evaluations/2024",
            API_PLAN_READERS,
            api=True,
        ),
        Probe(
            "api-evaluation-provisional",
            f"API GET {plan}/evaluations/{{period}}",
            "get",
            lambda w: f"/api/plans/{w.plan.pk}/evaluations/2024?provisional=true",
            by_role(
                OK, anonymous=UNAUTHORISED, reporter_a=DENIED, reporter_b=DENIED, coordinator_other=DENIED
            ),
            api=True,
        ),
        Probe(
            "api-export",
            f"API GET {plan}/observations/export",
            "get",
            lambda w: f"/api/plans/{w.plan.pk}/observations/export?format=csv",
            API_PLAN_READERS,
            api=True,
            check=NOTES_STAY_HOME,
        ),
        Probe(
            "api-sdmx-structure",
            f"API GET {plan}/sdmx/structure",
            "get",
            lambda w: f"/api/plans/{w.plan.pk}/sdmx/structure",
            API_PLAN_READERS,
            api=True,
        ),
        Probe(
            "api-import-a",
            f"API POST {plan}/observations/import",
            "post",
            lambda w: f"/api/plans/{w.plan.pk}/observations/import",
            API_PLAN_READERS,
            api=True,
            data=lambda w: _csv(w.unit_a.name),
            content_type="text/csv",
            snapshot=lambda w: _obs(w, "a_draft"),
            writers=ENTERERS_OF_A,
            check=_upsert_errors,
        ),
    ]


def _admin_probes() -> list[Probe]:
    """Every URL of the admin site: administrators only (web.core.admin)."""
    from .routes import admin_routes

    probes = []
    for route in admin_routes():
        url = "/" + route.replace("<path:object_id>", "987654").replace("<path:content_type_id>", "987654")
        url = re.sub(r"\^\(\?P<app_label>[^)]*\)/\$", "auth/", url).replace("(?P<url>.*)$", "nowhere/")
        probes.append(Probe(f"admin:{route}", route, "get", lambda w, url=url: url, admin_expectation(route)))
    return probes


def admin_expectation(route: str) -> dict[str, str]:
    """Nobody but an administrator gets past the admin's own login; what an administrator gets."""
    if route == "admin/login/":
        return by_role(OK, administrator=REDIRECT)
    if route == "admin/logout/":
        return by_role(REDIRECT, administrator=NOT_ALLOWED)
    admin = OK
    if route.endswith("(?P<url>.*)$") or route.startswith("admin/r/"):
        admin = NOT_FOUND  # nothing there
    elif "auditentry" in route and route.endswith("/delete/"):
        admin = DENIED  # the audit trail is never deleted, not even by an administrator
    elif "<path:object_id>" in route:
        admin = REDIRECT  # object 987654 does not exist: back to the list with a message
    elif route.endswith("autocomplete/"):
        admin = DENIED  # no model asked for
    elif route.endswith("/add/") and route.split("/")[1:3] in (
        ["core", "auditentry"],
        ["axes", "accessattempt"],
        ["axes", "accesslog"],
        ["axes", "accessfailurelog"],
    ):
        admin = DENIED  # records of what happened: nobody adds them by hand
    return by_role(ADMIN_LOGIN, administrator=admin)


def all_probes() -> list[Probe]:
    return _site_probes() + _api_probes() + _admin_probes()
