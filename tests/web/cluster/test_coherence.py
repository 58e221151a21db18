"""Two app servers behind one address agree: what one writes, the other serves on its next request.

The servers share PostgreSQL, Redis (the dashboards' evaluation cache) and the evidence folder
(web.config.settings.cluster). A figure approved through server A must change the verdicts server B
serves at once (B's cached evaluation, in the shared Redis, must not be served stale), and a file
uploaded through A must download through B.
"""

from __future__ import annotations

import json
import re

import pytest
import redis

from tests.web.cluster import support as cluster
from tests.web.cluster.conftest import needs_cluster

pytestmark = [needs_cluster, pytest.mark.cluster]

EVIDENCE = b"%PDF-1.4\n% uploaded through server A\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def _report_rows(facts: dict, unit_id: int, period: str, value: int) -> list[dict]:
    rows = []
    for cell in facts["cells"]:
        if cell["unit_id"] != unit_id or cell["period"] != period:
            continue
        for sex in ("F", "M") if cell["by_sex"] else ("",):
            figure = (
                {"value": value} if cell["measure"] == "count" else {"numerator": value, "denominator": 100}
            )
            rows.append(
                {
                    "indicator": cell["indicator"],
                    "period": period,
                    "org_unit_id": unit_id,
                    "sex": sex,
                    **figure,
                }
            )
    return rows


def _verdicts(server, plan: int, year: str) -> dict:
    status, body = server.api("GET", f"/plans/{plan}/evaluations/{year}")
    assert status == 200, body[:500]
    return json.loads(body)


def _cell(facts: dict) -> dict:
    """A yearly report of 2025 if the plan has one (its verdicts are the year's), else the first."""
    return next((c for c in facts["cells"] if c["period"] == "2025"), facts["cells"][0])


def test_two_servers_share_verdicts_and_evidence():
    with cluster.running_cluster(servers=2) as running:
        a, b = running.servers
        facts = running.site.facts
        plan = facts["plan_id"]
        cell = _cell(facts)
        unit, period, year = cell["unit_id"], cell["period"], cell["period"][:4]
        entry = f"/entry/{unit}/{period}/"

        before = _verdicts(b, plan, year)  # B evaluates and fills the shared cache
        assert redis.Redis.from_url(running.redis.url).keys("chitieu:*"), "nothing cached in Redis"
        assert _verdicts(b, plan, year) == before

        # Through A: evidence attached with the entry form, the figures sent for approval (API),
        # then approved by the administrator (the plan's two-person rule: not by who sent them).
        on_a = cluster.Browser(a.base).login("dieuphoi")
        page = on_a.get(entry)[1].decode()
        known = set(re.findall(r'href="(/entry/evidence/\d+/)"', page))
        body, content_type = cluster.multipart(
            [*cluster.form_fields(page, "entry-form"), ("save", "1")],
            [("evidence", "bien-ban-a.pdf", EVIDENCE)],
        )
        assert on_a.post(entry, body, content_type)[0] == 200
        rows = _report_rows(facts, unit, period, 87)
        status, body = a.api("POST", f"/plans/{plan}/observations", {"rows": rows, "submit": True})
        assert status == 200, body[:1000]
        approver = cluster.Browser(a.base).login("quantri")
        page = approver.get(entry)[1].decode()
        decide = re.search(r'action="(/entry/\d+/[^/"]+/decide/)"', page).group(1)
        revision = re.findall(r'<input type="hidden" name="revision" value="(\d+)">', page)[-1]
        form = f"csrfmiddlewaretoken={cluster.csrf(page)}&revision={revision}&action=approve"
        status, shown = approver.post(decide, form.encode(), "application/x-www-form-urlencoded")
        assert status == 200
        assert re.search(r'<li class="success">', shown), re.findall(r'<li class="error">([^<]*)', shown)

        after = _verdicts(b, plan, year)  # B's next request
        assert after != before, "server B served the verdicts from before the approval"

        # The evidence downloads through B, in a session of B's.
        on_b = cluster.Browser(b.base).login("dieuphoi")
        page_b = on_b.get(entry)[1].decode()
        added = set(re.findall(r'href="(/entry/evidence/\d+/)"', page_b)) - known
        assert len(added) == 1, page_b[:3000]
        assert on_b.get(added.pop()) == (200, EVIDENCE)
