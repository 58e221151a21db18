"""A reorganisation applied from the decision's list: preview, all or nothing, audited."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from openpyxl import load_workbook

from chitieu.approval import Role
from chitieu.evaluate import evaluate_plan
from tests.web.once import read_again, rolled_back
from tests.web.rollups.test_closure_on_write import fresh_closure, stored_closure
from web.core.models import AuditEntry
from web.dashboards.selectors import plan_data
from web.data import services as data
from web.data.models import Observation, Submission
from web.data.selectors import duties
from web.home.demo import demo_accounts, demo_plan
from web.orgs.models import OrgUnit, UnitKind, UnitLink
from web.orgs.selectors import communes_of
from web.plans.models import Assignment
from web.reorg.selectors import reorganisation_preview
from web.reorg.services import ReorganisationRefused, reorganisation_apply
from web.rollups.services import rollup_rebuild

HEADER = "loai,ma_moi,ten_moi,ma_cu,ma_cap_tren,ngay_hieu_luc\n"
# Illustrative codes for the test tree (the demo has its own, see web.home.demo).
CODES = {
    "Kon Tum": "62",
    "Kon Rẫy": "615",
    "Thị trấn Đăk Rve": "23290",
    "Xã Đăk Ruồng": "23293",
    "Xã Tân Lập": "23296",
    "Xã Đăk Tờ Re": "23299",
    "Xã Đăk Tơ Lung": "23302",
    "Xã Đăk Kôi": "23305",
    "Xã Đăk Pne": "23308",
}
# Tân Lập and Đăk Ruồng merge into a new commune under the province; Đăk Tơ Lung is renamed; the
# district is dissolved: its other communes move under the province, its offices hand over to Sở Nội vụ.
DECISION = (
    HEADER
    + "sáp nhập,23800,Xã Đăk Ruồng Mới,23293;23296,62,01/07/2025\n"
    + "đổi tên,,Xã Đăk Tơ Lung Mới,23302,,01/07/2025\n"
    + "giải thể,6201,,615,62,01/07/2025\n"
)


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    """Built once for the module (rolled back after it; each test's changes after the test)."""
    from web.orgs.services import kon_ray_units_ensure

    with rolled_back(django_db_blocker):
        yield _world_build(kon_ray_units_ensure())


@pytest.fixture
def world(_world, db):
    return read_again(_world)  # no attribute a previous test changed


def _world_build(district) -> dict:
    for name, code in CODES.items():
        OrgUnit.objects.filter(name=name).update(code=code)
    province = OrgUnit.objects.get(code="62")
    department = OrgUnit.objects.create(
        name="Sở Nội vụ", name_key="so noi vu", kind=UnitKind.OFFICE, parent=province, code="6201"
    )
    accounts = {a.username: u for a, u, _ in demo_accounts(district)}
    version = demo_plan(coordinator=accounts["dieuphoi"], district=district)
    tan_lap = OrgUnit.objects.get(code="23296")
    reporter = accounts["xa.tanlap"]
    figures = {}
    for duty in duties(version, tan_lap, "quarter"):
        for sex in duty.sexes:
            if duty.indicator.measure == "count":
                figures[(duty.indicator, sex)] = data.FigureInput(value=Decimal(3))
            else:
                figures[(duty.indicator, sex)] = data.FigureInput(Decimal(2), Decimal(5))
    data.submission_save(
        actor=reporter, plan=version.plan, unit=tan_lap, period_key="2024-Q2", revision=0, figures=figures
    )
    admin = accounts["quantri"]
    return {
        "district": district,
        "province": province,
        "department": department,
        "accounts": accounts,
        "version": version,
        "admin": admin,
        "tan_lap": tan_lap,
    }


def _state():
    return (
        OrgUnit.objects.count(),
        UnitLink.objects.count(),
        AuditEntry.objects.count(),
        sorted(map(str, OrgUnit.objects.values_list("name", "valid_to", "code", "parent_id"))),
    )


def test_the_preview_lists_what_closes_opens_and_moves_and_changes_nothing(world):
    before = _state()
    figures = Observation.objects.filter(submission__org_unit=world["tan_lap"]).count()
    assert figures > 0
    preview = reorganisation_preview(world["admin"], DECISION.encode())
    assert not preview.refused, preview.issues
    assert _state() == before
    # Opened, all under the province: the merged commune, the renamed Đăk Tơ Lung (renamed and moved
    # up: one successor) and the 4 communes no line names (Đăk Rve, Đăk Tờ Re, Đăk Kôi, Đăk Pne).
    opened = {name: parent for _code, name, parent, _from in preview.opened}
    assert opened == {
        "Xã Đăk Ruồng Mới": "Kon Tum",
        "Xã Đăk Tơ Lung Mới": "Kon Tum",
        "Thị trấn Đăk Rve": "Kon Tum",
        "Xã Đăk Tờ Re": "Kon Tum",
        "Xã Đăk Kôi": "Kon Tum",
        "Xã Đăk Pne": "Kon Tum",
    }
    closed = {unit.name: successors for unit, _link, successors in preview.closed}
    assert closed["Xã Tân Lập"] == "Xã Đăk Ruồng Mới" and closed["Kon Rẫy"] == "Sở Nội vụ"
    assert closed["Phòng Y tế"] == "Sở Nội vụ"
    moved = {account.username: to for account, _unit, to in preview.accounts}
    assert moved["xa.tanlap"] == "Xã Đăk Ruồng Mới" and moved["dieuphoi"] == ""  # stays, read-only
    assert dict((u.name, n) for u, n in preview.figures)["Xã Tân Lập"] == figures
    assert any(unit.name == "Phòng Y tế" for _a, unit, _to in preview.assignments)


def test_applying_moves_units_accounts_and_assignments_and_leaves_the_figures(world):
    tan_lap, district = world["tan_lap"], world["district"]
    figures = list(Observation.objects.filter(submission__org_unit=tan_lap).values_list("pk", flat=True))
    audit_before_pk = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    reorganisation_apply(actor=world["admin"], data=DECISION.encode(), source_name="qd-1234.csv")
    merged = OrgUnit.objects.get(code="23800")
    assert (merged.parent, merged.valid_from) == (world["province"], date(2025, 7, 1))
    tan_lap.refresh_from_db()
    district.refresh_from_db()
    assert tan_lap.valid_to == date(2025, 6, 30) and district.valid_to == date(2025, 6, 30)
    # The figures did not move: still Tân Lập's.
    assert (
        list(Observation.objects.filter(submission__org_unit=tan_lap).values_list("pk", flat=True)) == figures
    )
    # The tree of 2024 is the old one (7 communes under the district); in 2026 the district has none
    # and the province has 6 communes (7 − 2 merged + 1 new).
    assert len(communes_of(district, date(2024, 1, 1), date(2024, 12, 31))) == 7
    assert len(communes_of(district, date(2026, 1, 1), date(2026, 12, 31))) == 0
    in_2026 = communes_of(world["province"], date(2026, 1, 1), date(2026, 12, 31))
    assert sorted(u.name for u in in_2026) == [
        "Thị trấn Đăk Rve",
        "Xã Đăk Kôi",
        "Xã Đăk Pne",
        "Xã Đăk Ruồng Mới",
        "Xã Đăk Tơ Lung Mới",
        "Xã Đăk Tờ Re",
    ]
    assert all(u.parent_id == world["province"].pk for u in in_2026)
    # A commune moved up keeps its official code on the successor; the closed one gave it up.
    rve = OrgUnit.objects.get(code="23290")
    assert (
        rve.valid_from == date(2025, 7, 1)
        and UnitLink.objects.filter(successor=rve, kind="transfer").exists()
    )
    # Accounts follow their unit to a successor of the same kind; the district's coordinator does
    # not become the department's: it stays on the closed district, read-only.
    accounts = world["accounts"]
    accounts["xa.tanlap"].refresh_from_db()
    accounts["dieuphoi"].refresh_from_db()
    assert accounts["xa.tanlap"].org_unit == merged
    assert accounts["dieuphoi"].org_unit == world["district"]
    assert accounts["dieuphoi"].chitieu_role is Role.VIEWER
    # The plan in force: Tân Lập stays a lead unit where it was one (for 2021–2025) and gains its successor.
    for assignment in Assignment.objects.filter(lead_units=tan_lap):
        assert merged in assignment.lead_units.all()
    # Audited (Đăk Tơ Lung, renamed and moved up, is one transfer): each closed and opened unit,
    # each moved account and assignment, with the file named.
    entries = AuditEntry.objects.filter(pk__gt=audit_before_pk)
    assert {
        "unit_merger",
        "unit_transfer",
        "unit_create",
        "user_unit",
        "assignment_update",
    } <= set(entries.values_list("action", flat=True))
    assert entries.filter(
        action="unit_merger", subject_id=tan_lap.pk, reason__contains="qd-1234.csv"
    ).exists()


@pytest.mark.parametrize(
    ("body", "where", "code"),
    [
        ("sáp nhập,23800,Xã A,23293;99999,62,01/07/2025\n", "line 2", "unknown_code"),
        (
            "sáp nhập,23800,Xã A,23293;23296,62,01/07/2025\nsáp nhập,23801,Xã B,23296;23299,62,01/07/2025\n",
            "line 3",
            "changed_twice",
        ),
        (
            "sáp nhập,23800,Xã A,23293;23296,62,01/07/2025\nsáp nhập,23801,Xã B,23800;23299,62,01/07/2024\n",
            "line 3",
            "dates_out_of_order",
        ),
        (
            "điều chuyển,,,23293,23800,01/07/2025\nsáp nhập,23800,Xã B,23296;23299,23293,01/07/2025\n",
            "line 3",
            "cycle",
        ),
    ],
)
def test_a_bad_file_is_refused_with_the_line_named_and_nothing_changed(world, body, where, code):
    before = _state()
    with pytest.raises(ReorganisationRefused) as refused:
        reorganisation_apply(actor=world["admin"], data=(HEADER + body).encode(), source_name="x.csv")
    assert (where, code) in [(i.where, i.code) for i in refused.value.issues]
    assert _state() == before


def test_the_same_decision_twice_is_refused_the_second_time(world):
    reorganisation_apply(actor=world["admin"], data=DECISION.encode(), source_name="qd.csv")
    before = _state()
    with pytest.raises(ReorganisationRefused) as refused:
        reorganisation_apply(actor=world["admin"], data=DECISION.encode(), source_name="qd.csv")
    assert refused.value.issues[0].code in ("dates_out_of_order", "code_taken")
    assert _state() == before


def test_a_district_coordinator_cannot_move_communes_under_the_province(world):
    before = _state()
    with pytest.raises(ReorganisationRefused) as refused:
        reorganisation_apply(
            actor=world["accounts"]["dieuphoi"], data=DECISION.encode(), source_name="qd.csv"
        )
    # The province (above their area) and its department (outside it) are not theirs to change.
    issues = refused.value.issues
    assert {i.code for i in issues} <= {"outside_area", "unknown_code"} and issues
    assert "line 4" in {i.where for i in issues}
    assert _state() == before


def test_a_coordinator_of_another_area_sees_unknown_codes_not_names(world, make_user):
    other = OrgUnit.objects.create(
        name="Huyện Đăk Hà", name_key="huyen dak ha", kind="district", parent=world["province"]
    )
    stranger = make_user("dieuphoi.dakha", Role.COORDINATOR, other)
    preview = reorganisation_preview(stranger, DECISION.encode())
    assert preview.refused
    assert {i.code for i in preview.issues} == {"unknown_code"}
    assert not any("Tân Lập" in i.message for i in preview.issues)


def test_the_page_previews_then_applies_in_vietnamese(client, world):
    client.force_login(world["admin"])
    page = client.post(
        "/reorganisation/", {"file": SimpleUploadedFile("qd.csv", DECISION.encode(), "text/csv")}
    ).content.decode()
    assert "Xã Đăk Ruồng Mới" in page and "Sở Nội vụ" in page
    assert OrgUnit.objects.filter(code="23800").count() == 0  # a preview only
    data = re.search(r'name="data" value="([^"]+)"', page)[1]
    response = client.post("/reorganisation/", {"action": "apply", "data": data, "name": "qd.csv"})
    assert response.status_code == 302
    assert OrgUnit.objects.filter(code="23800").count() == 1
    bad = client.post(
        "/reorganisation/",
        {"file": SimpleUploadedFile("qd.csv", (HEADER + "đổi tên,,A,99999,,01/07/2025\n").encode())},
    ).content.decode()
    assert "dòng 2" in bad and "99999" in bad


def test_the_merged_commune_s_trend_shows_its_predecessors_figures_added_up(client, world):
    version, tan_lap = world["version"], world["tan_lap"]
    ruong = OrgUnit.objects.get(code="23293")
    # 2024 figures of 3.2a, approved: Tân Lập 1/7 (14,3 %), Đăk Ruồng 8/13 (61,5 %).
    for unit, numerator, denominator in ((tan_lap, 1, 7), (ruong, 8, 13)):
        submission = Submission.objects.create(
            plan=version.plan,
            org_unit=unit,
            period_key="2024",
            period_start=date(2024, 1, 1),
            period_end=date(2024, 12, 31),
            state="approved",
        )
        Observation.objects.create(
            submission=submission, indicator_code="3.2a", numerator=numerator, denominator=denominator
        )
    reorganisation_apply(actor=world["admin"], data=DECISION.encode(), source_name="qd.csv")
    merged = OrgUnit.objects.get(code="23800")
    client.force_login(world["admin"])
    page = client.get(f"/reorganisation/trend/{merged.pk}/?plan={version.plan.pk}&indicator=3.2a")
    body = page.content.decode()
    assert page.status_code == 200
    row = re.search(r"<td>2024</td>(.*?)</tr>", body, re.S)[1]
    # (1 + 8) / (7 + 13) = 9/20 = 45 % (the average of 14,3 % and 61,5 % would be 37,9 %).
    assert "45,0" in row and "Xã Đăk Ruồng" in row and "Xã Tân Lập" in row
    assert "qua sắp xếp đơn vị hành chính" in row
    assert "<td>2026</td><td>—</td>" in body  # nothing reported yet by the new commune


def test_the_former_district_staff_read_the_old_plan_as_it_was_and_change_nothing(client, world):
    """After the district is closed its coordinator and office staff keep reading 2021–2025, read-only."""
    version, tan_lap = world["version"], world["tan_lap"]
    submission = Submission.objects.get(org_unit=tan_lap, period_key="2024-Q2")
    data.submission_submit(
        actor=world["accounts"]["xa.tanlap"], submission=submission, revision=submission.revision
    )
    coordinator, office = world["accounts"]["dieuphoi"], world["accounts"]["phong.yte"]
    client.force_login(coordinator)
    plan = version.plan.pk
    before = client.get(f"/dashboards/plans/{plan}/?period=2024&as_of=2025-01-22").content.decode()
    assert client.get(f"/entry/{tan_lap.pk}/2024-Q2/").status_code == 200  # may decide before the date
    reorganisation_apply(actor=world["admin"], data=DECISION.encode(), source_name="qd.csv")
    coordinator.refresh_from_db()
    office.refresh_from_db()
    assert coordinator.org_unit.valid_to == date(2025, 6, 30)  # stayed on the closed district
    assert coordinator.chitieu_role is Role.VIEWER
    assert office.org_unit == world["department"]  # an office's staff go to the department
    for account in (coordinator, office):
        client.force_login(account)
        assert client.get(f"/dashboards/plans/{plan}/?period=2024&as_of=2025-01-22").status_code == 200
        assert client.get(f"/plans/v/{version.pk}/").status_code == 200
        assert client.get(f"/reports/{plan}/2024/xlsx").status_code == 200
    client.force_login(coordinator)
    after = client.get(f"/dashboards/plans/{plan}/?period=2024&as_of=2025-01-22").content.decode()
    # The 2024 verdicts read as they did: the same status words in the same order.
    words = re.compile(r"Vượt|Đạt|Không đạt|Chưa có số liệu")
    assert words.findall(after) == words.findall(before) and words.findall(before)
    # Nothing can be changed any more: no decision on figures, no plan edit, no reorganisation.
    decide = client.post(f"/entry/{tan_lap.pk}/2024-Q2/decide/", {"action": "approve"})
    assert decide.status_code == 403
    assignment = version.indicators.get(code="1.1").assignment
    assert client.post(f"/plans/assignment/{assignment.pk}/", {}).status_code == 403
    assert client.get("/reorganisation/").status_code == 403
    submission.refresh_from_db()
    assert submission.state == "submitted"


def _trend_figure(page: str) -> dict:
    return json.loads(
        re.search(r'<script id="trend-figure" type="application/json">(.*?)</script>', page, re.S)[1]
    )


def test_dashboards_say_where_a_series_crosses_the_reorganisation(client, world):
    plan = world["version"].plan
    client.force_login(world["admin"])
    indicator = f"/dashboards/plans/{plan.pk}/indicators/3.2a/?period=2024&as_of=2026-03-01"
    phase = f"/dashboards/plans/{plan.pk}/?period=2021-2025&as_of=2026-03-01"
    before = client.get(indicator).content.decode()
    assert "reorganisation-note" not in before and "shapes" not in _trend_figure(before)["layout"]
    reorganisation_apply(actor=world["admin"], data=DECISION.encode(), source_name="qd.csv")
    page = client.get(indicator).content.decode()
    assert "đi qua đợt sắp xếp đơn vị hành chính ngày 01/07/2025" in page
    layout = _trend_figure(page)["layout"]
    assert [s["x0"] for s in layout["shapes"]] == ["2025"]
    assert layout["annotations"][0]["text"] == "Sắp xếp đơn vị 01/07/2025"
    assert "đi qua đợt sắp xếp" in client.get(phase).content.decode()
    # A year wholly before the date does not cross it.
    year = client.get(f"/dashboards/plans/{plan.pk}/?period=2024&as_of=2026-03-01").content.decode()
    assert "reorganisation-note" not in year


def test_the_phase_report_downloads_with_the_structure_changes_and_the_engine_s_figures(client, world):
    version, tan_lap = world["version"], world["tan_lap"]
    submission = Submission.objects.get(org_unit=tan_lap, period_key="2024-Q2")
    Submission.objects.filter(pk=submission.pk).update(state="approved")
    rollup_rebuild(plan=version.plan)  # approved behind the services' back: the summary is built again
    reorganisation_apply(actor=world["admin"], data=DECISION.encode(), source_name="qd.csv")
    client.force_login(world["accounts"]["dieuphoi"])  # the former district's coordinator, read-only
    dashboard = client.get(f"/dashboards/plans/{version.plan.pk}/?period=2021-2025&as_of=2026-03-01")
    assert f"/reports/phase/{version.plan.pk}/docx" in dashboard.content.decode()
    response = client.get(f"/reports/phase/{version.plan.pk}/xlsx?as_of=2026-03-01")
    assert response.status_code == 200 and "tong-ket" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["Theo năm"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "3.2a")
    core, observations = plan_data(version.plan)
    expected = evaluate_plan(core, observations, "2024", as_of=date(2026, 3, 1)).result("3.2a").actual
    assert expected is not None and row[6] == pytest.approx(float(expected))
    docx = client.get(f"/reports/phase/{version.plan.pk}/docx?as_of=2026-03-01")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "Ngày 01/07/2025: sáp nhập Xã Tân Lập, Xã Đăk Ruồng thành Xã Đăk Ruồng Mới." in text or (
        "Ngày 01/07/2025: sáp nhập Xã Đăk Ruồng, Xã Tân Lập thành Xã Đăk Ruồng Mới." in text
    )
    assert "Ngày 01/07/2025: giải thể Kon Rẫy" in text


def test_the_closure_follows_the_reorganisation_without_a_read(world):
    """Communes moved under the province and the merged commune opened: the closure of the tree
    equals one computed afresh right after the apply (no read repairs it)."""
    reorganisation_apply(actor=world["admin"], data=DECISION.encode(), source_name="qd.csv")
    moved = OrgUnit.objects.get(name="Xã Đăk Kôi", valid_to__isnull=True)
    assert moved.parent == world["province"]
    assert stored_closure() == fresh_closure()
