"""Evaluation of any unit of the tree from the summary table, by the engine itself.

For an area (nation, province, district) the summary rows are turned into a few
core observations per indicator, period and sex that the engine reads exactly as
it would read all the raw figures of the area:

- the area's own figures (its own or its offices') are one row named "" — the
  engine's "whole area" row, which it takes instead of the units' figures;
- the figures of the units below are one row named ``BELOW``;
- a row of sums carries Σ numerators and Σ denominators (or Σ counts) when every
  figure behind it had them, the single figure itself when there was one, and
  nothing when some had no parts — so the engine reaches the same figure and state.

Per-unit indicators (6.3: every commune, every quarter) need each commune's
figures; those are read raw, for the communes of the area and the period only.
A commune's own evaluation reads its own rows: there are few.

``unit_evaluation`` is what the dashboards call; ``evaluation_all_units`` evaluates
every area of the plan for a period (the national benchmark);
``raw_area_observations`` is the reference: every stored figure of the area,
named the same way, for the pure engine.
"""

from __future__ import annotations

import functools
import gc
import pickle
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from chitieu.evaluate import IndicatorResult, PlanEvaluation, evaluate_plan, level_figure
from chitieu.evaluation.packed import collector_paused
from chitieu.observations import SUMMED, read_observation, unit_key
from chitieu.observations import Observation as CoreObservation
from chitieu.periods import PeriodKind, parse_period, sub_periods
from chitieu.plan import Indicator, Measure, Plan, Sex, about_women
from chitieu.rollup import FigureState, aggregate
from web.core import hooks
from web.core.bulk_sql import bulk_statements
from web.data.models import Observation
from web.orgs.models import OrgUnit, UnitKind, dates_overlap
from web.orgs.selectors import area_unit
from web.plans.selectors import core_plan, plan_version_active
from web.rollups.cache import cached, evaluation_key, plan_digest, remember
from web.rollups.models import MICRO, RollupFigure, SexClass, UnitAncestor, Verdict, View
from web.rollups.services import VIEW_STATES, Sums

BELOW = SUMMED  # the name of the summed figures of the units below an area
APPROVED_STATES = VIEW_STATES[View.APPROVED]


def view_of(states: Sequence[str]) -> str:
    return View.APPROVED if tuple(states) == APPROVED_STATES else View.PROVISIONAL


def unit_label(unit: OrgUnit) -> str:
    """How the engine names a unit: its name, with its code when it has one (names repeat)."""
    return label_of(unit.name, unit.code)


def label_of(name: str, code: str) -> str:
    """``unit_label`` of a unit read as its name and code (no model object: a nation has 16,000)."""
    return f"{name} ({code})" if code else name


def units_below(area: OrgUnit):
    """Ids of the units whose figures count in ``area`` (a subquery: no list of thousands)."""
    return UnitAncestor.objects.filter(ancestor_id=area.pk).values("unit_id")


def summed_period_rows(plan, area: OrgUnit, code: str) -> dict[str, int] | None:
    """Per period, how many received figures of indicator ``code`` ``area``'s summary counts (every
    unit counted in it, each figure once: its sex class's plain row); None where the summary keeps
    no rows of the area (a commune: its figures are its few rows)."""
    if area.kind not in STORED_KINDS:
        return None
    rows = RollupFigure.objects.filter(plan=plan, unit=area, indicator_code=code, view=View.PROVISIONAL)
    rows = rows.filter(shape="")
    return dict(rows.order_by().values("period_key").annotate(n=Sum("n_rows")).values_list("period_key", "n"))


def communes_in(area: OrgUnit, period_key: str):
    """The communes of ``area`` (the area itself if a commune) that existed in the period."""
    period = parse_period(period_key)
    return communes_between(area, period.start, period.end)


def communes_between(area: OrgUnit, start: date, end: date):
    """The communes of ``area`` that existed at some time from ``start`` to ``end`` (the rule of
    ``OrgUnit.overlaps``), in one order: by name, code and id."""
    return (
        OrgUnit.objects.filter(kind=UnitKind.COMMUNE, id__in=units_below(area))
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=end))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .order_by("name", "code", "pk")
    )


# A stored sex code ("F", "M", else none) as the engine's Sex: ``_SEXES.get(code)``, a dict and not
# Sex(code), for it is asked for every row of a country.
_SEXES = {sex.value: sex for sex in (Sex.FEMALE, Sex.MALE)}


def _core(row_values, label: str) -> CoreObservation:
    code, period_key, sex, numerator, denominator, value, unit_name = row_values
    return read_observation(
        code, period_key, label, _SEXES.get(sex), numerator, denominator, value, f"{unit_name}, {period_key}"
    )


_RAW_FIELDS = (
    "indicator_code",
    "submission__period_key",
    "sex",
    "numerator",
    "denominator",
    "value",
    "submission__org_unit__name",
)


@contextmanager
def big_reads() -> Iterator[None]:
    """The reads of every area at once (a country's summary rows, its communes' figures: seconds of
    the server each) in one transaction, with the big statements' settings (``bulk_statements``):
    PostgreSQL compiled each of them with JIT first (0.3-0.4 s for a statement it then ran once) and
    sorted the communes' rows on disk in 4 MB runs."""
    with transaction.atomic(), bulk_statements():
        yield


def _fetched(rows: QuerySet) -> list[tuple]:
    """The tuples of a ``values_list`` query, fetched at once by a plain cursor, converted as Django
    converts them: its own iteration (chunks of 100 rows, a named tuple made row by row, a server
    cursor with ``iterator``) took twice the database's time over a country's summary rows."""
    compiler = rows.query.get_compiler(using=rows.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
    return list(compiler.apply_converters(found, converters)) if converters else found


def raw_area_observations(
    plan, area: OrgUnit, *, states: Sequence[str], codes: Sequence[str] | None = None
) -> list[CoreObservation]:
    """Every stored figure counted in ``area``, named as the engine sees them from there.

    The reference for the roll-ups: a figure of the area itself (or of its offices) is
    the whole area's (""); any other is named after its reporting unit (an office's
    district, else the unit)."""
    area = area_unit(area)
    effective = dict(
        UnitAncestor.objects.filter(unit_id__in=units_below(area), depth=0).values_list(
            "unit_id", "ancestor_id"
        )
    )
    labels = {u.pk: unit_label(u) for u in OrgUnit.objects.filter(id__in=set(effective.values()))}
    rows = Observation.objects.filter(
        submission__plan=plan,
        submission__state__in=list(states),
        submission__org_unit_id__in=list(effective),
    )
    if codes is not None:
        rows = rows.filter(indicator_code__in=list(codes))
    rows = rows.order_by("pk").values_list(*_RAW_FIELDS, "submission__org_unit_id")  # one order everywhere
    result = []
    for *values, unit_id in rows:
        owner = effective[unit_id]
        own = owner == area.pk and area.kind != UnitKind.COMMUNE
        result.append(_core(values, "" if own else labels[owner]))
    return result


# One order for communes' rows wherever they are read: the engine lists sources in the rows' order,
# and a stored verdict must list them as the page's own evaluation does (PostgreSQL has no default order).
_COMMUNE_ORDER = (
    "submission__org_unit__name",
    "submission__org_unit__code",
    "submission__org_unit_id",
    "submission__period_start",
    "submission__period_end",
    "indicator_code",
    "sex",
    "pk",
)


def _commune_observations(plan, area: OrgUnit, codes, period_key: str, *, states) -> list[CoreObservation]:
    """The communes' own figures for per-unit indicators, within the period."""
    if not codes:
        return []
    period = parse_period(period_key)
    rows = Observation.objects.filter(
        submission__plan=plan,
        submission__state__in=list(states),
        submission__org_unit__in=communes_in(area, period_key),
        submission__period_start__gte=period.start,
        submission__period_end__lte=period.end,
        indicator_code__in=list(codes),
    )
    rows = rows.order_by(*_COMMUNE_ORDER).values_list(*_RAW_FIELDS, "submission__org_unit__code")
    return [_core(values, label_of(values[-1], code)) for *values, code in rows]


# ------------------------------------------------------------------ summary → rows


def _decimal(micros: int) -> Decimal:
    return Decimal(micros).scaleb(-6) if micros % MICRO else Decimal(micros // MICRO)


def summed_row(
    indicator: Indicator,
    period_key: str,
    label: str,
    sex: Sex | None,
    sums: Sums | SummaryRow,
    *,
    units: int = 1,
):
    """One core observation standing for the figures behind ``sums`` (a summary row's sums are read
    from the row itself: no copy for each of a country's rows): the engine gets the same figure.
    ``units``: how many units' rows it sums (a shape row; see ``Observation.units``)."""
    numerator = denominator = value = None
    if indicator.measure is Measure.COUNT:
        if not sums.n_count_missing:
            value = _decimal(sums.sum_count)
    elif sums.n_rows == 1:
        if sums.n_both:
            numerator, denominator = _decimal(sums.sum_num), _decimal(sums.sum_den)
        if sums.n_values:
            value = _decimal(sums.sum_value)
    elif sums.n_both == sums.n_rows:
        numerator, denominator = _decimal(sums.sum_num), _decimal(sums.sum_den)
    # else: some figure had no parts: a row without figure, which the engine finds undefined too
    source = f"toàn địa bàn, {period_key}" if not label else period_key
    code = indicator.code
    return read_observation(code, period_key, label, sex, numerator, denominator, value, source, units)


def _total(parts: dict[str, SummaryRow], women: bool = False) -> Sums | None:
    """Both sexes: the total rows, and the girls + boys of groups without one. A share of women
    has no girls + boys: the engine reads a group's F rows as its total when it gave none
    (``_women_rows``), so the F part is given as such and the total is the total rows only."""
    present = [parts[k] for k in (("",) if women else ("", "S")) if k in parts]
    if not present:
        return None
    total = Sums()
    for part in present:
        total.add(part)
    return total


def by_year(period_key: str) -> bool:
    """A year or a phase (judged on its years) is judged from the shape rows of the units below."""
    return parse_period(period_key).kind in (PeriodKind.YEAR, PeriodKind.PHASE)


def _level_codes(core: Plan) -> set[str]:
    """Indicators judged on a level (not counts per month or quarter): how each unit counts for a
    period depends on its own periods there."""
    return {i.code for i in core.indicators if not (i.measure is Measure.COUNT and i.per_period)}


def _summary_order(f) -> tuple:
    return (f.indicator_code, not f.own, f.shape, f.period_key, f.sex)


def rows_from_summary(core: Plan, figures: Sequence, *, yearly: bool = False) -> list[CoreObservation]:
    """Core observations standing for an area's summary rows. ``yearly`` (a year or a phase is
    judged): the level indicators' units below are their shape rows, one engine unit per shape."""
    # One order whatever the order of the table (PostgreSQL has none, and a rebuild writes rows in
    # another order than the moves did): the engine lists sources and row issues in its rows' order.
    # (The rows left out are left out before sorting: a stable sort keeps the others' order.)
    if not yearly:
        return _plain_rows(core, sorted([f for f in figures if not f.shape], key=_summary_order))
    level = _level_codes(core)
    plain = [f for f in figures if not f.shape and (f.own or f.indicator_code not in level)]
    shaped = [f for f in figures if f.shape]
    return _plain_rows(core, sorted(plain, key=_summary_order)) + _shape_rows(
        core, sorted(shaped, key=_summary_order)
    )


def _shape_rows(core: Plan, figures: Sequence) -> list[CoreObservation]:
    """One engine unit per shape and reading: ``~W|2024-Q1,2024-Q2`` is the units below that
    counted with those quarters, read as a share of women. Only the reading the engine makes of
    the indicator is given (a share of women's, else both sexes, F and M)."""
    readings = {i.code: (i, about_women(i)) for i in core.indicators}
    women_class = SexClass.WOMEN.value
    rows = []
    for f in figures:
        indicator, women = readings.get(f.indicator_code, (None, False))
        if indicator is None or (f.sex == women_class) != women:
            continue
        label = f"{BELOW}{f.sex or 'T'}|{f.shape}"
        rows.append(summed_row(indicator, f.period_key, label, _SEXES.get(f.sex), f, units=f.n_units))
    return rows


def _plain_rows(core: Plan, figures: Sequence) -> list[CoreObservation]:
    grouped: dict[tuple[str, str, bool], dict[str, SummaryRow]] = {}
    for f in figures:
        grouped.setdefault((f.indicator_code, f.period_key, f.own), {})[f.sex] = f
    indicators = {i.code: i for i in core.indicators}
    rows: list[CoreObservation] = []
    for (code, period_key, own), parts in grouped.items():
        indicator = indicators.get(code)
        if indicator is None:
            continue
        label = "" if own else BELOW
        if indicator.measure is Measure.COUNT and indicator.per_period is not None:
            # Counts per month or quarter are judged on the total rows only.
            if "" in parts:
                rows.append(summed_row(indicator, period_key, label, None, parts[""]))
            continue
        total = _total(parts, about_women(indicator))
        if total is not None:
            rows.append(summed_row(indicator, period_key, label, None, total))
        # Lone girls' and boys' figures of different units must not be added into a total:
        # named apart, the engine treats each as one sex only, as it does the units' own.
        apart = total is None and "F" in parts and "M" in parts and not own
        for sex in (Sex.FEMALE, Sex.MALE):
            if sex.value in parts:
                name = f"{label}{sex.value}" if apart else label
                rows.append(summed_row(indicator, period_key, name, sex, parts[sex.value]))
    return rows


def label_clashes(area_ids: Sequence[int]) -> set[int]:
    """The areas below which two reporting units have one name for the engine (``unit_key`` of
    ``unit_label``: a commune that goes on across a reorganisation as a new unit of the same name
    and code). The engine counts their rows as one unit's, which the shape rows (one per unit)
    cannot tell: those areas' years are read raw."""
    wanted = set(area_ids)
    if not wanted:
        return set()
    # A subquery, not a list: below the nation that is every reporting group, 15,000 parameters.
    groups = (
        UnitAncestor.objects.filter(ancestor_id__in=wanted, depth__gt=0)
        .filter(unit_id__in=UnitAncestor.objects.filter(depth=0).values("ancestor_id"))
        .values("unit_id")
    )
    by_key: dict[str, list[int]] = {}
    for unit_id, name, code in OrgUnit.objects.filter(id__in=groups).values_list("id", "name", "code"):
        by_key.setdefault(unit_key(label_of(name, code)), []).append(unit_id)
    twins = [ids for ids in by_key.values() if len(ids) > 1]
    if not twins:
        return set()
    above: dict[int, set[int]] = {}
    for unit_id, ancestor_id in UnitAncestor.objects.filter(
        unit_id__in=[u for ids in twins for u in ids], ancestor_id__in=wanted
    ).values_list("unit_id", "ancestor_id"):
        if unit_id != ancestor_id:
            above.setdefault(unit_id, set()).add(ancestor_id)
    clashes: set[int] = set()
    for ids in twins:
        seen: set[int] = set()
        for unit_id in ids:
            clashes |= seen & above.get(unit_id, set())
            seen |= above.get(unit_id, set())
    return clashes


def mixed_codes(core: Plan, figures: Sequence, *, yearly: bool = False, clash: bool = False) -> set[str]:
    """Indicators the summary cannot stand for, read raw (one row per unit: the engine then adds
    them the way it adds any unit's figures, rather than guessing from sums).

    For a quarter, half or month (not ``yearly``): level indicators whose units below gave
    figures for parts of a year or a whole phase (how they combine depends on each unit's own
    periods: a stock is each unit's latest quarter, a year and its quarters from one unit count
    once), and shares of women given by sex (each unit's F row is its figure unless it gave a
    total). A year or a phase is judged from the shape rows, which are each unit's own reading
    of its year (``web.rollups.services.shape_sums``); raw still where a unit below gave a whole
    phase (a phase's shapes would be other units than its years'), and for a year without the
    shape rows of the reading the engine makes (a summary from before shapes, a plan in force
    that reads the indicator otherwise than when the figures were summed)."""
    level = _level_codes(core)
    women = {i.code for i in core.indicators if about_women(i)}
    if clash:  # units of one name below (``label_clashes``): the sums per unit cannot stand in
        yearly = False
    if not yearly:
        mixed = {
            f.indicator_code
            for f in figures
            if not f.own
            and not f.shape
            and f.indicator_code in level
            and parse_period(f.period_key).kind is not PeriodKind.YEAR
        }
        return mixed | {
            f.indicator_code for f in figures if f.indicator_code in women and f.sex and not f.shape
        }
    below: dict[str, set[str]] = {}  # code → years with figures below
    shaped: set[tuple[str, str]] = set()  # (code, year) with shape rows of the engine's reading
    raw: set[str] = set()
    women_class = SexClass.WOMEN.value
    for f in figures:
        code = f.indicator_code
        if f.own or code not in level:
            continue
        year = _year_of(f.period_key)
        if year is None:  # a phase
            raw.add(code)
            continue
        if not f.shape:
            below.setdefault(code, set()).add(year)
        elif (f.sex == women_class) == (code in women):
            shaped.add((code, year))
    return raw | {code for code, years in below.items() if any((code, y) not in shaped for y in years)}


@functools.lru_cache(maxsize=1024)
def _year_of(period_key: str) -> str | None:
    """The year of a period inside a year (its key's), None for a phase: asked for each summary row."""
    period = parse_period(period_key)
    return None if period.kind is PeriodKind.PHASE else str(period.start.year)


def _summary_and_raw(
    plan, core: Plan, area: OrgUnit, figures: Sequence, *, states, yearly: bool
) -> list[CoreObservation]:
    """The area's summary rows, and the raw rows of the indicators the sums cannot stand for."""
    clash = yearly and area.pk in label_clashes([area.pk])
    mixed = mixed_codes(core, figures, yearly=yearly, clash=clash)
    rows = rows_from_summary(
        core, [f for f in figures if f.indicator_code not in mixed], yearly=yearly and not clash
    )
    if mixed:
        rows += raw_area_observations(plan, area, states=states, codes=sorted(mixed))
    return rows


def _raw_for_areas(
    plan, areas: Sequence[OrgUnit], codes: dict[int, set[str]], *, states
) -> dict[int, list[CoreObservation]]:
    """``raw_area_observations(plan, area, codes=codes[area])`` of several areas (none of them a
    commune), from one read of the figures: a commune's rows are read once, not once for its
    district, once for its province and once for the nation. Each area's rows keep their order."""
    wanted = {a.pk: c for a, c in ((a, codes.get(a.pk)) for a in areas) if c}
    if not wanted:
        return {}
    area_of: dict[int, list[int]] = {}
    for unit_id, ancestor_id in UnitAncestor.objects.filter(ancestor_id__in=list(wanted)).values_list(
        "unit_id", "ancestor_id"
    ):
        area_of.setdefault(unit_id, []).append(ancestor_id)
    effective = dict(
        UnitAncestor.objects.filter(unit_id__in=list(area_of), depth=0).values_list("unit_id", "ancestor_id")
    )
    labels = {u.pk: unit_label(u) for u in OrgUnit.objects.filter(id__in=set(effective.values()))}
    every = set().union(*wanted.values())
    rows = Observation.objects.filter(
        submission__plan=plan,
        submission__state__in=list(states),
        submission__org_unit_id__in=list(area_of),
        indicator_code__in=sorted(every),
    )
    rows = rows.order_by("pk").values_list(*_RAW_FIELDS, "submission__org_unit_id")  # raw_area_observations
    result: dict[int, list[CoreObservation]] = {pk: [] for pk in wanted}
    for *values, unit_id in rows.iterator(chunk_size=10000):
        owner = effective[unit_id]
        row = None
        for area_id in area_of[unit_id]:
            if values[0] not in wanted.get(area_id, ()):
                continue
            if owner == area_id:
                result[area_id].append(_core(values, ""))
            else:
                row = row or _core(values, labels[owner])  # the same row, named the same, for every area
                result[area_id].append(row)
    return result


def _raw_below(plan, areas: Sequence[OrgUnit], code: str, *, states) -> dict[int, list[CoreObservation]]:
    """``raw_area_observations`` of one indicator for several areas at once (a fixed number of queries)."""
    if not areas:
        return {}
    ids = [a.pk for a in areas]
    area_of = dict(UnitAncestor.objects.filter(ancestor_id__in=ids).values_list("unit_id", "ancestor_id"))
    effective = dict(
        UnitAncestor.objects.filter(unit_id__in=list(area_of), depth=0).values_list("unit_id", "ancestor_id")
    )
    labels = {u.pk: unit_label(u) for u in OrgUnit.objects.filter(id__in=set(effective.values()))}
    rows = Observation.objects.filter(
        submission__plan=plan,
        submission__state__in=list(states),
        submission__org_unit_id__in=list(area_of),
        indicator_code=code,
    ).values_list(*_RAW_FIELDS, "submission__org_unit_id")
    result: dict[int, list[CoreObservation]] = {pk: [] for pk in ids}
    for *values, unit_id in rows:
        owner, area_id = effective[unit_id], area_of[unit_id]
        result[area_id].append(_core(values, "" if owner == area_id else labels[owner]))
    return result


def _per_unit_codes(core: Plan) -> list[str]:
    return [i.code for i in core.indicators if i.per_unit and i.measure is Measure.COUNT and i.per_period]


def area_observations(
    plan, core: Plan, area: OrgUnit, period_key: str, *, states, codes: Sequence[str] | None = None
) -> list[CoreObservation]:
    """What the engine needs to evaluate ``area`` for the period (or any period inside
    ``period_key``), read from the summary; ``codes`` narrows it to some indicators."""
    area = area_unit(area)
    if area.kind == UnitKind.COMMUNE:
        rows = raw_area_observations(plan, area, states=states)
        return [r for r in rows if codes is None or r.indicator in codes]
    figures = RollupFigure.objects.filter(plan=plan, view=view_of(states), unit=area)
    if codes is not None:
        figures = figures.filter(indicator_code__in=list(codes))
    per_unit = [c for c in _per_unit_codes(core) if codes is None or c in codes]
    communes = _commune_observations(plan, area, per_unit, period_key, states=states)
    yearly = by_year(period_key)
    return _area_rows(plan, core, area, list(figures), communes, per_unit, states=states, yearly=yearly)


def _areas_rows(
    plan, core: Plan, areas: Sequence[OrgUnit], figures: dict[int, list], per_unit, *, states, yearly: bool
) -> dict[int, _OwnRows]:
    """``_area_rows`` of several areas (no commune among them) without their communes' per-unit
    rows, the raw rows read once for all (``_raw_for_areas``); each area's rows are made when first
    asked for (``_OwnRows.rows``: by whichever process judges the area)."""
    clashes = label_clashes([a.pk for a in areas]) if yearly else set()
    mixed = {
        a.pk: mixed_codes(core, figures.get(a.pk, []), yearly=yearly, clash=a.pk in clashes) for a in areas
    }
    raw = _raw_for_areas(plan, areas, mixed, states=states)
    return {
        area_id: _OwnRows(
            core,
            _summed(figures.get(area_id, []), mixed[area_id]),
            yearly and area_id not in clashes,
            raw.get(area_id, []),
            per_unit,
        )
        for area_id in (area.pk for area in areas)
    }


def _summed(figures: list, mixed: set[str]) -> list:
    """The summary rows that stand for the area's figures: those of the indicators not read raw.
    A function of its own so that the area's id and its codes are looked up once, not for each of
    a country's million rows (``area.pk`` is a property)."""
    return [f for f in figures if f.indicator_code not in mixed]


@dataclass
class _OwnRows:
    """An area's rows from its summary and raw rows, as ``_areas_rows`` reads them, made once."""

    core: Plan
    summed: list
    by_shape: bool
    raw: list[CoreObservation]
    per_unit: list[str]
    _rows: list[CoreObservation] | None = None

    def rows(self) -> list[CoreObservation]:
        if self._rows is None:
            rows = rows_from_summary(self.core, self.summed, yearly=self.by_shape) + self.raw
            self._rows = _without_per_unit_sums(rows, self.per_unit)
        return self._rows


def _without_per_unit_sums(rows: list[CoreObservation], per_unit) -> list[CoreObservation]:
    # Per-unit indicators are read commune by commune: their sums would be one more
    # "unit" the engine cannot place (and would list as a row that does not count).
    return [r for r in rows if not (r.indicator in per_unit and (r.org_unit or "").startswith(BELOW))]


def _area_rows(
    plan, core: Plan, area: OrgUnit, figures, communes, per_unit, *, states, yearly: bool
) -> list[CoreObservation]:
    """An area's rows for the engine: its summary (and raw rows where sums cannot stand in) and
    its communes' rows of the per-unit indicators ``per_unit``."""
    rows = _summary_and_raw(plan, core, area, figures, states=states, yearly=yearly)
    return _without_per_unit_sums(rows, per_unit) + list(communes)


def child_figures(
    plan, core: Plan, indicator: Indicator, area: OrgUnit, period_key: str, *, states
) -> list[dict]:
    """The figure of each unit right below ``area`` for the period (communes: their own rows), by the
    engine's rules; empty when only the area itself reports the indicator (a lead unit)."""
    area = area_unit(area)
    period = parse_period(period_key)
    children = list(
        OrgUnit.objects.filter(parent=area, kind__in=[UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE])
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=period.end))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period.start))
        .order_by("name", "pk")
    )
    figures: dict[int, list[RollupFigure]] = {}
    for f in RollupFigure.objects.filter(
        plan=plan,
        view=view_of(states),
        unit__in=[c for c in children if c.kind != UnitKind.COMMUNE],
        indicator_code=indicator.code,
    ):
        figures.setdefault(f.unit_id, []).append(f)
    raw: dict[str, list[CoreObservation]] = {}
    commune_ids = [c.pk for c in children if c.kind == UnitKind.COMMUNE]
    if commune_ids:
        found = Observation.objects.filter(
            submission__plan=plan,
            submission__state__in=list(states),
            submission__org_unit_id__in=commune_ids,
            submission__period_start__gte=period.start,
            submission__period_end__lte=period.end,
            indicator_code=indicator.code,
        ).values_list(*_RAW_FIELDS, "submission__org_unit_id")
        for *values, unit_id in found:
            raw.setdefault(unit_id, []).append(_core(values, ""))
    yearly = by_year(period_key)
    clashes = label_clashes([c.pk for c in children if c.kind != UnitKind.COMMUNE]) if yearly else set()
    mixed = [
        c
        for c in children
        if c.kind != UnitKind.COMMUNE
        and mixed_codes(core, figures.get(c.pk, []), yearly=yearly, clash=c.pk in clashes)
    ]
    raw_children = _raw_below(plan, mixed, indicator.code, states=states)
    result = []
    for child in children:
        if child.kind == UnitKind.COMMUNE:
            rows = raw.get(child.pk, [])
            totals = [o for o in rows if o.sex is None]
            figure = aggregate(indicator, totals or rows)  # a breakdown by sex only: both sexes together
        else:
            if child.pk in raw_children:  # read raw: the sums cannot stand for it (``mixed_codes``)
                rows = raw_children[child.pk]
            else:
                rows = rows_from_summary(
                    core, figures.get(child.pk, []), yearly=yearly and child.pk not in clashes
                )
            figure = level_figure(indicator, rows, period)
        result.append({"unit": child.name, "unit_id": child.pk, "figure": figure})
    if all(r["figure"].state is FigureState.MISSING for r in result):
        return []
    return result


def commune_labels(area: OrgUnit, period_key: str) -> list[str]:
    """The engine's names of the area's communes in the period (names and codes only: a nation's
    10,000 communes read as model objects cost a first page view a second)."""
    communes = communes_in(area_unit(area), period_key).values_list("name", "code")
    return [label_of(name, code) for name, code in communes]


@dataclass(frozen=True)
class AreaEvaluation:
    area: OrgUnit
    evaluation: PlanEvaluation
    observations: tuple[CoreObservation, ...]  # what the engine was given
    # The communes expected to report per-unit indicators, when the engine was given them; None when
    # the stored verdicts answered: ``units`` reads them if asked (a nation's 10,599 names cost its
    # dashboard's first view 30–40 ms, and no page shows them: the verdicts hold what it lists).
    known_units: tuple[str, ...] | None
    # Set when these are the verdicts judged before a change of that time, being judged again.
    updating_since: datetime | None = None

    @functools.cached_property
    def units(self) -> tuple[str, ...]:
        if self.known_units is not None:
            return self.known_units
        return tuple(commune_labels(self.area, self.evaluation.period))


def unit_evaluation(
    plan,
    core: Plan,
    area: OrgUnit,
    period_key: str,
    *,
    as_of: date,
    states: Sequence[str] = APPROVED_STATES,
    updating_ok: bool = False,
) -> AreaEvaluation:
    """The engine's verdicts for ``area`` (any unit of the plan's tree) from the summary table.

    ``updating_ok``: the caller shows stored verdicts that a change made stale while they are
    judged again, and says so (``updating_since``): the dashboards. Reports, the API and exports
    leave it off and get the engine's answer on the latest figures (web.rollups.verdicts)."""
    area = area_unit(area)
    stored = _stored_answer(plan, core, area, period_key, as_of=as_of, states=states, updating_ok=updating_ok)
    if stored is not None:
        evaluation, since = stored
        return AreaEvaluation(area, evaluation, (), None, since)
    # The version is read before the figures: a change committed in between is then
    # cached under the old version, which no later reader asks for.
    key = evaluation_key(plan.pk, core, area.pk, period_key, as_of=as_of, states=states)
    hit = cached(key)
    if hit is not None:  # no observations, as from the stored verdicts: no page reads them
        evaluation, units = hit
        return AreaEvaluation(area, evaluation, (), units)
    observations = tuple(area_observations(plan, core, area, period_key, states=states))
    units = tuple(commune_labels(area, period_key))
    evaluation = evaluate_plan(core, observations, period_key, as_of=as_of, units=units)
    # The verdicts, not the engine's input: for the nation that input is nearly every commune's
    # rows (25 MB pickled at 5 % of the country), copied into each worker on every cache hit.
    remember(key, (evaluation, units))
    return AreaEvaluation(area, evaluation, observations, units)


class SummaryRow(NamedTuple):
    """A summary row (``RollupFigure``) as the roll-ups read it: a named tuple, not a model object."""

    unit_id: int
    indicator_code: str
    period_key: str
    own: bool
    sex: str
    n_rows: int
    n_both: int
    sum_num: int
    sum_den: int
    n_values: int
    sum_value: int
    n_count_missing: int
    sum_count: int
    n_units: int
    shape: str


_SUMMARY_FIELDS = SummaryRow._fields


def indicator_results(
    plan,
    core: Plan,
    area: OrgUnit,
    code: str,
    period_keys: Sequence[str],
    *,
    as_of: date,
    states: Sequence[str],
) -> tuple[dict[str, IndicatorResult], datetime | None]:
    """One indicator's results for several periods of ``area``: what the dashboard shows for it
    (``unit_evaluation``, stale verdicts being updated included), read from the stored verdicts in
    one query where they answer; and since when the oldest shown was being updated (None: none)."""
    area = area_unit(area)
    stored = stored_indicator_results(plan, core, area, code, period_keys, as_of=as_of, states=states)
    results = {k: result for k, (result, _since) in stored.items()}
    updating = [since for _result, since in stored.values() if since is not None]
    for period_key in period_keys:
        if period_key not in results:
            evaluated = unit_evaluation(plan, core, area, period_key, as_of=as_of, states=states)
            results[period_key] = evaluated.evaluation.result(code)
    return {k: results[k] for k in period_keys}, min(updating, default=None)


def _keys_within(period_key: str) -> list[str]:
    """The period and every year, half, quarter and month inside it."""
    period = parse_period(period_key)
    inside = [
        p.key
        for kind in (PeriodKind.YEAR, PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH)
        for p in sub_periods(period, kind)
    ]
    return [period.key, *inside]


def evaluation_all_units(
    *,
    plan,
    period_key: str,
    as_of: date | None = None,
    states: Sequence[str] = APPROVED_STATES,
    include_communes: bool = False,
    full: bool = False,
) -> dict[int, PlanEvaluation]:
    """Every area of the plan (nation, provinces, districts; communes on request) evaluated for a period.

    By default the verdicts and figures of the period only (no trajectory, baseline or
    wording; ``full=True`` adds them, as the dashboard shows them): one query for the
    summary rows of the period and the periods inside it, one for the per-unit
    indicators' commune figures, then the engine per area, each commune's per-unit
    series worked out once. ``as_of`` defaults to the end of the period. Areas whose verdicts
    are stored and answer for ``as_of`` (``stored_evaluations``) are read in one query instead,
    as the dashboard shows them (with trajectories and wording).
    Returns {unit id: the engine's PlanEvaluation}."""
    # Without the cyclic garbage collector meanwhile: the rows read and the results made are
    # hundreds of thousands of objects holding no cycle, which it went through again and again
    # (2 of 9.5 s for a country's year).
    with collector_paused():
        return _evaluation_all_units(
            plan=plan,
            period_key=period_key,
            as_of=as_of,
            states=states,
            include_communes=include_communes,
            full=full,
        )


def _evaluation_all_units(
    *, plan, period_key: str, as_of: date | None, states: Sequence[str], include_communes: bool, full: bool
) -> dict[int, PlanEvaluation]:
    version = plan_version_active(plan)
    if version is None:
        return {}
    core = core_plan(version)
    period = parse_period(period_key)
    as_of = as_of or period.end
    kinds = [UnitKind.NATION, UnitKind.PROVINCE, UnitKind.DISTRICT] + (
        [UnitKind.COMMUNE] if include_communes else []
    )
    areas = list(OrgUnit.objects.filter(id__in=units_below(plan.area), kind__in=kinds).order_by("pk"))
    # The stored verdicts, where they answer (one query); the engine for the others.
    stored = stored_evaluations(
        plan, core, [a.pk for a in areas if a.kind in STORED_KINDS], period_key, as_of=as_of, states=states
    )
    areas = [a for a in areas if a.pk not in stored]
    if not areas:
        return {pk: stored[pk] for pk in sorted(stored)}
    with big_reads():
        results = _engine_areas(plan, core, areas, period_key, as_of=as_of, states=states, full=full)
    return {pk: stored.get(pk) or results[pk] for pk in sorted({*stored, *results})}


def _engine_areas(
    plan, core: Plan, areas: list[OrgUnit], period_key: str, *, as_of: date, states: Sequence[str], full: bool
) -> dict[int, PlanEvaluation]:
    """``areas`` evaluated by the engine (``evaluation_all_units``, those the store does not answer)."""
    period = parse_period(period_key)
    above = [a for a in areas if a.kind != UnitKind.COMMUNE]
    yearly = by_year(period_key)
    clashes = label_clashes([a.pk for a in above]) if yearly else set()
    figures = RollupFigure.objects.filter(plan=plan, view=view_of(states))
    if not full:
        figures = figures.filter(period_key__in=_keys_within(period_key))
    seen_below: dict[int, list[_SeenBelow]] = {}
    if yearly:
        # A year's level indicators are judged from the units' shape rows: their plain rows of the
        # units below are not given to the engine, and ``mixed_codes`` asks only which periods
        # they are of (two fifths of a country's rows, read whole for that alone before). Areas
        # with clashing names are judged from their plain rows (``label_clashes``): read whole.
        plain_below = Q(own=False, shape="", indicator_code__in=sorted(_level_codes(core)))
        if clashes:
            plain_below &= ~Q(unit_id__in=sorted(clashes))
        found = figures.filter(plain_below).values_list("unit_id", "indicator_code", "period_key")
        for unit_id, code, key in _fetched(found):
            seen_below.setdefault(unit_id, []).append(_SeenBelow(code, key))
        figures = figures.exclude(plain_below)
    by_area: dict[int, list] = {}
    for figure in map(SummaryRow._make, _fetched(figures.values_list(*_SUMMARY_FIELDS))):
        by_area.setdefault(figure.unit_id, []).append(figure)
    communes = _communes_by_area(plan, core, [period_key], states=states)[period_key]
    # A unit's per-unit series is the same from every area above it, when names are unique.
    memo: dict | None = {} if _unique(communes.labels.get(plan.area_id, [])) else None
    mixed = {
        a.pk: mixed_codes(
            core, by_area.get(a.pk, []) + seen_below.get(a.pk, []), yearly=yearly, clash=a.pk in clashes
        )
        for a in above
    }
    raw = _raw_for_areas(plan, above, mixed, states=states)
    results: dict[int, PlanEvaluation] = {}
    for area in areas:
        if area.kind == UnitKind.COMMUNE:
            observations = raw_area_observations(plan, area, states=states)
            # A commune is expected to report only in a period it existed in (reorganisations).
            units: Sequence[str] = [unit_label(area)] if area.overlaps(period.start, period.end) else []
        else:
            by_shape = yearly and area.pk not in clashes
            figures = _summed(by_area.get(area.pk, []), mixed[area.pk])
            observations = rows_from_summary(core, figures, yearly=by_shape) + raw.get(area.pk, [])
            observations += communes.rows.get(area.pk, [])
            units = communes.labels.get(area.pk, [])
        results[area.pk] = evaluate_plan(
            core,
            observations,
            period_key,
            as_of=as_of,
            units=units,
            explain=full,
            trajectories=full,
            series_memo=memo if area.kind != UnitKind.COMMUNE else None,
        )
    return results


class _SeenBelow(NamedTuple):
    """A plain summary row of the units below an area, as ``mixed_codes`` reads it for a year: its
    indicator and period (``evaluation_all_units`` reads no more of these rows)."""

    indicator_code: str
    period_key: str
    own: bool = False
    shape: str = ""
    sex: str = ""


def _unique(labels: Sequence[str]) -> bool:
    return len({unit_key(label) for label in labels}) == len(labels)


@dataclass
class _Communes:
    rows: dict[int, list[CoreObservation]]
    labels: dict[int, list[str]]


def _communes_by_area(plan, core: Plan, period_keys: Sequence[str], *, states) -> dict[str, _Communes]:
    """Each area's communes and their per-unit figures, for each period: the communes and the
    figures read once for all areas and periods (a country's communes report every quarter of
    every year: the years and the phase would read them six times). Per period they are those
    ``communes_in`` and ``_commune_observations`` read, in the same order."""
    periods = {k: parse_period(k) for k in period_keys}
    if not periods:
        return {}
    first, last = min(p.start for p in periods.values()), max(p.end for p in periods.values())
    # Names, codes and dates, not model objects: a country has 10,000 communes.
    communes = list(
        communes_between(plan.area, first, last).values_list("pk", "name", "code", "valid_from", "valid_to")
    )
    ancestors: dict[int, list[int]] = {}
    for unit_id, ancestor_id in UnitAncestor.objects.filter(
        unit_id__in=communes_between(plan.area, first, last).values("pk")
    ).values_list("unit_id", "ancestor_id"):
        ancestors.setdefault(unit_id, []).append(ancestor_id)
    existing = {
        k: {pk for pk, _name, _code, since, until in communes if dates_overlap(since, until, p.start, p.end)}
        for k, p in periods.items()
    }
    out = {k: _Communes({}, {}) for k in periods}
    for pk, name, code, _since, _until in communes:
        label = label_of(name, code)
        for key, ids in existing.items():
            if pk in ids:
                labels = out[key].labels
                for ancestor in ancestors.get(pk, []):
                    labels.setdefault(ancestor, []).append(label)
    codes = _per_unit_codes(core)
    if not codes:
        return out
    found = Observation.objects.filter(
        submission__plan=plan,
        submission__state__in=list(states),
        submission__org_unit__in=communes_between(plan.area, first, last),
        submission__period_start__gte=first,
        submission__period_end__lte=last,
        indicator_code__in=codes,
    ).order_by(*_COMMUNE_ORDER)
    fields = ("submission__org_unit__code", "submission__org_unit_id")
    found = found.values_list(*_RAW_FIELDS, *fields, "submission__period_start", "submission__period_end")
    bounds = [(period.start, period.end, existing[key], out[key].rows) for key, period in periods.items()]
    read = _CommuneRows(bounds, ancestors)
    for *values, code, unit_id, start, end in _fetched(found):
        read.add(values, code, unit_id, start, end)
    read.flush()
    return out


class _CommuneRows:
    """The communes' rows handed to the areas above them, period by period: a commune's rows come
    one after the other (``_COMMUNE_ORDER``), so they are kept until the next commune's and then
    added to each area above it at once, in the order read; which periods contain a row's dates
    is worked out once per dates (a country's 200,000 rows have a few dozen)."""

    def __init__(
        self, bounds: list[tuple[date, date, set[int], dict[int, list]]], ancestors: dict[int, list[int]]
    ) -> None:
        self.bounds, self.ancestors = bounds, ancestors
        self.within: dict[tuple[date, date], list[int]] = {}
        self.unit_id: int | None = None
        self.kept: dict[int, list[CoreObservation]] = {}  # period's index → the commune's rows

    def add(self, values: list, code: str, unit_id: int, start: date, end: date) -> None:
        if unit_id != self.unit_id:
            self.flush()
            self.unit_id = unit_id
        within = self.within.get((start, end))
        if within is None:
            within = self.within[(start, end)] = [
                i
                for i, (first, last, _ids, _rows) in enumerate(self.bounds)
                if first <= start and end <= last
            ]
        row = None
        for index in within:
            if unit_id in self.bounds[index][2]:
                row = row or _core(values, label_of(values[-1], code))
                self.kept.setdefault(index, []).append(row)

    def flush(self) -> None:
        above = self.ancestors.get(self.unit_id, ()) if self.kept else ()
        for index, rows in self.kept.items():
            by_area = self.bounds[index][3]
            for ancestor in above:
                by_area.setdefault(ancestor, []).extend(rows)
        self.kept = {}


# ------------------------------------------------------------------ stored verdicts

# Bumped when what is stored changes (2: no notes about summed rows; 3: long lists packed,
# chitieu.evaluation.packed): older rows are not read.
STORE_FORMAT = "3"
STORED_AS_OF = date.max  # verdicts are stored as known once every figure is in (see web.rollups.verdicts)
STORED_KINDS = (UnitKind.NATION, UnitKind.PROVINCE, UnitKind.DISTRICT)


def store_digest(core: Plan) -> str:
    return f"{STORE_FORMAT}:{plan_digest(core)}"


def year_end(day: date) -> date:
    return date(day.year, 12, 31)


def stored_valid_from(period_key: str, horizon: date | None) -> date:
    """The first "as of" date from which the stored verdict is the engine's: every figure the
    area has is known by then, the period is over, and so is every year with figures (a phase
    trajectory counts only years ended by "as of")."""
    end = parse_period(period_key).end
    return max(end, year_end(horizon)) if horizon is not None else end


def stored_evaluation(
    plan, core: Plan, area: OrgUnit, period_key: str, *, as_of: date, states: Sequence[str]
) -> PlanEvaluation | None:
    """The stored verdicts of ``area`` for the period, in one query; None when none are stored
    (communes, periods the pages do not list, a view without figures), when a change made them
    stale and they are not judged again yet, when they were judged on another version of the
    plan, or when ``as_of`` is too early for them (the engine decides then)."""
    answer = _stored_answer(plan, core, area, period_key, as_of=as_of, states=states, updating_ok=False)
    return answer[0] if answer is not None else None


def _stored_answer(
    plan, core: Plan, area: OrgUnit, period_key: str, *, as_of: date, states: Sequence[str], updating_ok: bool
) -> tuple[PlanEvaluation, datetime | None] | None:
    """``stored_evaluation``, stale verdicts too if ``updating_ok``, with since when they are
    being updated (None: current)."""
    if area.kind not in STORED_KINDS:
        return None
    found = _stored_evaluations(plan, core, [area.pk], period_key, as_of=as_of, states=states)
    answer = found.get(area.pk)
    if answer is None or (answer[1] is not None and not updating_ok):
        return None
    if answer[1] is not None:
        judge_again_if_forgotten(plan.pk, area.pk, view_of(states), answer[1])
    return answer


def stored_evaluations(
    plan, core: Plan, area_ids: Sequence[int], period_key: str, *, as_of: date, states: Sequence[str]
) -> dict[int, PlanEvaluation]:
    """``stored_evaluation`` of several areas, none being updated: {area id: evaluation} for those
    it answers. Their head rows are read first, and the results only of those the heads say answer:
    a country's results of a year are 40 MB, read for nothing when ``as_of`` is too early for them."""
    heads = Verdict.objects.filter(
        plan=plan,
        view=view_of(states),
        unit_id__in=list(area_ids),
        period_key=period_key,
        sex="",
        indicator_code="",
    ).values_list("unit_id", "indicator_code", "digest", "horizon", "result", "stale_since")
    digest = store_digest(core)
    answering = [unit_id for unit_id, *head in heads if _answers([head], digest, period_key, as_of)]
    if not answering:
        return {}
    found = _stored_evaluations(plan, core, answering, period_key, as_of=as_of, states=states)
    return {unit_id: evaluation for unit_id, (evaluation, since) in found.items() if since is None}


def _stored_evaluations(
    plan, core: Plan, area_ids: Sequence[int], period_key: str, *, as_of: date, states: Sequence[str]
) -> dict[int, tuple[PlanEvaluation, datetime | None]]:
    rows: dict[int, list] = {}
    found = Verdict.objects.filter(
        plan=plan, view=view_of(states), unit_id__in=list(area_ids), period_key=period_key, sex=""
    ).values_list("unit_id", "indicator_code", "digest", "horizon", "result", "stale_since")
    for unit_id, *row in found.iterator(chunk_size=2000):
        rows.setdefault(unit_id, []).append(row)
    digest, codes = store_digest(core), [i.code for i in core.indicators]
    out = {}
    for unit_id, area_rows in rows.items():
        evaluation = _stored(area_rows, digest, codes, period_key, as_of)
        if evaluation is not None:
            out[unit_id] = (evaluation, _stale_since(area_rows))
    return out


def _stale_since(rows: list) -> datetime | None:
    """Since when an area × period's stored rows are being updated: their head's mark (the only row
    ``verdicts.refresh_verdicts`` marks)."""
    return next((r[4] for r in rows if r[0] == ""), None)


RETRY_AFTER = 15 * 60  # seconds: judging a country's verdicts takes minutes, not a quarter of an hour


def judge_again_if_forgotten(plan_id: int, area_id: int, view: str, since: datetime) -> None:
    """Verdicts stale for longer than any judging takes were left behind (the worker judging them
    was killed): have them judged again, once per ``RETRY_AFTER`` across every server."""
    if (timezone.now() - since).total_seconds() < RETRY_AFTER:
        return
    if cache.add(f"rollups:judge-again:{plan_id}:{area_id}:{view}", 1, RETRY_AFTER):
        hooks.announce(hooks.VERDICTS_STALE, plan_id=plan_id, areas=[area_id], views=[view])


def stored_indicator_results(
    plan,
    core: Plan,
    area: OrgUnit,
    code: str,
    period_keys: Sequence[str],
    *,
    as_of: date,
    states: Sequence[str],
) -> dict[str, tuple[IndicatorResult, datetime | None]]:
    """One indicator's stored results of ``area`` for several periods, in one query, by the rule of
    ``stored_evaluation`` (the same plan, a late enough date; a page's, so verdicts being updated
    count), each with since when it is being updated (None: current); the periods it does not
    answer are left out, for the engine. The other indicators' results are not read: at the
    nation a per-unit indicator's result holds every commune."""
    if area.kind not in STORED_KINDS:
        return {}
    found = Verdict.objects.filter(
        plan=plan,
        view=view_of(states),
        unit_id=area.pk,
        period_key__in=list(period_keys),
        indicator_code__in=["", code],
        sex="",
    ).values_list("period_key", "indicator_code", "digest", "horizon", "result", "stale_since")
    rows: dict[str, list] = {}
    for period_key, *row in found:
        rows.setdefault(period_key, []).append(row)
    digest, out = store_digest(core), {}
    for period_key, period_rows in rows.items():
        if not _answers(period_rows, digest, period_key, as_of):
            continue
        blob = next((r[3] for r in period_rows if r[0] == code), None)
        result = _unpickled(blob) if blob is not None else None
        if isinstance(result, IndicatorResult):
            since = _stale_since(period_rows)
            if since is not None:
                judge_again_if_forgotten(plan.pk, area.pk, view_of(states), since)
            out[period_key] = (result, since)
    return out


def _answers(rows: list, digest: str, period_key: str, as_of: date) -> bool:
    """Whether an area's stored rows for the period (their "" row) are the engine's answer on ``as_of``."""
    head = next((r for r in rows if r[0] == ""), None)
    return head is not None and head[1] == digest and as_of >= stored_valid_from(period_key, head[2])


def _unpickled(blob):
    # Without the cyclic garbage collector meanwhile: unpickling the nation's 6.3 when its 10,599
    # communes' parts were pickled as objects (53,000 of them) set it off again and again over objects
    # that hold no cycle, which was 60 % of the time (0.82 → 0.32 s a year's verdict).
    with collector_paused():
        try:
            return pickle.loads(blob)
        except (pickle.UnpicklingError, AttributeError, TypeError, ValueError, EOFError):
            return None  # written by another version of the code: the engine answers


def _stored(rows: list, digest: str, codes: list[str], period_key: str, as_of: date) -> PlanEvaluation | None:
    if not _answers(rows, digest, period_key, as_of):
        return None
    issues = _unpickled(next(r for r in rows if r[0] == "")[3])
    by_code = {code: _unpickled(blob) for code, _d, _h, blob, _s in rows if code}
    if issues is None or set(by_code) != set(codes) or None in by_code.values():
        return None
    results = tuple(by_code[code] for code in codes)
    return PlanEvaluation(parse_period(period_key).key, results, issues, as_of)


@dataclass
class StoreInputs:
    """What the engine needs to judge the areas of a plan for the stored periods, read from the
    database once (``store_inputs``, as ``unit_evaluation`` feeds the engine); judging them
    (``judge_for_store``) reads nothing more, so it can run in other processes over parts of the
    areas (``web.rollups.verdicts``)."""

    core: Plan
    period_keys: list[str]
    own: dict[bool, dict[int, _OwnRows]]  # by_year(period) → area → its own rows
    communes: dict[str, _Communes]  # period → the areas' communes and their per-unit rows
    series_memos: dict[str, dict | None]  # period → the communes' per-unit series (``_series_memos``)
    phase_memos: dict[tuple[int, bool], dict]  # (area, by_year) → trajectories and baselines


def store_inputs(
    plan,
    core: Plan,
    period_keys: Sequence[str],
    areas: Sequence[OrgUnit],
    *,
    states: Sequence[str],
    like: StoreInputs | None = None,
) -> StoreInputs:
    """A fixed number of queries: the areas' summary rows once, the communes' per-unit rows once
    for every period. ``like``: inputs of other areas of the plan, same periods and states, whose
    communes' rows (read for every area) and per-unit series serve these too, not read again.

    Without the cyclic garbage collector meanwhile: the millions of rows read (none holding a
    cycle) set it off again and again over those read before, a third of the reading's time."""
    with collector_paused(), big_reads():
        return _store_inputs(plan, core, period_keys, areas, states=states, like=like)


def _store_inputs(
    plan, core: Plan, period_keys: Sequence[str], areas: Sequence[OrgUnit], *, states, like
) -> StoreInputs:
    figures: dict[int, list] = {a.pk: [] for a in areas}
    found = RollupFigure.objects.filter(plan=plan, view=view_of(states), unit__in=[a.pk for a in areas])
    for figure in map(SummaryRow._make, _fetched(found.values_list(*_SUMMARY_FIELDS))):
        figures[figure.unit_id].append(figure)
    per_unit = _per_unit_codes(core)
    # The summary's rows depend only on whether a year (or phase) or a part of one is asked: read
    # (and their raw parts) once per area and kind.
    kinds = {by_year(k) for k in period_keys}
    own = {y: _areas_rows(plan, core, areas, figures, per_unit, states=states, yearly=y) for y in kinds}
    if like is not None:
        by_period = like.communes
    else:
        by_period = _communes_by_area(plan, core, period_keys, states=states)
    return StoreInputs(
        core=core,
        period_keys=list(period_keys),
        own=own,
        communes=by_period,
        series_memos=like.series_memos if like is not None else _series_memos(plan, by_period),
        # Every period of an area is judged on the same rows but its communes' per-unit ones: the
        # trajectories and baselines (which per-unit counts have none of) are worked out once per area.
        phase_memos={(a.pk, y): {} for a in areas for y in kinds},
    )


def _series_memos(plan, by_period: dict[str, _Communes]) -> dict[str, dict | None]:
    """Each period's ``series_memo`` for the engine: a commune's per-unit series is the same from
    every area above it, and its figure in a quarter the same in every period containing the
    quarter (the year's and the phase's: the commune's rows in the quarter, read once for all),
    when a name means one commune. So one memo for the periods inside a period (the widest) where
    no two communes of the plan's area have one name; none for a period where two have."""
    unique = {k: parse_period(k) for k, c in by_period.items() if _unique(c.labels.get(plan.area_id, []))}
    shared: dict[str, dict] = {}
    memos: dict[str, dict | None] = {}
    for key in by_period:
        if key not in unique:
            memos[key] = None
            continue
        around = [k for k, p in unique.items() if p.contains(unique[key])]
        widest = min(around, key=lambda k: (unique[k].start, -unique[k].end.toordinal(), k))
        memos[key] = shared.setdefault(widest, {})
    return memos


def judge_for_store(
    inputs: StoreInputs, area_ids: Sequence[int]
) -> Iterator[tuple[int, str, PlanEvaluation, date | None]]:
    """The engine's evaluation of each of ``area_ids`` (among the inputs' areas) for each period,
    with every figure known (``STORED_AS_OF``), and the latest end of a period among its rows.
    What the caller makes of each is frozen with it (``spare_judged``), kept until written."""
    gc.freeze()  # the inputs, kept until every period is judged
    for period_key in inputs.period_keys:
        communes = inputs.communes[period_key]
        own = inputs.own[by_year(period_key)]
        for area_id in area_ids:
            rows = own[area_id].rows() + communes.rows.get(area_id, [])
            evaluation = evaluate_plan(
                inputs.core,
                rows,
                period_key,
                as_of=STORED_AS_OF,
                units=communes.labels.get(area_id, []),
                series_memo=inputs.series_memos[period_key],
                phase_memo=inputs.phase_memos[(area_id, by_year(period_key))],
            )
            horizon = max((parse_period(k).end for k in {r.period for r in rows}), default=None)
            yield area_id, period_key, evaluation, horizon
            gc.freeze()  # a splice of lists: cheap after every area


@contextmanager
def spare_judged() -> Iterator[None]:
    """Judging a country keeps every area's results until they are written, millions of objects:
    each full round of the cyclic garbage collector went through all of them again, more often
    and longer the bigger the country (7 of 36 s at 25 %, 0.6 of 4.5 s at 5 %). Frozen as they are
    made (``gc.freeze``: freed as usual when no longer referred to, only not looked through), and
    handed back to the collector at the end."""
    try:
        yield
    finally:
        gc.unfreeze()
