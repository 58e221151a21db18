"""Who may see a plan is decided in one place: the plan list and the plan pages agree."""

from chitieu.approval import Role
from web.dashboards.selectors import plan_visible
from web.orgs.access import require_see_plan
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
