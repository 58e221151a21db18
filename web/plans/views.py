"""Plan pages: thin; forms validate, services decide and write."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chitieu.approval import Role
from web.core.audit import audit_for
from web.orgs.access import (
    can_manage_plan,
    require_coordinator,
    require_manage_plan,
    require_see_plan,
    units_visible_to,
)
from web.orgs.models import OrgUnit
from web.orgs.selectors import unit_descendant_ids
from web.plans import services
from web.plans.forms import (
    AssignmentForm,
    IndicatorReviewForm,
    PlanUploadForm,
    TargetChangeForm,
    TargetReviewForm,
)
from web.plans.models import Assignment, Plan, PlanVersion, Target, VersionStatus
from web.plans.selectors import (
    history_words,
    indicators_with_details,
    plan_list_for_user,
    same_annex,
    version_changes,
)


def _is_coordinator(user) -> bool:
    return user.chitieu_role in (Role.ADMINISTRATOR, Role.COORDINATOR)


def _visible_units(user):
    return units_visible_to(user)


@login_required
def plan_list(request):
    return render(
        request,
        "plans/list.html",
        {
            "plans": plan_list_for_user(request.user),
            "can_upload": _is_coordinator(request.user),
        },
    )


@login_required
def upload(request):
    require_coordinator(request.user)
    form = PlanUploadForm(
        request.POST or None,
        request.FILES or None,
        areas=_visible_units(request.user),
        plans=plan_list_for_user(request.user),
        max_bytes=settings.CHITIEU_PLAN_MAX_BYTES,
        initial={"area": request.user.org_unit_id},
    )
    issues, duplicate = (), None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        if not form.cleaned_data["plan"] and not form.cleaned_data["same_file_ok"]:
            duplicate = same_annex(form.cleaned_data["area"].pk, data)
        if duplicate is not None:
            return render(request, "plans/upload.html", {"form": form, "issues": (), "duplicate": duplicate})
        try:
            version = services.plan_import(
                actor=request.user,
                data=data,
                filename=upload.name,
                area=form.cleaned_data["area"],
                plan=form.cleaned_data["plan"],
                amendment_note=form.cleaned_data["amendment_note"],
                name=form.cleaned_data["name"],
            )
        except services.PlanImportError as error:
            issues = error.issues
            messages.error(request, _("This file could not be read as a plan. Nothing was saved."))
        else:
            messages.success(
                request, _("The annex was read. Check every field below, correct it if needed, then confirm.")
            )
            return redirect("plans:version", pk=version.pk)
    return render(request, "plans/upload.html", {"form": form, "issues": issues})


NOT_A_DRAFT = gettext_lazy(
    "This version is no longer a draft (someone confirmed or discarded it in the meantime); "
    "nothing was changed."
)


STALE_RECORD = gettext_lazy(
    "Someone else changed this after you opened the page. Your change was NOT saved: "
    "the page now shows the current values; change them again if needed."
)


def _revision(request) -> int:
    """The review form's revision; a value typed by hand that is not a number counts as stale."""
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return -1


def _review_forms(version: PlanVersion, data=None):
    rows = []
    for indicator in indicators_with_details(version):
        form = IndicatorReviewForm(
            data,
            prefix=f"i{indicator.pk}",
            initial={f: getattr(indicator, f) for f in IndicatorReviewForm.base_fields},
        )
        targets = [
            (
                t,
                TargetReviewForm(
                    data, prefix=f"t{t.pk}", initial={"comparator": t.comparator, "value": t.value}
                ),
            )
            for t in indicator.targets.all()
        ]
        rows.append((indicator, form, targets))
    return rows


@login_required
def version_detail(request, pk: int):
    version = get_object_or_404(PlanVersion.objects.select_related("plan", "plan__area"), pk=pk)
    require_see_plan(request.user, version.plan)
    is_draft = version.status == VersionStatus.DRAFT
    data = request.POST if request.method == "POST" else None
    rows = _review_forms(version, data) if is_draft else None
    if data is not None:
        if not is_draft:
            return redirect("plans:version", pk=pk)
        valid = all(f.is_valid() for _, f, ts in rows) and all(
            tf.is_valid() for _, _, ts in rows for _, tf in ts
        )
        if valid:
            try:
                services.plan_version_review_save(
                    actor=request.user,
                    version=version,
                    revision=_revision(request),
                    indicators={i.pk: services.IndicatorEdit(**f.cleaned_data) for i, f, _ in rows},
                    targets={
                        t.pk: services.TargetEdit(**tf.cleaned_data) for _, _, ts in rows for t, tf in ts
                    },
                )
                if "confirm" in request.POST:
                    services.plan_version_confirm(actor=request.user, version=version)
            except services.StaleEdit:
                messages.error(
                    request,
                    _(
                        "Someone else saved this review after you opened it. Your changes are "
                        "below but were NOT saved; compare and save again."
                    ),
                )
            except services.PlanStateError:
                messages.error(request, NOT_A_DRAFT)
                return redirect("plans:version", pk=pk)
            else:
                if "confirm" in request.POST:
                    messages.success(request, _("The plan is confirmed and in force."))
                else:
                    messages.success(request, _("Corrections saved."))
                return redirect("plans:version", pk=pk)
        else:
            messages.error(request, _("Some fields need correcting; they are marked below."))
    version.refresh_from_db()
    return render(
        request,
        "plans/version.html",
        {
            "version": version,
            "rows": rows,
            "is_draft": is_draft,
            "changes": version_changes(version) if is_draft else (),
            "flagged": services.review_flags(version, [i for i, _, _ in rows]) if is_draft else (),
            "indicators": None if is_draft else indicators_with_details(version),
            "issues_by_row": services.issues_for(version),
            "file_issues": [i for i in version.issues.all() if not i.where.startswith("row ")],
            "can_edit": can_manage_plan(request.user, version.plan),
            "other_versions": version.plan.versions.exclude(pk=version.pk),
        },
    )


@login_required
@require_POST
def version_discard(request, pk: int):
    version = get_object_or_404(PlanVersion, pk=pk)
    try:
        services.plan_version_discard(actor=request.user, version=version)
    except services.PlanStateError:
        messages.error(request, NOT_A_DRAFT)
        return redirect("plans:version", pk=pk)
    messages.success(request, _("The draft was discarded; it is kept in the list for reference."))
    return redirect("plans:list")


@login_required
def target_edit(request, pk: int):
    target = get_object_or_404(Target.objects.select_related("indicator__version__plan"), pk=pk)
    require_manage_plan(request.user, target.indicator.version.plan)
    form = TargetChangeForm(
        request.POST or None,
        initial={
            "comparator": target.comparator,
            "value": target.value,
            "seen": services.target_seen(target),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.target_update(actor=request.user, target=target, **form.cleaned_data)
        except services.StaleEdit:
            messages.error(request, STALE_RECORD)
            return redirect("plans:target", pk=target.pk)  # shown again with the current values
        else:
            messages.success(
                request, _("Target changed; the old value and your reason are kept in its history.")
            )
            return redirect("plans:version", pk=target.indicator.version_id)
    return render(
        request,
        "plans/target.html",
        {"target": target, "form": form, "history": history_words(audit_for(target), Target)},
    )


@login_required
def assignment_edit(request, pk: int):
    assignment = get_object_or_404(Assignment.objects.select_related("indicator__version__plan__area"), pk=pk)
    plan = assignment.indicator.version.plan
    require_manage_plan(request.user, plan)
    units = OrgUnit.objects.filter(id__in=unit_descendant_ids(plan.area_id)).exclude(pk=plan.area_id)
    form = AssignmentForm(
        request.POST or None,
        units=units,
        initial={
            "lead_units": assignment.lead_units.all(),
            "reporters": assignment.reporters,
            "frequency": assignment.frequency,
            "by_sex": assignment.by_sex,
            "seen": services.assignment_seen(assignment),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_update(
                actor=request.user,
                assignment=assignment,
                lead_units=list(form.cleaned_data["lead_units"]),
                reporters=form.cleaned_data["reporters"],
                frequency=form.cleaned_data["frequency"],
                by_sex=form.cleaned_data["by_sex"],
                seen=form.cleaned_data["seen"],
            )
        except services.StaleEdit:
            messages.error(request, STALE_RECORD)
            return redirect("plans:assignment", pk=assignment.pk)
        else:
            messages.success(request, _("Assignment saved."))
            return redirect("plans:version", pk=assignment.indicator.version_id)
    return render(
        request,
        "plans/assignment.html",
        {"assignment": assignment, "form": form, "history": history_words(audit_for(assignment), Assignment)},
    )


@login_required
@require_POST
def four_eyes(request, pk: int):
    plan = get_object_or_404(Plan, pk=pk)
    required = request.POST.get("four_eyes") == "on"
    services.plan_four_eyes_set(actor=request.user, plan=plan, required=required)
    if required:
        messages.success(request, _("From now on, figures are approved by someone other than who sent them."))
    else:
        messages.success(request, _("From now on, whoever sends figures may also approve them."))
    return redirect("plans:version", pk=plan.versions.order_by("-number").values_list("pk", flat=True)[0])
