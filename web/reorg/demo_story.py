"""The demo's July 2025 story, after the Kon Rẫy years: the reorganisation and the 2026–2030 plan.

Run by the demo loader after the 2021–2024 figures. Everything goes through the
services the pages use: the reorganisation file through the same check and apply
as an upload, the annex through the plan importer. The carried-over assignments
are left for the successor's coordinator to review (nothing is applied blindly).
Every step looks for what exists first, so a second run changes nothing.
"""

from __future__ import annotations

from chitieu import demo_reform as story
from chitieu import konray
from chitieu.approval import Role
from web.accounts.models import User
from web.accounts.services import user_ensure
from web.orgs.models import OrgUnit, UnitKind
from web.orgs.reorganise import unit_code_set
from web.orgs.services import unit_create
from web.plans.models import Plan, PlanVersion
from web.plans.selectors import plan_version_active
from web.plans.services import plan_import, plan_version_confirm
from web.reorg import services


def _codes(*, admin: User, district: OrgUnit) -> None:
    """The codes the decision's list names the old units by (illustrative, see chitieu.demo_reform)."""
    reason = "Mã minh hoạ của bản demo"
    if district.parent is not None and not district.parent.code:
        unit_code_set(
            actor=admin, unit=district.parent, code=story.OLD_PROVINCE_CODES[konray.PROVINCE], reason=reason
        )
    unit_code_set(actor=admin, unit=district, code=story.DISTRICT_CODE, reason=reason)
    for commune in OrgUnit.objects.filter(parent=district, kind=UnitKind.COMMUNE):
        unit_code_set(actor=admin, unit=commune, code=story.COMMUNE_CODES[commune.name], reason=reason)
    name, code = story.OLD_QUANG_NGAI
    if not OrgUnit.objects.filter(code=code).exists():
        unit = unit_create(actor=admin, name=name, kind=UnitKind.PROVINCE, parent=None)
        unit_code_set(actor=admin, unit=unit, code=code, reason=reason)


def reorganise(*, admin: User, district: OrgUnit) -> bool:
    """Apply the July 2025 file once (the district still open means it was not applied)."""
    district.refresh_from_db()
    if district.valid_to is not None:
        return False
    _codes(admin=admin, district=district)
    services.reorganisation_apply(
        actor=admin, data=story.REORGANISATION_FILE.read_bytes(), source_name=story.REORGANISATION_FILE.name
    )
    return True


def successor_province() -> OrgUnit:
    return OrgUnit.objects.get(code=story.NEW_PROVINCE[1])


def _offices(*, admin: User, province: OrgUnit) -> None:
    for name in story.PROVINCE_OFFICES:
        if not OrgUnit.objects.filter(parent=province, name=name).exists():
            unit_create(
                actor=admin, name=name, kind=UnitKind.OFFICE, parent=province, valid_from=story.EFFECTIVE
            )


def plan_2026(*, coordinator: User, province: OrgUnit) -> PlanVersion:
    """The 2026–2030 plan read from the annex and confirmed; its communes report to the province."""
    plan = Plan.objects.filter(area=province).first()
    existing = plan_version_active(plan) if plan is not None else None
    if existing is not None:
        return existing
    version = plan_import(
        actor=coordinator,
        data=story.PLAN_2026_ANNEX.read_bytes(),
        filename=story.PLAN_2026_ANNEX.name,
        area=province,
        plan=plan,
    )
    Plan.objects.filter(pk=version.plan_id).update(name=story.PLAN_2026_NAME)
    return plan_version_confirm(actor=coordinator, version=version)


def load_story(*, admin: User, district: OrgUnit, password: str, email_domain: str) -> dict:
    """The reorganisation, the successor's coordinator and the 2026–2030 plan."""
    applied = reorganise(admin=admin, district=district)
    province = successor_province()
    _offices(admin=admin, province=province)
    username, full_name = story.COORDINATOR
    coordinator, _created = user_ensure(
        username=username, password=password, role=Role.COORDINATOR, org_unit=province, full_name=full_name
    )
    if not coordinator.email:
        User.objects.filter(pk=coordinator.pk).update(email=f"{username.replace('.', '-')}@{email_domain}")
    version = plan_2026(coordinator=coordinator, province=province)
    return {"reorganised": applied, "province": province, "coordinator": coordinator, "plan_2026": version}
