"""An indicator page: the dashboard's verdicts, its body cached per what it shows, its list of
figures reported read anew on every request."""

from __future__ import annotations

import random
import re
from decimal import Decimal

import pytest

from chitieu.approval import Role

from .conftest import AS_OF, LABOUR
from .test_dashboards import _statuses

PARAMS = {"period": "2024", "as_of": AS_OF}


@pytest.fixture(params=[False, True], ids=["engine", "stored"])
def store(request, settings):
    settings.CHITIEU_STORED_VERDICTS = request.param
    return request.param


def _page(client, plan, code: str, **params) -> str:
    response = client.get(f"/dashboards/plans/{plan.pk}/indicators/{code}/", {**PARAMS, **params})
    assert response.status_code == 200
    return response.content.decode()


def _status(html: str, code: str) -> str:
    return re.search(rf'data-indicator="{re.escape(code)}" data-status="([a-z_]+)"', html)[1]


@pytest.mark.parametrize("provisional", ["", "1"])
def test_each_indicator_page_gives_the_dashboards_verdict(client, figures, coordinator, store, provisional):
    client.force_login(coordinator)
    dashboard = client.get(f"/dashboards/plans/{figures.pk}/", {**PARAMS, "provisional": provisional})
    statuses = _statuses(dashboard.content.decode())
    assert len(statuses) >= 20
    for code, status in statuses.items():
        assert _status(_page(client, figures, code, provisional=provisional), code) == status, code


def test_a_draft_is_listed_at_once_and_an_unlock_changes_the_verdict(client, figures, coordinator, store):
    from web.data.models import Submission
    from web.data.services import FigureInput, submission_save, submission_unlock
    from web.orgs.selectors import unit_find
    from web.plans.models import Indicator
    from web.plans.selectors import plan_version_active

    client.force_login(coordinator)
    first = _page(client, figures, "2.2")
    assert _status(first, "2.2") == "not_achieved" and "Ghi chú nháp" not in first
    # A draft changes no verdict (the summary and the cached body stay), but is listed at once.
    labour = unit_find(LABOUR)
    indicator = Indicator.objects.get(version=plan_version_active(figures), code="2.2")
    figure = FigureInput(numerator=Decimal(500), denominator=Decimal(2000), note="Ghi chú nháp")
    submission_save(
        actor=coordinator,
        plan=figures,
        unit=labour,
        period_key="2025",
        revision=0,
        figures={(indicator, ""): figure},
    )
    drafted = _page(client, figures, "2.2")
    assert "Ghi chú nháp" in drafted and _status(drafted, "2.2") == "not_achieved"
    # An unlock takes the 2024 figure out of the approved view: the cached body is not shown again.
    report = Submission.objects.get(plan=figures, org_unit=labour, period_key="2024")
    submission_unlock(actor=coordinator, submission=report, reason="Sửa số liệu")
    assert _status(_page(client, figures, "2.2"), "2.2") == "no_data"


def test_people_who_see_different_units_never_share_an_indicator_page(client, figures, make_user):
    from django.core.cache import cache

    from web.orgs.selectors import unit_find

    commune = unit_find("Xã Đăk Kôi")
    admin = make_user("quan-tri", Role.ADMINISTRATOR)
    reporter = make_user("xa-dak-koi", Role.REPORTER, commune)
    for first, second in ((admin, reporter), (reporter, admin)):
        cache.clear()
        pages = {}
        for user in (first, second):
            client.force_login(user)
            pages[user] = _page(client, figures, "6.3")
        listed = re.search(r'id="observations".*?</table>', pages[reporter], re.S)[0]
        assert "Xã Đăk Kôi" in listed and "Xã Đăk Pne" not in listed  # its own figures only
        assert "Xã Đăk Pne" in re.search(r'id="observations".*?</table>', pages[admin], re.S)[0]
        assert _status(pages[admin], "6.3") == _status(pages[reporter], "6.3")


def test_the_newest_figures_are_the_first_of_all_sorted(figures, coordinator):
    """Read a period start at a time, the list is the head of every figure sorted newest first."""
    from web.dashboards.selectors import newest_observations
    from web.data.models import Observation

    every = list(
        Observation.objects.filter(submission__plan=figures, indicator_code="6.3").order_by(
            "-submission__period_start", "submission__org_unit__name", "sex"
        )
    )
    assert len(every) > 20
    for limit in [1, 5, 7, 8, len(every) - 1, len(every), len(every) + 5, *random.sample(range(1, 30), 5)]:
        newest = newest_observations(figures, "6.3", figures.area, coordinator, limit)
        assert [o.pk for o in newest] == [o.pk for o in every[:limit]], limit


def test_the_newest_figures_of_any_area_and_person_are_the_head_of_all_they_may_see(
    figures, coordinator, make_user
):
    """Only the period starts where the summary (or a report not yet received) has figures of the
    indicator are read: for every indicator, area and person, the list is still the head of every
    figure they may see, sorted newest first — a draft in a period nobody sent included."""
    from web.dashboards.selectors import newest_observations
    from web.data.models import Observation
    from web.data.services import FigureInput, submission_save
    from web.orgs.access import area_unit_ids
    from web.orgs.selectors import unit_find
    from web.plans.models import Indicator
    from web.plans.selectors import plan_version_active
    from web.rollups.selectors import units_below

    labour, commune = unit_find(LABOUR), unit_find("Xã Đăk Kôi")
    version = plan_version_active(figures)
    indicator = Indicator.objects.get(version=version, code="2.2")
    submission_save(
        actor=coordinator,
        plan=figures,
        unit=labour,
        period_key="2026",  # no report of 2026 was received: the summary holds nothing of it
        revision=0,
        figures={(indicator, ""): FigureInput(numerator=Decimal(5), denominator=Decimal(20))},
    )
    people = [coordinator, make_user("quan-tri", Role.ADMINISTRATOR), make_user("xa", Role.REPORTER, commune)]
    codes = list(Indicator.objects.filter(version=version).values_list("code", flat=True))
    checked = 0
    for person in people:
        seen = area_unit_ids(person)
        for area in (figures.area, commune, unit_find("Xã Đăk Pne")):
            for code in codes:
                every = [
                    o.pk
                    for o in Observation.objects.filter(
                        submission__plan=figures,
                        indicator_code=code,
                        submission__org_unit_id__in=units_below(area),
                    )
                    .select_related("submission")
                    .order_by("-submission__period_start", "submission__org_unit__name", "sex")
                    if seen is None or o.submission.org_unit_id in seen
                ]
                for limit in (3, 1000):
                    newest = newest_observations(figures, code, area, person, limit)
                    assert [o.pk for o in newest] == every[:limit], (person.username, area.name, code, limit)
                    checked += bool(every)
    assert checked > 20
    first = newest_observations(figures, "2.2", figures.area, coordinator, 1)
    assert first[0].submission.period_key == "2026"


def test_an_indicator_page_from_the_cache_reads_no_figure(client, figures, coordinator, store):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coordinator)
    _page(client, figures, "6.3")  # the body and the list are now cached
    with CaptureQueriesContext(connection) as queries:
        _page(client, figures, "6.3")
    sql = [q["sql"] for q in queries.captured_queries]
    tables = ("rollups_rollupfigure", "rollups_verdict", "data_observation")
    read = [q for q in sql if any(t in q for t in tables)]
    assert not read, read
    # Session 17: the version in force and the summary version come with the plan (they were
    # asked four times: version, summary, version again, page version), and the kept core plan
    # is found without reading the version's row.
    assert not any(q.lstrip().startswith('SELECT "plans_planversion"') for q in sql), sql
    assert sum("rollups_rollupversion" in q for q in sql) == 1, sql
    assert len(sql) <= 20, "\n".join(q[:150] for q in sql)
