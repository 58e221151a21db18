"""Issue 14: a report reads the verdicts stored for the plan's area instead of running the engine
again over every figure, and says exactly what the engine says."""

from __future__ import annotations

import re
from datetime import date

import pytest

LATE = date(2030, 1, 1)  # after every figure of the fixture: the stored verdicts answer for it


def _report(plan, **how):
    from web.reports.services import annual_report

    return annual_report(plan, "2024", as_of=LATE, **how)


@pytest.mark.parametrize("provisional", [False, True])
def test_the_report_from_stored_verdicts_is_the_one_from_the_engine(figures, provisional):
    from django.core.cache import cache

    from web.data.models import Submission
    from web.orgs.selectors import unit_find
    from web.plans.selectors import core_plan, plan_version_active
    from web.rollups.models import Verdict
    from web.rollups.selectors import stored_evaluation
    from web.rollups.services import VIEW_STATES, rollup_rebuild
    from web.rollups.verdicts import store_verdicts

    # A figure sent but not approved: the two views differ.
    Submission.objects.filter(org_unit=unit_find("Xã Tân Lập"), period_key="2024-Q3").update(
        state="submitted"
    )
    rollup_rebuild(plan=figures)  # an update behind the services' back: the summary is built again
    Verdict.objects.filter(plan=figures).delete()
    cache.clear()
    engine = _report(figures, provisional=provisional)

    store_verdicts(figures.pk)
    cache.clear()
    core = core_plan(plan_version_active(figures))
    states = VIEW_STATES["P" if provisional else "A"]
    for key in ("2021", "2022", "2023", "2024"):  # the report's year, the year before, the trend
        assert stored_evaluation(figures, core, figures.area, key, as_of=LATE, states=states) is not None, key
    stored = _report(figures, provisional=provisional)
    assert stored == engine
    assert stored.observations and stored.rows


def test_a_document_leaves_out_the_annex_and_reads_only_its_years(figures):
    """Only the workbook lists the figures; the document's text quotes those of its year only."""
    document = _report(figures, annex=False)
    workbook = _report(figures)
    assert document.observations == () and workbook.observations
    assert document.rows == workbook.rows and document.sections == workbook.sections
    years = {int(re.search(r"\d{4}", o.period)[0]) for o in workbook.observations}  # "Quý 3/2024"
    assert 2024 in years and min(years) < 2024
