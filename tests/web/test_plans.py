"""Plans: upload → draft → review with flags → corrections → confirm; amendments keep the old version."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from chitieu.approval import Role
from web.core.models import AuditEntry
from web.orgs.models import OrgUnit
from web.plans.models import Indicator, PlanVersion, Reporters, Target, VersionStatus
from web.plans.services import plan_import, plan_version_confirm, target_update

from .annex import annex_bytes, annex_docx, annex_xlsx


@pytest.fixture
def coordinator(district, make_user):
    return make_user("dieuphoi", Role.COORDINATOR, district)


def _upload(client, data: bytes, name: str, area, **extra):
    return client.post("/plans/upload/", {"file": SimpleUploadedFile(name, data), "area": area.pk, **extra})


def _reader_landed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(f"chitieu.importer.{module}") is not None


OFFICE = [
    pytest.param(
        "phu-luc.docx",
        annex_docx,
        marks=pytest.mark.skipif(
            not _reader_landed("docx_reader"), reason="the .docx reader (issue 2) has not landed yet"
        ),
    ),
    pytest.param(
        "phu-luc.xlsx",
        annex_xlsx,
        marks=pytest.mark.skipif(
            not _reader_landed("xlsx_reader"), reason="the .xlsx reader (issue 2) has not landed yet"
        ),
    ),
]


@pytest.mark.parametrize(("name", "build"), [("phu-luc.txt", annex_bytes), *OFFICE])
def test_upload_shows_the_review_screen_with_the_sex_ratio_flag(client, district, coordinator, name, build):
    client.force_login(coordinator)
    response = _upload(client, build(), name, district)
    assert response.status_code == 302
    version = PlanVersion.objects.get()
    assert version.status == VersionStatus.DRAFT
    page = client.get(response.url).content.decode()
    assert "Tỷ số giới tính khi sinh" in page
    assert 'data-issue="sex_ratio_target"' in page
    assert "100 bé trai/100 bé gái" in page  # the source text next to the inferred value
    assert version.indicators.count() == 20


def test_source_line_is_kept_for_text_annexes(district, coordinator):
    version = plan_import(actor=coordinator, data=annex_bytes(), filename="a.txt", area=district)
    indicator = version.indicators.get(code="4.2")
    assert "31.6/100.000 trẻ" in indicator.source_text
    assert indicator.numerator_label.startswith("Số bà mẹ tử vong")


def test_default_assignments_follow_the_lead_units(district, coordinator):
    version = plan_import(actor=coordinator, data=annex_bytes(), filename="a.txt", area=district)
    news = version.indicators.get(code="6.3").assignment
    assert news.reporters == Reporters.COMMUNES and news.frequency == "quarter"
    assert [u.name for u in news.lead_units.all()] == ["Trung tâm Văn hoá-Thể thao-Du lịch và Truyền thông"]
    health = version.indicators.get(code="4.2").assignment
    assert [u.name for u in health.lead_units.all()] == ["Phòng Y tế"] and health.frequency == "year"
    assert version.indicators.get(code="5.2a").assignment.by_sex


def _review_data(client, version) -> dict:
    """Everything the review form shows, posted back unchanged."""
    page = client.get(f"/plans/v/{version.pk}/")
    data = {"revision": version.revision}
    for indicator, form, targets in page.context["rows"]:
        for name in form.fields:
            value = form.initial[name]
            if isinstance(value, Decimal):
                value = form[name].value()  # as the page shows it: "100", not "100.0000"
            if value is True:
                data[f"i{indicator.pk}-{name}"] = "on"
            elif value is not False:
                data[f"i{indicator.pk}-{name}"] = "" if value is None else value
        for target, tform in targets:
            data[f"t{target.pk}-comparator"] = target.comparator
            data[f"t{target.pk}-value"] = tform["value"].value()
    return data


def test_review_corrections_are_saved_audited_and_then_confirmed(client, district, coordinator):
    client.force_login(coordinator)
    version = plan_import(actor=coordinator, data=annex_bytes(), filename="a.txt", area=district)
    data = {**_review_data(client, version), "confirm": "1"}
    ratio = version.indicators.get(code="4.1")
    data[f"i{ratio.pk}-direction"] = "maintain"
    year_target = ratio.targets.get(period_key="2024")
    data[f"t{year_target.pk}-value"] = "1.050,5"
    response = client.post(f"/plans/v/{version.pk}/", data)
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.ACTIVE
    assert Indicator.objects.get(pk=ratio.pk).direction == "maintain"
    assert Target.objects.get(pk=year_target.pk).value == Decimal("1050.5")
    assert AuditEntry.objects.filter(
        action="review_edit", field="direction", old="decrease", new="maintain"
    ).exists()


def test_unchanged_review_writes_no_audit_rows(client, district, coordinator):
    client.force_login(coordinator)
    version = plan_import(actor=coordinator, data=annex_bytes(), filename="a.txt", area=district)
    assert client.post(f"/plans/v/{version.pk}/", _review_data(client, version)).status_code == 302
    assert not AuditEntry.objects.filter(action="review_edit").exists()


def test_a_stale_review_form_is_refused_not_applied(client, district, coordinator):
    client.force_login(coordinator)
    version = plan_import(actor=coordinator, data=annex_bytes(), filename="a.txt", area=district)
    data = _review_data(client, version)
    ratio = version.indicators.get(code="4.1")
    data[f"i{ratio.pk}-direction"] = "maintain"
    data["revision"] = version.revision - 1  # opened before someone else's save
    response = client.post(f"/plans/v/{version.pk}/", data)
    assert response.status_code == 200
    assert "CHƯA được lưu" in response.content.decode()
    assert Indicator.objects.get(pk=ratio.pk).direction == "decrease"


def test_amendment_makes_a_new_version_and_keeps_the_old(district, coordinator):
    first = plan_import(actor=coordinator, data=annex_bytes(), filename="a.txt", area=district)
    plan_version_confirm(actor=coordinator, version=first)
    second = plan_import(
        actor=coordinator,
        data=annex_bytes(),
        filename="b.txt",
        area=district,
        plan=first.plan,
        amendment_note="Điều chỉnh chỉ tiêu 4.3",
    )
    second = plan_version_confirm(actor=coordinator, version=second)
    first.refresh_from_db()
    assert (first.status, second.status, second.number) == (VersionStatus.SUPERSEDED, VersionStatus.ACTIVE, 2)
    assert first.indicators.count() == second.indicators.count() == 20


def test_target_change_needs_a_reason_and_keeps_old_and_new(client, district, coordinator):
    version = plan_import(actor=coordinator, data=annex_bytes(), filename="a.txt", area=district)
    plan_version_confirm(actor=coordinator, version=version)
    target = Target.objects.get(indicator__version=version, indicator__code="4.3", period_key="2024")
    client.force_login(coordinator)
    refused = client.post(f"/plans/target/{target.pk}/", {"comparator": "<=", "value": "65", "reason": ""})
    assert refused.status_code == 200
    client.post(
        f"/plans/target/{target.pk}/", {"comparator": "<=", "value": "65", "reason": "Nghị quyết HĐND"}
    )
    target.refresh_from_db()
    assert target.value == 65
    entry = AuditEntry.objects.get(action="target_update", field="value")
    assert (entry.old, entry.new, entry.reason) == ("70.000000", "65", "Nghị quyết HĐND")
    assert "Nghị quyết HĐND" in client.get(f"/plans/target/{target.pk}/").content.decode()


def test_a_file_that_is_not_a_plan_saves_nothing_and_says_why(client, district, coordinator):
    client.force_login(coordinator)
    response = _upload(client, b"chao ban\nday khong phai phu luc\n", "ghi-chu.txt", district)
    assert response.status_code == 200
    assert PlanVersion.objects.count() == 0
    assert response.context["issues"]


def test_reporters_and_viewers_cannot_upload_or_change_targets(client, district, make_user, coordinator):
    commune = OrgUnit.objects.get(name="Xã Tân Lập")
    for user in (make_user("xa", Role.REPORTER, commune), make_user("lanhdao", Role.VIEWER, district)):
        client.force_login(user)
        assert _upload(client, annex_bytes(), "a.txt", district).status_code == 403
    version = plan_import(actor=coordinator, data=annex_bytes(), filename="a.txt", area=district)
    target = Target.objects.filter(indicator__version=version).first()
    with pytest.raises(PermissionDenied):
        target_update(
            actor=make_user("xa2", Role.REPORTER, commune),
            target=target,
            comparator=">=",
            value=Decimal(1),
            reason="x",
        )
    assert (
        client.post(
            f"/plans/target/{target.pk}/", {"comparator": ">=", "value": "1", "reason": "x"}
        ).status_code
        == 403
    )


def test_numerator_and_denominator_labels_come_from_the_indicator(district, coordinator):
    version = plan_import(actor=coordinator, data=annex_bytes(), filename="a.txt", area=district)
    labels = {i.code: (i.numerator_label, i.denominator_label) for i in version.indicators.all()}
    assert labels["4.1"] == ("Số bé trai sinh ra sống", "Số bé gái sinh ra sống")
    assert labels["3.1"][0].startswith("Số giờ nội trợ")
    assert labels["3.2b"] == (
        "Số người gây bạo lực được tư vấn, tham vấn",
        "Số người gây bạo lực được phát hiện",
    )
    assert labels["6.3"] == ("Số tin, bài đã đăng", "")


def test_amendment_keeps_who_reports_and_shows_what_changes(client, district, coordinator):
    """Issue 12 item 3: confirming an amendment must not reset 3.2a to "one office, yearly"."""
    from web.orgs.models import OrgUnit as Unit
    from web.plans.models import Assignment
    from web.plans.services import assignment_update

    first = plan_import(actor=coordinator, data=annex_bytes(), filename="a.txt", area=district)
    plan_version_confirm(actor=coordinator, version=first)
    chosen = Assignment.objects.get(indicator__version=first, indicator__code="3.2a")
    office = Unit.objects.filter(name__startswith="Phòng Tư pháp").first() or chosen.lead_units.first()
    assignment_update(
        actor=coordinator,
        assignment=chosen,
        lead_units=[office] if office else [],
        reporters=Reporters.COMMUNES,
        frequency="quarter",
        by_sex=False,
    )
    amended = annex_bytes().decode().replace("55/1.000\t70/1.000", "55/1.000\t65/1.000").encode()
    client.force_login(coordinator)
    response = _upload(
        client, amended, "dieu-chinh.txt", district, plan=first.plan.pk, amendment_note="Điều chỉnh 4.3"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = PlanVersion.objects.get(number=2)
    page = client.get(response.url).content.decode()
    # The review screen says what changes against the version in force: 4.3's 2024 target, nothing else.
    assert 'data-change="target" data-indicator="4.3"' in page
    assert "Năm 2024" in page and "70" in page and "65" in page
    assert 'data-change="assignment"' not in page
    data = {"revision": draft.revision, "confirm": "1"}
    for indicator in draft.indicators.all():
        data.update(
            {
                f"i{indicator.pk}-name": indicator.name,
                f"i{indicator.pk}-measure": indicator.measure,
                f"i{indicator.pk}-per": indicator.per or "",
                f"i{indicator.pk}-direction": indicator.direction,
                f"i{indicator.pk}-numerator_label": indicator.numerator_label,
                f"i{indicator.pk}-denominator_label": indicator.denominator_label,
                **({f"i{indicator.pk}-by_sex": "on"} if indicator.by_sex else {}),
            }
        )
        for t in indicator.targets.all():
            data.update({f"t{t.pk}-comparator": t.comparator, f"t{t.pk}-value": str(t.value)})
    assert client.post(f"/plans/v/{draft.pk}/", data).status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.ACTIVE
    kept = Assignment.objects.get(indicator__version=draft, indicator__code="3.2a")
    assert (kept.reporters, kept.frequency) == (Reporters.COMMUNES, "quarter")
    assert list(kept.lead_units.all()) == list(chosen.lead_units.all())

    def who(version):
        return {
            a.indicator.code: (a.reporters, a.frequency)
            for a in Assignment.objects.filter(indicator__version=version).select_related("indicator")
        }

    assert who(draft) == who(first)


def test_confirming_clears_review_flags_and_records_who_accepted_them(district, coordinator):
    """Issue 12 item 7: a confirmed plan carries no "needs review" flag; the audit says who accepted it."""
    version = plan_import(actor=coordinator, data=annex_bytes(), filename="a.txt", area=district)
    flagged = set(version.indicators.filter(needs_review=True).values_list("code", flat=True))
    assert "4.1" in flagged
    plan_version_confirm(actor=coordinator, version=version)
    assert not version.indicators.filter(needs_review=True).exists()
    accepted = AuditEntry.objects.filter(action="review_accept")
    assert {e.actor_id for e in accepted} == {coordinator.pk} and accepted.count() == len(flagged)


# One figure rule for every door (test_figures.py): the plan upload.
def test_plan_upload_refuses_a_target_with_more_digits_than_the_database_holds(client, district, make_user):
    coordinator = make_user("dieuphoi", Role.COORDINATOR, district)
    client.force_login(coordinator)
    data = annex_bytes().decode("utf-8").replace("26.6%", "999.999.999.999.999%", 1).encode("utf-8")
    response = client.post("/plans/upload/", {"file": SimpleUploadedFile("a.txt", data), "area": district.pk})
    assert response.status_code == 200
    assert "tối đa 14 chữ số" in response.content.decode()
    assert not PlanVersion.objects.exists()
