"""Issue 17: API tokens made, listed and revoked in the web app (audited), honoured by the API: a read
token cannot write, an area's token sees nothing outside it, a revoked or expired token opens nothing."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from chitieu.dates import day_text
from web.api.models import ApiToken
from web.core.models import AuditEntry
from web.orgs.models import OrgUnit

COMMUNE = "Xã Đăk Tơ Lung"


def _make(client, *, name: str, scope: str, area: OrgUnit, last_day=None) -> str:
    """The token made on the page as a person would; its secret read from the page that follows."""
    last_day = last_day or timezone.localdate() + timedelta(days=30)
    response = client.post(
        "/exchange/tokens/", {"name": name, "scope": scope, "area": area.pk, "expires_on": day_text(last_day)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get("/exchange/tokens/").content.decode()
    secret = re.search(r'id="token-secret" type="text" readonly value="([^"]+)"', page)[1]
    assert secret not in client.get("/exchange/tokens/").content.decode()  # shown once, never again
    return secret


def _api(client, method: str, url: str, secret: str, body=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    if method == "get":
        return client.get(url, **headers)
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_a_token_made_in_the_web_app_is_honoured_by_the_api(client, kon_ray):
    version, users = kon_ray
    plan = version.plan
    coordinator = users["dieuphoi"]
    commune = OrgUnit.objects.get(name=COMMUNE)
    other = OrgUnit.objects.get(name="Xã Tân Lập")
    client.force_login(coordinator)
    reader = _make(client, name="Đọc số liệu xã", scope="read", area=commune)
    writer = _make(client, name="Đồng bộ", scope="write", area=commune)
    api = client.__class__()  # the API client holds no session: only the token speaks

    units = _api(api, "get", "/api/org-units", reader)
    assert units.status_code == 200
    assert {u["id"] for u in units.json()} == {commune.pk}  # the area's units only, not the district's
    assert _api(api, "get", f"/api/plans/{plan.pk}", reader).status_code == 200

    row = {"indicator": "6.3", "period": "2024-Q1", "org_unit_id": commune.pk, "value": 4}
    refused = _api(api, "post", f"/api/plans/{plan.pk}/observations", reader, {"rows": [row]})
    assert refused.status_code == 403
    assert "chỉ có quyền đọc" in refused.json()["detail"] and "Đọc số liệu xã" in refused.json()["detail"]

    written = _api(api, "post", f"/api/plans/{plan.pk}/observations", writer, {"rows": [row]})
    assert written.status_code == 200 and written.json()["saved"] == 1, written.json()
    outside = {**row, "org_unit_id": other.pk}  # the coordinator may enter for it; the token may not
    answer = _api(api, "post", f"/api/plans/{plan.pk}/observations", writer, {"rows": [outside]}).json()
    assert answer["saved"] == 0 and answer["errors"][0]["code"] == "forbidden", answer
    seen = _api(api, "get", f"/api/plans/{plan.pk}/observations", reader).json()
    assert [(r["org_unit_id"], r["value"]) for r in seen] == [(commune.pk, 4)]

    page = client.get("/exchange/tokens/").content.decode()
    assert "Đọc số liệu xã" in page and "chỉ đọc" in page and COMMUNE in page
    token = ApiToken.objects.get(name="Đọc số liệu xã")
    assert token.last_used_at is not None
    assert client.post(f"/exchange/tokens/{token.pk}/revoke/").status_code == 302
    revoked = _api(api, "get", "/api/org-units", reader)
    assert revoked.status_code == 401 and "đã bị thu hồi" in revoked.json()["detail"]
    actions = set(
        AuditEntry.objects.filter(subject_type="apitoken", subject_id=token.pk).values_list("action", "field")
    )
    assert {
        ("token_create", "user"),
        ("token_create", "scope"),
        ("token_create", "area"),
        ("token_revoke", "revoked_at"),
    } <= actions
    assert not AuditEntry.objects.filter(new__contains=reader).exists()  # the secret is never written down

    ApiToken.objects.filter(name="Đồng bộ").update(expires_on=timezone.localdate() - timedelta(days=1))
    expired = _api(api, "get", "/api/org-units", writer)
    assert expired.status_code == 401 and "đã hết hạn" in expired.json()["detail"]


def test_the_token_form_refuses_a_bad_date_and_an_area_out_of_sight(client, kon_ray):
    _, users = kon_ray
    reporter = users["xa.daktolung"]
    client.force_login(reporter)
    commune = OrgUnit.objects.get(name=COMMUNE)
    bad = client.post(
        "/exchange/tokens/", {"name": "x", "scope": "read", "area": commune.pk, "expires_on": "31/02/2027"}
    )
    assert bad.status_code == 200 and "không phải là ngày" in bad.content.decode()
    past = client.post(
        "/exchange/tokens/",
        {"name": "x", "scope": "read", "area": commune.pk, "expires_on": day_text(timezone.localdate())},
    )
    assert "phải sau hôm nay" in past.content.decode()
    other = OrgUnit.objects.get(name="Xã Tân Lập")
    elsewhere = client.post(
        "/exchange/tokens/", {"name": "x", "scope": "read", "area": other.pk, "expires_on": "01/01/2099"}
    )
    assert elsewhere.status_code == 200 and not ApiToken.objects.filter(user=reporter).exists()
    # Someone else's token cannot be revoked from this page.
    mine = ApiToken.objects.create(user=users["dieuphoi"], name="y", digest="d" * 64, prefix="ct_x")
    assert client.post(f"/exchange/tokens/{mine.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=mine.pk).revoked_at is None


@pytest.mark.parametrize("days", [0, 1])
def test_a_token_works_through_its_last_day(client, kon_ray, days):
    _, users = kon_ray
    client.force_login(users["xa.daktolung"])
    secret = _make(client, name="t", scope="read", area=OrgUnit.objects.get(name=COMMUNE))
    ApiToken.objects.filter(name="t").update(expires_on=timezone.localdate() + timedelta(days=days))
    assert _api(client.__class__(), "get", "/api/org-units", secret).status_code == 200
