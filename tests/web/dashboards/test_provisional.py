"""Issues 12.2, 19.7 and 19.9 on the pages: provisional verdicts say what is missing, the figure
agrees with the verdict, "không phát sinh" has its own label."""

from __future__ import annotations

from decimal import Decimal

from chitieu.periods import parse_period
from tests.web.dashboards.conftest import AS_OF, LABOUR, _unit


def _store(plan, rows):
    from web.data.models import Observation, Submission
    from web.rollups.services import rollup_rebuild

    for unit_name, period_key, code, num, den in rows:
        period = parse_period(period_key)
        submission, _ = Submission.objects.get_or_create(
            plan=plan,
            org_unit=_unit(unit_name),
            period_key=period_key,
            defaults={"period_start": period.start, "period_end": period.end, "state": "approved"},
        )
        Observation.objects.create(
            submission=submission,
            indicator_code=code,
            sex="",
            numerator=Decimal(num),
            denominator=Decimal(den),
        )
    rollup_rebuild(plan=plan)


def test_the_dashboard_says_provisional_and_shows_the_figure_its_verdict_needs(
    client, kon_ray_plan, coordinator
):
    _store(
        kon_ray_plan,
        [
            (LABOUR, "2024", "1.1", 11999, 20000),  # 59,995 % < 60: never shown "60"
            ("Xã Đăk Kôi", "2024-Q1", "3.2a", 2, 2),  # 5 ÷ 5 = 100 % from two quarters only
            ("Xã Đăk Kôi", "2024-Q2", "3.2a", 3, 3),
            (LABOUR, "2024", "3.3", 0, 0),  # no victim returned
        ],
    )
    client.force_login(coordinator)
    page = client.get(
        f"/dashboards/plans/{kon_ray_plan.pk}/", {"period": "2024", "as_of": AS_OF}
    ).content.decode()
    assert "59,995" in page
    assert "tạm tính — thiếu số liệu Quý 3/2024, Quý 4/2024" in page
    assert "Không phát sinh" in page

    detail = client.get(
        f"/dashboards/plans/{kon_ray_plan.pk}/indicators/3.2a/", {"period": "2024", "as_of": AS_OF}
    ).content.decode()
    assert 'data-provisional="1"' in detail and "Quý 4/2024" in detail
