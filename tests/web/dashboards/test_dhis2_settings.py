"""DHIS2 export settings per plan in the web app: saved by the plan's coordinator, used by the web
download and by the API's export (issue 15)."""

from __future__ import annotations

import json

import pytest

from chitieu.approval import Role
from web.api.services import token_create

from .conftest import LABOUR

UIDS = {
    "data_set": "GeDataSet01",
    "id_scheme": "UID",
    "de_2_1": "Wage0000021",
    "de_2_1_NUM": "WageNum0021",
    "de_5_2a": "Prim00052aa",
    "coc_total": "HllvX50cXC0",
    "coc_F": "Female00001",
    "coc_M": "Male0000001",
}


def _url(plan) -> str:
    return f"/exchange/{plan.pk}/dhis2/"


def _post(client, plan, **changes):
    revision = client.get(_url(plan)).context["form"].initial["revision"]
    return client.post(_url(plan), {**UIDS, "org_units": "", "revision": revision, **changes})


def _values(document) -> dict:
    return {(v["dataElement"], v["period"], v.get("categoryOptionCombo")): v for v in document["dataValues"]}


def test_saved_settings_shape_the_web_download_and_the_api_export(client, figures, coordinator):
    from web.orgs.selectors import unit_find

    client.force_login(coordinator)
    labour = unit_find(LABOUR)
    labour_code = labour.code or f"ID{labour.pk}"
    response = _post(client, figures, org_units=f"{labour_code} = LabourOff01")
    assert response.status_code == 302, response.content.decode()[:3000]

    download = client.get(f"/exchange/{figures.pk}/dhis2.json")
    assert download.status_code == 200 and download["Content-Type"] == "application/json"
    assert 'filename="chitieu-' in download["Content-Disposition"]
    document = json.loads(download.content)
    assert document["dataSet"] == "GeDataSet01" and document["idScheme"] == "UID"
    values = _values(document)
    wage = values[("Wage0000021", "2024", "HllvX50cXC0")]
    assert wage["orgUnit"] == "LabourOff01" and wage["value"] == "52.1739"
    assert ("WageNum0021", "2024", "HllvX50cXC0") in values
    assert {("Prim00052aa", "2024", "Female00001"), ("Prim00052aa", "2024", "Male0000001")} <= set(values)

    # The API uses the same settings when the request gives none, and its own when it does.
    token = token_create(user=coordinator, name="dhis2")[1]
    api = client.get(
        f"/api/plans/{figures.pk}/observations/export",
        {"format": "dhis2"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    same = json.loads(api.content)
    assert {k: v for k, v in same.items() if k != "dataValues"} == {
        k: v for k, v in document.items() if k != "dataValues"
    }
    assert sorted(map(json.dumps, same["dataValues"])) == sorted(map(json.dumps, document["dataValues"]))
    own = client.get(
        f"/api/plans/{figures.pk}/observations/export",
        {"format": "dhis2", "data_set": "Other000001"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert json.loads(own.content)["dataSet"] == "Other000001"
    assert ("2.1", "2024", None) in _values(json.loads(own.content))


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"de_2_1": "not-a-uid"}, "de_2_1", "không phải UID"),
        ({"coc_F": "x" * 12}, "coc_F", "không phải UID"),
        ({"id_scheme": "CODE", "data_set": "D" * 51}, "data_set", "dài quá 50"),
        ({"org_units": "chỉ một dòng sai"}, "org_units", "mã chính thức = mã định danh"),
    ],
)
def test_bad_identifiers_are_named_and_nothing_is_saved(client, figures, coordinator, change, field, words):
    from web.api.models import PlanDhis2Settings

    client.force_login(coordinator)
    assert _post(client, figures).status_code == 302
    before = PlanDhis2Settings.objects.values("data_set", "id_scheme", "mapping", "revision").get(
        plan=figures
    )
    response = _post(client, figures, **change)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(words in e for e in form.errors[field]), form.errors
    assert "Chưa lưu" in response.content.decode()
    after = PlanDhis2Settings.objects.values("data_set", "id_scheme", "mapping", "revision").get(plan=figures)
    assert after == before


def test_saving_is_audited_and_only_for_the_plans_coordinators(
    client, figures, coordinator, make_user, district
):
    from web.core.audit import audit_for

    client.force_login(coordinator)
    assert _post(client, figures).status_code == 302
    assert audit_for(figures).get(action="dhis2_settings").actor == coordinator
    client.force_login(make_user("lanh-dao", Role.VIEWER, district))
    assert client.get(_url(figures)).status_code == 403
    assert client.get(f"/exchange/{figures.pk}/dhis2.json").status_code == 200  # a reader may download
