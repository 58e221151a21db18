"""The rebuild sums level by level (each area from its nearest children): its rows are the rows of
the one statement it replaced, which joined every reporting group to each of its ancestors in the
closure and grouped it all (``ONE_STATEMENT`` below, as it was until session 10).

The tree has what moves figures off the plain chain: offices of districts (their figures are their
district's own), an office of a province, an office of an office (its own reporting group, whose
figures are still its district's own: that own row then sums two groups), districts giving figures
of their own, several levels, both views, figures by sex (the class S), and rebuilds of a few areas."""

from __future__ import annotations

import random

from django.db import connection

from tests.web.rollups.conftest import build_tree, plan_for, random_figures
from tests.web.rollups.test_equal_to_engine import summary_snapshot

ONE_STATEMENT = """
WITH base AS (
    SELECT v.view AS view, e.ancestor_id AS eff, s.period_key AS period_key, o.indicator_code AS code,
           o.sex AS sex,
           COUNT(*) AS n_rows,
           SUM(CASE WHEN {both} THEN 1 ELSE 0 END) AS n_both,
           SUM(CASE WHEN {both} THEN CAST(ROUND(o.numerator * 1000000) AS BIGINT) ELSE 0 END) AS sum_num,
           SUM(CASE WHEN {both} THEN CAST(ROUND(o.denominator * 1000000) AS BIGINT) ELSE 0 END) AS sum_den,
           SUM(CASE WHEN o.value IS NOT NULL THEN 1 ELSE 0 END) AS n_values,
           SUM(CASE WHEN o.value IS NOT NULL THEN CAST(ROUND(o.value * 1000000) AS BIGINT) ELSE 0 END)
               AS sum_value,
           SUM(CASE WHEN o.value IS NULL AND o.numerator IS NULL THEN 1 ELSE 0 END) AS n_count_missing,
           SUM(CAST(ROUND(COALESCE(o.value, o.numerator, 0) * 1000000) AS BIGINT)) AS sum_count
      FROM data_observation o
      JOIN data_submission s ON s.id = o.submission_id
      JOIN ({views}) v ON v.state = s.state
      JOIN rollups_unitancestor e ON e.unit_id = s.org_unit_id AND e.depth = 0
     WHERE s.plan_id = %(plan)s AND s.period_start BETWEEN %(first_start)s AND %(last_start)s
       AND s.period_key IN ({periods}) {below_areas}
     GROUP BY v.view, e.ancestor_id, s.period_key, o.indicator_code, o.sex
),
summed AS (
    SELECT view, eff, period_key, code, 'S' AS sex,
           SUM(n_rows) AS n_rows, SUM(n_both) AS n_both, SUM(sum_num) AS sum_num, SUM(sum_den) AS sum_den,
           SUM(n_values) AS n_values, SUM(sum_value) AS sum_value,
           SUM(n_count_missing) AS n_count_missing, SUM(sum_count) AS sum_count
      FROM base
     GROUP BY view, eff, period_key, code
    HAVING SUM(CASE WHEN sex = '' THEN 1 ELSE 0 END) = 0
       AND SUM(CASE WHEN sex = 'F' THEN 1 ELSE 0 END) = 1
       AND SUM(CASE WHEN sex = 'M' THEN 1 ELSE 0 END) = 1
),
contrib AS (
    SELECT view, eff, period_key, code, sex, n_rows, n_both, sum_num, sum_den, n_values, sum_value,
           n_count_missing, sum_count FROM base
    UNION ALL
    SELECT view, eff, period_key, code, sex, n_rows, n_both, sum_num, sum_den, n_values, sum_value,
           n_count_missing, sum_count FROM summed
)
INSERT INTO rollups_rollupfigure
    (plan_id, view, unit_id, period_key, indicator_code, sex, own, shape,
     n_rows, n_both, sum_num, sum_den, n_values, sum_value, n_count_missing, sum_count, n_units)
SELECT %(plan)s, k.view, c.ancestor_id, k.period_key, k.code, k.sex, (c.depth = 0), '',
       SUM(k.n_rows), SUM(k.n_both), SUM(k.sum_num), SUM(k.sum_den), SUM(k.n_values), SUM(k.sum_value),
       SUM(k.n_count_missing), SUM(k.sum_count), COUNT(*)
  FROM contrib k
  JOIN rollups_unitancestor c ON c.unit_id = k.eff
  JOIN orgs_orgunit a ON a.id = c.ancestor_id
 WHERE a.kind <> 'commune' {in_areas}
 GROUP BY k.view, c.ancestor_id, k.period_key, k.code, k.sex, (c.depth = 0)
""".replace("{both}", "o.numerator IS NOT NULL AND o.denominator IS NOT NULL")


def plain_rows(plan) -> dict:
    return {key: sums for key, sums in summary_snapshot(plan).items() if key[-1] == ""}


def one_statement_rows(plan, areas: list[int] | None) -> dict:
    """The plain rows of ``areas`` (None: all) as the one statement wrote them, one statement per
    kind of period and year; the rebuild's own filters on the figures read and the areas written."""
    from chitieu.periods import parse_period
    from web.data.models import Submission
    from web.rollups.models import RollupFigure
    from web.rollups.services import VIEW_STATES, _filled, _rebuild_params

    written = RollupFigure.objects.filter(plan=plan, shape="")
    (written.filter(unit_id__in=areas) if areas is not None else written).delete()
    kinds: dict[tuple[str, int], list[str]] = {}
    for key in sorted(set(Submission.objects.filter(plan=plan).values_list("period_key", flat=True))):
        period = parse_period(key)
        kinds.setdefault((period.kind.value, period.start.year), []).append(key)
    with connection.cursor() as cursor:
        for periods in kinds.values():
            params, parts = _rebuild_params(periods, areas, plan.area_id, VIEW_STATES)
            cursor.execute(_filled(ONE_STATEMENT, parts, "c.ancestor_id"), {**params, "plan": plan.pk})
    return plain_rows(plan)


def odd_tree(admin):
    """``build_tree`` with an office of a province and an office of a district's office."""
    from chitieu.names import name_key
    from web.orgs.models import OrgUnit, UnitKind
    from web.rollups.services import unit_closure_refresh

    nation = build_tree([[2, 3], [1, 0], [2]])
    province = OrgUnit.objects.filter(kind=UnitKind.PROVINCE).order_by("pk").first()
    office = OrgUnit.objects.filter(kind=UnitKind.OFFICE, parent__parent=province).order_by("pk").first()
    for name, parent in (("Văn phòng tỉnh", province), ("Tổ y tế dự phòng", office)):
        OrgUnit.objects.create(name=name, name_key=name_key(name), kind=UnitKind.OFFICE, parent=parent)
    unit_closure_refresh()
    return nation, plan_for(nation, admin)


def figures(plan, nation, seed: int) -> None:
    """Random figures of every unit (districts' own ones included), in random states."""
    from web.data.models import Submission

    rng = random.Random(seed)
    random_figures(plan, nation, rng, density=0.7)
    for submission in Submission.objects.filter(plan=plan).order_by("pk"):
        state = rng.choice(["draft", "submitted", "approved", "approved", "returned"])
        Submission.objects.filter(pk=submission.pk).update(state=state)


def test_a_whole_rebuild_writes_the_rows_of_the_one_statement(db, admin):
    from web.data.models import Submission
    from web.orgs.models import OrgUnit, UnitKind
    from web.rollups.services import rollup_rebuild

    nation, plan = odd_tree(admin)
    figures(plan, nation, seed=5)
    rollup_rebuild(plan=plan)
    levels = plain_rows(plan)
    expected = one_statement_rows(plan, None)
    assert levels == expected
    # The tree's odd cases are in the figures: else the comparison proves less than it says.
    districts = set(OrgUnit.objects.filter(kind=UnitKind.DISTRICT).values_list("pk", flat=True))
    own_of_districts = [k for k in expected if k[1] in districts and k[5]]
    # A district's own figures, its offices' and its office's office's included, are one unit's.
    assert own_of_districts and all(expected[k][-1] == 1 for k in own_of_districts)
    assert Submission.objects.filter(plan=plan, org_unit__parent__kind=UnitKind.OFFICE).exists()
    assert any(k[4] == "S" for k in expected) and {k[0] for k in expected} == {"A", "P"}
    assert any(v[-1] > 3 and not k[5] for k, v in expected.items())  # units below, many of them
    assert {k[1] for k in expected} >= {nation.pk, *districts}


def test_a_rebuild_of_a_few_areas_writes_the_rows_of_the_one_statement(db, admin):
    """A load rebuilds the areas above the units it wrote: they, and only they, are written as the
    one statement wrote them; the other areas' rows are left as they were."""
    from web.data.models import Observation
    from web.orgs.models import OrgUnit, UnitKind
    from web.rollups.services import rollup_rebuild, touched_areas

    nation, plan = odd_tree(admin)
    figures(plan, nation, seed=9)
    rollup_rebuild(plan=plan)
    before = plain_rows(plan)
    second = OrgUnit.objects.filter(kind=UnitKind.PROVINCE).order_by("pk")[1]
    units = list(OrgUnit.objects.filter(parent__parent=second).values_list("pk", flat=True))
    Observation.objects.filter(submission__org_unit_id__in=units).exclude(value=None).update(value=1)
    for plan_area in (nation, OrgUnit.objects.filter(kind=UnitKind.PROVINCE).order_by("pk")[2]):
        # The plan's own area among the touched ones (every figure read), then not (only those below).
        plan.area = plan_area
        plan.save(update_fields=["area"])
        rollup_rebuild(plan=plan, unit_ids=units)
        areas = touched_areas(units)
        assert nation.pk in areas and second.pk in areas and len(areas) < len(before)
        levels = plain_rows(plan)
        expected = one_statement_rows(plan, areas)
        assert levels == expected
        assert {k: v for k, v in levels.items() if k[1] not in areas} == {
            k: v for k, v in before.items() if k[1] not in areas
        }
        assert {k: v for k, v in levels.items() if k[1] in areas} != {
            k: v for k, v in before.items() if k[1] in areas
        }


def test_with_no_report_only_sent_the_provisional_rows_are_the_approved_ones_copied(db, admin, monkeypatch):
    """After a bulk load every report is approved: both views count the same reports, so the
    rebuild works the approved rows out once and copies them (``views_alike``). The rows are those
    of a rebuild that works out both, whole, for a year, and for the areas above a few units."""
    from web.data.models import Submission
    from web.orgs.models import OrgUnit, UnitKind
    from web.rollups import services
    from web.rollups.services import rollup_rebuild, views_alike

    nation, plan = odd_tree(admin)
    figures(plan, nation, seed=7)
    Submission.objects.filter(plan=plan, state="submitted").update(state="approved")
    assert views_alike(plan)
    district = OrgUnit.objects.filter(kind=UnitKind.DISTRICT).order_by("pk")[1]
    units = list(OrgUnit.objects.filter(parent=district).values_list("pk", flat=True))
    rebuilds = [{}, {"period_key": "2024"}, {"unit_ids": units}]
    copied = []
    for arguments in rebuilds:
        rollup_rebuild(plan=plan, **arguments)
        copied.append(summary_snapshot(plan))
    monkeypatch.setattr(services, "views_alike", lambda plan: False)
    for arguments, expected in zip(rebuilds, copied, strict=True):
        rollup_rebuild(plan=plan, **arguments)
        assert summary_snapshot(plan) == expected
    rows = copied[0]
    assert {k[0] for k in rows} == {"A", "P"} and any(k[-1] for k in rows)  # shape rows too
    assert {k[1:]: v for k, v in rows.items() if k[0] == "A"} == {
        k[1:]: v for k, v in rows.items() if k[0] == "P"
    }
    # One report only sent: the views differ, and each is worked out.
    Submission.objects.filter(plan=plan, state="approved").order_by("pk").update(state="submitted")
    assert not views_alike(plan)
