import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from chitieu.demo_reform import shows_illustrative
from web.dashboards.selectors import plan_version_active
from web.orgs.access import (
    can_manage_plan,
    require_coordinator,
    require_manage_plan,
    require_see_plan,
    require_see_unit,
)
from web.orgs.models import OrgUnit
from web.orgs.selectors import unit_descendant_ids
from web.plans.forms import AssignmentForm
from web.plans.models import Plan
from web.reorg import services
from web.reorg.carry_over import (
    carry_over_decide,
    carry_over_proposals,
    plan_start,
    previous_versions,
    reporting_chain,
)
from web.reorg.forms import CarryOverDecisionForm, ReorganisationApplyForm, ReorganisationUploadForm
from web.reorg.selectors import reorganisation_preview, unit_trend


@login_required
def reorganise(request):
    """Upload the decision's list → preview → apply all of it (or nothing)."""
    require_coordinator(request.user)
    upload = ReorganisationUploadForm()
    context = {"form": upload}
    if request.method == "POST" and request.POST.get("action") == "apply":
        form = ReorganisationApplyForm(request.POST)
        if form.is_valid():
            try:
                done = services.reorganisation_apply(
                    actor=request.user, data=form.cleaned_data["data"], source_name=form.cleaned_data["name"]
                )
            except services.ReorganisationRefused as refused:
                messages.error(request, _("The reorganisation was refused. Nothing was changed."))
                context["issues"] = refused.issues
            else:
                messages.success(
                    request,
                    _(
                        "Reorganisation applied: %(closed)d units closed, %(opened)d opened, "
                        "%(renamed)d renamed. "
                        "Figures stay with the units that reported them."
                    )
                    % {"closed": len(done.closed), "opened": len(done.opened), "renamed": len(done.renamed)},
                )
                return redirect("orgs:tree")
        else:
            messages.error(request, _("The file was damaged on the way: upload it again."))
    elif request.method == "POST":
        upload = ReorganisationUploadForm(request.POST, request.FILES)
        context["form"] = upload
        if upload.is_valid():
            file = upload.cleaned_data["file"]
            data = file.read()
            preview = reorganisation_preview(request.user, data)
            context["preview"] = preview
            context["issues"] = preview.issues
            if preview.refused:
                messages.error(request, _("This file cannot be applied. Nothing was changed."))
            else:
                context["apply"] = ReorganisationApplyForm(
                    initial={"data": base64.b64encode(data).decode("ascii"), "name": file.name[:255]}
                )
    context["handovers"] = _handovers(request.user)
    return render(request, "reorg/reorganise.html", context)


def _handovers(user) -> list:
    """Plans the user manages that follow a plan of a predecessor area: their carry-over screens."""
    found = []
    for plan in Plan.objects.select_related("area").order_by("-created_at")[:50]:
        version = plan_version_active(plan) if can_manage_plan(user, plan) else None
        if version is not None and previous_versions(version):
            found.append(plan)
    return found


TREND_YEARS = ("2021", "2022", "2023", "2024", "2025", "2026")


@login_required
def trend(request, pk: int):
    """A unit's yearly series for one indicator, its predecessors' figures before it existed, labelled."""
    unit = get_object_or_404(OrgUnit, pk=pk)
    require_see_unit(request.user, unit)
    plan = get_object_or_404(Plan, pk=request.GET.get("plan") or 0)
    require_see_plan(request.user, plan)
    code = request.GET.get("indicator", "")
    version = plan_version_active(plan)
    if version is None or not version.indicators.filter(code=code).exists():
        raise Http404
    rows = unit_trend(plan, unit, code, TREND_YEARS)
    return render(request, "reorg/trend.html", {"unit": unit, "plan": plan, "code": code, "rows": rows})


def _change_form(proposal, units, data=None) -> AssignmentForm:
    return AssignmentForm(
        data,
        prefix=f"c{proposal.indicator.pk}",
        units=units,
        initial={
            "lead_units": proposal.lead_units,
            "reporters": proposal.reporters,
            "frequency": proposal.frequency,
            "by_sex": proposal.by_sex,
        },
    )


@login_required
def carry_over(request, plan_id: int):
    """The new plan's assignments carried over from the old plan: accepted, changed or dropped one by one."""
    plan = get_object_or_404(Plan.objects.select_related("area"), pk=plan_id)
    require_manage_plan(request.user, plan)
    version = plan_version_active(plan)
    if version is None:
        raise Http404
    day = plan_start(version)
    area = unit_descendant_ids(plan.area_id)
    units = OrgUnit.objects.filter(id__in=area).exclude(pk=plan.area_id)
    units = units.filter(id__in=[u.pk for u in units if u.is_valid_on(day)]) | OrgUnit.objects.filter(
        pk=plan.area_id
    )
    proposals = carry_over_proposals(version)
    if request.method == "POST":
        decided = CarryOverDecisionForm(request.POST)
        proposal = next(
            (
                p
                for p in proposals
                if decided.is_valid() and p.indicator.pk == decided.cleaned_data["indicator"]
            ),
            None,
        )
        if proposal is None:
            raise Http404
        change = _change_form(proposal, units, request.POST)
        decision = decided.cleaned_data["decision"]
        if decision != "changed" or change.is_valid():
            changed = None
            if decision == "changed":
                changed = {k: change.cleaned_data[k] for k in ("reporters", "frequency", "by_sex")}
                changed["lead_units"] = list(change.cleaned_data["lead_units"])
            carry_over_decide(
                actor=request.user,
                version=version,
                indicator_id=proposal.indicator.pk,
                decision=decision,
                changed=changed,
            )
            messages.success(
                request, _("Decision recorded for indicator %(code)s.") % {"code": proposal.indicator.code}
            )
            return redirect("reorg:carry_over", plan_id=plan.pk)
        messages.error(request, _("The changes could not be saved: see the indicator's form."))
    rows = [
        (
            p,
            CarryOverDecisionForm(initial={"indicator": p.indicator.pk, "decision": "accepted"}),
            _change_form(p, units),
        )
        for p in proposals
    ]
    codes = OrgUnit.objects.filter(id__in=area).values_list("code", flat=True)
    context = {
        "plan": plan,
        "version": version,
        "rows": rows,
        "pending": sum(1 for p in proposals if p.decision is None),
        "calendar": reporting_chain(version, day.year),
        "illustrative": shows_illustrative(codes),
    }
    return render(request, "reorg/carry_over.html", context)
