"""The rebuild writes the shape rows set-based (each group's pattern of cells in SQL, the engine's rule
asked once per distinct pattern and reading, the sums level by level): its rows are the rows of the
Python pass it replaced, which read every group's cells, asked ``shape_sums`` per group and added
each group into its nearest area and areas into the areas above (``reference_shapes`` below, as it
was until session 11).

The tree has several levels, offices of districts, an office of a province and an office of an
office (its own reporting group); units report level indicators by months, quarters, halves, the
year, mixed kinds, with gaps, by sex or not, and shares of women; both views; whole rebuilds,
rebuilds of a few areas, of one quarter, and of a plan without a version in force (every code)."""

from __future__ import annotations

import itertools
import random

from django.db import connection

from tests.web.rollups.conftest import SUB_YEAR_DUTIES, random_figures
from tests.web.rollups.test_equal_to_engine import summary_snapshot
from tests.web.rollups.test_level_rebuild import odd_tree

_MICRO_OF = "CAST(ROUND({col} * 1000000) AS BIGINT)"
_BOTH = "o.numerator IS NOT NULL AND o.denominator IS NOT NULL"

# Every group's sums per cell and state, ordered by group so they are read one group at a time.
_CELLS_SQL = f"""
SELECT e.ancestor_id, s.state, s.period_key, o.indicator_code, o.sex,
       COUNT(*),
       SUM(CASE WHEN {_BOTH} THEN 1 ELSE 0 END),
       SUM(CASE WHEN {_BOTH} THEN {_MICRO_OF.format(col="o.numerator")} ELSE 0 END),
       SUM(CASE WHEN {_BOTH} THEN {_MICRO_OF.format(col="o.denominator")} ELSE 0 END),
       SUM(CASE WHEN o.value IS NOT NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN o.value IS NOT NULL THEN {_MICRO_OF.format(col="o.value")} ELSE 0 END),
       SUM(CASE WHEN o.value IS NULL AND o.numerator IS NULL THEN 1 ELSE 0 END),
       SUM({_MICRO_OF.format(col="COALESCE(o.value, o.numerator, 0)")})
  FROM data_observation o
  JOIN data_submission s ON s.id = o.submission_id
  JOIN rollups_unitancestor e ON e.unit_id = s.org_unit_id AND e.depth = 0
 WHERE s.plan_id = %(plan)s AND s.period_key IN ({{periods}}) AND s.state IN ({{states}}) {{codes}} {{below}}
 GROUP BY e.ancestor_id, s.state, s.period_key, o.indicator_code, o.sex
 ORDER BY e.ancestor_id
"""


def _cells_statement(plan, year_keys, codes, areas, states) -> tuple[str, dict[str, object]]:
    params: dict[str, object] = {"plan": plan.pk}
    params.update({f"period{i}": k for i, k in enumerate(year_keys)})
    params.update({f"state{i}": k for i, k in enumerate(states)})
    code_filter = below = ""
    if codes.level is not None:
        params.update({f"code{i}": c for i, c in enumerate(sorted(codes.level))})
        code_filter = "AND o.indicator_code IN ({})".format(
            ", ".join(f"%(code{i})s" for i in range(len(codes.level))) or "NULL"
        )
    if areas is not None and plan.area_id not in areas:
        params.update({f"area{i}": a for i, a in enumerate(areas)})
        listed = ", ".join(f"%(area{i})s" for i in range(len(areas)))
        below = (
            f"AND e.ancestor_id IN (SELECT unit_id FROM rollups_unitancestor WHERE ancestor_id IN ({listed}))"
        )
    sql = (
        _CELLS_SQL.replace("{periods}", ", ".join(f"%(period{i})s" for i in range(len(year_keys))))
        .replace("{states}", ", ".join(f"%(state{i})s" for i in range(len(states))))
        .replace("{codes}", code_filter)
        .replace("{below}", below)
    )
    return sql, params


def reference_shapes(plan, keys: list[str], areas: list[int] | None) -> None:
    """``_rebuild_shapes`` as it was until session 11: every group's cells read in one pass ordered by
    group, ``shape_sums`` per group, groups added into their nearest area and areas into the nearest
    above them in Python, the rows inserted through executemany."""
    from web.rollups.models import RollupFigure
    from web.rollups.services import (
        _UPSERT_SQL,
        VIEW_STATES,
        Sums,
        _period_keys,
        areas_above,
        shape_codes,
        shape_sums,
        year_of,
    )

    states = tuple(dict.fromkeys(state for states in VIEW_STATES.values() for state in states))
    years = {y.key: y for y in (year_of(k) for k in keys) if y is not None}
    if not years or areas == []:
        return
    year_keys = [k for k in _period_keys(plan, None) if (y := year_of(k)) is not None and y.key in years]
    stale = RollupFigure.objects.filter(plan=plan, period_key__in=year_keys).exclude(shape="")
    (stale.filter(unit_id__in=areas) if areas is not None else stale).delete()
    codes = shape_codes(plan)
    if not year_keys or codes.level == frozenset():
        return
    tree = areas_above()
    nearest, levels = tree.nearest, tree.level
    views_of = {state: [v for v, states in VIEW_STATES.items() if state in states] for state in states}
    below: dict[int, dict[tuple[str, str, str, str, str], Sums]] = {}  # area → its units' sums

    def flush(group, cells) -> None:
        if group not in nearest:
            return
        into = below.setdefault(nearest[group], {})
        for (view, year_key), group_cells in cells.items():
            for (code, key, reading, shape), sums in shape_sums(codes, years[year_key], group_cells).items():
                into.setdefault((view, key, code, reading, shape), Sums()).add(sums)

    sql, params = _cells_statement(plan, year_keys, codes, areas, states)
    group, cells = None, {}
    year_key_of = {k: year_of(k).key for k in year_keys}  # type: ignore[union-attr]
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        for eff, state, period_key, code, sex, *numbers in cursor:
            if eff != group:
                if group is not None:
                    flush(group, cells)
                group, cells = eff, {}
            part = Sums(*(int(n) for n in numbers))
            for view in views_of[state]:
                cells.setdefault((view, year_key_of[period_key]), {}).setdefault(
                    (code, period_key, sex), Sums()
                ).add(part)
        if group is not None:
            flush(group, cells)
    for area in sorted(set(below) | set(nearest.values()), key=lambda a: -levels.get(a, 0)):  # deepest first
        if area in nearest and below.get(area):
            into = below.setdefault(nearest[area], {})
            for key, sums in below[area].items():
                into.setdefault(key, Sums()).add(sums)
    wanted = set(areas) if areas is not None else None
    totals = {
        (view, area, key, code, reading, shape): sums
        for area, parts in below.items()
        if wanted is None or area in wanted
        for (view, key, code, reading, shape), sums in parts.items()
    }
    insert = _UPSERT_SQL[: _UPSERT_SQL.index("ON CONFLICT")]
    rows = (
        (plan.pk, view, area, key, code, reading, False, shape, *sums.row())
        for (view, area, key, code, reading, shape), sums in totals.items()
    )
    with connection.cursor() as cursor:
        batch = list(itertools.islice(rows, 5000))
        while batch:
            cursor.executemany(insert, batch)
            batch = list(itertools.islice(rows, 5000))


def shape_rows(plan) -> dict:
    return {key: sums for key, sums in summary_snapshot(plan).items() if key[-1] != ""}


def reference_rows(plan, keys: list[str], areas: list[int] | None) -> dict:
    reference_shapes(plan, keys, areas)
    return shape_rows(plan)


def figures(plan, nation, seed: int) -> None:
    """Level indicators by parts of years (every unit, districts' own and offices' of offices too),
    in random states; a few units give their figures with gaps."""
    from web.data.models import Submission

    rng = random.Random(seed)
    random_figures(plan, nation, rng, density=0.75, duties=SUB_YEAR_DUTIES)
    for submission in Submission.objects.filter(plan=plan).order_by("pk"):
        state = rng.choice(["draft", "submitted", "approved", "approved", "returned"])
        Submission.objects.filter(pk=submission.pk).update(state=state)


def _all_keys(plan) -> list[str]:
    from web.data.models import Submission

    return sorted(set(Submission.objects.filter(plan=plan).values_list("period_key", flat=True)))


def test_a_whole_rebuild_writes_the_shape_rows_of_the_python_pass(db, admin):
    from web.orgs.models import OrgUnit, UnitKind
    from web.rollups.services import rollup_rebuild

    nation, plan = odd_tree(admin)
    figures(plan, nation, seed=3)
    rollup_rebuild(plan=plan)
    rebuilt = shape_rows(plan)
    expected = reference_rows(plan, _all_keys(plan), None)
    assert rebuilt == expected
    # The cases are in the rows: else the comparison proves less than it says.
    keys = list(expected)
    assert {k[0] for k in keys} == {"A", "P"} and {k[4] for k in keys} == {"", "F", "M", "W"}
    shapes = {k[6] for k in keys}
    assert any(s.startswith("…") and s.endswith("-12") for s in shapes)  # months
    assert any(s.startswith("…") and "-Q" in s for s in shapes)  # quarters
    assert any(not s.startswith("…") for s in shapes)  # mixed kinds, exact periods
    assert {k[2][:4] for k in keys} >= {"2022", "2023", "2024"}
    assert any(v[-1] > 1 for v in expected.values())  # several units in one shape
    units = {k[1] for k in keys}
    districts = set(OrgUnit.objects.filter(kind=UnitKind.DISTRICT).values_list("pk", flat=True))
    assert nation.pk in units and units & districts


def test_a_rebuild_of_a_few_areas_or_a_quarter_writes_the_shape_rows_of_the_python_pass(db, admin):
    """Rebuilds of the areas above a load's units (the plan's own area among them, then not) and of
    one quarter: the rows written are the Python pass's, the others' are left as they were."""
    from web.data.models import Observation, Submission
    from web.orgs.models import OrgUnit, UnitKind
    from web.rollups.services import rollup_rebuild, touched_areas

    nation, plan = odd_tree(admin)
    figures(plan, nation, seed=11)
    rollup_rebuild(plan=plan)
    before = shape_rows(plan)
    second = OrgUnit.objects.filter(kind=UnitKind.PROVINCE).order_by("pk")[1]
    units = list(OrgUnit.objects.filter(parent__parent=second).values_list("pk", flat=True))
    Observation.objects.filter(submission__org_unit_id__in=units).exclude(value=None).update(value=2)
    Submission.objects.filter(org_unit_id__in=units, period_key="2024-Q2").update(state="approved")
    for plan_area in (nation, OrgUnit.objects.filter(kind=UnitKind.PROVINCE).order_by("pk")[2]):
        plan.area = plan_area
        plan.save(update_fields=["area"])
        rollup_rebuild(plan=plan, unit_ids=units)
        areas = touched_areas(units)
        assert nation.pk in areas and second.pk in areas
        rebuilt = shape_rows(plan)
        assert rebuilt == reference_rows(plan, _all_keys(plan), areas)
        assert {k: v for k, v in rebuilt.items() if k[1] not in areas} == {
            k: v for k, v in before.items() if k[1] not in areas
        }
        assert {k: v for k, v in rebuilt.items() if k[1] in areas} != {
            k: v for k, v in before.items() if k[1] in areas
        }
    Submission.objects.filter(plan=plan, period_key="2024-Q2").update(state="draft")
    rollup_rebuild(plan=plan, period_keys=["2024-Q2"])
    rebuilt = shape_rows(plan)
    assert rebuilt == reference_rows(plan, ["2024-Q2"], None)


def test_a_years_rebuild_deletes_its_rows_once_and_lists_the_plans_periods_once(db, admin):
    """The year's rows, its shape rows among them, go in one DELETE (in a country each DELETE scans
    the plan's two million rows: the second, which found none, took 0.5–0.9 s), and the plan's
    periods are listed once; the rows written are the Python pass's all the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from web.rollups.services import rollup_rebuild

    nation, plan = odd_tree(admin)
    figures(plan, nation, seed=5)
    rollup_rebuild(plan=plan)
    with CaptureQueriesContext(connection) as seen:
        rollup_rebuild(plan=plan, period_key="2024")
    statements = [q["sql"] for q in seen.captured_queries]
    assert len([s for s in statements if s.startswith('DELETE FROM "rollups_rollupfigure"')]) == 1
    assert len([s for s in statements if "DISTINCT" in s and '"data_submission"' in s]) == 1
    assert shape_rows(plan) == reference_rows(plan, _all_keys(plan), None)


def test_without_a_version_in_force_every_code_gets_shape_rows_as_before(db, admin):
    """No version in force (``shape_codes`` has no plan): every indicator read with both sexes, F, M."""
    from web.plans.models import PlanVersion
    from web.rollups.services import rollup_rebuild

    nation, plan = odd_tree(admin)
    figures(plan, nation, seed=17)
    PlanVersion.objects.filter(plan=plan).update(status="draft")
    rollup_rebuild(plan=plan)
    rebuilt = shape_rows(plan)
    assert rebuilt == reference_rows(plan, _all_keys(plan), None)
    assert "6.3" in {k[3] for k in rebuilt} and "W" not in {k[4] for k in rebuilt}
