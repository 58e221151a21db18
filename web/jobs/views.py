"""Jobs of a plan: start one, watch its progress (the page polls the job's row), download its file."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chitieu.approval import Role
from web.jobs.models import Job
from web.jobs.services import JobRefused, job_start
from web.orgs.access import can_manage_plan
from web.reports.selectors import plan_for_report

MANAGERS_ONLY = {Job.Kind.ROLLUP, Job.Kind.REMINDERS}


def _plan(request: HttpRequest, plan_id: int):
    plan = plan_for_report(request.user, plan_id)  # whoever may read the plan; 403 otherwise
    if plan is None:
        raise Http404
    return plan


@login_required
def plan_jobs(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    jobs = Job.objects.filter(plan=plan)
    if not can_manage_plan(request.user, plan):
        jobs = jobs.filter(requested_by=request.user)
    context = {"plan": plan, "jobs": jobs[:20], "manager": can_manage_plan(request.user, plan)}
    return render(request, "jobs/plan.html", context)


@login_required
@require_POST
def start(request: HttpRequest, plan_id: int, kind: str) -> HttpResponse:
    plan = _plan(request, plan_id)
    if kind not in Job.Kind.values:
        raise Http404
    if kind in MANAGERS_ONLY and not can_manage_plan(request.user, plan):
        raise PermissionDenied
    params = {}
    if kind == Job.Kind.REPORTS:
        params = {
            "period": request.POST.get("period", "").strip(),
            "fmt": request.POST.get("fmt", ""),
            "as_of": timezone.localdate().isoformat(),
        }
    try:
        job = job_start(kind=kind, actor=request.user, plan=plan, params=params)
    except JobRefused as error:
        messages.error(request, str(error))
        return redirect("jobs:plan", plan_id=plan.pk)
    return redirect("jobs:detail", pk=job.pk)


def _job(request: HttpRequest, pk: int) -> Job:
    job = get_object_or_404(Job.objects.select_related("plan"), pk=pk)
    own = job.requested_by_id == request.user.pk or request.user.chitieu_role is Role.ADMINISTRATOR
    if not own and (job.plan is None or not can_manage_plan(request.user, job.plan)):
        raise PermissionDenied  # someone else's job, not of a plan this person manages
    return job


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress page; while the job runs, its status box asks for itself again every second."""
    return render(request, "jobs/detail.html", {"job": _job(request, pk)})


@login_required
def status(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "jobs/_status.html", {"job": _job(request, pk)})


@login_required
def result(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    if job.status != Job.Status.DONE or not job.result:
        raise Http404
    response = FileResponse(
        job.result.open("rb"), as_attachment=True, filename=job.result.name.rsplit("/", 1)[-1]
    )
    response["Cache-Control"] = "private, no-store"
    return response
