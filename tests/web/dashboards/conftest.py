"""The Kon Rẫy plan in force with four years of figures, for dashboards, completeness and the API.

``FIGURES`` is the single table the database is filled from; tests also write it
out as a tidy CSV by hand and give it to the engine directly, so a dashboard
verdict can be compared with the engine's on an independent path.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from chitieu import konray
from chitieu.approval import Role
from chitieu.periods import parse_period
from tests.web.once import module_shares, read_again, rolled_back

ANNEX = konray.ANNEX
COMMUNES = konray.COMMUNES
LABOUR = "Phòng Lao động - Thương binh và Xã hội"
EDUCATION = "Phòng Giáo dục và Đào tạo"
HEALTH = "Phòng Y tế"
AS_OF = "2025-02-10"  # after every 2024 deadline


def _figures():
    """(unit, period, indicator, sex, numerator, denominator, value, state)."""
    rows = []
    # 2.1 female wage workers (≥ 50 %): rising to 52,17 % in 2024 → exceeded.
    for year, (num, den) in zip(
        range(2021, 2025), [(900, 2000), (950, 2000), (1000, 2050), (1200, 2300)], strict=True
    ):
        rows.append((LABOUR, str(year), "2.1", "", num, den, None, "approved"))
    # 2.2 women in agriculture (≤ 30 %): 35 % → not achieved.
    rows.append((LABOUR, "2024", "2.2", "", 700, 2000, None, "approved"))
    # 4.2 maternal deaths per 100.000 live births (≤ 31,6): 0 deaths → exceeded.
    rows.append((HEALTH, "2024", "4.2", "", 0, 1450, None, "approved"))
    # 5.2a primary completion, boys and girls (100 %): girls 98 % → not achieved.
    rows.append((EDUCATION, "2024", "5.2a", "F", 196, 200, None, "approved"))
    rows.append((EDUCATION, "2024", "5.2a", "M", 210, 210, None, "approved"))
    # 6.3 news items per commune and quarter (≥ 3): Xã Tân Lập has nothing for Q4,
    # Xã Đăk Pne only 2 in Q2, Xã Đăk Kôi's Q4 still a draft.
    for commune in COMMUNES:
        for quarter in range(1, 5):
            if commune == "Xã Tân Lập" and quarter == 4:
                continue
            count = 2 if (commune == "Xã Đăk Pne" and quarter == 2) else 3 + quarter % 2
            state = "draft" if (commune == "Xã Đăk Kôi" and quarter == 4) else "approved"
            rows.append((commune, f"2024-Q{quarter}", "6.3", "", None, None, count, state))
    return rows


FIGURES = _figures()


def tidy_csv(rows=FIGURES, states=("approved",)) -> str:
    """The figures as docs/interfaces.md §3 CSV, written here by hand (offices report for the whole area)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["indicator", "period", "org_unit", "sex", "numerator", "denominator", "value", "note"])
    for unit, period, code, sex, num, den, value, state in rows:
        if state in states:
            area_wide = unit.startswith(("Phòng", "Trung tâm"))
            writer.writerow([code, period, "" if area_wide else unit, sex, num, den, value, ""])
    return out.getvalue()


def _coordinator_make(district):
    from web.accounts.services import user_ensure

    user = user_ensure(
        username="dieu-phoi", password="mat-khau-2024", role=Role.COORDINATOR, org_unit=district
    )[0]
    user.email = "dieu-phoi@konray.example"
    user.save()
    return user


def _plan_import(district, coordinator):
    from web.plans.services import plan_import, plan_version_confirm

    version = plan_import(actor=coordinator, data=ANNEX.read_bytes(), filename=ANNEX.name, area=district)
    plan_version_confirm(actor=coordinator, version=version)
    return version.plan


@pytest.fixture(scope="module")
def _figures_once(request, django_db_setup, django_db_blocker):
    """The plan and its figures built once for a module in which every database test asks for
    ``figures`` (3 s a test otherwise): rolled back after the module, each test's changes after the
    test (tests/web/once.py). None elsewhere: there each test builds its own."""
    if not module_shares(request, "figures"):
        yield None
        return
    from web.orgs.services import kon_ray_units_ensure

    with rolled_back(django_db_blocker):
        coordinator = _coordinator_make(kon_ray_units_ensure())
        plan = _plan_import(coordinator.org_unit, coordinator)
        _figures_store(plan)
        yield plan, coordinator


@pytest.fixture
def coordinator(_figures_once, district):
    if _figures_once is not None:
        return read_again(_figures_once[1])
    return _coordinator_make(district)


@pytest.fixture
def kon_ray_plan(_figures_once, district, coordinator):
    if _figures_once is not None:
        return read_again(_figures_once[0])
    return _plan_import(district, coordinator)


def _unit(name):
    from web.orgs.selectors import unit_find

    unit = unit_find(name)
    assert unit is not None, name
    return unit


@pytest.fixture
def figures(_figures_once, kon_ray_plan):
    """FIGURES stored as submissions and observations (fixture data, written straight to the tables)."""
    if _figures_once is None:
        _figures_store(kon_ray_plan)
    return kon_ray_plan


def _figures_store(kon_ray_plan) -> None:
    from web.data.models import Observation, Submission

    submissions = {}
    for unit_name, period_key, code, sex, num, den, value, state in FIGURES:
        unit = _unit(unit_name)
        key = (unit.pk, period_key)
        if key not in submissions:
            period = parse_period(period_key)
            submissions[key] = Submission.objects.create(
                plan=kon_ray_plan,
                org_unit=unit,
                period_key=period_key,
                period_start=period.start,
                period_end=period.end,
                state=state,
                submitted_at=timezone.now() if state != "draft" else None,
            )
        Observation.objects.create(
            submission=submissions[key],
            indicator_code=code,
            sex=sex,
            numerator=None if num is None else Decimal(num),
            denominator=None if den is None else Decimal(den),
            value=None if value is None else Decimal(value),
        )
    from web.rollups.services import rollup_rebuild

    rollup_rebuild(plan=kon_ray_plan)  # written straight to the tables, as a bulk load does
