"""The API import and write endpoints: size limits that say the limit; a body is never a file name."""

from __future__ import annotations

import json

import pytest

from chitieu.approval import Role
from web.api.services import token_create
from web.data.models import Observation

HEADER = "indicator,period,org_unit,sex,numerator,denominator,value,note\n"


@pytest.fixture
def office_token(figures, make_user):
    from web.orgs.selectors import unit_find

    user = make_user("y-te-2", Role.REPORTER, unit_find("Phòng Y tế"))
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user, name='test')[1]}"}


def test_a_csv_over_the_limit_is_refused_with_the_limit(client, figures, office_token, settings):
    settings.CHITIEU_CSV_MAX_BYTES = 1024 * 1024
    before = Observation.objects.count()
    body = (HEADER + "4.2,2025,,,0,980,,x\n" * 60_000).encode()
    response = client.post(
        f"/api/plans/{figures.pk}/observations/import", body, content_type="text/csv", **office_token
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "dữ liệu gửi lên quá lớn: tối đa 1 MB"
    assert Observation.objects.count() == before


def test_a_csv_above_the_json_limit_but_within_its_own_is_read(client, figures, office_token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000  # request.body would refuse it; the import reads the stream
    body = (HEADER + "4.2,2025,,,0,980,,ghi chú\n" + "\n" * 2000).encode()
    response = client.post(
        f"/api/plans/{figures.pk}/observations/import", body, content_type="text/csv", **office_token
    )
    assert response.status_code == 200, response.content
    assert response.json()["saved"] == 1


def test_a_json_body_over_the_limit_is_a_413_with_the_limit(client, figures, office_token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    rows = [
        {"indicator": "4.2", "period": "2025", "numerator": 0, "denominator": 980, "note": "x" * 100}
    ] * 12_000
    response = client.post(
        f"/api/plans/{figures.pk}/observations",
        json.dumps({"rows": rows}),
        content_type="application/json",
        **office_token,
    )
    assert response.status_code == 413
    assert "tối đa 1 MB" in response.json()["detail"]


def test_a_body_naming_a_server_file_is_csv_text_not_that_file(client, figures, office_token, tmp_path):
    # was: a one-line body that named an existing file was read from the server's disk
    server_file = tmp_path / "on-the-server.csv"
    server_file.write_text(HEADER + "4.2,2025,,,0,980,,from the server's disk\n", encoding="utf-8")
    before = Observation.objects.count()
    response = client.post(
        f"/api/plans/{figures.pk}/observations/import",
        str(server_file).encode(),
        content_type="text/csv",
        **office_token,
    )
    assert response.status_code == 422
    assert Observation.objects.count() == before
