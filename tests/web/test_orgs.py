"""Units: the Kon Rẫy defaults, renames, mergers and splits keep history and data attachment."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from chitieu import konray as kon_ray
from chitieu.approval import Role
from web.orgs.models import OrgUnit, UnitKind, UnitLink
from web.orgs.selectors import communes_of, unit_find
from web.orgs.services import UnitChangeError, kon_ray_units_ensure, unit_rename, unit_split, units_merge


def test_kon_ray_defaults_are_there_once_even_when_loaded_twice(district):
    kon_ray_units_ensure()
    assert OrgUnit.objects.filter(kind=UnitKind.DISTRICT).count() == 1
    assert OrgUnit.objects.filter(kind=UnitKind.COMMUNE, parent=district).count() == 7
    assert OrgUnit.objects.filter(kind=UnitKind.OFFICE, parent=district).count() == len(kon_ray.OFFICES)


@pytest.mark.parametrize("spelling", ["Xã Đắk Tờ Re", "xã đăk tờ re", "XÃ ĐĂK TỜ RE"])
def test_units_are_found_whatever_the_spelling(district, spelling):
    assert unit_find(spelling, within=district).name == "Xã Đăk Tờ Re"


def test_office_spelled_as_in_the_annex_is_found(district):
    unit = unit_find("Trung tâm Văn hoá-Thể thao -Du lịch và Truyền thông", within=district)
    assert unit is not None and unit.kind == UnitKind.OFFICE


def test_rename_keeps_the_unit_and_its_old_name(district, make_user):
    coordinator = make_user("dieuphoi", Role.COORDINATOR, district)
    office = unit_find("Phòng Lao động - Thương binh và Xã hội", within=district)
    renamed = unit_rename(actor=coordinator, unit=office, name="Phòng Nội vụ - Lao động", on=date(2025, 3, 1))
    assert renamed.pk == office.pk
    names = list(office.names.values_list("name", "valid_to"))
    assert ("Phòng Lao động - Thương binh và Xã hội", date(2025, 2, 28)) in names
    assert unit_find("Phòng Nội vụ - Lao động", within=district).pk == office.pk


def test_merger_closes_the_old_communes_and_links_the_new_one(district, make_user):
    admin = make_user("quantri", Role.ADMINISTRATOR)
    old = list(OrgUnit.objects.filter(name__in=["Xã Đăk Kôi", "Xã Đăk Pne"]))
    merged = units_merge(actor=admin, units=old, name="Xã Đăk Kôi mới", on=date(2025, 7, 1))
    assert {link.predecessor.name for link in UnitLink.objects.filter(successor=merged)} == {
        "Xã Đăk Kôi",
        "Xã Đăk Pne",
    }
    in_2024 = {u.name for u in communes_of(district, date(2024, 1, 1), date(2024, 12, 31))}
    in_2026 = {u.name for u in communes_of(district, date(2026, 1, 1), date(2026, 12, 31))}
    assert "Xã Đăk Kôi" in in_2024 and "Xã Đăk Kôi mới" not in in_2024
    assert "Xã Đăk Kôi" not in in_2026 and "Xã Đăk Kôi mới" in in_2026
    assert len(in_2024) == 7 and len(in_2026) == 6


def test_split_creates_successors(district, make_user):
    admin = make_user("quantri", Role.ADMINISTRATOR)
    unit = OrgUnit.objects.get(name="Xã Tân Lập")
    parts = unit_split(actor=admin, unit=unit, names=["Xã Tân Lập A", "Xã Tân Lập B"], on=date(2025, 7, 1))
    unit.refresh_from_db()
    assert unit.valid_to == date(2025, 6, 30)
    assert all(p.valid_from == date(2025, 7, 1) for p in parts)


def test_reporters_and_viewers_cannot_change_units(district, make_user):
    reporter = make_user("xa", Role.REPORTER, OrgUnit.objects.get(name="Xã Tân Lập"))
    with pytest.raises(PermissionDenied):
        unit_rename(actor=reporter, unit=district, name="X", on=date(2025, 1, 1))


def test_unit_page_shows_the_tree(client, district, make_user):
    client.force_login(make_user("dieuphoi", Role.COORDINATOR, district))
    page = client.get("/units/").content.decode()
    assert "Xã Đăk Tơ Lung" in page and "Phòng Y tế" in page


def test_coordinator_renames_and_merges_on_the_page_with_day_first_dates(client, district, make_user):
    client.force_login(make_user("dieuphoi", Role.COORDINATOR, district))
    office = OrgUnit.objects.get(name="Phòng Y tế")
    response = client.post(
        f"/units/{office.pk}/change/",
        {"action": "rename", "rename-name": "Phòng Y tế huyện", "rename-on": "01/03/2025"},
    )
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.name == "Phòng Y tế huyện"
    assert office.names.get(name="Phòng Y tế").valid_to == date(2025, 2, 28)
    koi, pne = OrgUnit.objects.get(name="Xã Đăk Kôi"), OrgUnit.objects.get(name="Xã Đăk Pne")
    response = client.post(
        f"/units/{koi.pk}/change/",
        {"action": "merge", "merge-others": [pne.pk], "merge-name": "Xã Đăk Kôi", "merge-on": "01/07/2025"},
    )
    assert response.status_code == 302
    assert UnitLink.objects.filter(predecessor=pne).count() == 1
    page = client.get("/units/").content.decode()
    assert "Phòng Y tế huyện" in page and "Xã Đăk Pne" in page


def test_reporters_cannot_open_the_unit_change_page(client, district, make_user):
    commune = OrgUnit.objects.get(name="Xã Tân Lập")
    client.force_login(make_user("xa", Role.REPORTER, commune))
    assert client.get(f"/units/{commune.pk}/change/").status_code == 403
    assert (
        client.post(
            f"/units/{commune.pk}/change/",
            {"action": "rename", "rename-name": "X", "rename-on": "01/01/2025"},
        ).status_code
        == 403
    )


def test_invisible_and_direction_characters_are_stripped_from_unit_names(client, district, make_user):
    # was: a right-to-left override and zero-width spaces were stored, so "Phòng Y tế" could be
    # shown reversed or be two different-looking units that compare unequal
    client.force_login(make_user("dieuphoi", Role.COORDINATOR, district))
    office = OrgUnit.objects.get(name="Phòng Y tế")
    hostile = "\u202ePhòng\u200b Y\u00a0tế\u2066 huyện\ufeff\u200d"
    response = client.post(
        f"/units/{office.pk}/change/",
        {"action": "rename", "rename-name": hostile, "rename-on": "01/03/2025"},
    )
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.name == "Phòng Y tế huyện"
    assert office.names.get(valid_to__isnull=True).name == "Phòng Y tế huyện"
    assert unit_find("Phòng\u200b Y tế huyện") == office


def test_a_name_of_invisible_characters_only_is_refused(district, make_user):
    office = OrgUnit.objects.get(name="Phòng Y tế")
    with pytest.raises(UnitChangeError):
        unit_rename(
            actor=make_user("dieuphoi", Role.COORDINATOR, district),
            unit=office,
            name="\u200b\u202e ",
            on=date(2025, 3, 1),
        )


def test_the_units_within_an_area_are_those_below_it_asked_from_below(district):
    """``units_within`` walks up from the units asked about (the API's upsert names a few communes of
    the nation): the same answer as the units read down from the area, for every area and unit, and
    it ends on a cycle of bad data."""
    from web.orgs.selectors import unit_descendant_ids, units_within

    province = OrgUnit.objects.create(name="Tỉnh Thử", kind=UnitKind.PROVINCE)
    district.parent = province
    district.save(update_fields=["parent"])
    beside = OrgUnit.objects.create(name="Huyện Bên", kind=UnitKind.DISTRICT, parent=province)
    apart = OrgUnit.objects.create(name="Huyện Riêng", kind=UnitKind.DISTRICT)
    OrgUnit.objects.create(name="Xã Bên", kind=UnitKind.COMMUNE, parent=beside)
    units = list(OrgUnit.objects.values_list("pk", flat=True))
    for anchor in units:
        below = unit_descendant_ids(anchor)
        assert units_within(anchor, units) == {u for u in units if u in below}, anchor
        assert units_within(anchor, []) == set()
    # A cycle (bad data): both ways still end, and agree.
    loop = OrgUnit.objects.create(name="Xã Vòng", kind=UnitKind.COMMUNE, parent=apart)
    OrgUnit.objects.filter(pk=apart.pk).update(parent=loop)
    everything = [*units, loop.pk]
    for anchor in (apart.pk, loop.pk, province.pk):
        assert units_within(anchor, everything) == set(everything) & unit_descendant_ids(anchor)
