"""Reads for dashboards, completeness and reminders: the database turned into the core's values.

Every verdict shown comes from ``chitieu.evaluate``: the database is read into a
core ``Plan`` and core ``Observation`` rows, and the engine decides. Nothing here
judges a figure itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects

from chitieu.evaluate import PlanEvaluation
from chitieu.observations import Observation as CoreObservation
from chitieu.periods import parse_period
from chitieu.plan import Plan
from chitieu.reminders import DueItem, due_items

# The conversions live in the app that owns the rows; re-exported here for older callers.
from web.data.expected import (  # noqa: F401
    Expected,
    expected_reports,
    is_received,
    report_states,
)
from web.data.models import Observation, Submission
from web.data.selectors import (  # noqa: F401
    APPROVED,
    PROVISIONAL,
    as_core_observation,
    core_observations,
    observation_unit_name,
    open_report_starts,
    reports_for_area,
)
from web.data.selectors import unit_level as unit_level
from web.orgs.access import require_see_plan, sees_all_below, units_visible_to
from web.orgs.models import OrgUnit
from web.orgs.selectors import (
    official_code,  # noqa: F401  (re-exported for the API)
)
from web.plans.models import Plan as PlanRecord
from web.plans.selectors import core_plan, plan_report_years, plan_version_active
from web.rollups.selectors import summed_period_rows, unit_evaluation, units_below


def plan_visible(user, plan: PlanRecord) -> bool:
    """The plan pages' own rule (web.orgs.access.require_see_plan), as a yes/no."""
    try:
        require_see_plan(user, plan)
    except PermissionDenied:
        return False
    return True


def plan_data(
    plan: PlanRecord, *, states: Sequence[str] = APPROVED, within: OrgUnit | None = None
) -> tuple[Plan, list[CoreObservation]] | None:
    """The active version as a core plan and the stored figures; None when no version is in force."""
    version = plan_version_active(plan)
    if version is None:
        return None
    return core_plan(version), core_observations(plan, states=states, within=within)


@dataclass(frozen=True)
class Evaluated:
    plan: Plan
    evaluation: PlanEvaluation
    observations: tuple[CoreObservation, ...]


def plan_evaluate(
    plan: PlanRecord,
    period_key: str,
    *,
    as_of: date,
    states: Sequence[str] = APPROVED,
    within: OrgUnit | None = None,
) -> Evaluated | None:
    """The engine's verdicts for the plan's area (or ``within``, any unit of it); None when no
    version is in force. Read from the roll-up summary (web.rollups), not from every figure:
    ``observations`` are the few rows the engine was given."""
    version = plan_version_active(plan)
    if version is None:
        return None
    core = core_plan(version)
    evaluated = unit_evaluation(plan, core, within or plan.area, period_key, as_of=as_of, states=states)
    return Evaluated(core, evaluated.evaluation, evaluated.observations)


# ------------------------------------------------------------------ open report items (tasks, reminders)


@dataclass(frozen=True)
class OpenItem:
    """An expected report that is late or due within the reminder window at ``as_of``."""

    expected: Expected
    due: DueItem


def open_report_items(
    plan: PlanRecord, *, as_of: date, remind_before: int, unit_ids: set[int] | None = None
) -> list[OpenItem]:
    """Late and soon-due reports of a plan, from its periods and assignments: "My tasks" and the
    reminder e-mails both ask here, with the same window (settings.CHITIEU_REMIND_BEFORE_DAYS)."""
    version = plan_version_active(plan)
    if version is None:
        return []
    expected = [
        e
        for year in plan_report_years(version)
        for e in expected_reports(plan, year)
        if unit_ids is None or e.unit.pk in unit_ids
    ]
    by_item = {e.item.identity: e for e in expected}
    states = report_states(plan, expected)
    found = due_items(
        [e.item for e in expected],
        states,
        lambda item: by_item[item.identity].deadline,
        as_of=as_of,
        remind_before=remind_before,
    )
    return [OpenItem(by_item[d.item.identity], d) for d in found]


def newest_observations(plan: PlanRecord, code: str, area: OrgUnit, user, limit: int) -> list[Observation]:
    """The newest ``limit`` figures of an indicator reported in ``area`` that ``user`` may see (the raw
    rows carry drafts, notes and evidence, as in the API), newest period first, then by unit and sex.

    Read a few period starts at a time, newest first (``_start_batches``), until ``limit`` rows are
    found: sorting every figure of the indicator to show the first 200 cost seconds for a nation's
    hundreds of thousands, and walking every start of the plan one by one cost a yearly indicator's
    page a year of empty months (0.1–0.3 s each at the nation)."""
    rows = Observation.objects.filter(submission__plan=plan, indicator_code=code)
    if area.pk != plan.area_id:
        rows = rows.filter(submission__org_unit_id__in=units_below(area))
    if not sees_all_below(user, area.pk):
        rows = rows.filter(submission__org_unit__in=units_visible_to(user))
    rows = rows.select_related("submission__org_unit").order_by(
        "-submission__period_start", "submission__org_unit__name", "sex"
    )
    found: list[Observation] = []
    for starts in _start_batches(plan, code, area, limit):
        if len(found) >= limit:
            break
        found.extend(rows.filter(submission__period_start__in=starts)[: limit - len(found)])
    prefetch_related_objects(found, "submission__evidence")
    return found


def _start_batches(plan: PlanRecord, code: str, area: OrgUnit, limit: int) -> list[list[date]]:
    """The period starts at which ``area`` may hold figures of ``code``, newest first, in batches that
    hold at least ``limit`` of them by the summary's count (fewer may be visible to a reader: the
    next batch follows). Starts come from the summary (received reports) and from the plan's reports
    not yet received, which it does not hold."""
    counts = summed_period_rows(plan, area, code)
    if counts is None:  # a commune's own reports: a few hundred figures, sorted in one go
        reports = Submission.objects.filter(plan=plan, org_unit_id__in=units_below(area))
        return [sorted(set(reports.order_by().values_list("period_start", flat=True)), reverse=True)]
    received: dict[date, int] = {}
    for key, n in counts.items():
        start = parse_period(key).start
        received[start] = received.get(start, 0) + n
    batches: list[list[date]] = [[]]
    held = 0
    for start in sorted(received.keys() | open_report_starts(plan, code), reverse=True):
        if held >= limit:
            batches.append([])
            held = 0
        batches[-1].append(start)
        held += received.get(start, 0)
    return batches
