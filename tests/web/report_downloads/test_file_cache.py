"""Issue 14: a finished report is kept per everything that decides its bytes, and built again
when the figures change through the approval services."""

from __future__ import annotations

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..dashboards.conftest import AS_OF


def _figures_of(data: bytes, unit: str) -> list[tuple]:
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(data))["Số liệu"]
    return [r for r in sheet.iter_rows(values_only=True) if r[2] == unit and r[1] == "Quý 3/2024"]


def _xlsx(client, plan) -> tuple[bytes, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/reports/{plan.pk}/2024/xlsx", {"as_of": AS_OF})
    assert response.status_code == 200
    return response.content, [q["sql"] for q in queries.captured_queries]


def test_a_cached_report_is_built_again_after_a_figure_is_approved(client, figures, coordinator, make_user):
    from chitieu.approval import Role
    from web.data.models import Submission
    from web.data.services import submission_approve, submission_submit, submission_unlock
    from web.orgs.selectors import unit_find

    client.force_login(coordinator)
    first, built = _xlsx(client, figures)
    assert any("data_observation" in sql for sql in built)
    assert len(_figures_of(first, "Xã Tân Lập")) == 1
    again, cached = _xlsx(client, figures)
    assert again == first and not any("data_observation" in sql for sql in cached)  # the kept file

    submission = Submission.objects.get(plan=figures, org_unit=unit_find("Xã Tân Lập"), period_key="2024-Q3")
    submission = submission_unlock(actor=coordinator, submission=submission, reason="Sửa số liệu")
    unlocked, _queries = _xlsx(client, figures)
    assert _figures_of(unlocked, "Xã Tân Lập") == []  # no longer approved: not in the report

    reporter = make_user("tan-lap", Role.REPORTER, unit_find("Xã Tân Lập"))  # four eyes: another sends
    submission = submission_submit(actor=reporter, submission=submission, revision=submission.revision)
    submission_approve(actor=coordinator, submission=submission, revision=submission.revision)
    approved, _queries = _xlsx(client, figures)
    assert len(_figures_of(approved, "Xã Tân Lập")) == 1


def test_new_report_settings_give_a_new_file(client, figures, coordinator):
    from web.reports.services import report_settings_save

    client.force_login(coordinator)
    before = client.get(f"/reports/{figures.pk}/2024/docx", {"as_of": AS_OF}).content
    report_settings_save(
        actor=coordinator,
        plan=figures,
        data={"signer": "Nguyễn Văn An", "signer_title": "Chủ tịch", "signer_authority": "TM."},
        revision=0,
    )
    after = client.get(f"/reports/{figures.pk}/2024/docx", {"as_of": AS_OF}).content
    assert after != before and b"%PDF" not in after
