"""Verdicts stored where the figures change, read by the pages and the API in one query.

Every writer of the summary (``web.rollups.services``: submit, approve, return, unlock, a
rebuild after a bulk load or a reorganisation) announces ``hooks.SUMMARY_WRITTEN`` in its
transaction with the areas it touched; ``refresh_verdicts`` then marks those areas' ``Verdict``
rows stale (``stale_since``, on each area × period's head row) in that same transaction, and after
the commit ``store_verdicts`` evaluates them again and replaces them (on the job queue where there
is one, ``web.jobs``; in a thread in laptop mode). Judging again in the writer's transaction would
cost an approval seconds at the nation of a national plan (3 areas × 6 periods × 2 views, the
nation's figures being every commune's); ``store_verdicts`` writes only if the plan's summary
version is still the one it judged on (a change committed meanwhile is judged again). A confirmed
(amended) plan version, a moved tree and renamed units refresh every area of the plans concerned.

Between the commit and the new verdicts, who reads what (``selectors.unit_evaluation``):

- The dashboards show the stale verdicts, said on the page to be being updated. At the nation
  of a country judging takes minutes, and every approval anywhere makes the nation's verdicts
  stale: asking the engine on every page view meanwhile (seconds each, for each reader at once)
  left the national dashboards unanswered while communes reported. The page is cached under
  ``RollupVersion.judged``, bumped where the new verdicts are written, so they show at once.
- Reports, the API and exports never read a stale verdict: the engine answers for them.
- A stale verdict left unjudged for long (a worker killed mid-way) is sent to be judged again
  by the page that reads it (``selectors.RETRY_AFTER``).

What is stored, and what is left to read time:

- The verdicts are the core engine's own results (``chitieu.evaluate.evaluate_plan``, fed
  exactly as ``selectors.unit_evaluation`` feeds it): no second copy of any rule. The whole
  ``IndicatorResult`` is kept (pickled: the same values Django's cache keeps for the pages; its
  long lists — a per-unit indicator's communes and their parts, the sources — packed, built only
  when read: ``chitieu.evaluation.packed``) with the figures pages filter on as columns (status,
  actual, achievement, progress, provisional, 6.3's share of units meeting the threshold,
  trajectory band and projection), and one row per sex where the engine judged the sexes apart.
- Areas: the nation, provinces and districts, as the summary keeps them. A commune's
  verdict is read from its few rows at read time (as its summary is).
- Periods: those the dashboards list (the phase's years and the phase, the plan's own
  periods). Others (a quarter, a month) are evaluated at read time, cached per version.
- Views: approved and provisional; a view in which the plan has no figure stores nothing
  (read time evaluates nothing, cheaply).
- "As of": the engine judges what was known on a date. Stored verdicts are judged with every
  figure known (``STORED_AS_OF``) and keep the area's *horizon*, the latest end of a period
  with figures. For any "as of" on or after the end of the period and of the horizon's year,
  the engine's result is the same (every row is visible, every sub-period due, every year
  with figures counted in the trajectory), so pages read the stored verdict and the
  result carries the asked date. For an earlier date — the year still running, or a page
  made reproducible with ``?as_of=`` in the past — the engine answers at read time
  (``selectors.unit_evaluation``, cached per summary version). ``stored_valid_from`` is the rule.

``settings.CHITIEU_STORED_VERDICTS`` (on by default) turns the store on. Off, writers delete the
verdicts they made stale (none is judged again), and pages ask the engine (cached).

``tests/web/rollups/test_stored_verdicts.py`` proves stored == engine on random data and
random sequences of moves, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import functools
import gc
import pickle
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from chitieu.evaluate import PlanEvaluation
from chitieu.evaluation.packed import collector_paused, packed_result
from chitieu.plan import Plan as CorePlan
from web.core import hooks
from web.data.models import Submission
from web.orgs.models import OrgUnit, UnitKind
from web.plans.models import Plan, VersionStatus
from web.plans.selectors import core_plan, plan_version_active
from web.rollups.cache import summary_changed, summary_version
from web.rollups.models import RollupVersion, Verdict
from web.rollups.processes import forked_map
from web.rollups.selectors import (
    STORED_KINDS,
    StoreInputs,
    judge_for_store,
    spare_judged,
    store_digest,
    store_inputs,
    units_below,
)
from web.rollups.services import VIEW_STATES, views_alike


def stored_periods(core: CorePlan) -> list[str]:
    """The periods the dashboards list: the phase's years and the phase, and the plan's own periods."""
    keys = [p.key for p in core.periods]
    if core.phase is not None:
        keys += [str(year) for year in core.phase.years] + [core.phase.key]
    return list(dict.fromkeys(keys))


def refresh_verdicts(
    plan_id: int, *, areas: Iterable[int] | None = None, views: Iterable[str] | None = None, **_: object
) -> int:
    """In the writer's transaction: mark stale the verdicts of ``areas`` (unit ids; None: every
    area of the plan) that the change made stale — until they are stored again, pages show them as
    being updated and everything else asks the engine — and, once the change is committed, have
    them stored again (``hooks.VERDICTS_STALE``:
    the job queue where there is one, else at once in this process). Returns 0 (nothing written
    yet).

    Judging again costs seconds for a national plan (the nation's figures are many), which an
    approval must not wait for inside its transaction, nor hold its locks for."""
    views = list(views) if views is not None else list(VIEW_STATES)
    areas = list(areas) if areas is not None else None
    stale = Verdict.objects.filter(plan_id=plan_id, view__in=views)
    stale = stale.filter(unit_id__in=areas) if areas is not None else stale
    if not settings.CHITIEU_STORED_VERDICTS:
        stale.delete()  # nothing will judge them again
        return 0
    # Kept, marked with the earliest change not yet judged: a page shows them as being updated.
    # Only each area × period's head row ("" indicator) carries the mark: every reader of stored
    # verdicts reads the head with them (``selectors._answers``), and a country's rebuild marking
    # its 231,000 rows one by one cost 7 s (their 9,000 heads: a fraction of a second).
    stale = stale.filter(indicator_code="", stale_since__isnull=True)
    stale.update(stale_since=timezone.now())
    # One judging per plan and commit, whatever the number of writes in the transaction (a
    # country's load confirms a plan, assigns it and rebuilds its summary: each would judge all).
    pending = _pending()
    before_areas, before_views = pending.get(plan_id, (set(), set()))
    merged = None if areas is None or before_areas is None else before_areas | set(areas)
    pending[plan_id] = (merged, before_views | set(views))
    transaction.on_commit(
        lambda: _announce(plan_id),
        robust=True,  # the change is committed whatever happens: a failed judging is tried again later
    )
    return 0


def _pending() -> dict[int, tuple[set[int] | None, set[str]]]:
    """The plans whose verdicts this connection's transaction made stale, until it commits. An
    entry left by a transaction rolled back only adds areas to the next judging of the plan."""
    if not hasattr(connection, "chitieu_stale_verdicts"):
        connection.chitieu_stale_verdicts = {}
    return connection.chitieu_stale_verdicts


def _announce(plan_id: int) -> None:
    entry = _pending().pop(plan_id, None)
    if entry is None:
        return  # announced by an earlier callback of the same commit
    areas, views = entry
    hooks.announce(
        hooks.VERDICTS_STALE,
        plan_id=plan_id,
        areas=sorted(areas) if areas is not None else None,
        views=[v for v in VIEW_STATES if v in views],
    )


ATTEMPTS = 3  # the figures changed while judging: judge again, then hand the areas on


def store_verdicts(plan_id: int, areas: list[int] | None = None, views: list[str] | None = None) -> int:
    """Evaluate ``areas`` (None: every area of the plan) again, after the change that made them
    stale was committed, and store their verdicts. Returns the rows written.

    Every listed period is evaluated again: with every figure known, a figure of one year
    moves the phase trajectory shown with every other. Idempotent; safe alongside other
    writers: the verdicts are written only if the plan's summary version (which every writer
    bumps in its own transaction, before removing stale verdicts) is still the one they were
    judged on, checked under a lock on that version; else they are judged again. After
    ``ATTEMPTS`` (changes keep coming) they are announced stale again, for whoever judges next:
    the changes that moved the version on judge only their own areas, which may not be these."""
    for _attempt in range(ATTEMPTS):
        version = summary_version(plan_id)
        with spare_judged():  # until written
            judged = _judge(plan_id, areas, views)
            with transaction.atomic():
                list(RollupVersion.objects.select_for_update().filter(plan_id=plan_id))
                if summary_version(plan_id) != version:
                    continue  # a change committed meanwhile: what was judged may be stale
                written = _write(plan_id, judged)
        hooks.announce(hooks.VERDICTS_STORED, plan_id=plan_id, rows=written)
        return written
    views = list(views) if views is not None else list(VIEW_STATES)
    hooks.announce(hooks.VERDICTS_STALE, plan_id=plan_id, areas=areas, views=views)
    return 0


def _judge(plan_id: int, areas: list[int] | None, views: list[str] | None) -> list[tuple]:
    """What to write per view: (view, unit ids whose rows go, or None for all, new rows)."""
    plan = Plan.objects.select_related("area").get(pk=plan_id)
    views = list(views) if views is not None else list(VIEW_STATES)
    version = plan_version_active(plan)
    core = core_plan(version) if version is not None else None
    every = OrgUnit.objects.filter(id__in=units_below(plan.area), kind__in=STORED_KINDS).order_by("pk")
    touched = every.filter(pk__in=areas) if areas is not None else every
    # With no figure only sent (every one approved, as after a bulk load), both views count the same
    # figures: the engine gives the same verdicts, so the areas are judged once for both.
    alike = views_alike(plan)
    out: list[tuple] = []
    # (view, unit ids whose rows go, areas to judge), grouped by what is judged once for them all
    groups: dict[tuple, list[tuple[str, list[int] | None, list[OrgUnit]]]] = {}
    for view in views:
        states = VIEW_STATES[view]
        stored = Verdict.objects.filter(plan=plan, view=view)
        if core is None or not Submission.objects.filter(plan=plan, state__in=states).exists():
            out.append((view, None, []))  # no figure counts in this view: the engine answers "no data"
            continue
        # The view's first figure: every area gets its verdicts, not only those above the unit.
        first = not stored.filter(indicator_code="").exists()
        targets = list(touched if not first else every)
        if not targets:
            continue
        key = tuple(a.pk for a in targets) if alike else (view,)
        unit_ids = None if areas is None or first else [a.pk for a in targets]
        groups.setdefault(key, []).append((view, unit_ids, targets))
    if core is None:
        return out
    digest = store_digest(core)  # the plan's repr hashed: once, not per row
    for group in groups.values():
        targets = group[0][2]
        views_judged = [view for view, _, _ in group]
        stages = _stages(plan, core, targets, states=VIEW_STATES[group[0][0]])
        rows = _judged_rows(stages, plan.pk, views_judged, digest, len(targets))
        out += [(view, unit_ids, rows[view]) for view, unit_ids, _ in group]
    return out


def _stages(plan, core: CorePlan, areas: list[OrgUnit], *, states) -> Iterator[tuple[StoreInputs, list[int]]]:
    """The inputs of the plan's own area (with every commune's rows, which all areas share) and
    its id, then those of the others: the nation (every commune below it, the cost of a hundred
    districts) is judged while the others' own rows are read (``processes.forked_map``)."""
    own = [a for a in areas if a.pk == plan.area_id]
    first = None
    for part in (own, _by_province([a for a in areas if a.pk != plan.area_id])):
        if part:
            first = store_inputs(plan, core, stored_periods(core), part, states=states, like=first)
            yield first, [a.pk for a in part]


def _by_province(areas: list[OrgUnit]) -> list[OrgUnit]:
    """``areas`` grouped by province: each province, then its districts. The processes judge
    consecutive parts of them (``processes.forked_map``), each process working out the per-unit
    series of the communes it meets once (``selectors.judge_for_store``): in the order of their ids
    (every province, then every district) each process met nearly every commune of the country,
    twice over what its areas need."""
    province = {a.pk for a in areas if a.kind == UnitKind.PROVINCE}

    def group(area: OrgUnit) -> tuple[int, bool, int]:
        if area.pk in province:
            return (area.pk, False, area.pk)
        return (area.parent_id if area.parent_id in province else area.pk, True, area.pk)

    return sorted(areas, key=group)


def _judged_rows(
    stages: Iterator[tuple[StoreInputs, list[int]]], plan_id: int, views: list[str], digest: str, areas: int
) -> dict[str, list[tuple]]:
    """The rows of the stages' areas (``areas`` of them) for each of ``views`` (judged alike), by
    the engine: here, or over forked processes for a country (``web.rollups.processes``)."""
    out: dict[str, list[tuple]] = {view: [] for view in views}
    judging = (((inputs, plan_id, views, digest), area_ids) for inputs, area_ids in stages)
    for rows in forked_map(_rows_of, judging, items=areas):
        for view in views:
            out[view] += rows[view]
        gc.freeze()  # kept until written (selectors.spare_judged)
    return out


def _rows_of(judging: tuple[StoreInputs, int, list[str], str], area_ids: list[int]) -> dict[str, list[tuple]]:
    inputs, plan_id, views, digest = judging
    pickled = _Blobs()
    out: dict[str, list[tuple]] = {view: [] for view in views}
    for area_id, period_key, evaluation, horizon in judge_for_store(inputs, area_ids):
        for view in views:
            out[view] += _rows(plan_id, view, area_id, period_key, digest, evaluation, horizon, pickled)
    return out


def _write(plan_id: int, judged: list[tuple]) -> int:
    written = 0
    for view, unit_ids, rows in judged:
        stored = Verdict.objects.filter(plan_id=plan_id, view=view)
        (stored.filter(unit_id__in=unit_ids) if unit_ids is not None else stored).delete()
        _insert(rows)
        written += len(rows)
    # Pages shown while these were judged are cached under the old count (web.dashboards.fragments).
    RollupVersion.objects.filter(plan_id=plan_id).update(judged=F("judged") + 1)
    return written


def _insert(rows: list[tuple]) -> None:
    """Writes ``rows`` (``_verdict``'s) as ``Verdict.objects.bulk_create`` would, without its query
    compiler's work on each of a country's 230,000 rows × 18 values: binary COPY on PostgreSQL, one
    statement run for every row on SQLite. The values are of the types the fields prepare them to
    (str, int, bool, Decimal, date, bytes): the driver adapts them as it adapts Django's."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(Verdict._meta.db_table)
    columns = ", ".join(quote(f.column) for f in _verdict_fields()[2])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if _lz4_toast(cursor):
                # The results' bytes are kept compressed (TOAST) by lz4, not PostgreSQL's default
                # pglz: a third of writing them, and faster to read back. Until the commit.
                cursor.execute("SET LOCAL default_toast_compression = 'lz4'")
            # Binary: the results' bytes go as they are, not as hex text twice their size for the
            # server to parse back; the columns' types as the table has them.
            cursor.execute(f"SELECT {columns} FROM {table} LIMIT 0")
            types = [column.type_code for column in cursor.cursor.description]
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(rows[0]))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _lz4_toast(cursor) -> bool:
    """Whether the PostgreSQL server was built with lz4 (Debian's is; version 14 on)."""
    cursor.execute(
        "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
    )
    return cursor.fetchone() is not None


def refresh_plan_verdicts(*, version=None, plan=None, **_: object) -> None:
    """A version confirmed, or a target or assignment of the version in force amended: every area,
    both views (a change to a draft changes no verdict)."""
    if version is not None and version.status != VersionStatus.ACTIVE:
        return
    plan_id = plan.pk if plan is not None else version.plan_id
    summary_changed(plan_id)  # cached pages of the plan show its targets: they are stale too
    refresh_verdicts(plan_id)


def refresh_all_verdicts(**_: object) -> None:
    """The tree moved or units were renamed: every plan with figures, every area."""
    for plan_id in Submission.objects.values_list("plan_id", flat=True).distinct().order_by("plan_id"):
        refresh_verdicts(plan_id)


def _rows(
    plan_id,
    view,
    area_id,
    period_key,
    digest: str,
    evaluation: PlanEvaluation,
    horizon,
    pickled: _Blobs,
) -> list[tuple]:
    """The rows of one area and period (``_insert``'s, in ``ROW_FIELDS`` order); ``digest``:
    ``store_digest`` of the plan judged; ``pickled``: the results already pickled.

    Made as tuples in place, not through ``_verdict``'s names: a country's judging makes 230,000
    of them, and naming every value of every row was a twentieth of the judging processes' time."""
    common = (plan_id, view, area_id, period_key)
    # The head: the period's issues and what every row of it shares (the plan judged, the horizon).
    rows = [(*common, *_HEAD_ROW_BLANK, digest, horizon, pickled.of(evaluation.issues), None)]
    for result in evaluation.results:
        trajectory = result.trajectory
        rows.append(
            (
                *common,
                result.indicator,
                "",
                result.status.value,
                _fits(result.actual),
                _fits(result.achievement),
                _fits(result.progress),
                result.provisional,
                _fits(result.units_meeting_share),
                (trajectory.band or "") if trajectory else "",
                _fits(trajectory.projected) if trajectory else None,
                "",
                None,
                pickled.of(result, packed=True),
                None,
            )
        )
        for part in result.by_sex:
            if part.key in ("F", "M"):
                actual = _fits(part.actual)
                rows.append((*common, result.indicator, part.key, part.status.value, actual, *_SEX_ROW_REST))
    return rows


# The values ``_rows`` makes in place, in this order: the model's fields but its id (checked
# against it where rows are written: ``_verdict_fields``).
ROW_FIELDS = (
    "plan_id",
    "view",
    "unit_id",
    "period_key",
    "indicator_code",
    "sex",
    "status",
    "actual",
    "achievement",
    "progress",
    "provisional",
    "units_meeting_share",
    "trajectory_band",
    "projected",
    "digest",
    "horizon",
    "result",
    "stale_since",
)
# The head's fields from indicator_code to projected, and a row by sex's after its figure
# (achievement … stale_since): the fields' defaults.
_HEAD_ROW_BLANK = ("", "", "", None, None, None, False, None, "", None)
_SEX_ROW_REST = (None, None, False, None, "", None, "", None, None, None)


def _verdict(**values) -> tuple:
    """A row for ``_insert`` named value by value: the values of ``Verdict(**values)`` but its id, in
    the model's order, the others their defaults. Not a model instance: a country's judging writes
    230,000 rows per view, and holding as many instances took most of a gigabyte."""
    defaults, names, _fields = _verdict_fields()
    if not values.keys() <= names:  # as Verdict(**values) would
        raise TypeError(f"Verdict has no field {sorted(values.keys() - names)}")
    return tuple([values.get(name, default) for name, default in defaults])


@functools.cache
def _verdict_fields() -> tuple[tuple[tuple[str, object], ...], frozenset[str], tuple]:
    fields = tuple(f for f in Verdict._meta.concrete_fields if not f.primary_key)
    assert not any(f.has_default() and callable(f.default) for f in fields), "a default made per row"
    defaults = tuple((f.attname, f.get_default()) for f in fields)
    assert tuple(name for name, _ in defaults) == ROW_FIELDS, "ROW_FIELDS follows the model's fields"
    blank = tuple(default for _, default in defaults)
    assert blank[4:14] == _HEAD_ROW_BLANK and blank[8:] == _SEX_ROW_REST, "the rest left to the defaults"
    return defaults, frozenset(f.attname for f in fields), fields


class _Blobs:
    """The values pickled so far, by identity, each kept with its blob (so that no other object
    takes its id meanwhile): both views judged alike share their results, each pickled once. A
    result is pickled with its long lists packed (``chitieu.evaluation.packed``); ``parts``: the
    units' parts packed so far, shared by the nation, its provinces and districts."""

    def __init__(self) -> None:
        self.blobs: dict[int, tuple[object, bytes]] = {}
        self.parts: dict[int, tuple] = {}

    def of(self, value, *, packed: bool = False) -> bytes:
        kept = self.blobs.get(id(value))
        if kept is None:
            stored = packed_result(value, self.parts) if packed else value
            kept = self.blobs[id(value)] = (value, pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL))
        return kept[1]


def _fits(value):
    """The column's precision (10 places; the result keeps the engine's exact figure)."""
    return None if value is None else round(value, 10)


def stored_statuses(plan, period_key: str, view: str) -> dict[int, dict[str, str]]:
    """Every stored area's verdict per indicator for a period, in one query: {area id: {code: status}}.

    Without the cyclic garbage collector meanwhile: a country's 15,000 rows made it go through
    everything the process holds (after a country's judging and every area's evaluation, half a
    million objects: 0.5 s, ten times the read)."""
    out: dict[int, dict[str, str]] = {}
    rows = Verdict.objects.filter(plan=plan, view=view, period_key=period_key, sex="")
    rows = rows.exclude(indicator_code="")
    with collector_paused():
        for unit_id, code, status in rows.values_list("unit_id", "indicator_code", "status").iterator():
            out.setdefault(unit_id, {})[code] = status
    return out
