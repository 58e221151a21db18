from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from web.accounts.access import area_unit_ids
from web.plans.models import Assignment, Indicator, Plan, PlanVersion, VersionStatus


def plan_list_for_user(user) -> QuerySet[Plan]:
    ids = area_unit_ids(user)
    plans = Plan.objects.select_related("area").prefetch_related("versions")
    if ids is None:
        return plans
    # Reporters see the plans of the area their unit belongs to.
    if user.org_unit_id and user.org_unit.parent_id:
        ids = ids | {user.org_unit.parent_id}
    return plans.filter(area_id__in=ids)


def active_version(plan: Plan) -> PlanVersion | None:
    return plan.versions.filter(status=VersionStatus.ACTIVE).first()


def indicators_with_details(version: PlanVersion) -> QuerySet[Indicator]:
    return version.indicators.select_related("objective").prefetch_related(
        "targets",
        Prefetch("assignment", queryset=Assignment.objects.prefetch_related("lead_units")),
    )


def active_plans() -> QuerySet[PlanVersion]:
    return PlanVersion.objects.filter(status=VersionStatus.ACTIVE).select_related("plan", "plan__area")


def active_version_for_unit(unit) -> PlanVersion | None:
    """The plan in force whose area contains ``unit`` (the nearest area first)."""
    node = unit
    while node is not None:
        version = active_plans().filter(plan__area=node).order_by("-plan__created_at").first()
        if version is not None:
            return version
        node = node.parent
    return None
