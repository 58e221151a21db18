"""Dashboards show the engine's verdicts, with the inputs behind them, readable without JavaScript."""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import lxml.html
import pytest
from django.utils import timezone

from chitieu.approval import Role
from chitieu.evaluate import evaluate_plan
from chitieu.importer import read_plan
from chitieu.issues import has_errors
from chitieu.observation_csv import read_observations_csv

from .conftest import ANNEX, AS_OF, COMMUNES, tidy_csv


class StatusCells(HTMLParser):
    """Collects data-indicator → data-status from table rows."""

    def __init__(self):
        super().__init__()
        self.statuses: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "tr" and "data-indicator" in found:
            self.statuses[found["data-indicator"]] = found["data-status"]


def _statuses(html: str) -> dict[str, str]:
    parser = StatusCells()
    parser.feed(html)
    return parser.statuses


def _engine_statuses(period: str) -> dict[str, str]:
    """The same figures, written by hand as tidy CSV and judged by the core engine alone."""
    observations, issues = read_observations_csv(tidy_csv())
    assert not has_errors(issues)
    evaluation = evaluate_plan(
        read_plan(ANNEX).plan, observations, period, as_of=date.fromisoformat(AS_OF), units=COMMUNES
    )
    return {r.indicator: r.status.value for r in evaluation.results}


@pytest.mark.parametrize("period", ["2024", "2021-2025"])
def test_dashboard_verdicts_equal_the_engine(client, figures, coordinator, period):
    client.force_login(coordinator)
    response = client.get(f"/dashboards/plans/{figures.pk}/", {"period": period, "as_of": AS_OF})
    assert response.status_code == 200
    shown = _statuses(response.content.decode())
    expected = _engine_statuses(period)
    assert shown == expected
    if period == "2024":
        # The fixture was built so that every verdict occurs.
        assert {"exceeded", "not_achieved", "no_data"} <= set(shown.values())
        assert (
            shown["2.1"] == "exceeded" and shown["2.2"] == "not_achieved" and shown["6.3"] == "not_achieved"
        )


def test_dashboard_explains_each_verdict_without_javascript(client, figures, coordinator):
    client.force_login(coordinator)
    html = client.get(f"/dashboards/plans/{figures.pk}/", {"period": "2024", "as_of": AS_OF}).content.decode()
    assert '<details class="why">' in html
    row = _indicator_rows(html, "2.1")
    assert "52,17" in row  # 1.200 ÷ 2.300 × 100, with a decimal comma
    assert "1.200" in row and "2.300" in row  # the numerator and denominator behind it
    # Per-unit indicator: who is below the threshold and who has no figures.
    row63 = _indicator_rows(html, "6.3")
    assert "Xã Đăk Pne" in row63 and "Xã Tân Lập" in row63


def _indicator_rows(html: str, code: str) -> str:
    """The indicator's row and the "why" row under it."""
    start = html.index(f'data-indicator="{code}"')
    end = html.index("</tr>", html.index(f'data-why="{code}"'))
    return html[start:end]


def _row(html: str, unit: str) -> str:
    row = html[html.index(f'data-unit="{unit}"') :]
    return row[: row.index("</tr>")]


def test_only_approved_figures_count_unless_provisional_is_asked(client, figures, coordinator):
    from web.data.models import Submission

    client.force_login(coordinator)
    url = f"/dashboards/plans/{figures.pk}/indicators/6.3/grid/"
    q4 = r'data-period="2024-Q4"[^>]*>\s*<span class="badge status-no-data"'

    def kôi(**extra):
        html = client.get(url, {"period": "2024", "as_of": AS_OF, **extra}).content.decode()
        return _row(html, "Xã Đăk Kôi")

    assert re.search(q4, kôi()) and re.search(q4, kôi(provisional="1"))  # a draft never counts
    Submission.objects.filter(org_unit__name="Xã Đăk Kôi", period_key="2024-Q4").update(state="submitted")
    assert re.search(q4, kôi())
    assert re.search(r'data-period="2024-Q4" data-status="achieved"', kôi(provisional="1"))  # 3 items


def test_indicator_page_has_the_trend_figure_and_tables(client, figures, coordinator):
    client.force_login(coordinator)
    response = client.get(
        f"/dashboards/plans/{figures.pk}/indicators/2.1/", {"period": "2024", "as_of": AS_OF}
    )
    html = response.content.decode()
    figure = json.loads(
        re.search(r'<script id="trend-figure" type="application/json">(.*?)</script>', html, re.S)[1]
    )
    assert figure["layout"]["separators"] == ",."
    actual = figure["data"][0]
    assert actual["x"] == ["2021", "2022", "2023", "2024", "2025"]
    assert actual["y"][:4] == [45.0, 47.5, pytest.approx(48.78, abs=0.01), pytest.approx(52.17, abs=0.01)]
    assert actual["y"][4] is None
    names = [d["name"] for d in figure["data"]]
    assert len(names) == 3  # actual, yearly target, phase target
    phase = figure["data"][2]
    assert phase["y"] == [50.0, 50.0] and phase["x"] == ["2021", "2025"]
    assert "/static/plotly/plotly.min.js" in html
    assert 'id="trend-table"' in html and "52,17" in html
    # the observations behind it, with their approval state
    assert 'id="observations"' in html and "state-approved" in html


def test_indicator_page_breaks_down_by_sex(client, figures, coordinator):
    client.force_login(coordinator)
    html = client.get(
        f"/dashboards/plans/{figures.pk}/indicators/5.2a/", {"period": "2024", "as_of": AS_OF}
    ).content.decode()
    assert "98" in html and 'data-status="not_achieved"' in html


def test_unit_grid_shows_counts_against_the_threshold(client, figures, coordinator):
    client.force_login(coordinator)
    html = client.get(
        f"/dashboards/plans/{figures.pk}/indicators/6.3/grid/", {"period": "2024", "as_of": AS_OF}
    ).content.decode()
    pne = html[html.index('data-unit="Xã Đăk Pne"') :]
    pne = pne[: pne.index("</tr>")]
    assert re.search(r'data-period="2024-Q2" data-status="not_achieved"', pne)
    assert "2 / 3" in pne
    # Issue 17: not by colour alone: a sign for the eye, the verdict in words for a screen reader.
    cell = pne[pne.index('data-period="2024-Q2"') :]
    cell = lxml.html.fromstring(cell[cell.index("<span") : cell.index("</td>")])
    assert cell.text_content().split() == ["✗", "2", "/", "3:", "Không", "đạt"]
    lap = html[html.index('data-unit="Xã Tân Lập"') :]
    lap = lap[: lap.index("</tr>")]
    assert re.search(r'data-period="2024-Q4"[^>]*>\s*<span class="badge status-no-data"', lap)
    assert html.count("data-unit=") == len(COMMUNES)


def test_completeness_lists_late_units(client, figures, coordinator):
    client.force_login(coordinator)
    html = client.get(
        f"/dashboards/plans/{figures.pk}/completeness/", {"period": "2024", "as_of": AS_OF}
    ).content.decode()
    late = re.search(r'<p id="late-units">(.*?)</p>', html, re.S)[1]
    assert "Xã Tân Lập" in late and "Xã Đăk Kôi" in late  # no Q4 figure; a Q4 draft never submitted
    assert "Xã Đăk Pne" not in late  # reported every quarter, even if below the threshold
    assert "Phòng Nội vụ" in late  # 1.1 was never reported
    overdue = html[html.index('id="overdue"') :]
    assert re.search(
        r'data-unit="Xã Tân Lập"><td[^>]*>Xã Tân Lập</td>\s*<td[^>]*>6.3</td>'
        r"<td[^>]*>Quý 4/2024</td>",
        overdue,
    )


def test_completeness_counts_expected_received_approved(client, figures, coordinator):
    client.force_login(coordinator)
    html = client.get(
        f"/dashboards/plans/{figures.pk}/completeness/", {"period": "2024", "as_of": AS_OF}
    ).content.decode()
    totals = re.search(r'<p id="totals">(.*?)</p>', html, re.S)[1]
    numbers = [int(n) for n in re.findall(r"<strong>(\d+)</strong>", totals)]
    expected, received, approved = numbers
    # 6.3: 7 communes × 4 quarters = 28 expected, 26 received (one missing, one draft).
    # 5.2a, 5.2b by sex: 4 expected, 2 received. 2.1, 2.2, 4.2: received.
    assert received == approved == 26 + 2 + 3
    assert expected > received


def test_tasks_page_of_a_commune_reporter(client, figures, make_user, district):
    from web.orgs.selectors import unit_find

    reporter = make_user("tan-lap", Role.REPORTER, unit_find("Xã Tân Lập"))
    client.force_login(reporter)
    html = client.get("/dashboards/tasks/", {"as_of": AS_OF}).content.decode()
    late = html[html.index('id="late"') : html.index('id="due"')]
    assert "Quý 4/2024" in late and "6.3" in late


def test_pages_need_a_login_and_a_visible_plan(client, figures, make_user):
    assert client.get(f"/dashboards/plans/{figures.pk}/").status_code == 302
    stranger = make_user("khach", Role.VIEWER)  # no unit: sees nothing
    client.force_login(stranger)
    assert client.get(f"/dashboards/plans/{figures.pk}/").status_code == 403
    assert client.get(f"/dashboards/plans/{figures.pk}/completeness/").status_code == 403


def test_the_chart_library_is_the_vendored_basic_bundle(client):
    from django.contrib.staticfiles import finders

    from web.dashboards.finders import plotly_path

    found = finders.find("plotly/plotly.min.js")
    assert found and Path(found).resolve() == plotly_path().resolve()
    head = Path(found).read_bytes()[:200].decode()
    assert "plotly.js (basic - minified)" in head  # the partial bundle, not the 4.8 MB full one


def _demo_csv(plan) -> str:
    """The demo's approved figures written out by hand from the tables, as docs/interfaces.md §3 CSV."""
    import csv
    import io

    from web.data.models import Observation

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["indicator", "period", "org_unit", "sex", "numerator", "denominator", "value", "note"])
    rows = Observation.objects.filter(submission__plan=plan, submission__state="approved").select_related(
        "submission__org_unit"
    )
    for row in rows:
        unit = row.submission.org_unit
        whole_area = unit.kind != "commune"  # offices report for the district
        writer.writerow(
            [
                row.indicator_code,
                row.submission.period_key,
                "" if whole_area else unit.name,
                row.sex,
                "" if row.numerator is None else f"{row.numerator:f}",
                "" if row.denominator is None else f"{row.denominator:f}",
                # the value is derived from numerator and denominator when both are there
                "" if row.numerator is not None and row.denominator is not None else f"{row.value:f}",
                "",
            ]
        )
    return out.getvalue()


def test_dashboard_for_one_commune_judges_its_own_figures(client, figures, coordinator):
    from web.orgs.selectors import unit_find

    client.force_login(coordinator)
    url = f"/dashboards/plans/{figures.pk}/"

    def status_63(commune: str) -> str:
        area = unit_find(commune).pk
        return _statuses(client.get(url, {"period": "2024", "as_of": AS_OF, "area": area}).content.decode())[
            "6.3"
        ]

    assert status_63("Xã Đăk Pne") == "not_achieved"  # 2 items in Q2
    assert status_63("Thị trấn Đăk Rve") in ("achieved", "exceeded")
    assert status_63("Xã Tân Lập") == "no_data"  # a quarter missing: the engine does not judge it


def test_building_the_core_plan_does_not_query_per_objective(figures, django_assert_max_num_queries):
    """The plan is read in a fixed number of queries whatever its size (was one per objective)."""
    from web.dashboards.selectors import core_plan, plan_version_active

    version = plan_version_active(figures)
    with django_assert_max_num_queries(4):
        plan = core_plan(version)
    assert len(plan.indicators) == 20


@pytest.mark.parametrize("text", ["31/02/2024", "2024-02-31", "hôm qua"])
def test_a_date_that_cannot_be_read_is_said_and_today_used(client, figures, coordinator, text):
    """``?as_of=2024-02-31`` was a server error (Django's parse_date raises on it); now a notice."""
    client.force_login(coordinator)
    response = client.get(f"/dashboards/plans/{figures.pk}/", {"period": "2024", "as_of": text})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Không đọc được ngày «{text}»" in html
    assert f'value="{timezone.localdate():%d/%m/%Y}"' in html


def test_a_date_written_day_first_is_read_day_first(client, figures, coordinator):
    client.force_login(coordinator)
    html = client.get(f"/dashboards/plans/{figures.pk}/", {"period": "2024", "as_of": "05/01/2025"}).content
    assert 'value="05/01/2025"' in html.decode()  # 5 January, not 1 May
