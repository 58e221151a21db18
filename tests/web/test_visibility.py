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
