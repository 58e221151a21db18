"""Dashboards: the plan at a glance, one indicator in depth, per-unit grids, tasks, completeness.

Views only read: selectors turn the database into core values and the engine
(chitieu.evaluate) gives every verdict. Tables carry all the figures, so pages
are complete without JavaScript; charts are an addition.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from chitieu.dates import parse_day
from chitieu.evaluate import Status, evaluate_indicator
from chitieu.explain import vi_period
from chitieu.periods import PeriodKeyError, PeriodKind, parse_period, sub_periods
from chitieu.plan import Plan, Sex
from chitieu.reminders import Stage
from web.core.audit import last_entry_number
from web.dashboards import charts, fragments
from web.dashboards.breaks import reorganisation_breaks
from web.dashboards.search import search
from web.dashboards.selectors import (
    APPROVED,
    PROVISIONAL,
    newest_observations,
    open_report_items,
    plan_version_active,
    plan_visible,
)
from web.data.models import Submission
from web.orgs.access import (
    area_unit_ids,
    can_see_unit,
    may_see_provisional,
    sees_all_below,
    sees_unit_id,
    units_visible_to,
)
from web.orgs.models import OrgUnit, UnitKind
from web.orgs.selectors import loaded_parents, units_valid_between
from web.plans.models import Plan as PlanRecord
from web.rollups.cache import core_in_force, page_state, plan_in_force, with_page_state
from web.rollups.completeness import completeness_counts
from web.rollups.selectors import (
    area_observations,
    area_unit,
    child_figures,
    commune_labels,
    indicator_results,
    unit_evaluation,
    units_below,
)

STATUS_CLASS = {
    Status.EXCEEDED: "status-exceeded",
    Status.ACHIEVED: "status-achieved",
    Status.NOT_ACHIEVED: "status-not-achieved",
    Status.NO_DATA: "status-no-data",
    Status.NOT_ARISEN: "status-not-arisen",
}


def status_label(status: Status) -> str:
    return {
        Status.EXCEEDED: _("Exceeded"),
        Status.ACHIEVED: _("Achieved"),
        Status.NOT_ACHIEVED: _("Not achieved"),
        Status.NO_DATA: _("No data"),
        Status.NOT_ARISEN: _("No case arose"),
    }[status]


def sex_label(code: str) -> str:
    return {"F": _("female"), "M": _("male")}.get(code, _("total"))


# ------------------------------------------------------------------ helpers


def plan_for(request: HttpRequest, plan_id: int, *, keyed: bool = False) -> PlanRecord:
    """The plan, if the user may see it; with ``keyed``, also what its cached pages are keyed
    by, in the same query (web.rollups.cache ``with_page_state``)."""
    plans = PlanRecord.objects.select_related("area")
    plan = get_object_or_404(with_page_state(plans) if keyed else plans, pk=plan_id)
    if not plan_visible(request.user, plan):
        raise PermissionDenied
    return plan


def as_of_from(request: HttpRequest) -> date:
    """``?as_of=dd/mm/yyyy`` (or ISO) makes a page reproducible; by default today in the site's time
    zone. A date that cannot be read is said, and today's is used."""
    text = request.GET.get("as_of", "") or ""
    given = parse_day(text)
    if text.strip() and given is None:
        messages.warning(
            request,
            _("The date “%(text)s” could not be read (write it as dd/mm/yyyy): today's date is used.")
            % {"text": text[:40]},
        )
    return given or timezone.localdate()


def year_choices(core: Plan, as_of: date) -> list[str]:
    phase = core.phase
    years = [str(y) for y in phase.years] if phase else [p.key for p in core.periods]
    return years or [str(as_of.year)]


def period_given(request: HttpRequest) -> str | None:
    """``?period=`` if it is a period key."""
    try:
        return parse_period(request.GET.get("period", "")).key
    except PeriodKeyError:
        return None


def period_from(request: HttpRequest, core: Plan, as_of: date) -> str:
    """``?period=`` if it is a period key, else the plan year (the annex's own year), else this year."""
    given = period_given(request)
    if given is not None:
        return given
    year = next((p.key for p in core.periods if p.kind is PeriodKind.YEAR), None)
    return year or str(as_of.year)


def area_from(request: HttpRequest, plan: PlanRecord) -> OrgUnit:
    """``?area=<unit id>`` (or ``?unit=``): the plan's area or any unit inside it that the user may see.

    An office stands for its district: its figures are the district's."""
    raw = request.GET.get("unit") or request.GET.get("area", "")
    if not raw.isdigit() or int(raw) == plan.area_id:  # the plan's own area: nothing to look up
        return plan.area
    # The subquery narrowed to the one unit: unnarrowed, SQLite read all 16,000 below the nation.
    inside = units_below(plan.area).filter(unit_id=int(raw))
    unit = OrgUnit.objects.filter(pk=int(raw), id__in=inside).select_related("parent__parent").first()
    if unit is None:
        return plan.area
    unit = area_unit(unit)
    # Its parent and grandparent came with it: the walk up to the user's unit reads no more of them.
    if unit.pk != plan.area_id and not sees_unit_id(request.user, unit.pk, loaded_parents(unit)):
        return plan.area
    return unit


def area_choices(request: HttpRequest, plan: PlanRecord, area: OrgUnit, period: str) -> list[OrgUnit]:
    """Where to go from ``area``: the units above it up to the plan's area, and the units right below
    it (for a commune, its neighbours) that existed in the period and that the user may see."""
    path, unit = [], area
    while unit is not None and unit.pk != plan.area_id:
        path.append(unit)
        unit = unit.parent
    parent = area if area.kind != UnitKind.COMMUNE else area.parent
    start, end = parse_period(period).start, parse_period(period).end
    below = units_valid_between(start, end).filter(parent=parent).exclude(kind=UnitKind.OFFICE)
    below = below.exclude(pk__in=[p.pk for p in path])
    # Whoever sees the unit and all below it sees its children: no filter of their own then (for a
    # national coordinator that filter is the 16,000 units below the nation, 55–70 ms a first view).
    if not sees_all_below(request.user, parent.pk):
        below = units_visible_to(request.user, below)
    below = below.order_by("name", "pk")
    path = [u for u in path if u.pk == area.pk or can_see_unit(request.user, u)]
    return [plan.area, *reversed(path), *below]


def states_from(request: HttpRequest, plan: PlanRecord) -> tuple[str, ...]:
    """Approved figures; with ``?provisional=1`` also those awaiting approval, for who oversees the area."""
    wanted = request.GET.get("provisional") == "1"
    return PROVISIONAL if wanted and may_see_provisional(request.user, plan) else APPROVED


def core_plan_or_404(plan: PlanRecord) -> Plan:
    version = plan_version_active(plan)
    if version is None:
        raise Http404(_("This plan has no version in force yet."))
    return plan_in_force(version)


def in_force_state(plan: PlanRecord) -> tuple[int, int, str]:
    """The id of the version in force, the summary version and the pages' version (``page_state``)
    of a plan read by ``plan_for(keyed=True)``; a 404 when no version is in force."""
    version_id = plan.in_force_id  # type: ignore[attr-defined]
    if version_id is None:
        raise Http404(_("This plan has no version in force yet."))
    return (version_id, *page_state(plan))


# ------------------------------------------------------------------ dashboard


@login_required
def plan_dashboard(request: HttpRequest, plan_id: int) -> HttpResponse:
    # The plan, its version in force and its summary version in one query; the core plan (a cache
    # read and an unpickling) only when the body is built or no period was asked: a cached page
    # asked nine queries, three of them for these (session 17, bench/LOAD-PROFILE.md).
    plan = plan_for(request, plan_id, keyed=True)
    as_of = as_of_from(request)
    version_id, summary, shown = in_force_state(plan)
    core: Plan | None = None
    period = period_given(request)
    if period is None:
        core = core_in_force(version_id, summary)
        period = period_from(request, core, as_of)
    area = area_from(request, plan)
    states = states_from(request, plan)
    key = body_key(request, plan, version_id, area, period, as_of, states, summary=shown)
    etag = fragments.etag_for(key, request)
    # A date that could not be read is said on the page (a message), as is any message waiting
    # to be shown: never answered by a 304.
    unread = bool((request.GET.get("as_of") or "").strip()) and parse_day(request.GET["as_of"]) is None
    if not unread and not len(get_messages(request)):
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            return not_modified

    def build() -> tuple[str, bool]:
        shown_plan = core if core is not None else core_in_force(version_id, summary)
        context = plan_context(request, plan, shown_plan, area, period, as_of, states)
        html = render_to_string("dashboards/_plan_body.html", context, request)
        return html, context["updating_since"] is not None

    body = fragments.fragment_or_build(key, build)
    response = render(request, "dashboards/plan.html", {"plan": plan, "body": mark_safe(body)})
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)  # always revalidated, never shared
    return response


def body_key(
    request,
    plan,
    version_id: int,
    area,
    period: str,
    as_of: date,
    states,
    *,
    summary: str,
    page: str = "plan",
) -> str:
    """The cache key of a page's body: what it shows, for whom (web.dashboards.fragments).
    ``version_id``: the version in force; ``summary``: the pages' version (``in_force_state``)."""
    return fragments.fragment_key(
        plan_id=plan.pk,
        version_id=version_id,
        area_id=area.pk,
        period=period,
        as_of=as_of,
        provisional=states == PROVISIONAL,
        summary=summary,
        scope=fragments.visibility_scope(request.user, plan),
        page=page,
    )


def plan_context(request, plan, core, area, period: str, as_of: date, states) -> dict:
    """What the dashboard's body shows: the engine's verdicts (stored ones when they answer)."""
    evaluated = unit_evaluation(plan, core, area, period, as_of=as_of, states=states, updating_ok=True)
    objectives = []
    for objective in core.objectives:
        rows = []
        for indicator in objective.indicators:
            result = evaluated.evaluation.result(indicator.code)
            rows.append({"indicator": indicator, "result": result, "badge": result_badge(result)})
        objectives.append({"objective": objective, "rows": rows})
    summary = [
        {"status": s.value, "label": status_label(s), "count": n, "css": STATUS_CLASS[s]}
        for s, n in ((Status(k), v) for k, v in evaluated.evaluation.summary().items())
    ]
    return {
        "plan": plan,
        "core": core,
        "period": period,
        "periods": year_choices(core, as_of) + ([core.phase.key] if core.phase else []),
        "area": area,
        "areas": area_choices(request, plan, area, period),
        "as_of": as_of,
        "provisional": states == PROVISIONAL,
        "objectives": objectives,
        "summary": summary,
        "issues": evaluated.evaluation.issues,
        "breaks": reorganisation_breaks(area, [period]),
        "updating_since": evaluated.updating_since,
    }


def year_badge(result) -> dict[str, str]:
    """A year with figures but no yearly target in the plan says so, rather than "no data"."""
    if result.target is None and result.actual is not None:
        return {"css": STATUS_CLASS[Status.NO_DATA], "label": _("no yearly target"), "code": "no_target"}
    return result_badge(result)


def badge(status: Status) -> dict[str, str]:
    return {"css": STATUS_CLASS[status], "label": status_label(status), "code": status.value}


def result_badge(result) -> dict[str, str]:
    """The verdict, and when it rests on incomplete or doubtful figures, that it is provisional
    ("tạm tính — thiếu số liệu Quý 3/2024, Quý 4/2024") and why."""
    shown = badge(result.status)
    if not result.provisional:
        return shown
    missing = result.coverage.missing if result.coverage is not None else ()
    if missing:
        periods = ", ".join(vi_period(k) for k in missing[:6]) + (" …" if len(missing) > 6 else "")
        note = _("provisional — missing figures for %(periods)s") % {"periods": periods}
    else:
        note = _("provisional")
    reasons = [f.message for f in result.flags if f.provisional]
    return {**shown, "note": "; ".join([note, *reasons]), "provisional": "1"}


# ------------------------------------------------------------------ indicator


@login_required
def indicator_detail(request: HttpRequest, plan_id: int, code: str) -> HttpResponse:
    plan = plan_for(request, plan_id, keyed=True)  # as the plan's dashboard: one query, not four
    as_of = as_of_from(request)
    area = area_from(request, plan)
    states = states_from(request, plan)
    version_id, summary, shown = in_force_state(plan)
    core = core_in_force(version_id, summary)
    indicator = core.indicator(code)
    if indicator is None:
        raise Http404(_("No such indicator in this plan."))
    period = period_from(request, core, as_of)
    page = f"indicator:{indicator.code}"
    key = body_key(request, plan, version_id, area, period, as_of, states, summary=shown, page=page)

    def build() -> tuple[str, bool]:
        context = indicator_context(plan, core, indicator, area, period, as_of, states)
        html = render_to_string("dashboards/_indicator_body.html", context, request)
        return html, context["updating_since"] is not None

    body = fragments.fragment_or_build(key, build)
    listed = fragments.list_key(
        plan_id=plan.pk,
        code=indicator.code,
        area_id=area.pk,
        scope=fragments.visibility_scope(request.user, plan),
        changes=last_entry_number(),
    )

    def build_list() -> tuple[str, bool]:
        rows = newest_observations(plan, code, area, request.user, ROWS_SHOWN)
        return render_to_string("dashboards/_indicator_figures.html", {"rows": rows}, request), False

    figures = fragments.fragment_or_build(listed, build_list, fragments.remember_list)
    context = {"plan": plan, "indicator": indicator, "body": mark_safe(body), "figures": mark_safe(figures)}
    return render(request, "dashboards/indicator.html", context)


def indicator_context(plan, core: Plan, indicator, area, period: str, as_of: date, states) -> dict:
    """What the indicator page shows but the figures reported: the dashboard's verdicts of the
    period and of every year (stored ones when they answer), by sex and by unit below."""
    years = year_choices(core, as_of)
    results, updating_since = indicator_results(
        plan, core, area, indicator.code, list(dict.fromkeys([period, *years])), as_of=as_of, states=states
    )
    result = results[period]
    yearly = {y: results[y] for y in years}
    breaks = reorganisation_breaks(area, years)
    return {
        "plan": plan,
        "core": core,
        "indicator": indicator,
        "period": period,
        "periods": years,
        "area": area,
        "as_of": as_of,
        "provisional": states == PROVISIONAL,
        "result": result,
        "badge": result_badge(result),
        "yearly": [{"year": y, "result": r, "badge": year_badge(r)} for y, r in yearly.items()],
        "targets": indicator.targets,
        "by_sex": [{"part": p, "label": sex_label(p.key), "badge": badge(p.status)} for p in result.by_sex],
        "by_unit": child_figures(plan, core, indicator, area, period, states=states),
        "figure": trend(indicator, core, years, yearly, breaks),
        "breaks": breaks,
        "updating_since": updating_since,
    }


def trend(indicator, core: Plan, years: list[str], yearly: dict, breaks=()) -> dict:
    series = [charts.Series(_("Actual"), tuple(charts.Point(y, r.actual) for y, r in yearly.items()))]
    if indicator.by_sex:
        for sex in (Sex.FEMALE, Sex.MALE):
            points = []
            for y, r in yearly.items():
                part = next((p for p in r.by_sex if p.key == sex.value), None)
                points.append(charts.Point(y, part.actual if part else None))
            series.append(charts.Series(sex_label(sex.value).capitalize(), tuple(points)))
    yearly_targets = [charts.Point(t.period, t.value) for t in indicator.targets if t.period in years]
    phase = core.phase
    phase_target = indicator.target_for(phase.key) if phase else None
    return charts.trend_figure(
        title=f"{indicator.code}. {indicator.name}",
        unit=indicator.unit_label,
        periods=years,
        actual=series,
        yearly_targets=yearly_targets,
        phase_target=phase_target.value if phase_target else None,
        phase_label=_("Phase target %(period)s") % {"period": phase.key} if phase else "",
        breaks=[(b.period, b.label) for b in breaks],
    )


ROWS_SHOWN = 200  # the newest figures; a nation has hundreds of thousands


# ------------------------------------------------------------------ per-unit grid


@login_required
def unit_grid(request: HttpRequest, plan_id: int, code: str) -> HttpResponse:
    """Communes × sub-periods for a per-unit threshold indicator (6.3: ≥ 3 news items a quarter)."""
    plan = plan_for(request, plan_id)
    as_of = as_of_from(request)
    states = states_from(request, plan)
    core = core_plan_or_404(plan)
    indicator = core.indicator(code)
    if indicator is None:
        raise Http404(_("No such indicator in this plan."))
    period = period_from(request, core, as_of)
    if parse_period(period).kind is not PeriodKind.YEAR:
        period = str(parse_period(period).start.year)
    area = area_from(request, plan)
    observations = area_observations(plan, core, area, period, states=states, codes=[code])
    units = commune_labels(area, period)
    result = evaluate_indicator(indicator, observations, period, as_of=as_of, phase=core.phase, units=units)
    kind = {"month": PeriodKind.MONTH, "quarter": PeriodKind.QUARTER}.get(
        indicator.per_period.value if indicator.per_period else "", PeriodKind.YEAR
    )
    columns = [p.key for p in sub_periods(period, kind)]
    target = indicator.target_for(period)
    grid = []
    for part in result.units:
        cells = {p.key: p for p in part.parts}
        grid.append(
            {
                "unit": part.key,
                "badge": badge(part.status),
                "cells": [
                    {"key": c, "part": cells.get(c), "badge": badge(cells[c].status) if c in cells else None}
                    for c in columns
                ],
            }
        )
    return render(
        request,
        "dashboards/grid.html",
        {
            "plan": plan,
            "indicator": indicator,
            "period": period,
            "periods": year_choices(core, as_of),
            "as_of": as_of,
            "columns": columns,
            "grid": grid,
            "target": target,
            "result": result,
            "badge": badge(result.status),
        },
    )


# ------------------------------------------------------------------ completeness


def completeness_data(plan: PlanRecord, year: str, *, as_of: date, area: OrgUnit | None = None) -> dict:
    """Expected vs received vs approved per unit below the area and period, and the overdue list.

    Counted in SQL (web.rollups.completeness): the same queries for a district or a nation."""
    version = plan_version_active(plan)
    if version is None:
        return {"rows": [], "totals": {}, "overdue": [], "overdue_total": 0, "late_units": []}
    return completeness_counts(plan, version, year, as_of=as_of, area=area)


@login_required
def completeness(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = plan_for(request, plan_id)
    as_of = as_of_from(request)
    core = core_plan_or_404(plan)
    year = period_from(request, core, as_of)
    if parse_period(year).kind is not PeriodKind.YEAR:
        year = str(parse_period(year).start.year)
    area = area_from(request, plan)
    data = completeness_data(plan, year, as_of=as_of, area=area)
    return render(
        request,
        "dashboards/completeness.html",
        {
            "plan": plan,
            "period": year,
            "periods": year_choices(core, as_of),
            "as_of": as_of,
            "area": area,
            "areas": area_choices(request, plan, area, year),
            **data,
        },
    )


# ------------------------------------------------------------------ my tasks


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """What this person has to do: figures due or late for their unit, returned, awaiting approval."""
    user = request.user
    as_of = as_of_from(request)
    due, late = [], []
    unit_ids = {user.org_unit_id} if user.org_unit_id else set()
    for plan in PlanRecord.objects.select_related("area"):
        if not plan_visible(user, plan) or plan_version_active(plan) is None:
            continue
        for item in open_report_items(
            plan, as_of=as_of, remind_before=settings.CHITIEU_REMIND_BEFORE_DAYS, unit_ids=unit_ids
        ):
            entry = {"plan": plan, "expected": item.expected, "state": item.due.state, "days": item.due.days}
            (late if item.due.stage is Stage.LATE else due).append(entry)
    returned = Submission.objects.filter(org_unit_id__in=unit_ids, state="returned").select_related("plan")
    ids = area_unit_ids(user)
    awaiting = Submission.objects.filter(state="submitted").select_related("plan", "org_unit")
    if user.chitieu_role.value in ("administrator", "coordinator"):
        if ids is not None:
            awaiting = awaiting.filter(org_unit_id__in=ids)
    else:
        awaiting = awaiting.filter(org_unit_id__in=unit_ids)
    return render(
        request,
        "dashboards/tasks.html",
        {"as_of": as_of, "due": due, "late": late, "returned": returned, "awaiting": awaiting},
    )


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:100]
    return render(request, "dashboards/search.html", {"query": query, "found": search(request.user, query)})


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The plans this person may look at, each with its dashboard and completeness page."""
    plans = [
        {"plan": plan, "version": plan_version_active(plan)}
        for plan in PlanRecord.objects.select_related("area").order_by("-created_at")
        if plan_visible(request.user, plan)
    ]
    return render(request, "dashboards/index.html", {"plans": plans})
