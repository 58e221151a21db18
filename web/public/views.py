"""Public pages: no login; only published plans, only approved figures, no names of people."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from web.orgs.access import require_manage_plan
from web.plans.models import Plan
from web.public.services import plan_publish, public_csv, public_page, published_plans


def public_index(request: HttpRequest) -> HttpResponse:
    return render(request, "public/index.html", {"plans": published_plans()})


def _published(plan_id: int) -> Plan:
    plan = get_object_or_404(Plan, pk=plan_id)
    if not hasattr(plan, "publication"):
        raise Http404(_("This plan is not published."))
    return plan


def public_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    page = public_page(_published(plan_id), request.GET.get("period"), timezone.localdate())
    return render(request, "public/plan.html", {"page": page})


def public_plan_csv(request: HttpRequest, plan_id: int) -> HttpResponse:
    page = public_page(_published(plan_id), request.GET.get("period"), timezone.localdate())
    response = HttpResponse(public_csv(page), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="chi-tieu-{page.plan.pk}-{page.period}.csv"'
    return response


class PublishForm(forms.Form):
    published = forms.BooleanField(required=False)


@login_required
@require_POST
def publish(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=plan_id)
    require_manage_plan(request.user, plan)
    form = PublishForm(request.POST)
    form.is_valid()
    plan_publish(actor=request.user, plan=plan, published=form.cleaned_data.get("published", False))
    if hasattr(Plan.objects.get(pk=plan.pk), "publication"):
        messages.success(request, _("The plan is published: anyone can read its approved figures."))
    else:
        messages.success(request, _("The plan's public page is withdrawn."))
    return redirect("plans:list")
