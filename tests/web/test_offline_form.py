"""Issue 17: the Excel form for offline work — downloaded, filled (openpyxl, LibreOffice), uploaded back
through the entry form's rule and services; refused cells named, nothing half-saved."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chitieu.offline_form import SHEET_DATA, SHEET_ID
from web.core.models import AuditEntry
from web.data.models import Observation, Submission
from web.orgs.models import OrgUnit

COMMUNE = "Xã Đăk Tơ Lung"
FILL_WITH_LIBREOFFICE = Path(__file__).with_name("libreoffice_fill.py")


@pytest.fixture
def commune(kon_ray):
    return OrgUnit.objects.get(name=COMMUNE)


def _download(client, unit, year=2024) -> bytes:
    response = client.get(f"/entry/form/{unit.pk}/{year}.xlsx")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    return b"".join(response.streaming_content) if response.streaming else response.content


def _rows(book) -> dict[tuple[str, str, str], int]:
    """(unit name, period as shown, code + sex) → the row of the figures sheet."""
    sheet = book[SHEET_DATA]
    found = {}
    for n in range(4, sheet.max_row + 1):
        unit, period, code, _name, sex = (sheet.cell(row=n, column=c).value for c in range(1, 6))
        found[(unit, period, f"{code}{'/' + sex if sex else ''}")] = n
    return found


def _fill(data: bytes, cells: dict[str, object]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    for ref, value in cells.items():
        book[SHEET_DATA][ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, unit, data: bytes, *, submit: bool = False, name: str = "bieu-mau.xlsx"):
    body = {"file": SimpleUploadedFile(name, data), ("submit" if submit else "save"): "1"}
    return client.post(f"/entry/form/{unit.pk}/?year=2024", body)


def _figures(unit, period):
    return {
        (o.indicator_code, o.sex): (o.numerator, o.denominator, o.value, o.note)
        for o in Observation.objects.filter(submission__org_unit=unit, submission__period_key=period)
    }


def test_a_form_filled_with_openpyxl_stores_what_the_entry_form_stores(client, kon_ray, commune):
    _, users = kon_ray
    client.force_login(users["xa.daktolung"])
    data = _download(client, commune)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "Hướng dẫn" and book[SHEET_ID].sheet_state == "veryHidden"
    figures = book[SHEET_DATA]
    assert figures.protection.sheet and book.security.lockStructure
    rows = _rows(book)
    q1 = rows[(COMMUNE, "Quý 1/2024", "3.2a")]
    assert figures[f"F{q1}"].protection.locked is False and figures[f"C{q1}"].protection.locked is True
    assert any(
        f"F{q1}" in str(v.sqref) for v in figures.data_validations.dataValidation if v.type == "decimal"
    )
    assert f"ct_u{commune.pk}_p2024Q1_i3.2a_T_n" in book.defined_names
    count = rows[(COMMUNE, "Quý 1/2024", "6.3")]
    filled = _fill(data, {f"F{q1}": 2, f"G{q1}": 3, f"H{q1}": "đã rà soát", f"F{count}": 4})
    response = _upload(client, commune, filled, submit=True)
    assert response.status_code == 302, response.content.decode()[:3000]

    # The same figures typed into the entry page for the second quarter, saved and sent the same way.
    page = client.get(f"/entry/{commune.pk}/2024-Q2/")
    form = page.context["form"]
    post = {n: "" if form[n].value() is None else form[n].value() for n in form.fields if n != "evidence"}
    for block in page.context["blocks"]:
        row = block["rows"][0]
        if block["duty"].indicator.code == "3.2a":
            post[row["num"].html_name], post[row["den"].html_name] = "2", "3"
            post[row["note"].html_name] = "đã rà soát"
        if block["duty"].indicator.code == "6.3":
            post[row["num"].html_name] = "4"
    assert client.post(f"/entry/{commune.pk}/2024-Q2/", {**post, "submit": "1"}).status_code == 302

    assert _figures(commune, "2024-Q1") == _figures(commune, "2024-Q2")
    assert _figures(commune, "2024-Q1")[("3.2a", "")] == (
        Decimal(2),
        Decimal(3),
        Decimal("66.666667"),
        "đã rà soát",
    )
    by_form = Submission.objects.get(org_unit=commune, period_key="2024-Q1")
    by_page = Submission.objects.get(org_unit=commune, period_key="2024-Q2")
    assert by_form.state == by_page.state == "submitted"
    assert by_form.revision == by_page.revision

    def trail(submission):
        return sorted(
            (e.action, e.field.split("/", 1)[-1], e.new)
            for e in AuditEntry.objects.filter(
                subject_id=submission.pk, action__in=("figure_change", "submit")
            )
        )

    assert trail(by_form) == trail(by_page)


def test_a_form_filled_in_libreoffice_is_taken(client, kon_ray, commune, tmp_path):
    """LibreOffice itself types the figures (UNO) and writes the .xlsx: its own file, not ours."""
    if shutil.which("soffice") is None or not Path("/usr/bin/python3").exists():
        pytest.fail("LibreOffice and python3-uno are installed by make system-deps")
    _, users = kon_ray
    client.force_login(users["xa.daktolung"])
    data = _download(client, commune)
    rows = _rows(openpyxl.load_workbook(io.BytesIO(data)))
    q3 = rows[(COMMUNE, "Quý 3/2024", "3.2a")]
    count = rows[(COMMUNE, "Quý 3/2024", "6.3")]
    (tmp_path / "form.xlsx").write_bytes(data)
    subprocess.run(
        [
            "/usr/bin/python3",
            str(FILL_WITH_LIBREOFFICE),
            str(tmp_path / "form.xlsx"),
            str(tmp_path / "filled.xlsx"),
            str(tmp_path / "profile"),
            f"{SHEET_DATA}!F{q3}=1",
            f"{SHEET_DATA}!G{q3}=4",
            f"{SHEET_DATA}!F{count}=5",
            f"{SHEET_DATA}!H{count}=nhập bằng LibreOffice",
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    filled = (tmp_path / "filled.xlsx").read_bytes()
    assert b"LibreOffice" in filled or b"LibreOffice" in _app_of(filled)  # LibreOffice wrote it
    assert _upload(client, commune, filled).status_code == 302
    stored = _figures(commune, "2024-Q3")
    assert stored[("3.2a", "")][:3] == (Decimal(1), Decimal(4), Decimal(25))
    assert stored[("6.3", "")] == (None, None, Decimal(5), "nhập bằng LibreOffice")
    assert Submission.objects.get(org_unit=commune, period_key="2024-Q3").state == "draft"


def _app_of(data: bytes) -> bytes:
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data)).read("docProps/app.xml")


def test_a_bad_cell_is_named_and_nothing_is_stored(client, kon_ray, commune):
    _, users = kon_ray
    client.force_login(users["xa.daktolung"])
    data = _download(client, commune)
    rows = _rows(openpyxl.load_workbook(io.BytesIO(data)))
    good = rows[(COMMUNE, "Quý 1/2024", "3.2a")]
    above = rows[(COMMUNE, "Quý 2/2024", "3.2a")]
    text = rows[(COMMUNE, "Quý 3/2024", "6.3")]
    filled = _fill(data, {f"F{good}": 1, f"G{good}": 2, f"F{above}": 5, f"G{above}": 3, f"F{text}": "hai"})
    response = _upload(client, commune, filled)
    assert response.status_code == 200
    problems = response.context["problems"]
    page = response.content.decode()
    assert f"Số liệu!F{above}: Tử số lớn hơn mẫu số." in problems, problems
    assert any(p.startswith(f"Số liệu!F{text}: “hai”") for p in problems), problems
    assert len(problems) == 2 and "không lưu gì" in page.lower()
    assert not Observation.objects.filter(
        submission__org_unit=commune, submission__period_key__startswith="2024"
    ).exists()


def test_a_form_of_an_older_plan_version_or_another_unit_is_refused(client, kon_ray, commune):
    from web.plans.services import plan_import, plan_version_confirm

    version, users = kon_ray
    other = OrgUnit.objects.get(name="Xã Tân Lập")
    client.force_login(users["dieuphoi"])  # the coordinator may enter for both communes
    data = _download(client, commune)
    rows = _rows(openpyxl.load_workbook(io.BytesIO(data)))
    filled = _fill(data, {f"F{rows[(COMMUNE, 'Quý 1/2024', '6.3')]}": 3})

    response = _upload(client, other, filled)
    assert response.status_code == 200
    assert response.context["problems"] == [
        f"Biểu mẫu này lập cho {COMMUNE}, không phải cho Xã Tân Lập. Không lưu gì: hãy nộp trên trang của"
        f" {COMMUNE}, hoặc tải biểu mẫu của Xã Tân Lập."
    ]
    assert not Observation.objects.filter(submission__plan=version.plan).exists()

    amended = plan_import(
        actor=users["dieuphoi"],
        data=version.source_bytes,
        filename=version.source_name,
        area=version.plan.area,
        plan=version.plan,
        amendment_note="Điều chỉnh",
    )
    plan_version_confirm(actor=users["dieuphoi"], version=amended)
    response = _upload(client, commune, filled)
    assert response.status_code == 200
    (problem,) = response.context["problems"]
    assert f"phiên bản {version.number}" in problem and f"phiên bản {amended.number}" in problem, problem
    assert not Observation.objects.filter(submission__plan=version.plan).exists()


def test_a_report_changed_after_the_form_was_made_is_not_overwritten(client, kon_ray, commune):
    _, users = kon_ray
    client.force_login(users["xa.daktolung"])
    data = _download(client, commune)
    rows = _rows(openpyxl.load_workbook(io.BytesIO(data)))
    count = rows[(COMMUNE, "Quý 1/2024", "6.3")]
    assert _upload(client, commune, _fill(data, {f"F{count}": 3})).status_code == 302
    response = _upload(client, commune, _fill(data, {f"F{count}": 9}))  # the same old form, again
    assert response.status_code == 200
    (problem,) = response.context["problems"]
    assert problem.startswith(f"Số liệu!F{count}: ") and "tải biểu mẫu mới" in problem, problem
    assert _figures(commune, "2024-Q1")[("6.3", "")][2] == Decimal(3)


def test_who_may_not_enter_for_the_unit_gets_no_form(client, kon_ray, commune):
    _, users = kon_ray
    for name in ("lanhdao", "xa.tanlap"):  # the viewer, the reporter of another commune
        client.force_login(users[name])
        assert client.get(f"/entry/form/{commune.pk}/2024.xlsx").status_code == 403
        assert client.get(f"/entry/form/{commune.pk}/").status_code == 403
        assert _upload(client, commune, b"PK\x03\x04").status_code == 403
    client.force_login(users["xa.daktolung"])
    assert "offline-form-link" in client.get("/").content.decode()
    assert _upload(client, commune, b"not a workbook", name="x.xlsx").context["problems"] == [
        "Hãy chọn tệp Excel (.xlsx) đã tải từ trang này, sau khi điền xong."
    ]


def test_a_coordinator_fills_the_form_of_the_whole_area(client, kon_ray):
    """The district coordinator's form holds every unit that reports (communes and offices), and one
    upload stores figures for several of them; "save and submit" sends what it changed, never a
    commune's unfinished draft it left as it was."""
    from chitieu.offline_form import read_form

    version, users = kon_ray
    coordinator = users["dieuphoi"]
    district = coordinator.org_unit
    office = OrgUnit.objects.get(name="Phòng Lao động - Thương binh và Xã hội")
    # A commune's unfinished draft, typed on its entry page before the coordinator's form was made.
    from web.data.services import FigureInput, submission_save

    tan_lap = OrgUnit.objects.get(name="Xã Tân Lập")
    six_three = version.indicators.get(code="6.3")
    draft = submission_save(
        actor=users["xa.tanlap"],
        plan=version.plan,
        unit=tan_lap,
        period_key="2024-Q4",
        revision=0,
        figures={(six_three, ""): FigureInput(value=Decimal(1))},
    )
    client.force_login(coordinator)
    assert "offline-form-link" in client.get("/").content.decode()
    data = _download(client, district)
    form = read_form(data)
    units = set(form.identity.unit_ids)
    assert OrgUnit.objects.get(name=COMMUNE).pk in units and office.pk in units and district.pk not in units
    rows = _rows(openpyxl.load_workbook(io.BytesIO(data)))
    commune_row = rows[(COMMUNE, "Quý 4/2024", "6.3")]
    office_row = rows[(office.name, "Năm 2024", "2.1")]
    filled = _fill(data, {f"F{commune_row}": 3, f"F{office_row}": 4812, f"G{office_row}": 10450})
    response = _upload(client, district, filled, submit=True)
    assert response.status_code == 302
    assert _figures(office, "2024")[("2.1", "")][:2] == (Decimal(4812), Decimal(10450))
    assert _figures(OrgUnit.objects.get(name=COMMUNE), "2024-Q4")[("6.3", "")][2] == Decimal(3)
    sent = Submission.objects.filter(plan=form.identity.plan_id, state="submitted", period_start__year=2024)
    assert Submission.objects.get(pk=draft.pk).state == "draft"
    assert {(s.org_unit_id, s.period_key) for s in sent} == {
        (office.pk, "2024"),
        (OrgUnit.objects.get(name=COMMUNE).pk, "2024-Q4"),
    }
