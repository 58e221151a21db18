"""Dashboard pages read the summary: their number of queries does not grow with the communes."""

from __future__ import annotations

import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.web.rollups.conftest import AS_OF, build_tree, plan_for, random_figures


def _queries(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"period": "2024", "as_of": AS_OF, **params})
    assert response.status_code == 200, url
    return len(captured)


def _country(admin, shape):
    from web.data.models import Submission
    from web.rollups.services import rollup_rebuild

    nation = build_tree(shape)
    plan = plan_for(nation, admin)
    random_figures(plan, nation, random.Random(5), density=0.8)
    Submission.objects.filter(plan=plan).update(state="approved")
    rollup_rebuild(plan=plan)
    return nation, plan


def _page_queries(client, plan, unit) -> list[int]:
    base = f"/dashboards/plans/{plan.pk}/"
    return [
        _queries(client, base, area=unit.pk),
        _queries(client, f"{base}indicators/2.1/", area=unit.pk),
        _queries(client, f"{base}indicators/6.3/", area=unit.pk),
        _queries(client, f"{base}indicators/6.3/grid/", area=unit.pk),
    ]


def test_page_queries_do_not_grow_with_the_number_of_communes(client, admin):
    from web.orgs.models import OrgUnit

    client.force_login(admin)
    small_nation, small = _country(admin, [[1], [2]])
    small_counts = _page_queries(client, small, small_nation)
    province = OrgUnit.objects.filter(parent=small_nation).first()
    small_province = _page_queries(client, small, province)
    OrgUnit.objects.all().update(code="")  # a second country: its own codes
    big_nation, big = _country(admin, [[3, 2], [2]])
    assert _page_queries(client, big, big_nation) == small_counts
    province = OrgUnit.objects.filter(parent=big_nation).first()
    assert _page_queries(client, big, province) == small_province


def test_rebuild_command(admin, capsys):
    from web.rollups.models import RollupFigure

    _nation, plan = _country(admin, [[2]])
    before = RollupFigure.objects.filter(plan=plan).count()
    RollupFigure.objects.filter(plan=plan).delete()
    call_command("rollup_rebuild", str(plan.pk), "--period", "2024")
    out = capsys.readouterr().out
    assert f"kế hoạch {plan.pk}:" in out
    assert 0 < RollupFigure.objects.filter(plan=plan).count() < before  # 2024 and inside it only
    call_command("rollup_rebuild")
    assert RollupFigure.objects.filter(plan=plan).count() == before
    with pytest.raises(CommandError, match="kỳ không hợp lệ"):
        call_command("rollup_rebuild", "--period", "2024-Q9")
    with pytest.raises(CommandError, match="không tìm thấy"):
        call_command("rollup_rebuild", "999999")


def _old_completeness(plan, year, as_of):
    """The one-by-one computation the dashboards used before: every expected item listed."""
    from chitieu.reminders import ReportState, Stage, classify
    from web.dashboards.selectors import expected_reports, report_states
    from web.data.models import Submission
    from web.data.selectors import first_sent

    expected = expected_reports(plan, year)
    states = report_states(plan, expected)
    totals = {"expected": 0, "received": 0, "approved": 0, "late": 0, "sent_late": 0}
    overdue = set()
    for e in expected:
        state = states.get(e.item, ReportState.MISSING)
        totals["expected"] += 1
        received = state in (ReportState.SUBMITTED, ReportState.APPROVED)
        totals["received"] += received
        if received:  # "nộp muộn": received, but first sent after the deadline
            sent = first_sent(Submission.objects.get(plan=plan, org_unit=e.unit, period_key=e.item.period))
            totals["sent_late"] += sent is not None and sent > e.deadline
        totals["approved"] += state is ReportState.APPROVED
        stage = classify(state, e.deadline, as_of=as_of, remind_before=0)
        if stage is not None and stage[0] is Stage.LATE:
            totals["late"] += 1
            overdue.add((e.unit.pk, e.item.indicator, e.item.period, e.item.sex, state))
    return totals, overdue


def test_completeness_counts_equal_the_item_by_item_count_and_queries_stay_flat(client, admin):
    from datetime import date

    from web.dashboards.views import completeness_data
    from web.orgs.models import OrgUnit, UnitKind
    from web.plans.models import Assignment, Reporters

    client.force_login(admin)
    counts = []
    for shape in ([[1], [2]], [[3, 2], [2]]):
        OrgUnit.objects.all().update(code="")
        nation, plan = _country(admin, shape)
        # The item-by-item count matches units by name: give this country's units unique names.
        for commune in OrgUnit.objects.filter(kind__in=[UnitKind.COMMUNE, UnitKind.OFFICE]).exclude(code=""):
            commune.name = f"{commune.name} {commune.code}"
            commune.save(update_fields=["name"])
        for assignment in Assignment.objects.filter(indicator__version__plan=plan):
            if assignment.indicator.code in ("3.1", "2.2", "6.3"):
                assignment.reporters = Reporters.COMMUNES
                assignment.frequency = "quarter" if assignment.indicator.code == "6.3" else "year"
                assignment.save()
            else:
                offices = OrgUnit.objects.filter(kind=UnitKind.OFFICE, name__startswith="Phòng Y tế").exclude(
                    code=""
                )
                assignment.lead_units.set(offices)
                assignment.by_sex = assignment.indicator.code == "5.2a"
                assignment.save()
        as_of = date(2025, 2, 10)
        data = completeness_data(plan, "2024", as_of=as_of)
        totals, overdue = _old_completeness(plan, "2024", as_of)
        assert data["totals"] == totals
        assert {
            (
                o["expected"].unit.pk,
                o["expected"].item.indicator,
                o["expected"].item.period,
                o["expected"].item.sex,
                o["state"],
            )
            for o in data["overdue"]
        } == overdue
        province = OrgUnit.objects.filter(parent=nation).first()
        counts.append(
            [
                _queries(client, f"/dashboards/plans/{plan.pk}/completeness/"),
                _queries(client, f"/dashboards/plans/{plan.pk}/completeness/", area=province.pk),
            ]
        )
    assert counts[0] == counts[1]


def test_the_stored_verdicts_of_an_area_are_read_without_its_communes_names(admin):
    """A dashboard reading an area's stored verdicts reads no commune: the engine is not asked, so
    the names it would be given are read only if someone asks for them (a nation's 10,599 cost its
    first view 30–40 ms, and no page shows them)."""
    from datetime import date

    from web.plans.selectors import core_plan, plan_version_active
    from web.rollups.selectors import commune_labels, unit_evaluation
    from web.rollups.verdicts import store_verdicts

    nation, plan = _country(admin, [[2, 3], [1]])
    store_verdicts(plan.pk)
    core = core_plan(plan_version_active(plan))
    with CaptureQueriesContext(connection) as captured:
        evaluated = unit_evaluation(plan, core, nation, "2024", as_of=date(2031, 1, 1), updating_ok=True)
    assert evaluated.observations == ()  # the stored verdicts answered
    assert not [q["sql"] for q in captured.captured_queries if "commune" in q["sql"]]
    assert evaluated.units == tuple(commune_labels(nation, "2024")) and len(evaluated.units) == 6


def test_the_areas_listed_below_are_not_narrowed_for_who_sees_every_unit_below(admin, make_user):
    """The dashboard's list of areas below: for whoever sees the area and all below it, the children
    as they are, without a filter by the 16,000 units below a national coordinator (55–70 ms of its
    first view); for the others, only those they may see, as before."""
    from django.test import RequestFactory

    from chitieu.approval import Role
    from web.dashboards.views import area_choices
    from web.orgs.models import OrgUnit

    nation, plan = _country(admin, [[2], [1], [1]])
    provinces = list(OrgUnit.objects.filter(parent=nation).order_by("name", "pk"))
    request = RequestFactory().get("/")
    request.user = make_user("quoc-gia", Role.COORDINATOR, nation)
    with CaptureQueriesContext(connection) as captured:
        listed = area_choices(request, plan, nation, "2024")
    assert listed == [nation, *provinces]
    assert not [q["sql"] for q in captured.captured_queries if "RECURSIVE" in q["sql"]]
    request.user = make_user("tinh-mot", Role.COORDINATOR, provinces[0])
    assert area_choices(request, plan, nation, "2024") == [nation, provinces[0]]


def test_the_plans_own_area_asked_by_id_is_the_plan_area_without_a_look_up(client, admin):
    """``?area=`` naming the plan's own area (the bench's, and every link back to the top) is the
    page without it: no query to find that area below itself."""
    nation, plan = _country(admin, [[1], [1]])
    client.force_login(admin)
    base = f"/dashboards/plans/{plan.pk}/"
    _queries(client, base)  # the fragment kept: both below are read from the cache
    assert _queries(client, base, area=nation.pk) == _queries(client, base)
