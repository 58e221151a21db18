"""The JSON API per role: token authentication, what each role sees, exports that real parsers read."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from chitieu.approval import Role
from chitieu.evaluate import evaluate_plan
from chitieu.issues import has_errors
from chitieu.observation_csv import read_observations_csv
from web.api.services import token_create, token_revoke
from web.dashboards.selectors import core_plan, plan_evaluate, plan_version_active

from .conftest import AS_OF, COMMUNES, LABOUR


@pytest.fixture
def tokens(figures, coordinator, make_user, district):
    from web.orgs.selectors import unit_find

    users = {
        "coordinator": coordinator,
        "viewer": make_user("lanh-dao", Role.VIEWER, district),
        "reporter": make_user("tan-lap", Role.REPORTER, unit_find("Xã Tân Lập")),
        "office": make_user("y-te", Role.REPORTER, unit_find("Phòng Y tế")),
        "stranger": make_user("khach", Role.VIEWER),
    }
    return {role: token_create(user=user, name="test")[1] for role, user in users.items()}


def _code(name: str) -> str:
    """The unit's code in exports: the official one, or ID<pk> (these test units have none)."""
    from web.orgs.selectors import unit_find

    unit = unit_find(name)
    return unit.code or f"ID{unit.pk}"


def _get(client, path, token=None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(f"/api{path}", params, **headers)


def test_schema_is_public_and_names_the_endpoints(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/plans",
        "/api/org-units",
        "/api/plans/{plan_id}/observations",
        "/api/plans/{plan_id}/evaluations/{period}",
        "/api/plans/{plan_id}/observations/export",
    ):
        assert path in paths


@pytest.mark.parametrize("header", [None, "Bearer nope", "Token abc", "Bearer "])
def test_no_valid_token_is_refused(client, figures, header):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    assert client.get("/api/plans", **headers).status_code == 401


def test_revoked_token_is_refused(client, figures, coordinator):
    token, raw = token_create(user=coordinator, name="old")
    assert _get(client, "/plans", raw).status_code == 200
    token_revoke(token=token)
    assert _get(client, "/plans", raw).status_code == 401


def test_tokens_are_stored_as_digests_only(figures, coordinator):
    from web.api.models import ApiToken

    token, raw = token_create(user=coordinator, name="x")
    assert raw not in {v for v in ApiToken.objects.values_list("digest", "prefix")[0]}
    assert len(token.digest) == 64


@pytest.mark.parametrize(
    ("role", "sees_plan", "observations"),
    [
        ("coordinator", True, "all"),
        ("viewer", True, "all"),
        ("reporter", True, "own"),
        ("office", True, "own"),
        ("stranger", False, None),
    ],
)
def test_what_each_role_sees(client, tokens, figures, role, sees_plan, observations):
    token = tokens[role]
    plans = _get(client, "/plans", token).json()
    assert [p["id"] for p in plans] == ([figures.pk] if sees_plan else [])
    detail = _get(client, f"/plans/{figures.pk}", token)
    assert detail.status_code == (200 if sees_plan else 403)
    rows = _get(client, f"/plans/{figures.pk}/observations", token)
    if not sees_plan:
        assert rows.status_code == 403
        return
    units = {r["org_unit"] for r in rows.json()}
    if observations == "all":
        assert set(COMMUNES) <= units and "Phòng Lao động - Thương binh và Xã hội" in units
    else:
        assert len(units) <= 1 and units <= {"Xã Tân Lập", "Phòng Y tế"}


def test_plan_detail_is_the_contract_json(client, tokens, figures):
    plan = _get(client, f"/plans/{figures.pk}", tokens["viewer"]).json()
    assert plan["title"].startswith("PHÂN CÔNG THEO DÕI")
    codes = [i["code"] for o in plan["objectives"] for i in o["indicators"]]
    assert codes[:3] == ["1.1", "2.1", "2.2"] and "6.3" in codes
    indicators = _get(client, f"/plans/{figures.pk}/indicators", tokens["viewer"]).json()
    assert [i["code"] for i in indicators] == codes


def test_evaluation_matches_the_dashboard_rule(client, tokens, figures):
    body = _get(client, f"/plans/{figures.pk}/evaluations/2024", tokens["viewer"], as_of=AS_OF).json()
    statuses = {r["indicator"]: r["status"] for r in body["results"]}
    assert statuses["2.1"] == "exceeded" and statuses["2.2"] == "not_achieved"
    assert body["period"] == "2024" and body["as_of"] == AS_OF
    bad = _get(client, f"/plans/{figures.pk}/evaluations/2024-Q9", tokens["viewer"])
    assert bad.status_code == 422 and "không hợp lệ" in bad.json()["detail"]


def test_org_units_visible_per_role(client, tokens, figures):
    everyone = _get(client, "/org-units", tokens["coordinator"]).json()
    assert {u["name"] for u in everyone} >= set(COMMUNES)
    own = _get(client, "/org-units", tokens["reporter"]).json()
    assert [u["name"] for u in own] == ["Xã Tân Lập"] and own[0]["code"] == _code("Xã Tân Lập")
    assert _get(client, "/org-units", tokens["stranger"]).json() == []


def test_tidy_csv_export_reads_back_in_the_engine(client, tokens, figures):
    response = _get(client, f"/plans/{figures.pk}/observations/export", tokens["coordinator"], format="csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    observations, issues = read_observations_csv(response.content.decode())
    assert not has_errors(issues)
    assert len(observations) == int(response["X-Chitieu-Count"])
    labour = [o for o in observations if o.indicator == "2.1" and o.period == "2024"]
    assert labour[0].numerator == 1200


def test_tidy_csv_names_the_unit_that_sent_each_figure_as_observations_does(client, tokens, figures):
    """An office's figure is the district's, but the CSV names the office like /observations,
    DHIS2 and SDMX do: blank only for the plan's area itself (interfaces §3)."""
    url = f"/plans/{figures.pk}/observations/export"
    exported = read_observations_csv(
        _get(
            client, url, tokens["coordinator"], format="csv", dialect="plain", state="approved"
        ).content.decode()
    )[0]
    listed = _get(client, f"/plans/{figures.pk}/observations", tokens["coordinator"], state="approved").json()
    area = figures.area.name
    seen = sorted(
        (o["indicator"], o["period"], o["sex"], "" if o["org_unit"] == area else o["org_unit"])
        for o in listed
    )
    in_csv = sorted((o.indicator, o.period, o.sex.value if o.sex else "", o.org_unit) for o in exported)
    assert in_csv == seen
    assert ("2.1", "2024", "", LABOUR) in in_csv
    # Read back by the engine, the office's figures still judge the whole district.
    core = core_plan(plan_version_active(figures))
    from_csv = evaluate_plan(core, exported, "2024", as_of=date.fromisoformat(AS_OF)).as_dict()
    in_app = plan_evaluate(figures, "2024", as_of=date.fromisoformat(AS_OF)).evaluation.as_dict()
    verdicts = lambda d: {r["indicator"]: (r["actual"], r["status"]) for r in d["results"]}  # noqa: E731
    assert verdicts(from_csv) == verdicts(in_app)


def test_dhis2_export_is_a_data_value_set(client, tokens, figures):
    response = _get(client, f"/plans/{figures.pk}/observations/export", tokens["coordinator"], format="dhis2")
    document = json.loads(response.content)
    values = document["dataValues"]
    six = [v for v in values if v["dataElement"] == "6.3"]
    assert {v["period"] for v in six} == {"2024Q1", "2024Q2", "2024Q3", "2024Q4"}
    assert {v["orgUnit"] for v in six} >= {_code("Xã Tân Lập"), _code("Xã Đăk Pne")}
    sexes = {v.get("categoryOptionCombo") for v in values if v["dataElement"] == "5.2a"}
    assert sexes == {"F", "M"}
    wage = next(v for v in values if v["dataElement"] == "2.1" and v["period"] == "2024")
    assert wage["value"] == "52.1739" and wage["orgUnit"] == _code(LABOUR)  # the office that sent it


def test_sdmx_export_parses(client, tokens, figures):
    response = _get(client, f"/plans/{figures.pk}/observations/export", tokens["viewer"], format="sdmx")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows and {r["STRUCTURE"] for r in rows} == {"dataflow"}
    draft = [r for r in rows if r["REF_AREA"] == _code("Xã Đăk Kôi") and r["TIME_PERIOD"] == "2024-Q4"]
    assert draft == []  # drafts are not exchanged
    girls = next(r for r in rows if r["INDICATOR"] == "5_2a" and r["SEX"] == "F")
    assert girls["OBS_VALUE"] == "98" and girls["UNIT_MEASURE"] == "PT"


def test_unknown_export_format_is_refused(client, tokens, figures):
    response = _get(client, f"/plans/{figures.pk}/observations/export", tokens["viewer"], format="xml")
    assert response.status_code == 422


def _post(client, path, token, payload):
    return client.post(
        f"/api{path}",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def _unit_id(name):
    from web.orgs.selectors import unit_find

    return unit_find(name).pk


def test_reporter_upserts_own_figures_with_per_row_errors(client, tokens, figures):
    from web.data.models import Observation

    tan_lap = _unit_id("Xã Tân Lập")
    payload = {
        "rows": [
            {"indicator": "6.3", "period": "2024-Q4", "org_unit_id": tan_lap, "value": 4},
            {"indicator": "6.3", "period": "2024-Q4", "org_unit_id": _unit_id("Xã Đăk Pne"), "value": 3},
            {"indicator": "9.9", "period": "2024", "org_unit_id": tan_lap, "value": 1},
            {"indicator": "6.3", "period": "2024-Q5", "org_unit_id": tan_lap, "value": 1},
            {"indicator": "6.3", "period": "2024-Q4", "org_unit_id": tan_lap, "value": 5},
            {"indicator": "6.3", "period": "2024-Q4", "org_unit_id": tan_lap, "sex": "F", "value": 5},
            {"indicator": "6.3", "period": "2025-Q1", "org_unit_id": tan_lap, "value": -1},
        ],
        "submit": True,
    }
    body = _post(client, f"/plans/{figures.pk}/observations", tokens["reporter"], payload).json()
    assert body["saved"] == 1
    assert [(e["row"], e["code"]) for e in body["errors"]] == [
        (3, "unknown_indicator"),
        (4, "bad_period"),
        (5, "duplicate"),
        (6, "sex_not_required"),
        (7, "negative"),
        (2, "forbidden"),  # another commune's figures: refused by the entry service
    ]
    assert all(e["message"] for e in body["errors"])
    assert body["submissions"][0]["state"] == "submitted"
    stored = Observation.objects.get(
        submission__org_unit_id=tan_lap, submission__period_key="2024-Q4", indicator_code="6.3"
    )
    assert stored.value == 4


def test_approved_reports_are_locked_for_the_api_too(client, tokens, figures):
    payload = {
        "rows": [{"indicator": "6.3", "period": "2024-Q1", "org_unit_id": _unit_id("Xã Tân Lập"), "value": 9}]
    }
    body = _post(client, f"/plans/{figures.pk}/observations", tokens["reporter"], payload).json()
    assert body["saved"] == 0 and body["errors"][0]["code"] == "locked"


def test_viewer_cannot_write(client, tokens, figures):
    payload = {
        "rows": [{"indicator": "6.3", "period": "2025-Q1", "org_unit_id": _unit_id("Xã Tân Lập"), "value": 3}]
    }
    body = _post(client, f"/plans/{figures.pk}/observations", tokens["viewer"], payload).json()
    assert body["saved"] == 0 and body["errors"][0]["code"] == "forbidden"


def test_office_figures_must_be_assigned_to_it(client, tokens, figures):
    health = _unit_id("Phòng Y tế")
    payload = {
        "rows": [
            {
                "indicator": "4.3",
                "period": "2025",
                "org_unit_id": health,
                "numerator": 55,
                "denominator": 1000,
            },
            {"indicator": "2.1", "period": "2025", "org_unit_id": health, "numerator": 5, "denominator": 10},
        ]
    }
    body = _post(client, f"/plans/{figures.pk}/observations", tokens["office"], payload).json()
    # 2.1 is the labour office's: that row alone is refused.
    assert body["saved"] == 1 and [(e["row"], e["code"]) for e in body["errors"]] == [(2, "forbidden")]


def test_csv_import_uses_the_same_rules(client, tokens, figures):
    text = (
        "indicator;period;org_unit;sex;numerator;denominator;value;note\n"
        "4.3;2025;;;52;1000;;sổ theo dõi\n"
        "4.2;2025;Phòng Y tế;;0;980;;\n"
        "4.2;2025-Q9;;;1;2;;\n"
        "2.2;2025;;;1;2;;\n"
    )
    response = client.post(
        f"/api/plans/{figures.pk}/observations/import",
        text.encode(),
        content_type="text/csv",
        HTTP_AUTHORIZATION=f"Bearer {tokens['office']}",
    )
    body = response.json()
    assert body["saved"] == 2
    assert [(e["where"], e["code"]) for e in body["errors"]] == [
        ("line 4", "bad_period"),
        ("line 5", "forbidden"),
    ]


@pytest.mark.parametrize(
    "params",
    [{"period": "2024\x00"}, {"indicator": "\x00"}, {"org_unit_id": str(2**70)}],
    ids=["nul-period", "nul-indicator", "huge-unit-id"],
)
def test_filters_a_database_cannot_hold_get_422_not_a_server_error(client, figures, coordinator, params):
    _token, raw = token_create(user=coordinator, name="filters")
    response = _get(client, f"/plans/{figures.pk}/observations", raw, **params)
    assert response.status_code == 422
    assert next(iter(params)) in response.content.decode()


def test_a_vietnamese_number_is_refused_in_vietnamese_naming_every_bad_row(client, tokens, figures):
    """Issue 12 item 10: "1.234,5" → a 422 in Vietnamese naming the row; nothing of the batch saved."""
    from web.data.models import Observation

    tan_lap = _unit_id("Xã Tân Lập")
    before = Observation.objects.count()
    payload = {
        "rows": [
            {"indicator": "6.3", "period": "2024-Q4", "org_unit_id": tan_lap, "value": 4},
            {"indicator": "6.3", "period": "2024-Q4", "org_unit_id": tan_lap, "sex": "F", "value": "1.234,5"},
            {"indicator": "6.3", "period": "2024-Q3", "org_unit_id": tan_lap, "value": "ba"},
        ]
    }
    response = _post(client, f"/plans/{figures.pk}/observations", tokens["reporter"], payload)
    assert response.status_code == 422
    body = response.json()
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(2, "value"), (3, "value")]
    assert "dòng 2" in body["detail"] and "«1.234,5» không phải là số" in body["detail"]
    assert "dòng 3" in body["detail"] and "Input should" not in response.content.decode()
    assert Observation.objects.count() == before  # all or nothing, every bad row named


def test_csv_download_opens_right_in_excel_under_vietnamese_settings(client, tokens, figures):
    """Default dialect "Excel (Việt Nam)": UTF-8 with BOM, ';', decimal comma; plain for programs."""
    url = f"/plans/{figures.pk}/observations/export"
    excel = _get(client, url, tokens["coordinator"], format="csv").content
    assert excel.startswith("\ufeff".encode()), excel[:20]
    header, *lines = excel.decode("utf-8-sig").splitlines()
    assert header == "indicator;period;org_unit;sex;numerator;denominator;value;note"
    assert all(line.count(";") >= 7 for line in lines)
    figures_ = [field for line in lines for field in line.split(";")[4:7] if field]
    assert figures_ and not any("." in field for field in figures_), "decimal commas, no points"
    assert "Xã Tân Lập" in excel.decode("utf-8-sig")
    observations, issues = read_observations_csv(excel.decode("utf-8-sig"))
    assert not has_errors(issues) and observations
    plain = _get(client, url, tokens["coordinator"], format="csv", dialect="plain").content.decode()
    assert plain.startswith("indicator,period,org_unit,sex,")
    assert ";" not in plain.splitlines()[0]
    again, _ = read_observations_csv(plain)
    assert again == observations


def test_requests_are_throttled_per_token(client, tokens, figures, settings):
    settings.CHITIEU_API_RATE_PER_TOKEN = "3/m"
    codes = [_get(client, "/plans", tokens["viewer"]).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert _get(client, "/plans", tokens["coordinator"]).status_code == 200  # another token, its own count


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 10**6}, {"offset": -1}, {"limit": "x"}])
def test_a_bad_page_is_refused_with_422(client, tokens, figures, params):
    response = _get(client, f"/plans/{figures.pk}/observations", tokens["coordinator"], **params)
    assert response.status_code == 422 and response.json()["detail"]
