"""The 2026–2030 plan after the July 2025 reorganisation: carried-over assignments reviewed one by one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chitieu.approval import Role
from web.core.models import AuditEntry
from web.orgs.models import OrgUnit
from web.plans.models import PlanIssue
from web.reorg.carry_over import carry_over_decide, carry_over_proposals
from web.reorg.demo_story import load_story
from web.reorg.models import CarryOver


@pytest.fixture
def story(kon_ray):
    version, accounts = kon_ray
    made = load_story(
        admin=accounts["quantri"],
        district=version.plan.area,
        password="mat-khau-2026",
        email_domain="x.example",
    )
    return {**made, "old": version, "accounts": accounts}


def _assignment(version, code):
    a = version.indicators.get(code=code).assignment
    return sorted(u.name for u in a.lead_units.all()), a.reporters, a.frequency, a.by_sex


def test_the_new_plan_is_read_from_the_annex_with_its_approximate_targets(story):
    version = story["plan_2026"]
    assert version.status == "active" and version.plan.area == story["province"]
    assert story["province"].code == "51" and story["province"].parent is None
    approx = version.indicators.get(code="2.1").targets.get(period_key="2026-2030")
    assert (approx.value, approx.text) == (Decimal(60), "khoảng 60%")
    times = version.indicators.get(code="3.1").targets.get(period_key="2026-2030")
    assert (times.value, times.comparator) == (Decimal("1.4"), "<=")
    assert PlanIssue.objects.filter(version=version, message__contains="khoảng 60%").exists()
    # Its communes are the new ones, directly under the province: no district in between.
    communes = OrgUnit.objects.filter(parent=story["province"], kind="commune")
    assert sorted(c.name for c in communes) == ["Xã Kon Braih", "Xã Đăk Kôi", "Xã Đăk Rve"]


def test_carried_over_assignments_are_proposed_not_applied(story):
    version = story["plan_2026"]
    before = {code: _assignment(version, code) for code in ("1.1", "3.2", "4.1", "5.1")}
    proposals = {p.indicator.code: p for p in carry_over_proposals(version)}
    # Matched by wording: 5.1 ("các xã, phường") has no counterpart in the old plan.
    assert set(proposals) == {"1.1", "2.1", "3.1", "3.2", "4.1"}
    violence = proposals["3.2"]
    assert violence.source.code == "3.2a" and violence.source.version == story["old"]
    # The old plan had the communes report every quarter; the annex alone says once a year.
    assert (violence.reporters, violence.frequency) == ("communes", "quarter")
    assert before["3.2"][1:3] == ("communes", "year")
    # Lead units followed to their successors inside the new area: the district's office → the province.
    assert [u.name for u in proposals["4.1"].lead_units] == ["Tỉnh Quảng Ngãi"]
    assert all(p.decision is None for p in proposals.values())
    assert {code: _assignment(version, code) for code in before} == before


def test_each_proposal_is_accepted_changed_or_dropped_with_an_audit_row(story):
    version, coordinator = story["plan_2026"], story["coordinator"]
    dropped_before = _assignment(version, "4.1")

    def indicator(code):
        return version.indicators.get(code=code).pk

    carry_over_decide(actor=coordinator, version=version, indicator_id=indicator("3.2"), decision="accepted")
    department = OrgUnit.objects.get(name="Sở Nội vụ", parent=story["province"])
    changed = {"lead_units": [department], "reporters": "lead", "frequency": "year", "by_sex": True}
    carry_over_decide(
        actor=coordinator, version=version, indicator_id=indicator("1.1"), decision="changed", changed=changed
    )
    carry_over_decide(actor=coordinator, version=version, indicator_id=indicator("4.1"), decision="dropped")
    assert _assignment(version, "3.2") == (["Tỉnh Quảng Ngãi"], "communes", "quarter", False)
    assert _assignment(version, "1.1") == (["Sở Nội vụ"], "lead", "year", True)
    assert _assignment(version, "4.1") == dropped_before
    decided = dict(CarryOver.objects.values_list("indicator__code", "decision"))
    assert decided == {"3.2": "accepted", "1.1": "changed", "4.1": "dropped"}
    assert AuditEntry.objects.filter(action="assignment_carry_over").count() == 3
    pending = [p.indicator.code for p in carry_over_proposals(version) if p.decision is None]
    assert pending == ["2.1", "3.1"]


def test_the_review_page_shows_the_calendar_chain_and_says_the_mapping_is_illustrative(client, story):
    plan = story["plan_2026"].plan
    client.force_login(story["coordinator"])
    page = client.get(f"/reorganisation/carry-over/{plan.pk}/").content.decode()
    assert "MINH HOẠ" in page and "1677/NQ-UBTVQH15" in page
    assert "Quý 1/2026" in page and "15/03/2026" in page and "25/03/2026" in page  # commune, then province
    assert 'id="carry-3.2"' in page
    # The reorganisation page leads the successor's coordinator to it.
    assert f"/reorganisation/carry-over/{plan.pk}/" in client.get("/reorganisation/").content.decode()
    response = client.post(
        f"/reorganisation/carry-over/{plan.pk}/",
        {"indicator": story["plan_2026"].indicators.get(code="3.2").pk, "decision": "accepted"},
    )
    assert response.status_code == 302
    assert CarryOver.objects.get().decision == "accepted"
    # The former district's coordinator (read-only now) may not decide for the new plan.
    former = story["accounts"]["dieuphoi"]
    former.refresh_from_db()
    assert former.chitieu_role is Role.VIEWER
    client.force_login(former)
    assert client.get(f"/reorganisation/carry-over/{plan.pk}/").status_code == 403
