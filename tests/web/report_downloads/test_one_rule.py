"""Every report says what the dashboard says: the phase report's verdicts are the dashboard's,
even where the engine over every figure would see two communes of one name as one."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from ..dashboards.conftest import AS_OF


def test_the_phase_report_tells_apart_two_communes_of_one_name(client, figures, coordinator):
    from web.orgs.models import OrgUnit
    from web.plans.selectors import core_plan, plan_version_active
    from web.rollups.selectors import unit_evaluation

    # "Xã Tân Lập" exists in many provinces; here two communes of the district carry it. Their
    # official codes tell them apart, as the dashboard does.
    OrgUnit.objects.filter(name="Xã Tân Lập").update(code="23473")
    OrgUnit.objects.filter(name="Xã Đăk Pne").update(name="Xã Tân Lập", code="23476")
    core = core_plan(plan_version_active(figures))
    as_of = date.fromisoformat(AS_OF)
    dashboard = unit_evaluation(figures, core, figures.area, "2024", as_of=as_of).evaluation.result("6.3")
    assert dashboard.actual is not None

    client.force_login(coordinator)
    response = client.get(f"/reports/phase/{figures.pk}/xlsx", {"as_of": AS_OF})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Theo năm"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "6.3")
    assert row[6] == pytest.approx(float(dashboard.actual))  # 2024: 2021, 2022, 2023 before it
