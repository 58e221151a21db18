"""Keeping the roll-ups current: the closure of the org tree and the summary of figures.

- ``unit_closure_refresh`` rebuilds ``UnitAncestor`` with one recursive query. Every
  write that adds or moves units announces ``hooks.TREE_CHANGED`` (the unit services,
  the reorganisation, the bulk unit load; a migration for databases from before), so
  reads never have to repair it and never write.
- ``rollup_submission_moved`` is called by the approval transitions (submit,
  approve, return, unlock) inside their transaction: it adds or subtracts what the
  submission's unit contributes to each of its ancestors.
- ``rollup_rebuild`` recomputes the summary of a plan with set-based SQL, level by level
  (each area from its nearest children), on SQLite and PostgreSQL.

What a unit contributes is decided per *reporting group*: the figures that one
unit gives for one period, its offices' figures counting as the unit's
(``reports_for_area``). The engine forms a total of both sexes per group the same
way: the group's total rows, else its girls' and boys' rows together (class S),
else nothing. So group sums are what the engine would add, and sums over groups
are sums the engine would take.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction

from chitieu import approval
from chitieu.evaluate import unit_counts_with
from chitieu.observations import Observation as CoreObservation
from chitieu.periods import Period, PeriodKind, parse_period
from chitieu.plan import Measure, Sex, about_women
from web.core import hooks
from web.core.bulk_sql import bulk_statements, planned_without
from web.data.models import Observation, Submission
from web.orgs.models import OrgUnit, UnitKind
from web.orgs.selectors import area_unit
from web.plans.selectors import core_plan, plan_version_active
from web.rollups.cache import summary_changed, summary_changed_all
from web.rollups.models import MICRO, RollupFigure, SexClass, UnitAncestor, View

# Which submission states each view counts.
VIEW_STATES: dict[str, tuple[str, ...]] = {
    View.APPROVED: tuple(s.value for s in approval.APPROVED_STATES),
    View.PROVISIONAL: tuple(s.value for s in approval.RECEIVED_STATES),
}

Progress = Callable[[int, int, str], None]


def views_alike(plan) -> bool:
    """Whether both views count the same reports of ``plan``: none is in a state one counts and the
    other does not (sent, not yet approved), as after a bulk load. Then the summary rows and the
    verdicts of one view are the other's: worked out once, for both."""
    either = set(VIEW_STATES[View.APPROVED]) ^ set(VIEW_STATES[View.PROVISIONAL])
    return not Submission.objects.filter(plan=plan, state__in=either).exists()


# ------------------------------------------------------------------ closure

_CLOSURE_SQL = """
WITH RECURSIVE home(unit_id, area_id, hops) AS (
    SELECT id, id, 0 FROM orgs_orgunit
    UNION ALL
    SELECT home.unit_id, u.parent_id, home.hops + 1
      FROM home JOIN orgs_orgunit u ON u.id = home.area_id
     WHERE u.kind = %(office)s AND u.parent_id IS NOT NULL AND home.hops < 30
),
settled(unit_id, area_id) AS (
    SELECT home.unit_id, home.area_id
      FROM home JOIN orgs_orgunit u ON u.id = home.area_id
     WHERE u.kind <> %(office)s OR u.parent_id IS NULL OR home.hops = 30
),
up(unit_id, ancestor_id, depth) AS (
    SELECT unit_id, area_id, 0 FROM settled
    UNION ALL
    SELECT up.unit_id, u.parent_id, up.depth + 1
      FROM up JOIN orgs_orgunit u ON u.id = up.ancestor_id
     WHERE u.parent_id IS NOT NULL AND up.depth < 30
)
INSERT INTO rollups_unitancestor (unit_id, ancestor_id, depth)
SELECT unit_id, ancestor_id, depth FROM up
"""


@transaction.atomic
def unit_closure_refresh() -> int:
    """Rebuild the unit → ancestor table from the parent links; returns its number of rows.

    An office's depth-0 ancestor is its district (the first unit above it that is not an office, for
    an office under another office): its figures are the district's."""
    UnitAncestor.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(_CLOSURE_SQL, {"office": UnitKind.OFFICE.value})
    summary_changed_all()  # areas' figures and communes may have moved: cached evaluations are stale
    return UnitAncestor.objects.count()


# ------------------------------------------------------------------ group sums


@dataclass
class Sums:
    n_rows: int = 0
    n_both: int = 0
    sum_num: int = 0
    sum_den: int = 0
    n_values: int = 0
    sum_value: int = 0
    n_count_missing: int = 0
    sum_count: int = 0
    n_units: int = 0

    def add(self, other: Sums, sign: int = 1) -> None:
        # Field by field: dataclasses.astuple deep-copies, which is slow in bulk evaluation.
        self.n_rows += sign * other.n_rows
        self.n_both += sign * other.n_both
        self.sum_num += sign * other.sum_num
        self.sum_den += sign * other.sum_den
        self.n_values += sign * other.n_values
        self.sum_value += sign * other.sum_value
        self.n_count_missing += sign * other.n_count_missing
        self.sum_count += sign * other.sum_count
        self.n_units += sign * other.n_units

    def is_zero(self) -> bool:
        return not any(self.row())

    def row(self) -> tuple[int, ...]:
        """The sums in the table's column order (``dataclasses.astuple`` deep-copies each: a
        country's rebuild writes millions of rows)."""
        return (
            self.n_rows,
            self.n_both,
            self.sum_num,
            self.sum_den,
            self.n_values,
            self.sum_value,
            self.n_count_missing,
            self.sum_count,
            self.n_units,
        )


_FIELDS = tuple(Sums.__dataclass_fields__)


def micro(value: Decimal | None) -> int:
    return 0 if value is None else int((Decimal(value) * MICRO).to_integral_value(ROUND_HALF_UP))


def _row_sums(numerator, denominator, value) -> Sums:
    both = numerator is not None and denominator is not None
    counted = value if value is not None else numerator
    return Sums(
        n_rows=1,
        n_both=int(both),
        sum_num=micro(numerator) if both else 0,
        sum_den=micro(denominator) if both else 0,
        n_values=int(value is not None),
        sum_value=micro(value),
        n_count_missing=int(counted is None),
        sum_count=micro(counted),
    )


GroupKey = tuple[str, str]  # (indicator code, sex class)


def group_sums(rows: Iterable[tuple[str, str, object, object, object]]) -> dict[GroupKey, Sums]:
    """One reporting group's sums per indicator and sex class, from (code, sex, num, den, value) rows."""
    sums: dict[GroupKey, Sums] = {}
    for code, sex, numerator, denominator, value in rows:
        sums.setdefault((code, sex), Sums()).add(_row_sums(numerator, denominator, value))
    for code in {c for c, _ in sums}:
        female, male = sums.get((code, "F")), sums.get((code, "M"))
        if (code, "") not in sums and female and male:
            both = Sums()
            both.add(female)
            both.add(male)
            sums[(code, "S")] = both
    for part in sums.values():
        part.n_units = 1
    return sums


# ------------------------------------------------------------------ incremental


def _effective_unit_id(unit: OrgUnit) -> int:
    row = UnitAncestor.objects.filter(unit_id=unit.pk, depth=0).values_list("ancestor_id", flat=True).first()
    if row is not None:
        return row
    return area_unit(unit).pk


def _ancestors(effective_id: int) -> list[tuple[int, int]]:
    """(ancestor id, depth) of a reporting unit, communes left out (their figures are their rows)."""
    rows = (
        UnitAncestor.objects.filter(unit_id=effective_id)
        .exclude(ancestor__kind=UnitKind.COMMUNE)
        .values_list("ancestor_id", "depth")
    )
    return list(rows)


_UPSERT_SQL = """
INSERT INTO rollups_rollupfigure
    (plan_id, view, unit_id, period_key, indicator_code, sex, own, shape,
     n_rows, n_both, sum_num, sum_den, n_values, sum_value, n_count_missing, sum_count, n_units)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (plan_id, view, unit_id, period_key, indicator_code, sex, own, shape) DO UPDATE SET
""" + ",\n".join(f"    {f} = rollups_rollupfigure.{f} + excluded.{f}" for f in _FIELDS)


def rollup_submission_moved(*, submission: Submission, old_state: str, **_details: object) -> None:
    """Add or subtract a submission's figures after a state change; call inside the transaction.

    The whole reporting group (the unit and its offices, one period) is summed before and
    after the change, so derived totals (girls + boys) stay right when one office's
    figures come and go."""
    effective = _effective_unit_id(submission.org_unit)
    members = list(
        Submission.objects.filter(
            plan_id=submission.plan_id,
            period_key=submission.period_key,
            org_unit_id__in=UnitAncestor.objects.filter(ancestor_id=effective, depth=0).values("unit_id"),
        ).values_list("pk", "state")
    )
    states = dict(members)
    states.setdefault(submission.pk, submission.state)
    rows = list(
        Observation.objects.filter(submission_id__in=list(states)).values_list(
            "submission_id", "indicator_code", "sex", "numerator", "denominator", "value"
        )
    )
    ancestors = _ancestors(effective)
    summary_changed(submission.plan_id)  # same transaction: cached evaluations of the plan are stale
    moved = []
    for view, counted in VIEW_STATES.items():
        if (old_state in counted) == (submission.state in counted):
            continue
        moved.append(view)
        before_states = {**states, submission.pk: old_state}
        before = group_sums(r[1:] for r in rows if before_states[r[0]] in counted)
        after = group_sums(r[1:] for r in rows if states[r[0]] in counted)
        _apply(submission.plan_id, view, submission.period_key, ancestors, effective, before, after)
    if moved:
        _shapes_moved(submission, old_state, effective, ancestors, moved)
    if moved:  # the stored verdicts of those areas follow, in this transaction (web.rollups.verdicts)
        areas = [a for a, _depth in ancestors]
        hooks.announce(hooks.SUMMARY_WRITTEN, plan_id=submission.plan_id, areas=areas, views=moved)


def _deltas(before: dict, after: dict) -> dict:
    """What a change adds to the summary, per key: after − before, keys whose sums did not move left out."""
    deltas = {}
    for key in set(before) | set(after):
        delta = Sums()
        delta.add(after.get(key, Sums()))
        delta.add(before.get(key, Sums()), -1)
        if not delta.is_zero():
            deltas[key] = delta
    return deltas


def _apply(plan_id, view, period_key, ancestors, effective, before, after) -> None:
    deltas: dict[GroupKey, Sums] = _deltas(before, after)
    if not deltas or not ancestors:
        return
    params = [
        (plan_id, view, ancestor, period_key, code, sex, ancestor == effective, "", *delta.row())
        for ancestor, _depth in ancestors
        for (code, sex), delta in deltas.items()
    ]
    with connection.cursor() as cursor:
        cursor.executemany(_UPSERT_SQL, params)
    RollupFigure.objects.filter(
        plan_id=plan_id,
        view=view,
        period_key=period_key,
        unit_id__in=[a for a, _ in ancestors],
        n_rows__lte=0,
    ).delete()


# ------------------------------------------------------------------ rebuild
#
# Level by level. Each reporting group's sums (per view, period, indicator, sex class, the class S
# included) are computed once into a temporary table; from there they are written as their area's
# own figures and added to the nearest area above; then each area's sums of the units below it
# are added to the nearest area above it, deepest areas first, and written. Every figure is
# grouped about once: joined to each of its (about four) areas and grouped all at once, a
# country's months made SQLite sort four times its figures (over 30 minutes).

_MICRO_OF = "CAST(ROUND({col} * 1000000) AS BIGINT)"
_BOTH = "o.numerator IS NOT NULL AND o.denominator IS NOT NULL"
_SUMS = _FIELDS[:-1]  # the sums of rows; n_units counts the groups behind them
_SUM_OF = ", ".join(f"SUM({f})" for f in _SUMS)
_COLUMNS = ", ".join(_SUMS)
_FIGURE_COLUMNS = (
    f"(plan_id, view, unit_id, period_key, indicator_code, sex, own, shape, {_COLUMNS}, n_units)"
)

# Where each unit's figures go (read from the closure, see ``AreasAbove``): the area whose own
# figures they are (none for a commune), and the nearest area above that one; and whether the unit is
# a reporting group alone (no office reports with it).
_REPORTERS_TABLE = (
    "CREATE TEMP TABLE rollup_reporter"
    " (unit_id BIGINT PRIMARY KEY, own_id BIGINT, up_id BIGINT, alone BOOLEAN NOT NULL)"
)
# Each area with an area above it: how many areas are above it, and the nearest.
_AREAS_TABLE = (
    "CREATE TEMP TABLE rollup_area"
    " (unit_id BIGINT PRIMARY KEY, level INTEGER NOT NULL, up_id BIGINT NOT NULL)"
)
_KEY_TYPES = {"view": "CHAR(1)", "period_key": "VARCHAR(20)", "code": "VARCHAR(20)", "sex": "CHAR(1)"}
_KEY_COLUMNS = ", ".join(f"{name} {sql_type} NOT NULL" for name, sql_type in _KEY_TYPES.items())
_SUM_COLUMNS = ", ".join(f"{f} BIGINT NOT NULL" for f in _SUMS)
# One row per reporting group (``eff``: the unit whose figures include its offices') and cell. On
# SQLite the rows are kept in the order of a group's indicator, period and sex (they are written in
# it), so the class S is summed and a group's pattern of cells read (shape rows) without a sort;
# PostgreSQL sums them in a hash, and an index would only cost it.
_CONTRIB_KEY = "eff, view, code, period_key, sex"
_CONTRIB_TABLE = (
    "CREATE TEMP TABLE rollup_contrib"
    f" (eff BIGINT NOT NULL, own_id BIGINT, up_id BIGINT, {_KEY_COLUMNS}, {_SUM_COLUMNS},"
    f" PRIMARY KEY ({_CONTRIB_KEY})) WITHOUT ROWID"
)
# The sums of the units below an area, in parts (one per level they came up from): summed when written.
# Keyed as the rows written: plain rows by view, period, indicator and sex class; shape rows by their
# shape too (``{shape_column}``, ``{keys}`` and ``{shape}`` are filled by ``_keyed``).
_BELOW_TABLE = (
    "CREATE TEMP TABLE rollup_below"
    f" (unit_id BIGINT NOT NULL, {_KEY_COLUMNS}{{shape_column}}, {_SUM_COLUMNS}, n_units BIGINT NOT NULL)"
)
_TEMP_TABLES = (
    "rollup_reporter",
    "rollup_area",
    "rollup_contrib",
    "rollup_below",
    "rollup_pattern",
    "rollup_rule",
    "rollup_reading",
)

# What one figure adds to its cell's sums (``_row_sums``), in the order of ``_SUMS``.
_ROW_SUMS = (
    "1",
    f"CASE WHEN {_BOTH} THEN 1 ELSE 0 END",
    f"CASE WHEN {_BOTH} THEN {_MICRO_OF.format(col='o.numerator')} ELSE 0 END",
    f"CASE WHEN {_BOTH} THEN {_MICRO_OF.format(col='o.denominator')} ELSE 0 END",
    "CASE WHEN o.value IS NOT NULL THEN 1 ELSE 0 END",
    f"CASE WHEN o.value IS NOT NULL THEN {_MICRO_OF.format(col='o.value')} ELSE 0 END",
    "CASE WHEN o.value IS NULL AND o.numerator IS NULL THEN 1 ELSE 0 END",
    _MICRO_OF.format(col="COALESCE(o.value, o.numerator, 0)"),
)
_FIGURES = """
      FROM data_observation o
      JOIN data_submission s ON s.id = o.submission_id
      JOIN ({views}) v ON v.state = s.state
      JOIN rollups_unitancestor e ON e.unit_id = s.org_unit_id AND e.depth = 0{reporter}
     WHERE s.plan_id = %(plan)s AND s.period_start BETWEEN %(first_start)s AND %(last_start)s
       AND s.period_key IN ({periods}) {below_areas}"""
_CELL_FIGURES = _FIGURES.replace("{reporter}", "\n      JOIN rollup_reporter r ON r.unit_id = e.ancestor_id")

# Each reporting group's sums per cell: view, period, indicator and sex. A group of one unit (one
# report a period, one figure a cell and sex, one state per view: the tables' keys) has one figure
# per cell, its sums are that figure's: only the groups of a unit and its offices are summed.
# Summing every cell (a hash of 8 sums per cell, 262 MB at 25 % of the country for a year) took
# PostgreSQL three times as long as reading the figures.
_CONTRIB_SQL = f"""
INSERT INTO rollup_contrib (eff, own_id, up_id, view, period_key, code, sex, {_COLUMNS})
SELECT e.ancestor_id, r.own_id, r.up_id, v.view, s.period_key, o.indicator_code, o.sex,
       {", ".join(_ROW_SUMS)}
{_CELL_FIGURES} AND r.alone
UNION ALL
SELECT e.ancestor_id, r.own_id, r.up_id, v.view, s.period_key, o.indicator_code, o.sex,
       {", ".join(f"SUM({sql})" for sql in _ROW_SUMS)}
{_CELL_FIGURES} AND NOT r.alone
 GROUP BY e.ancestor_id, r.own_id, r.up_id, v.view, s.period_key, o.indicator_code, o.sex
"""

# The same rows, on PostgreSQL, as a new table (``CREATE TABLE … AS``): its read may be planned in
# parallel, an ``INSERT … SELECT`` never is. The figures of the groups of one unit (all but a few)
# are read in a subquery of plain tables, so that the reading, the joins and every figure's sums
# run in the workers; only the join to the temporary ``rollup_reporter`` (parallel-restricted) and
# the writing are the leader's. Each column cast to its type in ``_CONTRIB_TABLE`` (the later
# statements read them as before: the class S compares ``sex`` as CHAR(1), sums are BIGINT).
_CAST = {**dict.fromkeys(("eff", "own_id", "up_id"), "BIGINT"), **_KEY_TYPES}
_CAST.update(dict.fromkeys(_SUMS, "BIGINT"))
_CONTRIB_CTAS = f"""
CREATE TEMP TABLE rollup_contrib AS
SELECT {", ".join(f"CAST(c.{name} AS {sql_type}) AS {name}" for name, sql_type in _CAST.items())}
  FROM (SELECT c.eff, r.own_id, r.up_id, {", ".join(f"c.{name}" for name in (*_KEY_TYPES, *_SUMS))}
          FROM (SELECT e.ancestor_id AS eff, v.view, s.period_key, o.indicator_code AS code, o.sex,
                       {", ".join(f"{sql} AS {f}" for sql, f in zip(_ROW_SUMS, _SUMS, strict=True))}
{_FIGURES.replace("{reporter}", "")}
                OFFSET 0) c
          JOIN rollup_reporter r ON r.unit_id = c.eff
         WHERE r.alone
        UNION ALL
        SELECT e.ancestor_id, r.own_id, r.up_id, v.view, s.period_key, o.indicator_code, o.sex,
               {", ".join(f"SUM({sql})" for sql in _ROW_SUMS)}
{_CELL_FIGURES} AND NOT r.alone
         GROUP BY e.ancestor_id, r.own_id, r.up_id, v.view, s.period_key, o.indicator_code, o.sex) c
"""

# A group's girls and boys summed, when it gave both and no total (class S; see ``group_sums``): its
# girls' row joined to its boys', none of its own. Grouping every cell of the year by its sex's
# siblings took PostgreSQL a hash of 380 MB at 25 % of the country (spilled to disk at full scale).
# Never a nested loop (the table has no index): PostgreSQL estimated one row after the anti-join
# and compared every girls' row with every boys' row, 21 minutes and not done at full scale, 3 s hashed.
_SAME_CELL = "{t}.eff = f.eff AND {t}.view = f.view AND {t}.code = f.code AND {t}.period_key = f.period_key"
_SUMMED_SQL = f"""
INSERT INTO rollup_contrib (eff, own_id, up_id, view, period_key, code, sex, {_COLUMNS})
SELECT f.eff, f.own_id, f.up_id, f.view, f.period_key, f.code, 'S',
       {", ".join(f"f.{f} + m.{f}" for f in _SUMS)}
  FROM rollup_contrib f JOIN rollup_contrib m ON {_SAME_CELL.format(t="m")} AND m.sex = 'M'
 WHERE f.sex = 'F'
   AND NOT EXISTS (SELECT 1 FROM rollup_contrib t WHERE {_SAME_CELL.format(t="t")} AND t.sex = '')
"""

# An area's own figures: its groups' (an area's offices report with it: one group, or more when
# offices have offices), each group one unit.
_OWN_SQL = f"""
INSERT INTO rollups_rollupfigure {_FIGURE_COLUMNS}
SELECT %(plan)s, view, own_id, period_key, code, sex, TRUE, '', {_SUM_OF}, COUNT(*)
  FROM rollup_contrib
 WHERE own_id IS NOT NULL {{in_areas}}
 GROUP BY view, own_id, period_key, code, sex
"""

# Every group's sums to the nearest area above its own.
_UP_SQL = f"""
INSERT INTO rollup_below (unit_id, view, period_key, code, sex, {_COLUMNS}, n_units)
SELECT up_id, view, period_key, code, sex, {_SUM_OF}, COUNT(*)
  FROM rollup_contrib
 WHERE up_id IS NOT NULL
 GROUP BY up_id, view, period_key, code, sex
"""

# The areas of one level: what is below each, to the nearest area above it.
_LEVEL_SQL = f"""
INSERT INTO rollup_below (unit_id, {{keys}}, {_COLUMNS}, n_units)
SELECT a.up_id, {{keys}}, {", ".join(f"SUM(b.{f})" for f in _SUMS)}, SUM(b.n_units)
  FROM rollup_below b JOIN rollup_area a ON a.unit_id = b.unit_id
 WHERE a.level = %(level)s
 GROUP BY a.up_id, {{keys}}
"""

_BELOW_SQL = f"""
INSERT INTO rollups_rollupfigure {_FIGURE_COLUMNS}
SELECT %(plan)s, view, unit_id, period_key, code, sex, FALSE, {{shape}}, {_SUM_OF}, SUM(n_units)
  FROM rollup_below
 WHERE 1 = 1 {{in_areas}}
 GROUP BY unit_id, {{keys}}
"""

_KEYS = "view, period_key, code, sex"


def _keyed(sql: str, *, shaped: bool) -> str:
    """A statement of the sums below areas for the plain rows, or for the shape rows (keyed by shape too)."""
    if shaped:
        return (
            sql.replace("{shape_column}", f", shape VARCHAR({SHAPE_LENGTH}) NOT NULL")
            .replace("{keys}", f"{_KEYS}, shape")
            .replace("{shape}", "shape")
        )
    return sql.replace("{shape_column}", "").replace("{keys}", _KEYS).replace("{shape}", "''")


@dataclass(frozen=True)
class AreasAbove:
    """Where a unit's figures go up the tree, from the closure. Areas are the units with summary
    rows: every unit but communes. ``owner``: the unit whose own figures a unit's are (its depth-0
    ancestor: an office's district); ``nearest``: the nearest area above a unit; ``level``: how many
    areas are above it. A unit's areas above are its nearest, that one's nearest, and so on: the
    closure is the chain of parent links."""

    owner: dict[int, int]
    nearest: dict[int, int]
    level: dict[int, int]
    communes: frozenset[int]


def areas_above() -> AreasAbove:
    communes = frozenset(OrgUnit.objects.filter(kind=UnitKind.COMMUNE).values_list("pk", flat=True))
    owner: dict[int, int] = {}
    nearest: dict[int, tuple[int, int]] = {}  # unit → (depth, the nearest area above it)
    level: dict[int, int] = {}
    for unit_id, ancestor_id, depth in UnitAncestor.objects.values_list("unit_id", "ancestor_id", "depth"):
        if depth == 0:
            owner[unit_id] = ancestor_id
        if ancestor_id == unit_id or ancestor_id in communes:
            continue
        level[unit_id] = level.get(unit_id, 0) + 1
        if unit_id not in nearest or depth < nearest[unit_id][0]:
            nearest[unit_id] = (depth, ancestor_id)
    return AreasAbove(owner, {u: a for u, (_d, a) in nearest.items()}, level, communes)


def _tree_tables(cursor, tree: AreasAbove) -> list[int]:
    """Create and fill the temporary tables of where figures go (``_REPORTERS_TABLE``,
    ``_AREAS_TABLE``); returns the levels of the areas with an area above, deepest first."""
    for table in _TEMP_TABLES:  # left by an earlier rebuild of this session that failed
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(_REPORTERS_TABLE)
    cursor.execute(_AREAS_TABLE)
    members = Counter(tree.owner.values())
    reporters = [
        (unit, None if owner in tree.communes else owner, tree.nearest.get(owner), members[unit] == 1)
        for unit, owner in tree.owner.items()
    ]
    areas = [(unit, tree.level[unit], up) for unit, up in tree.nearest.items() if unit not in tree.communes]
    _insert_rows(cursor, "rollup_reporter", reporters)
    _insert_rows(cursor, "rollup_area", areas)
    # A few ms. Unanalysed, the figures of the few units with offices (``_CONTRIB_SQL``) were read by
    # a second scan of all the figures, not through their reports (0.3 s a year at 25 %).
    if connection.vendor == "postgresql":
        cursor.execute("ANALYZE rollup_reporter, rollup_area")
    return sorted({level for _unit, level, _up in areas}, reverse=True)


def _rebuild_params(
    periods: list[str], areas: list[int] | None, root: int | None, views: Iterable[str]
) -> tuple[dict[str, object], dict[str, str]]:
    """The parameters of the rebuild of ``periods`` (of ``areas``; None: every area), and the SQL
    that goes into its statements' ``{views}``, ``{periods}``, ``{below_areas}`` and ``{in_areas}``.

    The views (``views``: those read) are a small table of (view, state) joined to the reports,
    so one pass over the figures serves both; the periods are one IN list within a range of start
    days, read through the index on (plan, period start): one pass serves them all (one statement
    per period was one full scan of the figures per period: 172 scans for 86 periods)."""
    params: dict[str, object] = {}
    views_read, views = list(views), []
    for view in views_read:
        for state in VIEW_STATES[view]:
            n = len(views)
            params.update({f"view{n}": view, f"state{n}": state})
            views.append(f"SELECT %(view{n})s AS view, %(state{n})s AS state")
    params.update({f"period{i}": key for i, key in enumerate(periods)})
    starts = sorted(parse_period(key).start for key in periods)
    params.update(first_start=starts[0], last_start=starts[-1])  # the index on (plan, period start)
    below = in_areas = ""
    if areas is not None:
        params.update({f"area{i}": unit for i, unit in enumerate(areas)})
        listed = ", ".join(f"%(area{i})s" for i in range(len(areas)))
        # Only the reporting units below a touched area count towards it: the others are not read
        # (unless the plan's own area is touched: then every unit is below it, and SQLite took
        # seconds over the filter that keeps them all).
        units_below = f"SELECT unit_id FROM rollups_unitancestor WHERE ancestor_id IN ({listed})"
        below = "" if root in areas else f"AND e.ancestor_id IN ({units_below})"
        in_areas = f"AND {{unit}} IN ({listed})"
    parts = {
        "{views}": " UNION ALL ".join(views),
        "{periods}": ", ".join(f"%(period{i})s" for i in range(len(periods))),
        "{below_areas}": below,
        "{in_areas}": in_areas,
    }
    return params, parts


def _filled(sql: str, parts: dict[str, str], unit: str = "") -> str:
    for name, text in parts.items():
        sql = sql.replace(name, text.replace("{unit}", unit))
    return sql


def _contrib_table(cursor) -> None:
    """Create ``rollup_contrib`` on SQLite, kept in the order of ``_CONTRIB_KEY`` (PostgreSQL creates
    it with its rows: ``_CONTRIB_CTAS``)."""
    cursor.execute(_CONTRIB_TABLE)


def _levels_up(cursor, levels: list[int], parts, params, *, shaped: bool) -> None:
    """Add each area's sums of the units below it (``rollup_below``, filled with what each group
    gave its nearest area) to the nearest area above, deepest first, then write them all."""
    for level in levels:  # deepest first: an area's parts are all in before it is added up
        cursor.execute(_keyed(_LEVEL_SQL, shaped=shaped), {"level": level})
    cursor.execute(_filled(_keyed(_BELOW_SQL, shaped=shaped), parts, "unit_id"), params)
    cursor.execute("DROP TABLE rollup_below")


@dataclass(frozen=True)
class Pass:
    """One read of the figures: the plain rows of ``periods`` and, when ``year`` is a year's key,
    that year's shape rows, from the cells of ``shaped`` (every period of the year)."""

    periods: list[str]
    year: str | None = None
    shaped: tuple[str, ...] = ()


def _passes(keys: list[str], shaped: dict[str, list[str]]) -> list[Pass]:
    """How a rebuild of the plain rows of ``keys`` and the shape rows of the years of ``shaped`` (a
    year's key → its periods) reads the figures: a year with shape rows once for both (its shape
    rows read the cells of all its periods, of every kind: until session 13 they were read a second
    time, 8 s a year at full scale on PostgreSQL); the other periods per kind of period and year
    (a country's months at once made SQLite sort tens of millions of rows on disk for an hour)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for key in keys:
        period, year = parse_period(key), year_of(key)
        if year is not None and year.key in shaped:
            groups.setdefault(("", year.key), []).append(key)
        else:
            groups.setdefault((period.kind.value, str(period.start.year)), []).append(key)
    return [
        Pass(periods, year, tuple(shaped[year])) if kind == "" else Pass(periods)
        for (kind, year), periods in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0]))
    ]


def _rebuild_pass(
    cursor, plan, one: Pass, areas: list[int] | None, levels: list[int], codes: ShapeCodes, *, alike: bool
) -> None:
    """Write the rows of one pass (``_passes``) for ``areas`` (None: all), level by level: each
    group's sums per cell read once into ``rollup_contrib``; the shape rows from them first, then the
    plain rows (the class S added to the cells: it is no cell of a shape). ``alike``: both views
    count the same reports (``views_alike``): the approved view's rows are worked out and copied as
    the provisional view's, not worked out twice."""
    read = sorted(set(one.periods) | set(one.shaped))
    views = [View.APPROVED] if alike else list(VIEW_STATES)
    params, parts = _rebuild_params(read, areas, plan.area_id, views)
    params["plan"] = plan.pk
    if connection.vendor == "postgresql":  # see _CONTRIB_CTAS
        cursor.execute(_filled(_CONTRIB_CTAS, parts), params)
    else:
        _contrib_table(cursor)
        cursor.execute(_filled(_CONTRIB_SQL, parts), params)
    if one.year is not None:
        _shapes_up(cursor, codes, one.year, levels, parts, params)
        if len(read) > len(one.periods):  # a load's periods: the plain rows of the others stay
            listed = ", ".join(["%s"] * len(one.periods))
            cursor.execute(f"DELETE FROM rollup_contrib WHERE period_key NOT IN ({listed})", one.periods)
    cursor.execute(_keyed(_BELOW_TABLE, shaped=False))
    with planned_without(cursor, "nestloop"):  # see _SUMMED_SQL
        cursor.execute(_SUMMED_SQL)
    cursor.execute(_filled(_OWN_SQL, parts, "own_id"), params)
    cursor.execute(_UP_SQL)
    _levels_up(cursor, levels, parts, params, shaped=False)
    cursor.execute("DROP TABLE rollup_contrib")
    if alike:
        _view_copied(cursor, plan, one, parts, params)


# The rows a pass wrote for one view, written again for the other: its periods' rows, and the shape
# rows of the year's other periods (``Pass``).
_VIEW_COPY_SQL = f"""
INSERT INTO rollups_rollupfigure {_FIGURE_COLUMNS}
SELECT plan_id, %(copy_to)s, unit_id, period_key, indicator_code, sex, own, shape, {_COLUMNS}, n_units
  FROM rollups_rollupfigure
 WHERE plan_id = %(plan)s AND view = %(copy_from)s
   AND (period_key IN ({{written}}) OR (shape <> '' AND period_key IN ({{shaped}}))) {{in_areas}}
"""


def _view_copied(cursor, plan, one: Pass, parts: dict[str, str], params: dict[str, object]) -> None:
    params = {**params, "copy_to": View.PROVISIONAL, "copy_from": View.APPROVED}
    lists = {}
    for name, keys in (("written", one.periods), ("shaped", one.shaped or one.periods)):
        params.update({f"{name}{i}": key for i, key in enumerate(keys)})
        lists["{" + name + "}"] = ", ".join(f"%({name}{i})s" for i in range(len(keys)))
    cursor.execute(_filled(_VIEW_COPY_SQL, {**parts, **lists}, "unit_id"), params)


def touched_areas(unit_ids: Iterable[int]) -> list[int]:
    """The areas whose summary a write to ``unit_ids`` changes: their ancestors by the closure
    (an office's figures count for its district), communes left out (they have no summary rows)."""
    ids = sorted(set(unit_ids))
    areas: set[int] = set()
    for start in range(0, len(ids), 500):
        areas.update(
            UnitAncestor.objects.filter(unit_id__in=ids[start : start + 500])
            .exclude(ancestor__kind=UnitKind.COMMUNE)
            .values_list("ancestor_id", flat=True)
        )
    return sorted(areas)


def _plan_periods(plan) -> list[str]:
    """The periods of the plan's reports, in key order."""
    # Without the reports' own order (by start and unit name): DISTINCT then sorted every report of
    # the plan with its unit's name, on disk (1 s at 25 % of the country, twice a rebuild).
    keys = Submission.objects.filter(plan=plan).order_by().values_list("period_key", flat=True).distinct()
    return sorted(set(keys))


def _period_keys(
    plan, period_key: str | None, period_keys: Iterable[str] | None = None, listed: list[str] | None = None
) -> list[str]:
    """The periods rebuilt: ``period_keys`` (a load's own), else the plan's (``listed``, when read
    already) within ``period_key`` (None: all)."""
    if period_keys is not None:
        return sorted(set(period_keys))  # a load's own periods
    keys = listed if listed is not None else _plan_periods(plan)
    if period_key is None:
        return keys
    span = parse_period(period_key)
    return [k for k in keys if span.contains(parse_period(k))]


@transaction.atomic
def rollup_rebuild(
    *,
    plan,
    period_key: str | None = None,
    progress: Progress | None = None,
    period_keys: Iterable[str] | None = None,
    unit_ids: Iterable[int] | None = None,
) -> int:
    """Recompute the plan's summary (all of it, ``period_key`` and the periods inside it, or
    exactly ``period_keys``: what a bulk load wrote to), for every area or, with ``unit_ids``
    (the units a load wrote figures for), only for the areas above them.

    Set-based, a year at a time (its plain rows of every kind of period and its shape rows from
    one read of its figures; ``_passes``), both views at once: the reporting groups' sums into a
    temporary table, then level by level (see above). Returns the number of the plan's summary
    rows. Call after any load that bypasses the approval services."""
    listed = _plan_periods(plan) if period_keys is None else None  # read once (0.2–0.4 s in a country)
    keys = _period_keys(plan, period_key, period_keys, listed)
    areas = touched_areas(unit_ids) if unit_ids is not None else None
    stale = RollupFigure.objects.filter(plan=plan)
    if period_key is not None or period_keys is not None:
        stale = stale.filter(period_key__in=keys) if keys else stale.none()
    if areas is not None:
        stale = stale.filter(unit_id__in=areas) if areas else stale.none()
    stale.delete()
    summary_changed(plan.pk)  # from here on, writers of the plan's reports wait for this commit
    alike = views_alike(plan)
    codes = shape_codes(plan)
    passes = _rebuild_plan(plan, codes, keys, areas, listed) if keys and areas != [] else []
    with bulk_statements(), connection.cursor() as cursor:
        levels = _tree_tables(cursor, areas_above()) if passes else []
        for done, one in enumerate(passes, start=1):
            _rebuild_pass(cursor, plan, one, areas, levels, codes, alike=alike)
            if progress is not None:
                progress(done, len(passes), one.periods[-1])
        if passes:
            cursor.execute("DROP TABLE rollup_reporter")
            cursor.execute("DROP TABLE rollup_area")
    hooks.announce(hooks.SUMMARY_WRITTEN, plan_id=plan.pk, areas=areas, views=list(VIEW_STATES))
    return RollupFigure.objects.filter(plan=plan).count()


# ------------------------------------------------------------------ shapes (a year's units below)
#
# How a unit counts for a year depends on all its periods in that year (its year row shadows its
# quarters; a stock is its latest quarter), which sums per period cannot tell. So each reporting
# group's rows of a year are read once, where they change, by the engine's own rule
# (``unit_counts_with``), and added to the areas above it under the periods it counts with (its
# *shape*): the engine then combines each shape's sums as one unit (see web.rollups.models).


@dataclass(frozen=True)
class ShapeCodes:
    """Which indicators get shape rows, and how the engine reads them (the plan in force)."""

    level: frozenset[str] | None  # not counts per month or quarter; None: every code (no plan)
    women: frozenset[str]  # shares of women: read as the engine reads them (``about_women``)

    def wanted(self, code: str) -> bool:
        return self.level is None or code in self.level

    def readings(self, code: str) -> tuple[str, ...]:
        return (
            (SexClass.WOMEN.value,)
            if code in self.women
            else ("", SexClass.FEMALE.value, SexClass.MALE.value)
        )


def shape_codes(plan) -> ShapeCodes:
    version = plan_version_active(plan)
    if version is None:
        return ShapeCodes(None, frozenset())
    core = core_plan(version)
    level = {i.code for i in core.indicators if not (i.measure is Measure.COUNT and i.per_period)}
    return ShapeCodes(frozenset(level), frozenset(i.code for i in core.indicators if about_women(i)))


SHAPE_LENGTH = 100  # RollupFigure.shape: twelve months fit


GROUPED = "…"  # a shape "…2024-12": the units that count with months, the latest December


def shape_of(keys: tuple[str, ...]) -> str:
    """The shape of a unit counting with the periods ``keys`` (in time order). Units that count
    with periods of one kind (months, quarters…) share a shape by their latest period, whichever
    earlier ones they left out: none of their periods overlap, a stock is read at that latest
    period, and the engine finds who left out what from how many units each row sums
    (``Observation.units``). So an area has a few shapes, not one per pattern of gaps. Units
    mixing kinds (a half-year, then quarters) keep their exact periods."""
    if len({parse_period(k).kind for k in keys}) == 1:
        return GROUPED + keys[-1]
    text = ",".join(keys)
    return text if len(text) <= SHAPE_LENGTH else "#" + hashlib.sha1(text.encode()).hexdigest()


ShapeKey = tuple[str, str, str, str]  # (indicator code, period key, reading, shape)
Cell = tuple[str, str, str]  # (indicator code, period key, sex): one group's rows of one period and sex


def cell_sums(rows: Iterable[tuple]) -> dict[Cell, Sums]:
    """A group's sums per cell from its (code, period key, sex, num, den, value) rows."""
    cells: dict[Cell, Sums] = {}
    for code, period_key, sex, numerator, denominator, value in rows:
        cells.setdefault((code, period_key, sex), Sums()).add(_row_sums(numerator, denominator, value))
    return cells


def shape_sums(codes: ShapeCodes, year: Period, cells: dict[Cell, Sums]) -> dict[ShapeKey, Sums]:
    """One reporting group's sums per shape for ``year``, from its sums per cell in that year: per
    reading (both sexes, F, M; a share of women), the periods the engine counts the group with,
    and the sums of its cells of those periods.

    Which cells count depends only on which cells the group has (never on their figures, nor on
    how many rows a cell holds), so the engine is asked once per pattern of cells: units report
    in few patterns (twelve months by sex, four quarters…)."""
    patterns: dict[str, list[tuple[str, str]]] = {}
    for code, period_key, sex in cells:
        if codes.wanted(code):
            patterns.setdefault(code, []).append((period_key, sex))
    out: dict[ShapeKey, Sums] = {}
    for code, pattern in patterns.items():
        for reading in codes.readings(code):
            shape, used = _counted(year.key, frozenset(pattern), reading)
            for period_key, sex in used:
                out.setdefault((code, period_key, reading, shape), Sums()).add(cells[(code, period_key, sex)])
    for part in out.values():
        part.n_units = 1
    return out


@functools.lru_cache(maxsize=65536)  # a country's patterns of cells: tens of thousands at most
def _counted(
    year_key: str, pattern: frozenset[tuple[str, str]], reading: str
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """(shape, the cells that count) of a group with cells ``pattern`` in a year, for one reading:
    the engine's own choice (``unit_counts_with``) on one row per cell, each row naming its cell."""
    rows = [
        CoreObservation(
            indicator="", period=period_key, sex=Sex(sex) if sex in ("F", "M") else None, source=sex
        )
        for period_key, sex in sorted(pattern)
    ]
    sex = Sex(reading) if reading in ("F", "M") else None
    keys, used = unit_counts_with(rows, parse_period(year_key), sex, women_share=reading == SexClass.WOMEN)
    return shape_of(keys), tuple(sorted({(o.period, o.source) for o in used}))


def year_of(period_key: str) -> Period | None:
    """The year a period lies in (None for a phase: a unit's phase row is read raw)."""
    period = parse_period(period_key)
    if period.kind is PeriodKind.PHASE:
        return None
    return parse_period(str(period.start.year))


_SHAPE_ROW = ("indicator_code", "submission__period_key", "sex", "numerator", "denominator", "value")


def _shapes_moved(submission: Submission, old_state: str, effective: int, ancestors, views) -> None:
    """The group's year read again before and after the move, the difference added above it."""
    year = year_of(submission.period_key)
    below = [(a, d) for a, d in ancestors if a != effective]
    if year is None or not below:
        return
    codes = shape_codes(submission.plan)
    rows = list(
        Observation.objects.filter(
            submission__plan_id=submission.plan_id,
            submission__org_unit_id__in=UnitAncestor.objects.filter(ancestor_id=effective, depth=0).values(
                "unit_id"
            ),
            submission__period_start__gte=year.start,
            submission__period_end__lte=year.end,
        ).values_list("submission_id", "submission__state", *_SHAPE_ROW)
    )

    def counted_in(view: str, moved_to: str) -> dict[Cell, Sums]:
        states = VIEW_STATES[view]
        return cell_sums(r[2:] for r in rows if (moved_to if r[0] == submission.pk else r[1]) in states)

    for view in views:
        before = shape_sums(codes, year, counted_in(view, old_state))
        after = shape_sums(codes, year, counted_in(view, submission.state))
        deltas: dict[ShapeKey, Sums] = _deltas(before, after)
        if not deltas:
            continue
        params = [
            (submission.plan_id, view, ancestor, key, code, reading, False, shape, *delta.row())
            for ancestor, _depth in below
            for (code, key, reading, shape), delta in deltas.items()
        ]
        with connection.cursor() as cursor:
            cursor.executemany(_UPSERT_SQL, params)
        RollupFigure.objects.filter(
            plan_id=submission.plan_id,
            view=view,
            period_key__in=sorted({k for _c, k, _r, _s in deltas}),
            unit_id__in=[a for a, _ in below],
            n_rows__lte=0,
        ).exclude(shape="").delete()


# Set-based, a year at a time, level by level as the plain rows (``rollup_contrib`` and
# ``rollup_below`` as there): each group's sums per cell of the year in ``rollup_contrib``; its
# *pattern* per view and indicator (which cells it has: the only thing ``_counted`` reads) in
# ``rollup_pattern``; the engine's answer for each distinct pattern and reading (its shape and the
# cells that count) in ``rollup_rule``; then the counted cells' sums to each group's nearest area,
# and up.

_PATTERN_TABLE = (
    "CREATE TEMP TABLE rollup_pattern (eff BIGINT NOT NULL, up_id BIGINT NOT NULL,"
    " view CHAR(1) NOT NULL, code VARCHAR(20) NOT NULL, pattern TEXT NOT NULL)"
)
# Per pattern and reading, the cells that count, and the shape: ``n_units`` is 1 on one cell of
# each period, so that a group counts once per period however many of its cells are summed there.
_RULE_COLUMNS = (
    "pattern TEXT NOT NULL, reading CHAR(1) NOT NULL, period_key VARCHAR(20) NOT NULL, sex CHAR(1) NOT NULL,"
    f" shape VARCHAR({SHAPE_LENGTH}) NOT NULL, n_units INTEGER NOT NULL"
)
_RULE_TABLE = (
    f"CREATE TEMP TABLE rollup_rule ({_RULE_COLUMNS}, PRIMARY KEY (pattern, reading, period_key, sex))"
)
_READING_TABLE = (
    "CREATE TEMP TABLE rollup_reading (code VARCHAR(20) NOT NULL, reading CHAR(1) NOT NULL,"
    " PRIMARY KEY (code, reading))"
)

# A group's pattern of cells for an indicator: "2024-Q1:,2024-Q1:F,2024-Q2:" (period and sex). The
# order only decides how many patterns are told apart (each is read back as a set), never an answer;
# SQLite's group_concat has no ORDER BY before 3.44: its rows come in the table's order (``_CONTRIB_KEY``).
_CELL = "c.period_key || ':' || c.sex"
_PATTERN_OF = {
    "postgresql": f"string_agg({_CELL}, ',' ORDER BY c.period_key, c.sex)",
    "sqlite": f"group_concat({_CELL}, ',')",
}
# The nearest area above a group: an area's from ``rollup_area`` (an office's is the unit it reports
# with, when it is a group of its own: an office of an office), a commune's from ``rollup_reporter``.
_PATTERN_SQL = """
INSERT INTO rollup_pattern (eff, up_id, view, code, pattern)
SELECT c.eff, COALESCE(MIN(a.up_id), MIN(c.up_id)), c.view, c.code, {pattern}
  FROM rollup_contrib c LEFT JOIN rollup_area a ON a.unit_id = c.eff
 GROUP BY c.eff, c.view, c.code
HAVING COALESCE(MIN(a.up_id), MIN(c.up_id)) IS NOT NULL
"""

# Each group's counted cells to its nearest area, per reading and shape: one unit per period. The
# cells are read once and each finds its group's pattern, then the readings that count it (rules
# keyed by pattern, period and sex). Temporary tables have no statistics until ANALYZE: PostgreSQL
# once joined the rules to every group's cells of the same period and sex before the patterns (5
# million rows at 5 % of the country, 65 s), so the tables are analysed first (0.4 s at 25 %).
# Listing the cells that count first and joining them back to their sums (until session 12) took
# 16–19 s a year at full scale: planned for one row, it sorted a year's cells three times on text
# keys; at 25 % this form took 2.6–3.9 s (with its ANALYZE) against 3.6–5.6 s, back to back. Even
# analysed, PostgreSQL merged the cells with the patterns after sorting both: hashed, 1.6 s against
# 2.5 s (session 13).
_SHAPES_UP_SQL = f"""
INSERT INTO rollup_below (unit_id, view, period_key, code, sex, shape, {_COLUMNS}, n_units)
SELECT g.up_id, c.view, c.period_key, c.code, r.reading, r.shape,
       {", ".join(f"SUM(c.{f})" for f in _SUMS)}, SUM(r.n_units)
  FROM rollup_contrib c
  JOIN rollup_pattern g ON g.eff = c.eff AND g.view = c.view AND g.code = c.code
  JOIN rollup_rule r ON r.pattern = g.pattern AND r.period_key = c.period_key AND r.sex = c.sex
  JOIN rollup_reading d ON d.code = c.code AND d.reading = r.reading
 GROUP BY g.up_id, c.view, c.period_key, c.code, r.reading, r.shape
"""


def _rebuild_plan(
    plan, codes: ShapeCodes, keys: list[str], areas: list[int] | None, listed: list[str] | None = None
) -> list[Pass]:
    """The passes (``_passes``) of a rebuild of ``keys`` for ``areas`` (None: all), with the shape
    rows of the years of ``keys`` (every period of those years: a quarter written changes how its
    year counts) deleted where they are rebuilt. The rows of ``keys`` are deleted already
    (``rollup_rebuild``): only the shape rows of the years' other periods are left to delete (a
    load's own periods). ``listed``: the plan's periods, when read already."""
    years = {y.key for y in (year_of(k) for k in keys) if y is not None}
    shaped: dict[str, list[str]] = {}
    for key in (listed if listed is not None else _plan_periods(plan)) if years else []:
        year = year_of(key)
        if year is not None and year.key in years:
            shaped.setdefault(year.key, []).append(key)
    rebuilt = set(keys)
    others = [k for ks in shaped.values() for k in ks if k not in rebuilt]
    if others:  # a scan of the plan's rows for none, 0.5–0.9 s in a country, when there are none
        stale = RollupFigure.objects.filter(plan=plan, period_key__in=others)
        (stale.filter(unit_id__in=areas) if areas is not None else stale).exclude(shape="").delete()
    if codes.level == frozenset():
        shaped = {}
    return _passes(keys, shaped)


def _shapes_up(cursor, codes: ShapeCodes, year_key: str, levels: list[int], parts, params) -> None:
    """The shape rows of a year, from its cells in ``rollup_contrib`` (every period of the year): each
    group's pattern of cells, the engine's answer per pattern and reading, the counted cells to each
    group's nearest area, and up level by level as the plain rows."""
    cursor.execute(_keyed(_BELOW_TABLE, shaped=True))
    for table in (_PATTERN_TABLE, _RULE_TABLE, _READING_TABLE):
        cursor.execute(table)
    cursor.execute(_PATTERN_SQL.replace("{pattern}", _PATTERN_OF[connection.vendor]))
    _shape_rules(cursor, codes, year_key)
    if connection.vendor == "postgresql":  # see _SHAPES_UP_SQL
        cursor.execute("ANALYZE rollup_contrib, rollup_pattern, rollup_rule, rollup_reading")
    with planned_without(cursor, "mergejoin"):  # see _SHAPES_UP_SQL
        cursor.execute(_SHAPES_UP_SQL)
    _levels_up(cursor, levels, parts, params, shaped=True)
    for table in ("rollup_pattern", "rollup_rule", "rollup_reading"):
        cursor.execute(f"DROP TABLE {table}")


def _shape_rules(cursor, codes: ShapeCodes, year_key: str) -> None:
    """Fill ``rollup_rule`` with the engine's answer (``_counted``) for each distinct pattern of the
    year and reading, and ``rollup_reading`` with the readings of each indicator with shape rows
    (``codes``): the others' cells are read with them and left out there."""
    cursor.execute("SELECT DISTINCT code, pattern FROM rollup_pattern")
    readings: set[tuple[str, str]] = set()
    rules: dict[tuple[str, str], list[tuple]] = {}
    for code, pattern in cursor.fetchall():
        if not codes.wanted(code):  # read all the same: filtered in SQL, the read took a quarter longer
            continue
        for reading in codes.readings(code):
            readings.add((code, reading))
            if (pattern, reading) in rules:
                continue
            cells = frozenset((key, sex) for key, _, sex in (c.rpartition(":") for c in pattern.split(",")))
            shape, used = _counted(year_key, cells, reading)
            periods = [period_key for period_key, _sex in used]
            rules[(pattern, reading)] = [
                (pattern, reading, period_key, sex, shape, int(periods.index(period_key) == i))
                for i, (period_key, sex) in enumerate(used)
            ]
    _insert_rows(cursor, "rollup_reading", sorted(readings))
    _insert_rows(cursor, "rollup_rule", [row for answer in rules.values() for row in answer])


def _insert_rows(cursor, table: str, rows: list[tuple]) -> None:
    """``rows`` into a temporary table, 500 to a statement (executemany took PostgreSQL a round
    trip per row)."""
    for start in range(0, len(rows), 500):
        batch = rows[start : start + 500]
        row = "({})".format(", ".join(["%s"] * len(batch[0])))
        values = [value for one in batch for value in one]
        cursor.execute(f"INSERT INTO {table} VALUES {', '.join([row] * len(batch))}", values)
