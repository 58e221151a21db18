"""Data entry: Vietnamese numbers, approval states, locking, audit, stale forms, evidence, permissions."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from web.core.models import AuditEntry
from web.data.models import Evidence, Observation, Submission
from web.orgs.models import OrgUnit

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
QUARTER = "2024-Q2"


@pytest.fixture
def commune(kon_ray):
    return OrgUnit.objects.get(name="Xã Đăk Tơ Lung")


def _url(unit, period=QUARTER):
    return f"/entry/{unit.pk}/{period}/"


def _form_data(client, unit, period=QUARTER, **figures):
    """The form as the page shows it, with ``figures`` typed over it: code=(numerator, denominator)."""
    page = client.get(_url(unit, period))
    assert page.status_code == 200
    form = page.context["form"]
    data = {
        name: ("" if form[name].value() is None else form[name].value())
        for name in form.fields
        if name != "evidence"
    }
    for block in page.context["blocks"]:
        code = block["duty"].indicator.code.replace(".", "_")
        if code in figures:
            row = block["rows"][0]
            numerator, denominator = figures[code]
            data[row["num"].html_name] = numerator
            if row["den"] is not None:
                data[row["den"].html_name] = denominator
    return data


def _obs(unit, code, period=QUARTER):
    return Observation.objects.get(
        submission__org_unit=unit, submission__period_key=period, indicator_code=code
    )


def test_reporter_enters_vietnamese_numbers_and_the_value_is_computed(client, kon_ray, commune):
    _, users = kon_ray
    client.force_login(users["xa.daktolung"])
    data = _form_data(client, commune, **{"3_2a": ("2", "3"), "6_3": ("04", "")})
    response = client.post(_url(commune), data)
    assert response.status_code == 302
    victims = _obs(commune, "3.2a")
    assert (victims.numerator, victims.denominator) == (Decimal(2), Decimal(3))
    assert victims.value == Decimal("66.666667")
    assert _obs(commune, "6.3").value == Decimal(4)
    page = client.get(_url(commune)).content.decode()
    assert "66,67 %" in page  # shown the Vietnamese way


def test_thousands_and_decimal_comma(client, kon_ray):
    _, users = kon_ray
    office = OrgUnit.objects.get(name="Phòng Lao động - Thương binh và Xã hội")
    client.force_login(users["phong.ldtbxh"])
    data = _form_data(client, office, "2024", **{"2_1": ("4.812,0", "10.450")})
    assert client.post(_url(office, "2024"), data).status_code == 302
    wage = _obs(office, "2.1", "2024")
    assert (wage.numerator, wage.denominator) == (Decimal(4812), Decimal(10450))


def test_unreadable_and_impossible_figures_are_refused_with_a_message(client, kon_ray, commune):
    _, users = kon_ray
    client.force_login(users["xa.daktolung"])
    for figures in ({"3_2a": ("hai", "3")}, {"3_2a": ("5", "3")}, {"3_2a": ("1", "0")}):
        response = client.post(_url(commune), _form_data(client, commune, **figures))
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not Submission.objects.filter(org_unit=commune).exists()


def test_empty_is_missing_not_zero(client, kon_ray, commune):
    _, users = kon_ray
    client.force_login(users["xa.daktolung"])
    client.post(_url(commune), _form_data(client, commune, **{"6_3": ("0", "")}))
    assert _obs(commune, "6.3").value == 0
    assert not Observation.objects.filter(indicator_code="3.2a").exists()


def test_the_full_approval_round(client, kon_ray, commune):
    _, users = kon_ray
    reporter, coordinator = users["xa.daktolung"], users["dieuphoi"]
    client.force_login(reporter)
    data = _form_data(client, commune, **{"3_2a": ("2", "3")})
    assert client.post(_url(commune), {**data, "submit": "1"}).status_code == 302
    submission = Submission.objects.get(org_unit=commune, period_key=QUARTER)
    assert submission.state == "submitted"
    assert client.post(_url(commune), data).status_code == 403  # waiting for the coordinator: no edits

    client.force_login(coordinator)
    client.post(_url(commune) + "decide/", {"action": "return", "reason": " "})
    submission.refresh_from_db()
    assert submission.state == "submitted"  # a return needs a reason
    client.post(_url(commune) + "decide/", {"action": "return", "reason": "Mẫu số chưa đúng"})
    submission.refresh_from_db()
    assert (submission.state, submission.reason) == ("returned", "Mẫu số chưa đúng")

    client.force_login(reporter)
    page = client.get(_url(commune)).content.decode()
    assert "Mẫu số chưa đúng" in page
    data = _form_data(client, commune, **{"3_2a": ("2", "4")})
    assert client.post(_url(commune), {**data, "submit": "1"}).status_code == 302
    client.force_login(coordinator)
    client.post(_url(commune) + "decide/", {"action": "approve"})
    submission.refresh_from_db()
    assert submission.state == "approved"

    client.force_login(reporter)
    assert client.post(_url(commune), _form_data(client, commune, **{"3_2a": ("1", "4")})).status_code == 403
    assert _obs(commune, "3.2a").numerator == 2  # locked: unchanged
    client.force_login(coordinator)
    client.post(_url(commune) + "decide/", {"action": "unlock", "reason": "Bổ sung số liệu"})
    submission.refresh_from_db()
    assert submission.state == "draft"
    states = list(
        AuditEntry.objects.filter(subject_id=submission.pk, field="state")
        .order_by("id")
        .values_list("new", "reason")
    )
    assert states == [
        ("submitted", ""),
        ("returned", "Mẫu số chưa đúng"),
        ("submitted", ""),
        ("approved", ""),
        ("draft", "Bổ sung số liệu"),
    ]


def test_every_change_is_audited_and_shown_next_to_the_value(client, kon_ray, commune):
    _, users = kon_ray
    client.force_login(users["xa.daktolung"])
    client.post(_url(commune), _form_data(client, commune, **{"3_2a": ("2", "3")}))
    client.post(_url(commune), _form_data(client, commune, **{"3_2a": ("1", "3")}))
    entry = AuditEntry.objects.filter(field="3.2a//numerator").order_by("-id").first()
    assert (entry.old, entry.new, entry.actor.username) == ("2", "1", "xa.daktolung")
    page = client.get(_url(commune)).content.decode()
    assert "2 → 1" in page


def test_a_stale_form_is_refused_and_nothing_is_overwritten(client, kon_ray, commune):
    _, users = kon_ray
    client.force_login(users["xa.daktolung"])
    opened = _form_data(client, commune, **{"3_2a": ("1", "5")})  # opened at revision 0
    client.post(_url(commune), _form_data(client, commune, **{"3_2a": ("2", "3")}))  # someone saves first
    response = client.post(_url(commune), opened)
    assert response.status_code == 200
    assert "CHƯA được lưu" in response.content.decode()
    assert _obs(commune, "3.2a").numerator == 2
    assert response.context["form"][f"n-{_obs_indicator_pk(response)}-T"].value() == "1"  # the typing is kept


def _obs_indicator_pk(response):
    return next(
        b["duty"].indicator.pk for b in response.context["blocks"] if b["duty"].indicator.code == "3.2a"
    )


def test_evidence_is_checked_by_content_and_size(client, kon_ray, commune, settings):
    _, users = kon_ray
    client.force_login(users["xa.daktolung"])
    data = _form_data(client, commune, **{"6_3": ("3", "")})
    fake = SimpleUploadedFile("bien-ban.pdf", b"MZ\x90\x00 not a pdf")
    response = client.post(_url(commune), {**data, "evidence": [fake]})
    assert response.status_code == 200 and not Evidence.objects.exists()
    assert not Submission.objects.filter(org_unit=commune).exists()  # nothing half-saved
    real = SimpleUploadedFile("Bien ban quy 2.PDF", PDF)
    assert client.post(_url(commune), {**data, "evidence": [real]}).status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.kind, evidence.original_name) == ("pdf", "Bien ban quy 2.PDF")
    assert client.get(f"/entry/evidence/{evidence.pk}/").status_code == 200
    settings.CHITIEU_EVIDENCE_MAX_BYTES = 10
    data = _form_data(client, commune)
    big = SimpleUploadedFile("to.pdf", PDF)
    assert client.post(_url(commune), {**data, "evidence": [big]}).status_code == 200
    assert Evidence.objects.count() == 1


def test_reporters_get_403_on_other_units_forms(client, kon_ray, commune):
    _, users = kon_ray
    health = OrgUnit.objects.get(name="Phòng Y tế")
    labour = OrgUnit.objects.get(name="Phòng Lao động - Thương binh và Xã hội")
    client.force_login(users["phong.yte"])
    assert client.get(_url(health, "2024")).status_code == 200
    assert client.get(_url(labour, "2024")).status_code == 403
    assert client.post(_url(labour, "2024"), {"revision": 0}).status_code == 403
    assert client.get(_url(commune)).status_code == 403
    other_commune = OrgUnit.objects.get(name="Xã Tân Lập")
    client.force_login(users["xa.daktolung"])
    assert client.get(_url(other_commune)).status_code == 403


def test_viewer_sees_but_cannot_edit(client, kon_ray, commune):
    _, users = kon_ray
    client.force_login(users["lanhdao"])
    page = client.get(_url(commune))
    assert page.status_code == 200
    assert "disabled" in page.content.decode() and 'name="submit"' not in page.content.decode()
    assert not page.context["editable"]
    assert client.post(_url(commune), {"revision": 0}).status_code == 403
    assert client.post(_url(commune) + "decide/", {"action": "approve"}).status_code in (403, 404)


def test_a_period_the_unit_does_not_report_is_not_found(client, kon_ray, commune):
    _, users = kon_ray
    client.force_login(users["xa.daktolung"])
    assert client.get(_url(commune, "2024-03")).status_code == 404
    assert client.get(_url(commune, "quy-2")).status_code == 404


def test_preview_computes_the_value_as_you_type(client, kon_ray, commune):
    version, users = kon_ray
    client.force_login(users["xa.daktolung"])
    indicator = version.indicators.get(code="3.2a")
    response = client.post(
        f"/entry/preview/{indicator.pk}/T/",
        {f"n-{indicator.pk}-T": "1.234,5", f"d-{indicator.pk}-T": "2.469"},
    )
    assert response.content.decode() == "= 50 %"
    response = client.post(
        f"/entry/preview/{indicator.pk}/T/", {f"n-{indicator.pk}-T": "abc", f"d-{indicator.pk}-T": "3"}
    )
    assert "abc" not in response.content.decode() and "preview-problem" in response.content.decode()


def test_overview_shows_states_for_the_coordinator(client, kon_ray, commune):
    _, users = kon_ray
    client.force_login(users["xa.daktolung"])
    client.post(_url(commune), {**_form_data(client, commune, **{"6_3": ("3", "")}), "submit": "1"})
    client.force_login(users["dieuphoi"])
    page = client.get("/?year=2024").content.decode()
    assert "Xã Đăk Tơ Lung" in page and "Phòng Y tế" in page
    assert f"/entry/{commune.pk}/{QUARTER}/" in page


def test_four_eyes_the_coordinator_who_sent_figures_cannot_approve_them(client, kon_ray, commune):
    # was: a coordinator could enter, submit and approve the same figures alone
    version, users = kon_ray
    assert version.plan.four_eyes  # a district's plan: on by default
    client.force_login(users["dieuphoi"])
    data = _form_data(client, commune, **{"3_2a": ("2", "3")})
    assert client.post(_url(commune), {**data, "submit": "1"}).status_code == 302
    page = client.post(_url(commune) + "decide/", {"action": "approve"}, follow=True).content.decode()
    assert "another coordinator must approve them" in page or "người khác phê duyệt" in page
    submission = Submission.objects.get(org_unit=commune, period_key=QUARTER)
    assert submission.state == "submitted"
    client.force_login(users["quantri"])  # a second person
    client.post(_url(commune) + "decide/", {"action": "approve"})
    submission.refresh_from_db()
    assert submission.state == "approved"


def test_four_eyes_can_be_turned_off_for_a_plan_run_by_one_person(client, kon_ray, commune):
    version, users = kon_ray
    client.force_login(users["dieuphoi"])
    assert client.post(f"/plans/{version.plan_id}/four-eyes/", {}).status_code == 302
    version.plan.refresh_from_db()
    assert not version.plan.four_eyes
    assert AuditEntry.objects.filter(action="plan_four_eyes", new="False").exists()
    data = _form_data(client, commune, **{"3_2a": ("2", "3")})
    assert client.post(_url(commune), {**data, "submit": "1"}).status_code == 302
    client.post(_url(commune) + "decide/", {"action": "approve"})
    assert Submission.objects.get(org_unit=commune, period_key=QUARTER).state == "approved"
