"""One figure rule for every door (issues 12.5, 13.1, 18.1, 18.6), through the doors users take.

Entry form, live preview, API JSON rows, API CSV upload, bulk command, target edit:
each refuses the same figures with a Vietnamese message that names the part and
gives the limit, and stores nothing of a refused figure. A number stored before
the rule existed (999 999 999 999 999 in SQLite) no longer takes the pages down.

Every test here starts from the Kon Rẫy plan, built once for the module (tests/web/conftest.py):
the bulk command's cases are in test_bulk.py (a country of their own) and the plan upload's in
test_plans.py (no plan yet).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from web.api.services import token_create
from web.data.models import Observation, Submission
from web.orgs.models import OrgUnit
from web.plans.models import Target

from .test_entry import QUARTER, _form_data, _url

HUGE = "999.999.999.999.999"


@pytest.fixture
def commune(kon_ray):
    return OrgUnit.objects.get(name="Xã Đăk Tơ Lung")


@pytest.fixture
def reporter(client, kon_ray):
    _, users = kon_ray
    client.force_login(users["xa.daktolung"])
    return users["xa.daktolung"]


def _page_errors(response) -> str:
    assert response.status_code == 200
    return " ".join(" ".join(e) for e in response.context["form"].errors.values())


# ------------------------------------------------------------------ the entry form


def test_form_refuses_a_fractional_count(client, reporter, commune):
    response = client.post(_url(commune), _form_data(client, commune, **{"6_3": ("45,5", "")}))
    assert "Số đếm phải là số nguyên: 45,5" in _page_errors(response)
    assert not Observation.objects.filter(indicator_code="6.3").exists()


def test_form_refuses_more_digits_than_the_database_holds_and_outlines_the_box(client, reporter, commune):
    response = client.post(_url(commune), _form_data(client, commune, **{"3_2a": (HUGE, "3")}))
    errors = _page_errors(response)
    assert "tối đa 14 chữ số" in errors and "100.000.000.000.000" in errors
    page = response.content.decode()
    field = response.context["form"][response.context["blocks"][0]["rows"][0]["num"].html_name]
    assert 'aria-invalid="true"' in str(field)
    assert "is-invalid" in page
    assert not Observation.objects.exists()


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("12,345", "12.345"),  # two readings: the message shows both
        ("1.2.3", "không phải là số"),
        ("١٢٣", "0–9"),  # Arabic-Indic digits
        ("１２３", "0–9"),  # full-width digits
    ],
)
def test_form_refuses_ambiguous_or_foreign_numbers_and_explains(client, reporter, commune, typed, words):
    response = client.post(_url(commune), _form_data(client, commune, **{"3_2a": (typed, "20000")}))
    assert words in _page_errors(response)
    assert not Observation.objects.exists()


def test_preview_warns_in_red_above_100_percent(client, kon_ray, reporter):
    version, _ = kon_ray
    indicator = version.indicators.get(code="3.2a")
    url = f"/entry/preview/{indicator.pk}/T/"
    above = client.post(url, {f"n-{indicator.pk}-T": "7", f"d-{indicator.pk}-T": "5"}).content.decode()
    assert "tử số lớn hơn mẫu số" in above.lower() and "preview-problem" in above
    negative = client.post(url, {f"n-{indicator.pk}-T": "-1", f"d-{indicator.pk}-T": "2"}).content.decode()
    assert "âm" in negative and "preview-problem" in negative
    fine = client.post(url, {f"n-{indicator.pk}-T": "1", f"d-{indicator.pk}-T": "2"}).content.decode()
    assert fine == "= 50 %"


# ------------------------------------------------------------------ the API


@pytest.fixture
def api(client, kon_ray):
    version, users = kon_ray
    token = token_create(user=users["xa.daktolung"], name="t")[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    return version.plan, headers


def _row(commune, code, **numbers):
    return {"indicator": code, "period": QUARTER, "org_unit_id": commune.pk, **numbers}


@pytest.mark.parametrize(
    ("code", "numbers", "expected", "words"),
    [
        ("6.3", {"value": "3.5"}, "not_whole", "số nguyên"),
        ("3.2a", {"numerator": "999999999999999", "denominator": "1"}, "too_large", "tối đa 14"),
        ("3.2a", {"numerator": "1e309", "denominator": "1"}, "too_large", "tối đa 14"),
        ("3.2a", {"numerator": "4"}, "missing_denominator", "mẫu số"),
        ("3.2a", {"value": "140"}, "share_above_100", "100 %"),
    ],
)
def test_api_json_refuses_the_row_with_the_rule(client, api, commune, code, numbers, expected, words):
    plan, headers = api
    response = client.post(
        f"/api/plans/{plan.pk}/observations",
        {"rows": [_row(commune, code, **numbers)]},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200, response.content
    [error] = response.json()["errors"]
    assert (error["code"], error["where"]) == (expected, "row 1")
    assert words in error["message"]
    assert not Observation.objects.exists()


def test_api_csv_import_refuses_a_fractional_count_naming_the_line(client, api):
    plan, headers = api
    body = 'indicator,period,org_unit,numerator,denominator,value\n6.3,2024-Q2,Xã Đăk Tơ Lung,,,"45,5"\n'
    response = client.post(
        f"/api/plans/{plan.pk}/observations/import", body, content_type="text/csv", **headers
    )
    errors = response.json()["errors"] if response.status_code == 200 else [{"message": response.json()}]
    assert any("line 2" in str(e) and "số nguyên" in str(e) for e in errors), errors
    assert not Observation.objects.exists()


def test_api_csv_import_refuses_a_huge_figure(client, api):
    plan, headers = api
    body = "indicator,period,org_unit,numerator,denominator\n3.2a,2024-Q2,Xã Đăk Tơ Lung,999999999999999,1\n"
    response = client.post(
        f"/api/plans/{plan.pk}/observations/import", body, content_type="text/csv", **headers
    )
    assert "tối đa 14" in str(response.json())
    assert not Observation.objects.exists()


# ------------------------------------------------------------------ targets


def test_target_edit_refuses_more_digits_than_the_database_holds(client, kon_ray):
    version, users = kon_ray
    target = Target.objects.get(indicator__version=version, indicator__code="4.3", period_key="2024")
    before = target.value
    client.force_login(users["dieuphoi"])
    for typed in (HUGE, "1e309", "NaN"):
        response = client.post(
            f"/plans/target/{target.pk}/", {"comparator": "<=", "value": typed, "reason": "thử"}
        )
        assert response.status_code == 200
    assert (
        "tối đa 14 chữ số"
        in client.post(
            f"/plans/target/{target.pk}/", {"comparator": "<=", "value": HUGE, "reason": "thử"}
        ).content.decode()
    )
    target.refresh_from_db()
    assert target.value == before


# ------------------------------------------------------------------ what is already stored

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL refuses to store such a number in numeric(20, 6)"
)


@sqlite_only
def test_a_huge_figure_stored_before_the_rule_does_not_take_the_pages_down(client, kon_ray, commune, api):
    _version, users = kon_ray
    plan, headers = api
    client.force_login(users["xa.daktolung"])
    client.post(_url(commune), _form_data(client, commune, **{"3_2a": ("1", "3")}))
    Observation.objects.filter(indicator_code="3.2a").update(
        numerator=Decimal("999999999999999"), value=Decimal("99999999999999900")
    )
    assert client.get(_url(commune)).status_code == 200  # the entry page
    assert client.get(f"/api/plans/{plan.pk}/observations", **headers).status_code == 200
    assert client.get(f"/api/plans/{plan.pk}/observations/export", **headers).status_code == 200
    # the API save that corrects it
    revision = Submission.objects.get(org_unit=commune).revision
    fixed = client.post(
        f"/api/plans/{plan.pk}/observations",
        {"rows": [{**_row(commune, "3.2a", numerator="1", denominator="3"), "revision": revision}]},
        content_type="application/json",
        **headers,
    )
    assert fixed.status_code == 200 and fixed.json()["saved"] == 1, fixed.content
    assert Observation.objects.get(indicator_code="3.2a").numerator == 1
    client.force_login(users["dieuphoi"])
    Observation.objects.filter(indicator_code="3.2a").update(numerator=Decimal("999999999999999"))
    assert client.get(f"/dashboards/plans/{plan.pk}/indicators/3.2a/").status_code == 200
    assert client.get(f"/dashboards/plans/{plan.pk}/").status_code == 200


@sqlite_only
def test_a_huge_target_stored_before_the_rule_does_not_take_the_dashboard_down(client, kon_ray):
    version, users = kon_ray
    Target.objects.filter(indicator__version=version, indicator__code="4.3").update(
        value=Decimal("999999999999999")
    )
    client.force_login(users["dieuphoi"])
    plan = version.plan
    for url in (
        f"/dashboards/plans/{plan.pk}/",
        f"/dashboards/plans/{plan.pk}/indicators/4.3/",
        f"/plans/v/{version.pk}/",
        f"/plans/target/{Target.objects.filter(indicator__code='4.3').first().pk}/",
        f"/reports/{plan.pk}/2024/xlsx",
    ):
        assert client.get(url).status_code == 200, url


# ------------------------------------------------------------------ figures by sex


def test_a_by_sex_indicator_is_not_sent_with_one_sex_blank(client, kon_ray):
    _, users = kon_ray
    office = OrgUnit.objects.get(name="Phòng Giáo dục và Đào tạo")
    client.force_login(users["phong.gddt"])
    data = _form_data(client, office, "2024", **{"5_2a": ("196", "200")})  # girls only
    response = client.post(_url(office, "2024"), {**data, "submit": "1"})
    assert response.status_code == 200
    errors = _page_errors(response)
    assert "5.2a" in errors and "nam" in errors and "không áp dụng" in errors
    assert not Submission.objects.filter(org_unit=office, state="submitted").exists()
    assert "is-invalid" in response.content.decode()
    # "không áp dụng" for the boys, said on purpose: the report goes.
    boys = next(b for b in response.context["blocks"] if b["duty"].indicator.code == "5.2a")["rows"][1]
    data[boys["note"].html_name] = "Không áp dụng: trường không có học sinh nam"
    response = client.post(_url(office, "2024"), {**data, "submit": "1"})
    assert response.status_code == 302
    assert Submission.objects.get(org_unit=office, period_key="2024").state == "submitted"


def test_the_api_does_not_send_a_by_sex_indicator_with_one_sex_blank(client, kon_ray):
    version, users = kon_ray
    office = OrgUnit.objects.get(name="Phòng Giáo dục và Đào tạo")
    token = token_create(user=users["phong.gddt"], name="t")[1]
    row = {"indicator": "5.2a", "period": "2024", "org_unit_id": office.pk, "sex": "F"}
    response = client.post(
        f"/api/plans/{version.plan.pk}/observations",
        {"rows": [{**row, "numerator": "196", "denominator": "200"}], "submit": True},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    [error] = response.json()["errors"]
    assert error["code"] == "sex_missing" and "5.2a" in error["message"]
    assert not Submission.objects.filter(org_unit=office, state="submitted").exists()


@pytest.mark.parametrize("typed", ["NaN", "Infinity", "-Infinity", "1e309", 1e308])
def test_api_json_never_stores_a_non_finite_or_huge_number(client, api, commune, typed):
    plan, headers = api
    response = client.post(
        f"/api/plans/{plan.pk}/observations",
        {"rows": [_row(commune, "3.2a", numerator=typed, denominator="1")]},
        content_type="application/json",
        **headers,
    )
    assert response.status_code in (200, 422), response.content
    assert not Observation.objects.exists()
