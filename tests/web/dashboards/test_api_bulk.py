"""The API's bulk upsert is set-based (issue 14 item 3): as many queries for a thousand reports as for
ten, and still the entry form's checks, audit and errors for each row."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from web.api.services import token_create
from web.core.models import AuditEntry
from web.data.models import Observation, Submission

from .conftest import COMMUNES


def _post(client, plan, token, rows):
    response = client.post(
        f"/api/plans/{plan.pk}/observations",
        json.dumps({"rows": rows}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200, response.content
    return response.json()


def _rows(years, value=3):
    from web.orgs.selectors import unit_find

    return [
        {"indicator": "6.3", "period": f"{year}-Q{q}", "org_unit_id": unit_find(name).pk, "value": value}
        for year in years
        for q in range(1, 5)
        for name in COMMUNES
    ]


def test_the_number_of_queries_does_not_grow_with_the_reports(client, figures, coordinator):
    token = token_create(user=coordinator, name="bulk")[1]
    one_year, four_years = _rows([2030]), _rows([2031, 2032, 2033, 2034])
    with CaptureQueriesContext(connection) as few:
        body = _post(client, figures, token, one_year)
    assert body["saved"] == len(one_year) and not body["errors"]
    with CaptureQueriesContext(connection) as many:
        body = _post(client, figures, token, four_years)
    assert body["saved"] == len(four_years) and not body["errors"]
    # Four times the reports; the same queries but for the token's bookkeeping and the
    # throttle (a handful), not four times as many.
    assert len(many) <= len(few) + 5, (len(few), len(many))


def test_a_stale_report_is_refused_alone_and_changes_are_audited_per_value(client, figures, coordinator):
    token = token_create(user=coordinator, name="bulk")[1]
    rows = _rows([2030])
    _post(client, figures, token, rows)
    stale = Submission.objects.filter(plan=figures, period_key="2030-Q2").order_by("pk").first()
    audits = AuditEntry.objects.filter(action="figure_change").count()
    again = _rows([2030], value=7)
    for row in again:
        current = Submission.objects.get(
            plan=figures, org_unit_id=row["org_unit_id"], period_key=row["period"]
        )
        row["revision"] = current.revision - (1 if current.pk == stale.pk else 0)
    body = _post(client, figures, token, again)
    refused = [e for e in body["errors"]]
    assert {e["code"] for e in refused} == {"stale"} and len(refused) == 1
    assert body["saved"] == len(again) - 1
    values = Observation.objects.filter(submission__plan=figures, submission__period_key__startswith="2030")
    assert sorted({o.value for o in values if o.submission_id != stale.pk}) == [7]
    assert {o.value for o in values if o.submission_id == stale.pk} == {3}
    assert AuditEntry.objects.filter(action="figure_change").count() == audits + len(again) - 1


def test_changed_figures_are_stored_with_their_parts_notes_and_blanks(client, figures, coordinator):
    """Changed figures are written in one statement per thousand (not Django's CASE per field): parts
    with decimals, a value computed from them, a note set then cleared, a part taken away."""
    from decimal import Decimal

    from web.orgs.selectors import unit_find

    from .conftest import LABOUR

    token = token_create(user=coordinator, name="bulk")[1]
    labour = unit_find(LABOUR).pk
    commune = unit_find(COMMUNES[0]).pk
    first = [
        {
            "indicator": "2.1",
            "period": "2031",
            "org_unit_id": labour,
            "numerator": "950.5",
            "denominator": 2000,
        },
        {"indicator": "6.3", "period": "2031-Q1", "org_unit_id": commune, "value": 3, "note": "họp"},
    ]
    assert _post(client, figures, token, first)["saved"] == 2
    second = [
        {
            "indicator": "2.1",
            "period": "2031",
            "org_unit_id": labour,
            "numerator": 1000,
            "denominator": "2000.25",
        },
        {"indicator": "6.3", "period": "2031-Q1", "org_unit_id": commune, "value": "4", "note": ""},
    ]
    assert _post(client, figures, token, second)["saved"] == 2
    stored = {
        o.indicator_code: (o.numerator, o.denominator, o.value, o.note)
        for o in Observation.objects.filter(
            submission__plan=figures, submission__period_key__startswith="2031"
        )
    }
    assert stored == {
        "2.1": (Decimal(1000), Decimal("2000.25"), Decimal("49.993751"), ""),
        "6.3": (None, None, Decimal(4), ""),
    }


def test_the_reports_of_a_request_are_read_by_their_key_not_every_report_of_the_plan(
    client, figures, coordinator
):
    """The reports a request writes are read (and locked) in the order of their key's index: ordered
    by id, SQLite walked every report of the plan (a third of a request's time at 5 % of the country)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan (PostgreSQL plans from its statistics)")
    token = token_create(user=coordinator, name="bulk")[1]
    sent = []

    def keep(execute, sql, params, many, context):
        if sql.startswith("SELECT") and '"period_key" IN' in sql and "data_submission" in sql:
            sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        _post(client, figures, token, _rows([2030]))
    assert sent
    for sql, params in sent:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            steps = [row[-1] for row in cursor.fetchall()]
        assert any("org_unit_id=?" in step for step in steps), steps


def test_an_upsert_reads_the_units_it_names_not_every_unit_of_the_area(client, figures, coordinator):
    """Whether the units a request names lie in the plan's area, and in the token user's, is asked
    of those units (a walk up from each), not of every unit below: at the nation that is 16,000
    units, read twice a request (40–90 ms each of a 500-row request). The reports' revisions are
    read without the units' names (the model's ordering joined them)."""
    token = token_create(user=coordinator, name="bulk")[1]
    with CaptureQueriesContext(connection) as captured:
        body = _post(client, figures, token, _rows([2030]))
    assert body["saved"] == len(_rows([2030])) and not body["errors"]
    sql = [q["sql"] for q in captured.captured_queries]
    assert not [s for s in sql if "WITH RECURSIVE below" in s], "every unit below an area was read"
    revisions = [s for s in sql if s.startswith('SELECT "data_submission"."org_unit_id"')]
    assert revisions and not [s for s in revisions if "orgs_orgunit" in s]
    leads = [s for s in sql if "plans_assignment_lead_units" in s]  # the plan's lead units: those named
    assert leads and all('"orgunit_id" IN' in s for s in leads), leads


def test_who_reports_what_is_the_same_asked_of_a_few_units_or_of_all(figures):
    """``DutyIndex`` reads what it needs of the units asked about (``know``), of one unit at a time, or
    of every unit once many are asked one by one: the same duties for every unit each way, a unit
    outside the plan's area reporting nothing."""
    from web.data.selectors import DutyIndex
    from web.orgs.models import OrgUnit, UnitKind
    from web.plans.selectors import active_version

    version = active_version(figures)
    elsewhere = OrgUnit.objects.create(name="Huyện Khác (thử)", kind=UnitKind.DISTRICT)
    OrgUnit.objects.create(name="Xã Khác (thử)", kind=UnitKind.COMMUNE, parent=elsewhere)
    units = list(OrgUnit.objects.order_by("pk"))
    alone = [DutyIndex(version).codes(u) for u in units]
    every = DutyIndex(version)
    every.ASKED_ALONE = 3  # a district has a few units only
    assert [every.codes(u) for u in units] == alone and every._whole  # past ASKED_ALONE: read whole
    told = DutyIndex(version)
    told.know(units)
    assert [told.codes(u) for u in units] == alone and not told._whole
    listed = DutyIndex(version)
    assert listed.area_ids and [listed.codes(u) for u in units] == alone
    kinds = {u.kind for u, codes in zip(units, alone, strict=True) if codes}
    assert {UnitKind.COMMUNE, UnitKind.OFFICE} <= kinds and not alone[-1]


def test_units_outside_the_token_users_area_or_the_plans_are_refused_as_before(client, figures, make_user):
    """The checks asked of the named units only still refuse a unit outside the user's area, and a
    commune outside the plan's area, row by row."""
    from chitieu.approval import Role
    from web.orgs.models import OrgUnit, UnitKind
    from web.orgs.selectors import unit_find

    inside = unit_find(COMMUNES[0])
    elsewhere = OrgUnit.objects.create(name="Huyện Khác (thử)", kind=UnitKind.DISTRICT)
    outside = OrgUnit.objects.create(name="Xã Khác (thử)", kind=UnitKind.COMMUNE, parent=elsewhere)
    # A coordinator of one commune of the plan: the other communes are outside their area.
    narrow = make_user("xa-dieuphoi", Role.COORDINATOR, inside)
    token = token_create(user=narrow, name="bulk")[1]
    rows = [
        {"indicator": "6.3", "period": "2030-Q1", "org_unit_id": unit.pk, "value": 3}
        for unit in (inside, unit_find(COMMUNES[1]), outside)
    ]
    body = _post(client, figures, token, rows)
    assert body["saved"] == 1
    assert sorted((e["row"], e["code"]) for e in body["errors"]) == [(2, "forbidden"), (3, "forbidden")]
    assert Observation.objects.filter(submission__org_unit=inside, submission__period_key="2030-Q1").exists()
