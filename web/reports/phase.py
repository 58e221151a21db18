"""The phase report (báo cáo tổng kết giai đoạn) for a plan in the database, and its structure changes.

The same reading of the database as the annual report (web.reports.services), the
core's phase builder (chitieu.reports.phase), and the units' history written as
the report's "what changed in the structure" section.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _

from chitieu.evaluate import PlanEvaluation
from chitieu.periods import parse_period
from chitieu.reports import FORMATS, MEDIA_TYPES, filename, render
from chitieu.reports.phase import build_phase_report, change_sentence
from web.dashboards.selectors import APPROVED, PROVISIONAL
from web.data.selectors import core_observations
from web.orgs.models import OrgUnit, UnitKind, UnitLink, UnitName
from web.orgs.selectors import unit_descendant_ids
from web.plans.models import Plan as PlanRecord
from web.plans.selectors import core_plan, plan_version_active
from web.reports.selectors import report_settings_for
from web.reports.services import ReportFile, ReportUnavailable
from web.rollups.selectors import unit_evaluation


def structure_changes(area: OrgUnit, start: date, end: date) -> list[str]:
    """The reorganisations of the area's units between ``start`` and ``end``, one sentence each."""
    ids = unit_descendant_ids(area.pk) | {area.pk}
    links = (
        UnitLink.objects.filter(
            Q(predecessor_id__in=ids) | Q(successor_id__in=ids), on__gt=start, on__lte=end
        )
        .select_related("predecessor", "successor")
        .order_by("on", "successor__name", "predecessor__name")
    )
    groups: dict[tuple, tuple[list[str], list[str]]] = {}
    for link in links:
        old, new = link.predecessor, link.successor
        if link.kind == "split":
            key = ("split", link.on, old.pk)
        elif link.kind == "merger":
            key = ("merger", link.on, new.pk)
        elif old.kind == UnitKind.DISTRICT:
            key = ("dissolve", link.on, old.pk)
        elif old.kind == UnitKind.OFFICE:
            key = ("duties", link.on, new.pk)
        else:
            key = ("transfer", link.on, old.pk)
        olds, news = groups.setdefault(key, ([], []))
        olds += [old.name] if old.name not in olds else []
        label = new.parent.name if key[0] == "transfer" and new.parent else new.name
        news += [label] if label not in news else []
    sentences = [change_sentence(kind, on, olds, news) for (kind, on, _pk), (olds, news) in groups.items()]
    renames = UnitName.objects.filter(unit_id__in=ids, valid_from__gt=start, valid_from__lte=end)
    for name in renames.select_related("unit").order_by("valid_from"):
        before = (
            UnitName.objects.filter(unit=name.unit, valid_to__lt=name.valid_from)
            .order_by("-valid_to")
            .first()
        )
        if before is not None:
            sentences.append(change_sentence("rename", name.valid_from, [before.name], [name.name]))
    return sentences


def phase_report_file(plan: PlanRecord, fmt: str, *, as_of: date, provisional: bool = False) -> ReportFile:
    """The final review of the plan's phase as ``fmt``; the caller has checked the user may read the plan.

    The verdicts of the phase and of each year are the dashboard's (``unit_evaluation``: stored
    where they answer), as in the annual report; the figures are read for what the text quotes."""
    if fmt not in FORMATS:
        raise ReportUnavailable(_("Unknown report format “%(fmt)s”: use docx, pdf or xlsx.") % {"fmt": fmt})
    version = plan_version_active(plan)
    if version is None:
        raise ReportUnavailable(_("This plan has no version in force yet."))
    core = core_plan(version)
    if core.phase is None:
        raise ReportUnavailable(_("This plan has no phase: a phase report needs targets for a phase."))
    phase = parse_period(core.phase.key)
    states = PROVISIONAL if provisional else APPROVED

    def evaluate(key: str) -> PlanEvaluation:
        return unit_evaluation(plan, core, plan.area, key, as_of=as_of, states=states).evaluation

    report = build_phase_report(
        core,
        core_observations(plan, states=states, between=(phase.start, phase.end)),
        phase.key,
        as_of=as_of,
        options=report_settings_for(plan).options(issued_on=as_of),  # the plan's header and signer
        structure_changes=structure_changes(plan.area, phase.start, phase.end),
        evaluate=evaluate,
    )
    return ReportFile(render(report, fmt), MEDIA_TYPES[fmt], filename(report, fmt))
