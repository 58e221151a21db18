"""The closure of the unit tree is kept on the write path: reads never write.

After every write that adds or moves units (the unit services, a reorganisation, the bulk
unit load) the closure equals one computed afresh from the parent links, without any read
having to repair it; and the dashboard pages and roll-up reads run no INSERT, UPDATE or
DELETE. Until this was so, the roll-up reads refreshed a stale closure themselves.
"""

from __future__ import annotations

import random
import re
from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.web.rollups.conftest import AS_OF, plan_for, random_figures
from web.data.loading.units import units_load
from web.data.models import Submission
from web.orgs.access import plan_area_ids, units_visible_to
from web.orgs.models import OrgUnit, UnitKind
from web.orgs.services import unit_create, unit_split
from web.plans.selectors import core_plan, visible_to
from web.rollups.completeness import completeness_counts
from web.rollups.models import UnitAncestor
from web.rollups.selectors import evaluation_all_units, raw_area_observations, unit_evaluation
from web.rollups.services import rollup_rebuild

UNITS = [
    ["code", "name", "kind", "parent_code"],
    ["VN", "Việt Nam", "nation", ""],
    ["62", "Tỉnh Kon Tum", "province", "VN"],
    ["611", "Huyện Kon Rẫy", "district", "62"],
    ["611-YT", "Phòng Y tế", "office", "611"],
    ["23500", "Xã Đăk Kôi", "commune", "611"],
    ["23501", "Xã Tân Lập", "commune", "611"],
]
AS_OF_DATE = date.fromisoformat(AS_OF)
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def fresh_closure() -> set[tuple[int, int, int]]:
    """(unit, ancestor, depth) from the parent links, in Python: an office counts as its district."""
    parent = dict(OrgUnit.objects.values_list("id", "parent_id"))
    kind = dict(OrgUnit.objects.values_list("id", "kind"))
    rows = set()
    for unit in parent:
        ancestor = parent[unit] if kind[unit] == UnitKind.OFFICE and parent[unit] else unit
        depth = 0
        while ancestor is not None:
            rows.add((unit, ancestor, depth))
            ancestor, depth = parent[ancestor], depth + 1
    return rows


def stored_closure() -> set[tuple[int, int, int]]:
    return set(UnitAncestor.objects.values_list("unit_id", "ancestor_id", "depth"))


def test_the_bulk_unit_load_keeps_the_closure(db):
    units_load(rows_or_path=UNITS)
    assert stored_closure() == fresh_closure()
    units_load(rows_or_path=[UNITS[0], ["23502", "Xã Đăk Pne", "commune", "611"]])
    assert stored_closure() == fresh_closure()


def test_unit_services_keep_the_closure(admin):
    units_load(rows_or_path=UNITS)
    district = OrgUnit.objects.get(code="611")
    commune = unit_create(actor=admin, name="Xã Đăk Ruồng", kind=UnitKind.COMMUNE, parent=district)
    assert stored_closure() == fresh_closure()
    unit_split(actor=admin, unit=commune, names=["Xã Một", "Xã Hai"], on=AS_OF_DATE)
    assert stored_closure() == fresh_closure()


def _writes(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if WRITES.match(q["sql"])]


def test_reads_of_visibility_and_roll_ups_never_write(client, admin):
    units_load(rows_or_path=UNITS)
    nation = OrgUnit.objects.get(code="VN")
    plan = plan_for(nation, admin)
    random_figures(plan, nation, random.Random(3), density=0.8)
    Submission.objects.filter(plan=plan).update(state="approved")
    rollup_rebuild(plan=plan)
    # A commune added by a bulk load after the plan: the closure must already include it.
    units_load(rows_or_path=[UNITS[0], ["23502", "Xã Đăk Pne", "commune", "611"]])
    client.force_login(admin)
    district = OrgUnit.objects.get(code="611")
    version = plan.versions.get()
    base = f"/dashboards/plans/{plan.pk}/"
    with CaptureQueriesContext(connection) as captured:
        plan_area_ids(admin)
        list(units_visible_to(admin))
        list(visible_to(admin))
        unit_evaluation(plan, core_plan(version), district, "2024", as_of=AS_OF_DATE)
        evaluation_all_units(plan=plan, period_key="2024", as_of=AS_OF_DATE, include_communes=True)
        raw_area_observations(plan, district, states=("approved",))
        completeness_counts(plan, version, "2024", as_of=AS_OF_DATE, area=district)
        for url in (base, f"{base}indicators/6.3/", f"{base}indicators/6.3/grid/", f"{base}completeness/"):
            assert client.get(url, {"period": "2024", "as_of": AS_OF, "area": district.pk}).status_code == 200
    assert _writes(captured) == []
    assert stored_closure() == fresh_closure()


def test_the_migration_for_offices_of_offices_writes_the_closure_the_services_write(db):
    """rollups 0008 recomputes the closure with its own copy of the SQL: the same rows as now.
    (Its function only asks the schema editor for the connection: SQLite's own refuses to open
    inside the test's transaction.)"""
    import importlib

    from django.db import connection

    from chitieu.names import name_key
    from tests.web.rollups.conftest import build_tree
    from web.orgs.models import OrgUnit, UnitKind
    from web.rollups.models import UnitAncestor
    from web.rollups.services import unit_closure_refresh

    build_tree([[1, 2]])
    office = OrgUnit.objects.filter(kind=UnitKind.OFFICE).order_by("pk").first()
    team = OrgUnit.objects.create(name="Tổ", name_key=name_key("Tổ"), kind=UnitKind.OFFICE, parent=office)
    unit_closure_refresh()
    expected = set(UnitAncestor.objects.values_list("unit_id", "ancestor_id", "depth"))
    assert (team.pk, office.parent_id, 0) in expected
    UnitAncestor.objects.all().delete()
    migration = importlib.import_module("web.rollups.migrations.0008_closure_offices_of_offices")
    migration.closure_refresh(None, type("Editor", (), {"connection": connection})())
    assert set(UnitAncestor.objects.values_list("unit_id", "ancestor_id", "depth")) == expected
