"""Who may see a plan is decided in one place: the plan list and the plan pages agree."""

from chitieu.approval import Role
from web.dashboards.selectors import plan_visible
from web.orgs.access import area_unit_ids, can_see_unit, require_see_plan
from web.orgs.models import OrgUnit, UnitKind
from web.plans.models import Plan
from web.plans.selectors import plan_list_for_user, visible_to


def test_a_commune_two_levels_below_the_plans_area_sees_it_in_the_list_and_on_its_pages(district, make_user):
    # The plan belongs to the province; the reporter's commune is under a district of it.
    province = OrgUnit.objects.create(name="Tỉnh Kon Tum (thử)", kind=UnitKind.PROVINCE)
    district.parent = province
    district.save(update_fields=["parent"])
    commune = OrgUnit.objects.filter(parent=district, kind=UnitKind.COMMUNE).first()
    reporter = make_user("xa-thu", Role.REPORTER, commune)
    plan = Plan.objects.create(name="Kế hoạch của tỉnh", area=province)

    require_see_plan(reporter, plan)  # the pages let the reporter read it
    assert plan_visible(reporter, plan)
    assert plan in plan_list_for_user(reporter)
    assert plan in visible_to(reporter)


def test_a_unit_beside_the_plans_area_sees_neither_list_entry_nor_page(district, make_user):
    other = OrgUnit.objects.create(name="Huyện Khác (thử)", kind=UnitKind.DISTRICT)
    plan = Plan.objects.create(name="Kế hoạch huyện khác", area=other)
    coordinator = make_user("dieuphoi-thu", Role.COORDINATOR, district)

    assert not plan_visible(coordinator, plan)
    assert plan not in plan_list_for_user(coordinator)


def test_a_users_units_are_one_query_and_asked_once_per_request(
    district, make_user, django_assert_num_queries
):
    # Every check of a request asks area_unit_ids (an API page asked it several times, each a walk
    # of the tree one level per query): one statement the first time, none after.
    province = OrgUnit.objects.create(name="Tỉnh Kon Tum (thử)", kind=UnitKind.PROVINCE)
    district.parent = province
    district.save(update_fields=["parent"])
    coordinator = make_user("tinh-thu", Role.COORDINATOR, province)
    communes = list(OrgUnit.objects.filter(parent=district))
    coordinator.chitieu_role  # noqa: B018 - the role reads the user's unit once, not the rule
    with django_assert_num_queries(1):
        first = area_unit_ids(coordinator)
    with django_assert_num_queries(0):
        assert area_unit_ids(coordinator) == first
        assert all(can_see_unit(coordinator, c) for c in communes)
    assert first == {province.pk, district.pk, *(u.pk for u in OrgUnit.objects.filter(parent=district))}


def test_a_unit_added_after_the_first_answer_is_seen_on_the_next(district, make_user):
    coordinator = make_user("huyen-thu", Role.COORDINATOR, district)
    before = area_unit_ids(coordinator)
    commune = OrgUnit.objects.create(name="Xã Mới (thử)", kind=UnitKind.COMMUNE, parent=district)
    assert commune.pk not in before
    assert commune.pk in area_unit_ids(coordinator)


def test_one_units_and_one_plans_check_answer_as_the_whole_set_does(district, make_user):
    """``sees_unit_id`` and ``can_see_plan`` walk up from the one unit asked about instead of reading
    every unit of the user's area (16,000 below a national coordinator, on every page view), and
    ``units_visible_to`` narrows a query in SQL: for every role, unit and scope, and every plan,
    across a reorganisation, they answer as the sets."""
    from datetime import date

    from web.orgs.access import (
        can_see_plan,
        plan_area_ids,
        scope_to_area,
        sees_unit_id,
        units_visible_to,
        visible_among,
    )
    from web.orgs.models import LinkKind, UnitLink
    from web.orgs.selectors import loaded_parents

    province = OrgUnit.objects.create(name="Tỉnh Kon Tum (thử)", kind=UnitKind.PROVINCE)
    district.parent = province
    district.save(update_fields=["parent"])
    other = OrgUnit.objects.create(name="Huyện Bên (thử)", kind=UnitKind.DISTRICT, parent=province)
    elsewhere = OrgUnit.objects.create(name="Huyện Xa (thử)", kind=UnitKind.DISTRICT)
    office = OrgUnit.objects.create(name="Phòng Nội vụ (thử)", kind=UnitKind.OFFICE, parent=district)
    communes = list(OrgUnit.objects.filter(parent=district, kind=UnitKind.COMMUNE).order_by("pk"))
    merged = OrgUnit.objects.create(name="Xã Hợp Nhất (thử)", kind=UnitKind.COMMUNE, parent=other)
    for old in communes[:2]:  # two communes of the district went into a commune of the other district
        UnitLink.objects.create(
            predecessor=old, successor=merged, kind=LinkKind.choices[0][0], on=date(2025, 7, 1)
        )
    units = [province, district, other, elsewhere, office, merged, *communes]
    plans = [
        Plan.objects.create(name=f"Kế hoạch {u.name}", area=u)
        for u in (province, district, other, elsewhere, communes[0])
    ]
    people = [
        make_user("quantri-thu", Role.ADMINISTRATOR, None),
        make_user("tinh-thu", Role.COORDINATOR, province),
        make_user("huyen-thu", Role.COORDINATOR, district),
        make_user("hopnhat-thu", Role.COORDINATOR, merged),
        make_user("lanhdao-thu", Role.VIEWER, other),
        make_user("xa-thu", Role.REPORTER, communes[0]),
        make_user("xa-hopnhat-thu", Role.REPORTER, merged),
        make_user("phong-thu", Role.COORDINATOR, office),
        make_user("khongdonvi-thu", Role.COORDINATOR, None),
    ]
    cases = [(p, None) for p in people] + [
        (people[1], district.pk),
        (people[1], elsewhere.pk),
        (people[2], communes[1].pk),
    ]
    checked = 0
    for person, scope in cases:
        ids = area_unit_ids(scope_to_area(type(person).objects.get(pk=person.pk), scope))
        narrowed = units_visible_to(
            scope_to_area(type(person).objects.get(pk=person.pk), scope),
            OrgUnit.objects.filter(pk__in=[u.pk for u in units]),
        )
        assert set(narrowed.values_list("pk", flat=True)) == {
            u.pk for u in units if ids is None or u.pk in ids
        }, (person.username, scope)
        # Those of a few units (the API's upsert), walked up from them, and from the request's set
        # when it is held: as the whole set.
        for few in ([u.pk for u in units], [communes[0].pk, merged.pk, elsewhere.pk], []):
            fresh = scope_to_area(type(person).objects.get(pk=person.pk), scope)
            expected = None if ids is None else frozenset(u for u in few if u in ids)
            assert visible_among(fresh, few) == expected, (person.username, scope, few)
            area_unit_ids(fresh)
            assert visible_among(fresh, few) == expected, (person.username, scope, few)
        for unit in units:
            fresh = scope_to_area(type(person).objects.get(pk=person.pk), scope)  # no set remembered yet
            ids = area_unit_ids(scope_to_area(type(person).objects.get(pk=person.pk), scope))
            assert sees_unit_id(fresh, unit.pk) == (ids is None or unit.pk in ids), (
                person.username,
                scope,
                unit.name,
            )
            # Walked from the parents read with the unit (a dashboard's area, session 17): the same.
            fresh = scope_to_area(type(person).objects.get(pk=person.pk), scope)
            loaded = OrgUnit.objects.select_related("parent__parent").get(pk=unit.pk)
            assert sees_unit_id(fresh, unit.pk, loaded_parents(loaded)) == (ids is None or unit.pk in ids), (
                person.username,
                scope,
                unit.name,
            )
            checked += 1
        for plan in plans:
            fresh = scope_to_area(type(person).objects.get(pk=person.pk), scope)
            areas = plan_area_ids(scope_to_area(type(person).objects.get(pk=person.pk), scope))
            assert can_see_plan(fresh, plan) == (areas is None or plan.area_id in areas), (
                person.username,
                scope,
                plan.name,
            )
            checked += 1
    assert checked == len(cases) * (len(units) + len(plans))
