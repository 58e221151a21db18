"""The API's bulk upsert is set-based (issue 14 item 3): as many queries for a thousand reports as for
ten, and still the entry form's checks, audit and errors for each row."""

from __future__ import annotations

import json

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
