"""The engine: which figures a verdict uses, and the verdict of each indicator and of a plan."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from itertools import groupby
from operator import attrgetter, is_
from typing import Any

from chitieu.evaluation.results import (
    Coverage,
    Flag,
    IndicatorResult,
    PartResult,
    PlanEvaluation,
    combine_applicable,
    copied,
    new_part,
    vi_figure,
)
from chitieu.evaluation.trajectory import Baseline, TrajectoryBands, trajectory
from chitieu.evaluation.verdict import Status, achievement_percent, combine, progress_share, status_for
from chitieu.explain import explain as wording
from chitieu.issues import Issue, Severity
from chitieu.names import name_key
from chitieu.observations import Observation, is_summed, unit_key
from chitieu.periods import Period, PeriodKind, contains_key, parse_period, sub_periods
from chitieu.plan import (
    Aggregation,
    Comparator,
    CountPeriod,
    Direction,
    Indicator,
    Measure,
    Plan,
    Sex,
    Target,
    about_women,
    aggregation_of,
)
from chitieu.quantity import format_percent
from chitieu.rollup import (
    Figure,
    FigureState,
    OrgTree,
    UnitSeries,
    aggregate,
    coarsest_kind_only,
    rollup_total,
    share_of,
    unit_series,
    unit_standing,
    unknown_units,
)

DEFAULT_BANDS = TrajectoryBands()  # one shared default, as the argument default always was

# A result with every field at its default. ``copied(_NO_RESULT, indicator=…, period=…, status=…,
# …)`` is the result ``IndicatorResult(…)`` makes: the same fields in the same order (so equal, with
# the same repr and the same pickle), without the constructor's 33 frozen-field assignments (15 µs
# a result, three times what the copy costs; a country's stored verdicts make 90,000 of them).
_NO_RESULT = IndicatorResult("", "", Status.NO_DATA)

_COUNT_KIND = {
    CountPeriod.MONTH: PeriodKind.MONTH,
    CountPeriod.QUARTER: PeriodKind.QUARTER,
    CountPeriod.YEAR: PeriodKind.YEAR,
}


_PERIOD_OF = attrgetter("period")
_INDICATOR_OF = attrgetter("indicator")
_ORG_UNIT_OF = attrgetter("org_unit")
_SOURCE_OF = attrgetter("source")
_KEY_OF = attrgetter("key")
_NEW = object.__new__
_SEX_OF = attrgetter("sex")


def _within(observations: Sequence[Observation], period: Period) -> list[Observation]:
    """The rows of ``period`` and of the periods inside it, in their order.

    Tested once per distinct period key, not per row: an area's rows are many (every commune's
    months at the nation) and their keys few."""
    keys = set(map(_PERIOD_OF, observations))
    inside = {k for k in keys if contains_key(period.key, k)}
    if len(inside) == len(keys):
        return list(observations)
    return [o for o in observations if o.period in inside] if inside else []


def _for_sex(
    observations: Sequence[Observation], sex: Sex | None
) -> tuple[list[Observation], str, list[Observation]]:
    """Rows for one sex. For both sexes: per unit and period, its total row, or else its girls'
    and boys' rows together; a unit that gave one sex only cannot count in the total."""
    if sex is not None:
        return [o for o in observations if o.sex is sex], "", []
    if not any(map(_SEX_OF, observations)):  # only totals (most indicators; a Sex is never falsy)
        # One row a unit and period (the usual case), told without a step per row: the rows as
        # they are. Else each group's rows together, below.
        keys = set(
            zip(map(unit_key, map(_ORG_UNIT_OF, observations)), map(_PERIOD_OF, observations), strict=True)
        )
        if len(keys) == len(observations):
            return list(observations), "", []
    groups: dict[tuple[str, str], list[Observation]] = {}
    for obs in observations:
        groups.setdefault((unit_key(obs.org_unit), obs.period), []).append(obs)
    if all(obs.sex is None for obs in observations):  # only totals, some unit and period twice
        return [o for group in groups.values() for o in group], "", []
    rows: list[Observation] = []
    summed, partial, lone = False, [], []
    for group in groups.values():
        totals = [o for o in group if o.sex is None]
        if totals:
            rows += totals
        elif {o.sex for o in group} >= {Sex.FEMALE, Sex.MALE}:
            rows += group
            summed = True
        else:
            if not is_summed(group[0].org_unit):  # a sum by sex: its units' total is counted apart
                partial.append(group[0].org_unit or "toàn địa bàn")
            lone += group
    notes = ["cộng nữ và nam"] if summed else []
    if partial:
        notes.append("không tính vào tổng vì chỉ có số liệu một giới: " + ", ".join(partial))
    return rows, "; ".join(notes), lone


_KIND_ORDER = (PeriodKind.PHASE, PeriodKind.YEAR, PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH)


def _overlap(a: Period, b: Period) -> bool:
    return a.start <= b.end and b.start <= a.end


def _choose_periods(keys: Sequence[str]) -> tuple[list[Period], list[str]]:
    """Of one unit's period keys inside a period, those that count: coarsest first, none
    overlapping one already taken (a year reported whole and by quarter is counted once;
    a half-year plus two quarters all count). Returns (chosen, shadowed keys)."""
    chosen, shadowed = _choose_among(frozenset(keys))
    return list(chosen), list(shadowed)


@functools.lru_cache(maxsize=4096)  # units report the same few sets of periods (12 months, 4 quarters)
def _choose_among(keys: frozenset[str]) -> tuple[tuple[Period, ...], tuple[str, ...]]:
    periods = sorted({parse_period(k) for k in keys}, key=lambda p: (_KIND_ORDER.index(p.kind), p.start))
    chosen: list[Period] = []
    shadowed: list[str] = []
    for p in periods:
        if any(_overlap(p, c) for c in chosen):
            shadowed.append(p.key)
        else:
            chosen.append(p)
    return tuple(sorted(chosen, key=lambda p: p.start)), tuple(shadowed)


@dataclass(frozen=True)
class Selection:
    """The rows that make a figure, each unit's own, and those left out with the reason."""

    rows: tuple[Observation, ...]  # what the figure is aggregated from (combined per unit)
    used: tuple[Observation, ...]  # the rows behind them
    dropped: tuple[tuple[Observation, str, str], ...]  # (row, code, reason)
    covered: dict[str, Sequence[Period]]  # unit key → the periods it counts with
    how: str = ""
    refused: str = ""  # why the rows cannot be combined (the figure is then undefined)


def _select(
    indicator: Indicator,
    observations: Sequence[Observation],
    period: Period,
    sex: Sex | None,
    inside: list[Observation] | None = None,
) -> Selection:
    """The rows of ``period`` (its own and its sub-periods') that make its figure for one sex.

    Per unit: its row for the period itself, else its sub-periods' rows (coarsest first,
    none counted twice), combined by the indicator's aggregation kind: a flow adds up, a
    stock or running total is its latest position, a rate over a population adds the
    events and takes the latest population. The whole area's own rows, when there are
    any, stand for the area (a district survey is not replaced by the communes' sum).
    ``inside``: ``_within(observations, period)``, when already known."""
    inside = _within(observations, period) if inside is None else inside
    rows, how, lone = _for_sex(inside, sex)
    dropped: list[tuple[Observation, str, str]] = [
        (o, "one_sex_only", "chỉ có số liệu một giới, không tính vào tổng") for o in lone
    ]
    by_unit: dict[str, list[Observation]] = {}
    for obs in rows:
        by_unit.setdefault(unit_key(obs.org_unit), []).append(obs)
    if "" in by_unit and len(by_unit) > 1:
        for key in [k for k in by_unit if k]:
            dropped += [
                (o, "shadowed", "đã có số liệu của toàn địa bàn cho kỳ này") for o in by_unit.pop(key)
            ]
    kind = aggregation_of(indicator)
    picked: list[Observation] = []
    used: list[Observation] = []
    covered: dict[str, Sequence[Period]] = {}
    refused = ""
    finer = False
    added_up = kind is Aggregation.FLOW or indicator.measure is Measure.COUNT
    for unit, unit_rows in by_unit.items():
        # (The kept tuples of ``_choose_periods``: read here, never changed.)
        chosen, shadowed = _choose_among(frozenset(map(_PERIOD_OF, unit_rows)))
        if shadowed:
            dropped += [
                (o, "shadowed", f"trùng với số liệu của kỳ lớn hơn đã báo cáo ({o.period})")
                for o in unit_rows
                if o.period in shadowed
            ]
            keys = {p.key for p in chosen}
            mine = [o for o in unit_rows if o.period in keys]
        else:  # every row's period counts
            mine = unit_rows
        covered[unit] = _covered_by_all(chosen, unit_rows) if is_summed(unit_rows[0].org_unit) else chosen
        used += mine
        if len(chosen) == 1 or added_up:
            picked += mine
            finer = finer or chosen[0].key != period.key
            continue
        finer = True
        latest = chosen[-1].key
        last = [o for o in mine if o.period == latest]
        if kind is Aggregation.RATE:
            applicable = [o for o in mine if not o.not_applicable]
            if any(o.numerator is None or o.denominator is None for o in applicable):
                refused = "tỷ suất: cần tử số và mẫu số của từng kỳ con để cộng số sự kiện"
                picked += mine
                continue
            events = sum((o.numerator for o in applicable if o.numerator is not None), Decimal(0))
            population = [o for o in last if not o.not_applicable]
            if not population:
                picked += last
                continue
            first = population[0]
            picked.append(
                replace(
                    first,
                    period=period.key,
                    numerator=events,
                    denominator=sum(
                        (o.denominator for o in population if o.denominator is not None), Decimal(0)
                    ),
                    value=None,
                    source=", ".join(o.source for o in mine if o.source),
                )
            )
        else:  # stock, running total: the position at the end
            picked += last
    if finer:
        rule = {
            Aggregation.FLOW: "cộng gộp các kỳ con",
            Aggregation.STOCK: "số liệu cuối kỳ (kỳ con gần nhất của mỗi đơn vị)",
            Aggregation.RUNNING_TOTAL: "lũy kế: giá trị gần nhất của mỗi đơn vị",
            Aggregation.RATE: "cộng số sự kiện các kỳ con ÷ dân số kỳ gần nhất",
            Aggregation.PER_UNIT: "cộng gộp các kỳ con",
        }[kind]
        how = rule + (f", {how}" if how else "")
    return Selection(tuple(picked), tuple(used), tuple(dropped), covered, how, refused)


class _Selected:
    """``_select`` of one indicator's rows, kept per period and sex: a verdict reads the same
    selection for its figure, its coverage and the rows it leaves out (up to three times a sex)."""

    def __init__(self, indicator: Indicator, rows: Sequence[Observation]) -> None:
        self.indicator, self.rows = indicator, rows
        self._kept: dict[tuple[str, Sex | None], Selection] = {}
        self._within: dict[str, list[Observation]] = {}

    def of(self, period: Period, sex: Sex | None) -> Selection:
        key = (period.key, sex)
        chosen = self._kept.get(key)
        if chosen is None:
            inside = self.within(period)
            chosen = self._kept[key] = _select(self.indicator, self.rows, period, sex, inside)
        return chosen

    def within(self, period: Period) -> list[Observation]:
        """``_within(rows, period)``, kept (not to be changed by the caller)."""
        inside = self._within.get(period.key)
        if inside is None:
            inside = self._within[period.key] = _within(self.rows, period)
        return inside


def _covered_by_all(chosen: Sequence[Period], rows: Sequence[Observation]) -> list[Period]:
    """The periods a row of summed units covers: those where its row sums every one of its units
    (they all count with their latest period, so their number is that of its fullest row). Units
    that report the same kind of period are summed together whichever of them they left out, and
    the coverage stays that of each unit: a month is covered only if every unit gave it."""
    size = max(o.units for o in rows)
    full = {o.period for o in rows if o.units == size}
    return [p for p in chosen if p.key in full]


def unit_counts_with(
    rows: Sequence[Observation], period: Period, sex: Sex | None, *, women_share: bool = False
) -> tuple[tuple[str, ...], list[Observation]]:
    """How ONE unit's rows count for ``period`` and one sex (None: both), as ``_select`` takes them:
    the keys of the periods the unit counts with, and its rows of those periods (read first as a
    share of women with ``women_share``, as ``evaluate_indicator`` does for such indicators).

    Units that count with the same periods are, for ``_select`` and the coverage, one unit whose
    rows are their sums: a flow adds every period, a stock takes the last, a rate adds the events
    and takes the last population, the same for each of them. So the roll-ups (web.rollups) keep
    sums per such group and the engine combines them, instead of reading every unit's rows."""
    own = _as_women_share(rows, "")[0] if women_share else list(rows)
    counted, _how, _lone = _for_sex(_within(own, period), sex)
    chosen, _shadowed = _choose_periods([o.period for o in counted])
    keys = tuple(p.key for p in chosen)
    return keys, [o for o in counted if o.period in keys]


def level_figure(
    indicator: Indicator,
    observations: Sequence[Observation],
    period: Period,
    *,
    sex: Sex | None = None,
    tree: OrgTree | None = None,
    selected: _Selected | None = None,
) -> Figure:
    """The figure of a level indicator (share, rate, ratio) for a period and one sex (None = both).

    Each unit counts with its row for the period, else its sub-periods' rows combined by the
    indicator's aggregation kind (``_select``). A phase without its own rows takes its latest
    year (phase targets are levels to reach by the end); a rare-event rate (4.2) pools the
    years of the phase instead. ``selected``: ``_select`` of these very ``observations``, kept.
    """
    if period.kind is PeriodKind.PHASE and period.key not in map(_PERIOD_OF, observations):
        # No row of the phase itself: its years' rows (each year's selection, kept, is that of
        # these rows, as a year holds no row of the phase).
        inside = selected.within(period) if selected is not None else _within(observations, period)
        if not inside:
            return aggregate(indicator, [])
        if pools_phase(indicator):
            pooled = _pooled_phase(indicator, inside, period, sex, tree, selected)
            if pooled is not None:
                return pooled
        for year in reversed(sub_periods(period, PeriodKind.YEAR)):
            figure = level_figure(indicator, inside, year, sex=sex, tree=tree, selected=selected)
            if figure.state is not FigureState.MISSING:
                return _with_rule(figure, f"năm gần nhất có số liệu: {year.key}")
        return aggregate(indicator, [])
    chosen = (
        selected.of(period, sex) if selected is not None else _select(indicator, observations, period, sex)
    )
    if not chosen.rows:
        return aggregate(indicator, [])
    figure = rollup_total(indicator, list(chosen.rows), tree)
    if chosen.refused:
        figure = copied(figure, state=FigureState.UNDEFINED, value=None, reason=chosen.refused)
    return _with_rule(figure, chosen.how)


def pools_phase(indicator: Indicator) -> bool:
    """Rare events (maternal deaths per 100.000 births): a phase is judged on its years pooled."""
    return indicator.measure is Measure.RATE and aggregation_of(indicator) is Aggregation.FLOW


def _pooled_phase(
    indicator: Indicator,
    observations: Sequence[Observation],
    phase: Period,
    sex: Sex | None,
    tree: OrgTree | None,
    selected: _Selected | None = None,
) -> Figure | None:
    """Σ events ÷ Σ population over the phase's years with figures; None when a year has no parts."""
    numerator = denominator = Decimal(0)
    years: list[str] = []
    sources: list[str] = []
    for year in sub_periods(phase, PeriodKind.YEAR):
        figure = level_figure(indicator, observations, year, sex=sex, tree=tree, selected=selected)
        if figure.state is FigureState.MISSING or figure.state is FigureState.NOT_APPLICABLE:
            continue
        if figure.numerator is None or figure.denominator is None:
            return None
        numerator += figure.numerator
        denominator += figure.denominator
        years.append(year.key)
        sources += figure.sources
    if not years or not denominator:
        return None
    value = numerator * indicator.factor / denominator
    rule = f"ratio_of_sums (gộp các năm {years[0]}–{years[-1]} của giai đoạn: sự kiện hiếm)"
    return Figure(FigureState.VALUE, value, numerator, denominator, tuple(sources), rule)


def _with_rule(figure: Figure, how: str) -> Figure:
    if not how:
        return figure
    return copied(figure, rule=f"{figure.rule} ({how})" if figure.rule else how)


def applicable_target(indicator: Indicator, period: Period) -> Target | None:
    """The period's own target, else that of the narrowest plan period containing it.

    A quarter is judged against its year's value: "03 tin, bài/quý" in the 2024 column
    is the target of every quarter of 2024, and an annual share is the yardstick for
    a quarter's share.
    """
    kept = _TARGETS.get(id(indicator))
    if kept is None or kept[0] is not indicator:
        if len(_TARGETS) >= 4096:
            _TARGETS.clear()
        kept = _TARGETS[id(indicator)] = (indicator, {})
    if period.key in kept[1]:
        return kept[1][period.key]
    own = indicator.target_for(period.key)
    if own is None:
        around = [(parse_period(t.period), t) for t in indicator.targets]
        containing = sorted(
            ((p.end - p.start, t) for p, t in around if p.contains(period)), key=lambda x: x[0]
        )
        own = containing[0][1] if containing else None
    kept[1][period.key] = own
    return own


# Each indicator's applicable target by period key, kept for the last indicators asked about, by
# identity (each kept with its indicator, so that no other object takes its id meanwhile): every
# area and period asks again of the same few (a country's judging: 90,000 times).
_TARGETS: dict[int, tuple[Indicator, dict[str, Target | None]]] = {}


def evaluate_indicator(
    indicator: Indicator,
    observations: Sequence[Observation],
    period_key: str,
    *,
    as_of: date,
    baseline: Baseline | None = None,
    phase: Period | None = None,
    tree: OrgTree | None = None,
    units: Sequence[str] = (),
    bands: TrajectoryBands = DEFAULT_BANDS,
    explain: bool = True,
    series_memo: dict | None = None,
    phase_memo: dict | None = None,
) -> IndicatorResult:
    """Evaluate one indicator for one period, with the observations known on ``as_of``.

    ``observations`` may contain other indicators' rows; they are ignored. ``units`` are
    the units expected to report a per-unit indicator (the communes); by default those
    found in the observations. ``explain=False`` leaves the wording out (bulk evaluation);
    ``series_memo`` keeps each unit's per-unit series between calls on nested areas, and its
    figure in each sub-period between calls for periods that share it (the same unit names must
    mean the same units in every call, with the same rows in each sub-period);
    ``phase_memo`` keeps the phase trajectory between calls for other periods on the same
    rows of the indicator (``evaluate_plan`` checks that they are; the trajectory does not
    depend on the period), and the rows' selections per period (a year's is the trajectory's).
    """
    return _evaluate_indicator(
        indicator,
        observations,
        period_key,
        as_of=as_of,
        baseline=baseline,
        phase=phase,
        tree=tree,
        units=units,
        bands=bands,
        explain=explain,
        series_memo=series_memo,
        phase_memo=phase_memo,
        its_own=False,
    )


def _evaluate_indicator(
    indicator: Indicator,
    observations: Sequence[Observation],
    period_key: str,
    *,
    as_of: date,
    baseline: Baseline | None,
    phase: Period | None,
    tree: OrgTree | None,
    units: Sequence[str],
    bands: TrajectoryBands,
    explain: bool,
    series_memo: dict | None,
    phase_memo: dict | None,
    its_own: bool,
) -> IndicatorResult:
    """``evaluate_indicator``; ``its_own``: the observations are the indicator's rows only (as
    ``evaluate_plan`` groups them), not to be looked through again for it."""
    period = parse_period(period_key)
    kept = phase_memo.get("rows") if phase_memo is not None else None
    if kept is None:
        rows = observations if its_own else [o for o in observations if o.indicator == indicator.code]
        own, wrong_sex = _women_rows(indicator, list(rows))
        kept = (own, wrong_sex, _Selected(indicator, own))
        if phase_memo is not None:
            phase_memo["rows"] = kept
    own, wrong_sex, selected = kept
    target = applicable_target(indicator, period)
    if indicator.measure is Measure.COUNT and indicator.per_period is not None:
        result = _evaluate_count(
            indicator, own, period, target, as_of=as_of, tree=tree, units=units, series_memo=series_memo
        )
        coverage = _count_coverage(indicator, result, period)
    else:
        result = _evaluate_level(indicator, own, period, target, tree=tree, selected=selected)
        coverage = _level_coverage(indicator, own, period, selected)
        result = _sex_ratio_plausibility(indicator, result)
    # What follows reads none of the fields it sets: one copy of the result with all of them, not
    # one per step (a result has 32 fields, and a country's judging makes 90 000 of them).
    row_issues = tuple(wrong_sex) + _row_issues(indicator, own, period, result, selected)
    flags = result.flags + _small_numbers(indicator, result)
    changes: dict[str, Any] = {
        "coverage": coverage,
        "flags": flags,
        "aggregation": aggregation_of(indicator),
        "complete": result.complete and (coverage is None or coverage.complete),
        "row_issues": row_issues,
        **_baseline_changes(result, indicator, baseline),
        "name": indicator.name,
        "unit_label": indicator.unit_label,
        "needs_review": indicator.needs_review or any(f.code == "implausible" for f in flags),
    }
    if phase is not None and indicator.measure is not Measure.COUNT:
        phase_target = indicator.target_for(phase.key)
        if phase_target is not None:
            key = ("trajectory", phase.key, as_of, baseline, bands)
            if phase_memo is not None and key in phase_memo:
                traj = phase_memo[key]
            else:
                points = _yearly_points(indicator, selected, phase, as_of, baseline, tree)
                end_year = phase.end.year
                ceiling = Decimal(100) if indicator.measure is Measure.PERCENT else None
                traj = trajectory(phase_target, indicator.direction, end_year, points, bands, ceiling)
                if phase_memo is not None:
                    phase_memo[key] = traj
            changes["trajectory"] = traj
    result = copied(result, **changes)
    if explain:
        # Set on the result just made, which no one else holds yet (the wording reads the result
        # and not its own field): a copy of its 33 fields for one of them cost more than the rest.
        result.__dict__["explanation"] = wording(indicator, result)
    return result


# ------------------------------------------------------------- rows, coverage, flags


def _women_rows(indicator: Indicator, rows: list[Observation]) -> tuple[list[Observation], list[Issue]]:
    """For a share of women (1.1, 2.3, 5.3…) a row tagged F is the indicator itself: it counts as
    the total (unless the same unit and period also gave an untagged row); a row tagged M has no
    meaning there. Other indicators: rows as given."""
    if not about_women(indicator):
        return rows, []
    return _as_women_share(rows, indicator.code)


def _as_women_share(rows: Sequence[Observation], code: str) -> tuple[list[Observation], list[Issue]]:
    totals = {(unit_key(o.org_unit), o.period) for o in rows if o.sex is None}
    kept: list[Observation] = []
    issues: list[Issue] = []
    for obs in rows:
        if obs.sex is None:
            kept.append(obs)
        elif obs.sex is Sex.FEMALE and (unit_key(obs.org_unit), obs.period) not in totals:
            kept.append(replace(obs, sex=None))
        elif obs.sex is Sex.FEMALE:
            issues.append(_row_issue(obs, "shadowed", "đã có dòng tổng của cùng đơn vị và kỳ"))
        else:
            issues.append(
                _row_issue(obs, "wrong_sex", f"chỉ tiêu {code} là tỷ lệ nữ: dòng giới tính nam không dùng")
            )
    return kept, issues


def _row_issue(obs: Observation, code: str, reason: str) -> Issue:
    unit = f" ({obs.org_unit})" if obs.org_unit else ""
    return Issue(
        Severity.WARNING,
        obs.source or f"{obs.indicator} {obs.period}",
        f"dòng {obs.indicator} kỳ {obs.period}{unit} không được tính: {reason}",
        code,
    )


def _row_issues(
    indicator: Indicator,
    own: Sequence[Observation],
    period: Period,
    result: IndicatorResult,
    selected: _Selected,
) -> tuple[Issue, ...]:
    """Every row of the period that does not count in the result, with its reason (issue 19)."""
    inside = selected.within(period)
    if not inside or period.kind is PeriodKind.PHASE:
        return ()
    issues: list[Issue] = []
    if indicator.measure is Measure.COUNT and indicator.per_period is not None:
        kind = _COUNT_KIND[indicator.per_period]
        subs = sub_periods(period, kind) or (period,)
        used_ids = _count_rows_used(indicator, inside, subs, result)
        if len(used_ids) == len(inside):  # every row counts (the usual case): none to name
            return ()
        for obs in inside:
            if id(obs) in used_ids or is_summed(obs.org_unit):
                continue
            p = parse_period(obs.period)
            if obs.sex is not None:
                issues.append(_row_issue(obs, "wrong_sex", "chỉ tiêu đếm không chia theo giới"))
            elif not any(sub.contains(p) for sub in subs):
                issues.append(
                    _row_issue(obs, "wrong_frequency", f"chỉ tiêu tính theo {_KIND_VI[indicator.per_period]}")
                )
            elif indicator.per_unit and not obs.org_unit:
                issues.append(
                    _row_issue(obs, "not_per_unit", "số liệu chung của địa bàn không cho biết từng đơn vị")
                )
            elif indicator.per_unit and unit_key(obs.org_unit) not in {unit_key(u.key) for u in result.units}:
                issues.append(
                    _row_issue(obs, "unknown_unit", "đơn vị không thuộc danh sách đơn vị của địa bàn")
                )
            else:
                issues.append(_row_issue(obs, "shadowed", "trùng với số liệu của kỳ lớn hơn đã báo cáo"))
        return tuple(issues)
    used: set[int] = set()
    reasons: dict[int, tuple[str, str]] = {}
    sexes: list[Sex | None] = [None, Sex.FEMALE, Sex.MALE] if indicator.by_sex else [None]
    for sex in sexes:
        chosen = selected.of(period, sex)
        used |= {id(o) for o in chosen.used}
        for obs, code, reason in chosen.dropped:
            reasons.setdefault(id(obs), (code, reason))
    if len(used) == len(inside):  # every row counts (the usual case): none to name
        return _inconsistent_by_sex(inside)
    for obs in inside:
        if id(obs) not in used and not is_summed(obs.org_unit):
            code, reason = reasons.get(id(obs), ("not_counted", "không khớp cách tính của chỉ tiêu"))
            issues.append(_row_issue(obs, code, reason))
    return tuple(issues) + _inconsistent_by_sex(inside)


def _inconsistent_by_sex(rows: Sequence[Observation]) -> tuple[Issue, ...]:
    """A unit's girls + boys that do not add up to its own total row (numerators or denominators)."""
    if not {Sex.FEMALE, Sex.MALE, None} <= set(map(_SEX_OF, rows)):
        return ()  # no unit can have all three (most indicators are not given by sex)
    groups: dict[tuple[str, str], dict[Sex | None, list[Observation]]] = {}
    for obs in rows:
        groups.setdefault((unit_key(obs.org_unit), obs.period), {}).setdefault(obs.sex, []).append(obs)
    issues = []
    for group in groups.values():
        if not all(group.get(s) for s in (None, Sex.FEMALE, Sex.MALE)):
            continue
        first = group[None][0]
        for part in ("numerator", "denominator"):
            sums = []
            for sex in (None, Sex.FEMALE, Sex.MALE):
                values = [getattr(o, part) for o in group[sex] if not o.not_applicable]
                sums.append(None if not values or None in values else sum(values, Decimal(0)))
            t, f, m = sums
            if t is not None and f is not None and m is not None and f + m != t:
                issues.append(
                    Issue(
                        Severity.WARNING,
                        first.source or f"{first.indicator} {first.period}",
                        f"dòng {first.indicator} kỳ {first.period}: nữ + nam ({f} + {m}) khác tổng ({t})"
                        f" ở {'tử số' if part == 'numerator' else 'mẫu số'}",
                        "inconsistent_by_sex",
                    )
                )
                break
    return tuple(issues)


def _count_rows_used(
    indicator: Indicator, inside: Sequence[Observation], subs: Sequence[Period], result: IndicatorResult
) -> set[int]:
    """The ids of the rows a count counts: in each sub-period (per unit of ``result``'s for a
    per-unit count), the rows of the coarsest kind. One pass over the rows (at the nation, every
    commune's), each distinct period key placed once; rows are grouped per unit only in a
    sub-period holding rows of more than one kind (elsewhere every row of a group is of the
    coarsest kind there is: ``coarsest_kind_only`` keeps them all)."""
    per_unit_names = set(map(unit_key, map(_KEY_OF, result.units))) if indicator.per_unit else set()
    keys = tuple(sub.key for sub in subs)
    containing = {
        k: [i for i, sub in enumerate(keys) if contains_key(sub, k)] for k in set(map(_PERIOD_OF, inside))
    }
    kinds: dict[int, set[PeriodKind]] = {}
    for k, where in containing.items():
        for i in where:
            kinds.setdefault(i, set()).add(parse_period(k).kind)
    mixed = {i for i, found in kinds.items() if len(found) > 1}
    if not mixed and all(containing.values()) and not any(map(_SEX_OF, inside)):
        # Every row of both sexes, in a sub-period of one kind of rows, of a unit counted (the usual
        # case): every row counts, as the loop below finds, told at once (a Sex is never falsy).
        units = set(map(_ORG_UNIT_OF, inside)) if indicator.per_unit else set()
        if all(units) and set(map(unit_key, units)) <= per_unit_names:
            return set(map(id, inside))
    used: set[int] = set()
    groups: dict[tuple[int, str], list[Observation]] = {}
    for o in inside:
        if o.sex is not None:
            continue
        unit = unit_key(o.org_unit) if indicator.per_unit and o.org_unit else ""
        if indicator.per_unit and (not o.org_unit or unit not in per_unit_names):
            continue
        for i in containing[o.period]:
            if i in mixed:
                groups.setdefault((i, unit), []).append(o)
            else:
                used.add(id(o))
    return used.union(id(o) for group in groups.values() for o in coarsest_kind_only(group))


def _level_coverage(
    indicator: Indicator, own: Sequence[Observation], period: Period, selected: _Selected
) -> Coverage:
    """The sub-periods a level figure needed and got.

    A phase needs its years (a phase judged before its end is provisional). A year, half or
    quarter needs, at the finest period any unit reported in, every sub-period from every
    unit counted: a year given by quarters needs four; a unit that gave the year whole covers
    them all."""
    if period.kind is PeriodKind.PHASE:
        keys = set(map(_PERIOD_OF, own))  # tested once per distinct key, not per row
        if period.key in keys:
            return Coverage(1, 1)
        years = sub_periods(period, PeriodKind.YEAR)
        got = [y for y in years if any(contains_key(y.key, k) for k in keys)]
        return Coverage(len(years), len(got), tuple(y.key for y in years if y not in got))
    sexes: list[Sex | None] = [Sex.FEMALE, Sex.MALE] if indicator.by_sex else [None]
    selections = [selected.of(period, sex) for sex in sexes]
    chosen = [p for sel in selections for periods in sel.covered.values() for p in periods]
    if not chosen:
        return Coverage(1, 0, (period.key,))
    finest = max((p.kind for p in chosen), key=_KIND_ORDER.index)
    subs = sub_periods(period, finest) or (period,)
    units = [periods for sel in selections for periods in sel.covered.values()]
    if any(not sel.covered for sel in selections):  # one sex not reported at all
        units.append([])
    # Units counting with the very same periods (most of them) are tested once, and every area's
    # units count with the same few sets of periods: the test is kept per set.
    distinct = frozenset(tuple(p.key for p in periods) for periods in units)
    # (Positions kept, not keys: the result names this call's own key strings, as it always did.)
    missing = tuple(subs[i].key for i in _not_covered(distinct, tuple(s.key for s in subs)))
    return Coverage(len(subs), len(subs) - len(missing), missing)


@functools.lru_cache(maxsize=4096)
def _not_covered(units: frozenset[tuple[str, ...]], subs: tuple[str, ...]) -> tuple[int, ...]:
    """The positions in ``subs`` of the keys not covered by the periods (keys) of every one of ``units``."""
    return tuple(i for i, s in enumerate(subs) if not all(any(contains_key(p, s) for p in u) for u in units))


def _count_coverage(indicator: Indicator, result: IndicatorResult, period: Period) -> Coverage:
    """Counts per month or quarter need every sub-period of the period, elapsed or not;
    per-unit ones need them from every unit (a unit answering "không áp dụng" answered)."""
    assert indicator.per_period is not None
    subs = sub_periods(period, _COUNT_KIND[indicator.per_period]) or (period,)
    answered = (FigureState.VALUE, FigureState.NOT_APPLICABLE)
    if indicator.per_unit:
        missing: list[str] = []
        keys = [s.key for s in subs]
        for unit in result.units:
            answered_keys = [p.key for p in unit.parts if p.state in answered]
            if answered_keys == keys:  # every sub-period answered, in order (most units): none missing
                continue
            missing += [f"{unit.key}: {key}" for key in keys if key not in answered_keys]
        expected = len(subs) * len(result.units)
        if not result.units:
            return Coverage(len(subs), 0, tuple(s.key for s in subs))
        return Coverage(expected, expected - len(missing), tuple(missing))
    got = {p.key for p in result.sub_periods if p.state in answered}
    missing_keys = tuple(s.key for s in subs if s.key not in got)
    return Coverage(len(subs), len(subs) - len(missing_keys), missing_keys)


# Sex ratio at birth: below about 102 boys per 100 girls is a warning sign (boys not
# registered, or noise in a small district), never better than a target; above 130 is
# beyond what any Vietnamese province has recorded. Configurable.
SEX_RATIO_BAND = (Decimal(102), Decimal(130))


def is_sex_ratio_at_birth(indicator: Indicator) -> bool:
    words = f" {name_key(indicator.name)} "
    return indicator.measure is Measure.RATIO and " gioi tinh khi sinh " in words


def _sex_ratio_plausibility(indicator: Indicator, result: IndicatorResult) -> IndicatorResult:
    if not is_sex_ratio_at_birth(indicator) or result.actual is None:
        return result
    low, high = SEX_RATIO_BAND
    if low <= result.actual <= high:
        return result
    flag = Flag(
        "implausible",
        f"tỷ số giới tính khi sinh {vi_figure(result.actual, 1)}"
        f" nằm ngoài khoảng hợp lý {vi_figure(low)}–{vi_figure(high)}:"
        " cần kiểm tra (khai sinh bé trai chưa đủ, hoặc số ca ít)",
        low,
        high,
        provisional=True,
    )
    status = Status.ACHIEVED if result.status is Status.EXCEEDED else result.status  # never "Vượt"
    return copied(result, status=status, flags=(*result.flags, flag))


def _small_numbers(indicator: Indicator, result: IndicatorResult) -> tuple[Flag, ...]:
    """Few events: a rate one event moves by 5 % of the target or more (one maternal death among
    640 births is 156 per 100.000); a ratio (the sex ratio at birth) whose 95 % sampling margin
    from the binomial share p = num ÷ (num + den) is 2 % of the target or more."""
    num, den, target = result.numerator, result.denominator, result.target
    if num is None or not den or target is None:
        return ()
    if indicator.measure is Measure.RATE:
        one = indicator.factor / den
        if target.value and one < target.value / 20:
            return ()
        message = (
            f"mẫu số nhỏ ({vi_figure(den)}): mỗi trường hợp làm thay đổi"
            f" {vi_figure(one)} {indicator.unit_label}".strip()
        )
        return (Flag("small_numbers", message, provisional=False),)
    if indicator.measure is Measure.RATIO and num + den > 0:
        n = num + den
        p = num / n
        if p >= 1:
            return ()
        margin = Decimal("1.96") * indicator.factor * (p * (1 - p) / n).sqrt() / (1 - p) ** 2
        if margin < target.value / 50:
            return ()
        margin_text = vi_figure(margin, 1)
        message = f"số ca ít ({vi_figure(n)}): sai số ngẫu nhiên khoảng ±{margin_text} (95%)"
        return (Flag("small_numbers", message, provisional=True),)
    return ()


def _evaluate_level(
    indicator: Indicator,
    own: Sequence[Observation],
    period: Period,
    target: Target | None,
    *,
    tree: OrgTree | None,
    selected: _Selected,
) -> IndicatorResult:
    total = level_figure(indicator, own, period, tree=tree, selected=selected)
    status = figure_status(indicator, total, target)
    parts: tuple[PartResult, ...] = ()
    if indicator.by_sex:
        parts = tuple(
            _part(
                sex.value,
                level_figure(indicator, own, period, sex=sex, tree=tree, selected=selected),
                target,
                indicator,
            )
            for sex in (Sex.FEMALE, Sex.MALE)
        )
        # "trẻ em trai và trẻ em gái": met only when both groups meet.
        by_sex = combine([p.status for p in parts])
        # The total is a weighted mean of the two groups: if it misses an at-least /
        # at-most target, one group surely does, even when a group is not reported.
        proven = status is Status.NOT_ACHIEVED and target and target.comparator is not Comparator.EQ
        status = Status.NOT_ACHIEVED if proven else by_sex
    return copied(
        _NO_RESULT,
        indicator=indicator.code,
        period=period.key,
        status=status,
        actual=total.value,
        target=target,
        comparator=target.comparator if target else None,
        achievement=achievement_percent(total.value, target),
        numerator=total.numerator,
        denominator=total.denominator,
        state=total.state,
        rule=total.rule,
        sources=total.sources,
        by_sex=parts,
        complete=all(p.state is not FigureState.MISSING for p in parts) if parts else True,
    )


def not_arisen(indicator: Indicator, figure: Figure) -> bool:
    """Không phát sinh: a flow's share with nothing to count (0 victims returned, 0 of 0)."""
    return (
        figure.state is FigureState.UNDEFINED
        and figure.denominator == 0
        and not figure.numerator
        and indicator.measure is Measure.PERCENT
        and aggregation_of(indicator) is Aggregation.FLOW
    )


def figure_status(indicator: Indicator, figure: Figure, target: Target | None) -> Status:
    if not_arisen(indicator, figure):
        return Status.NOT_ARISEN
    return status_for(figure.value, target, indicator.direction)  # no value (n/a, missing): no_data


def _part(
    key: str, figure: Figure, target: Target | None, indicator: Indicator, status: Status | None = None
) -> PartResult:
    """``figure`` as a part of a verdict; ``status``: its ``figure_status``, when already known."""
    if status is None:
        status = figure_status(indicator, figure, target)
    return new_part(key, status, figure.value, figure.numerator, figure.denominator, figure.state)


def _weakest(values: Sequence[Decimal], target: Target | None, direction: Direction) -> Decimal | None:
    if not values:
        return None
    at_most = (target and target.comparator is Comparator.LE) or (
        target is None and direction is Direction.DECREASE
    )
    return max(values) if at_most else min(values)


def _evaluate_count(
    indicator: Indicator,
    own: Sequence[Observation],
    period: Period,
    target: Target | None,
    *,
    as_of: date,
    tree: OrgTree | None,
    units: Sequence[str],
    series_memo: dict | None = None,
) -> IndicatorResult:
    """Counts per month or quarter: every elapsed sub-period must meet the target.

    With ``per_unit`` (6.3), every unit must, in every sub-period."""
    assert indicator.per_period is not None
    subs = [p for p in sub_periods(period, _COUNT_KIND[indicator.per_period]) if p.end <= as_of]
    unit_names = list(units) or distinct_units(own)
    base = copied(
        _NO_RESULT,
        indicator=indicator.code,
        period=period.key,
        status=Status.NO_DATA,
        target=target,
        comparator=target.comparator if target else None,
    )
    if not subs:
        return copied(base, rule="chưa hết kỳ con nào tới ngày tham chiếu", complete=False)
    if indicator.per_unit:
        if not unit_names:  # a total for the area says nothing about each unit
            return copied(
                base, rule="cần số liệu của từng đơn vị (danh sách đơn vị của địa bàn)", complete=False
            )
        result = _evaluate_per_unit(indicator, own, subs, target, unit_names, base, series_memo)
        if not units:
            flag = Flag(
                "units_from_data",
                "danh sách đơn vị lấy từ số liệu: đơn vị không báo cáo không được tính;"
                " cần danh sách đơn vị của địa bàn",
                provisional=True,
            )
            result = copied(result, flags=(*result.flags, flag))
        return result
    groups = _by_sub_period(own, subs)
    parts = tuple(_count_part(indicator, groups[sub.key], target, tree, sub.key) for sub in subs)
    values = [p.actual for p in parts if p.actual is not None]
    total = sum(values, Decimal(0)) if values else None
    kind = _KIND_VI[indicator.per_period]
    return copied(
        base,
        status=combine_applicable(parts),
        actual=_weakest(values, target, indicator.direction),
        achievement=achievement_percent(_weakest(values, target, indicator.direction), target),
        numerator=total,
        state=FigureState.VALUE if values else FigureState.MISSING,
        rule=f"mỗi {kind} phải đạt; số liệu là {kind} thấp nhất",
        sources=tuple(o.source for sub in subs for o in groups[sub.key]),
        sub_periods=parts,
        complete=all(p.state is not FigureState.MISSING for p in parts),
    )


def _by_sub_period(own: Sequence[Observation], subs: Sequence[Period]) -> dict[str, list[Observation]]:
    """The rows falling in each sub-period (a quarter's own row, or its months' rows)."""
    groups: dict[str, list[Observation]] = {sub.key: [] for sub in subs}
    first: dict[str, str | None] = {}  # period key → the first sub-period containing it (keys are few)
    keys = tuple(sub.key for sub in subs)
    for obs in own:
        if obs.period not in first:
            first[obs.period] = _first_containing(keys, obs.period)
        key = first[obs.period]
        if key is not None:
            groups[key].append(obs)
    return groups


@functools.lru_cache(maxsize=8192)  # the same sub-periods and keys in every area
def _first_containing(outer_keys: tuple[str, ...], key: str) -> str | None:
    """The first of ``outer_keys`` whose period contains ``key``'s."""
    return next((outer for outer in outer_keys if contains_key(outer, key)), None)


_KIND_VI = {CountPeriod.MONTH: "tháng", CountPeriod.QUARTER: "quý", CountPeriod.YEAR: "năm"}


def _count_part(
    indicator: Indicator,
    rows: Sequence[Observation],
    target: Target | None,
    tree: OrgTree | None,
    key: str,
) -> PartResult:
    """The area's count for one sub-period: its own row, or its units' rows summed."""
    rows = coarsest_kind_only([o for o in rows if o.sex is None])
    figure = rollup_total(indicator, rows, tree) if rows else aggregate(indicator, [])
    return _part(key, figure, target, indicator)


def distinct_units(observations: Sequence[Observation]) -> list[str]:
    """The units named in the rows, one spelling each (the first seen), in name order."""
    first: dict[str, str] = {}
    for obs in observations:
        if obs.org_unit:
            first.setdefault(unit_key(obs.org_unit), obs.org_unit)
    return sorted(first.values(), key=unit_key)


def _evaluate_per_unit(
    indicator: Indicator,
    own: Sequence[Observation],
    subs: Sequence[Period],
    target: Target | None,
    unit_names: Sequence[str],
    base: IndicatorResult,
    memo: dict | None = None,
) -> IndicatorResult:
    """6.3: each unit must meet the count in every sub-period.

    The plan-level target is the share of units that do (100 % unless ``unit_share`` says less)."""
    all_series, units, standings = _units_judged(indicator, own, unit_names, subs, target, memo)
    if target is None:  # nothing to measure the units against
        return copied(base, units=tuple(units), rule="không có chỉ tiêu cho kỳ này")
    shares = share_of(all_series, standings)  # share_meeting, each unit's standing kept
    meeting, below, without = shares.meeting, shares.below, shares.without_data
    share = shares.share or Decimal(0)
    not_applicable = set(shares.not_applicable)
    answering = [u for u in units if u.key not in not_applicable]
    required = indicator.unit_share if indicator.unit_share is not None else Decimal(100)
    values = [u.actual for u in units if u.actual is not None]
    if required >= 100:
        status = combine([u.status for u in answering]) if answering else Status.NOT_ARISEN
        actual = _weakest(values, target, indicator.direction)
        shown_target = target
    else:
        # Only a share of the units must meet: the verdict is on that share.
        shown_target = Target(base.period, Comparator.GE, required, f"{required}% đơn vị đạt")
        status = status_for(share, shown_target, Direction.INCREASE)
        if (
            status is Status.NOT_ACHIEVED
            and Decimal(len(meeting) + len(without)) * 100 / max(len(answering), 1) >= required
        ):
            status = Status.NO_DATA
        actual = share
    return copied(
        base,
        status=status,
        actual=actual,
        target=shown_target,
        comparator=shown_target.comparator if shown_target else None,
        achievement=achievement_percent(actual, shown_target),
        numerator=Decimal(len(meeting)),
        denominator=Decimal(len(answering)),
        state=FigureState.VALUE if values else FigureState.MISSING,
        rule=f"tỷ lệ đơn vị đạt chỉ tiêu ở mọi {_KIND_VI[indicator.per_period or CountPeriod.QUARTER]}"
        f" (cần {format_percent(required)}); số liệu là mức thấp nhất của các đơn vị",
        sources=_sources_within(own, subs),
        units=tuple(units),
        units_meeting=meeting,
        units_missing_target=below,
        units_without_data=without,
        units_meeting_share=share,
        units_not_applicable=shares.not_applicable,
        complete=not without,
    )


def _sources_within(rows: Sequence[Observation], subs: Sequence[Period]) -> tuple[str, ...]:
    """The sources of the rows falling in one of ``subs``, in their order. Tested once per distinct
    period key, not per row: at the nation the rows are every commune's months, their keys few."""
    keys = set(map(_PERIOD_OF, rows))
    inside = {k for k in keys if any(sub.contains(parse_period(k)) for sub in subs)}
    if len(inside) == len(keys):  # every row's
        return tuple(map(_SOURCE_OF, rows))
    return tuple(o.source for o in rows if o.period in inside)


def _unit_series(indicator, own, unit_names, subs, memo: dict | None) -> tuple[UnitSeries, ...]:
    """``unit_series``, remembering in ``memo`` when given each unit's series (one object from
    every area above it) and its figure in each sub-period, which a unit's series in every other
    period containing that sub-period shares (a year's quarters are the phase's): a unit's figure
    in a sub-period is worked out from its rows there alone (``unit_series``)."""
    if memo is None:
        return unit_series(indicator, own, unit_names, subs)
    code = indicator.code
    keys = tuple(sub.key for sub in subs)
    missing = [u for u in unit_names if (code, keys, u) not in memo]
    if missing:
        # The units by the sub-periods they lack (a unit opened or closed within the phase has
        # only some from its years), each group's worked out at once.
        lacking: dict[tuple[Period, ...], list[str]] = {}
        for u in missing:
            lacking.setdefault(tuple(sub for sub in subs if (code, sub.key, u) not in memo), []).append(u)
        for new, units in lacking.items():
            for series in unit_series(indicator, own, units, new) if new else ():
                for key, figure in series.figures:
                    memo[(code, key, series.unit)] = figure
        for u in missing:
            figures = tuple((sub.key, memo[(code, sub.key, u)]) for sub in subs)
            memo[(code, keys, u)] = UnitSeries(u, figures)
    return tuple(memo[(code, keys, u)] for u in unit_names)


def _units_judged(
    indicator: Indicator,
    own: Sequence[Observation],
    unit_names: Sequence[str],
    subs: Sequence[Period],
    target: Target | None,
    memo: dict | None,
) -> tuple[list[UnitSeries], list[PartResult], list[str]]:
    """Each of ``unit_names``' series, part and standing (``_unit_series``, ``_unit_verdict``), in
    their order. With a ``memo`` the three are kept together per unit for the sub-periods and the
    target (by identity, the target kept with them): a unit is judged once per plan, period and
    target, and every area above it finds it in one look-up (a country's areas asked 21,000 times,
    four look-ups each, for the communes judged when the nation was)."""
    statuses = _Statuses(indicator, target, memo)
    if memo is None:
        all_series = _unit_series(indicator, own, unit_names, subs, None)
        verdicts = [_unit_verdict(indicator, series, target, None, statuses) for series in all_series]
        return list(all_series), [v[0] for v in verdicts], [v[1] for v in verdicts]
    key = ("judged", indicator.code, tuple(sub.key for sub in subs), id(target))
    entry = memo.get(key)
    if entry is None or entry[0] is not target:
        entry = memo[key] = (target, {})
    judged: dict[str, tuple[UnitSeries, PartResult, str]] = entry[1]
    found = list(map(judged.get, unit_names))
    if None in found:
        missing = [u for u, f in zip(unit_names, found, strict=True) if f is None]
        for series in _unit_series(indicator, own, missing, subs, memo):
            judged[series.unit] = (series, *_unit_verdict(indicator, series, target, memo, statuses))
        found = list(map(judged.__getitem__, unit_names))
    return [f[0] for f in found], [f[1] for f in found], [f[2] for f in found]  # type: ignore[index]


def _unit_verdict(
    indicator: Indicator, series: UnitSeries, target: Target | None, memo: dict | None, statuses: _Statuses
) -> tuple[PartResult, str]:
    """A unit's part and its standing against ``target`` (``unit_standing``; "" without a target),
    kept in ``memo`` by identity: a unit's series is one object from every area above it
    (``_unit_series``), and hashing it cost more than judging it."""
    key = ("part", indicator.code, id(target), id(series))
    kept = memo.get(key) if memo is not None else None
    if kept is not None and kept[0] is series and kept[1] is target:
        return kept[2], kept[3]
    part = _unit_part(series, statuses)
    standing = unit_standing(series, statuses.meets) if target is not None else ""
    if memo is not None:
        memo[key] = (series, target, part, standing)
    return part, standing


class _Statuses:
    """``figure_status`` and whether a value meets, for one indicator and target, worked out once
    per distinct figure: a country's communes report a handful of distinct counts (0 to 10 news
    items a quarter) in hundreds of thousands of unit-quarters. The status reads only the figure's
    state, value, numerator and denominator, and compares them as numbers (equal Decimals, equal
    status). With a ``memo``, a unit's part in a sub-period is kept there for every period judged
    against a target of the same comparator and value: it is one figure in the year and in the phase
    (``_unit_series``), one part, worked out (and packed, ``chitieu.evaluation.packed``) once."""

    def __init__(self, indicator: Indicator, target: Target | None, memo: dict | None = None) -> None:
        self.indicator, self.target = indicator, target
        self._status: dict[tuple, Status] = {}
        self._meets: dict[Decimal, bool] = {}
        yardstick = None if target is None else (target.comparator, target.value)
        self._parts = memo.setdefault(("parts", indicator.code, yardstick), {}) if memo is not None else None

    def parts(self, series: UnitSeries) -> tuple[PartResult, ...]:
        """The unit's part in each sub-period, those kept for its very figures (and keys) reused."""
        kept = self._parts
        if kept is None:
            return tuple(self.part(key, figure) for key, figure in series.figures)
        mine = kept.get(series.unit)  # the unit's, by sub-period key
        if mine is None:
            mine = kept[series.unit] = {}
        parts = []
        for key, figure in series.figures:
            entry = mine.get(key)
            if entry is None or entry[0] is not figure or entry[1].key is not key:
                entry = mine[key] = (figure, self.part(key, figure))
            parts.append(entry[1])
        return tuple(parts)

    def part(self, key: str, figure: Figure) -> PartResult:
        """``_part`` of ``figure``, its status looked up."""
        seen = (figure.state, figure.value, figure.numerator, figure.denominator)
        status = self._status.get(seen)
        if status is None:
            status = self._status[seen] = figure_status(self.indicator, figure, self.target)
        return _part(key, figure, self.target, self.indicator, status)

    def meets(self, value: Decimal) -> bool:
        """The unit's value is not below the target (``unit_standing``'s test)."""
        met = self._meets.get(value)
        if met is None:
            met = self._meets[value] = (
                status_for(value, self.target, self.indicator.direction) is not Status.NOT_ACHIEVED
            )
        return met


def _unit_part(series: UnitSeries, statuses: _Statuses) -> PartResult:
    parts = statuses.parts(series)
    values = [p.actual for p in parts if p.actual is not None]
    return new_part(
        series.unit,
        combine_applicable(parts),
        _weakest(values, statuses.target, statuses.indicator.direction),
        sum(values, Decimal(0)) if values else None,
        None,
        FigureState.VALUE if values else FigureState.MISSING,
        parts,
    )


def _baseline_changes(result: IndicatorResult, indicator: Indicator, baseline: Baseline | None) -> dict:
    """The baseline and the share of the planned change done, when there is a baseline and a target."""
    if baseline is None or result.target is None:
        return {}
    progress = progress_share(
        result.actual, result.target.value, baseline.value, result.target.comparator, indicator.direction
    )
    return {"baseline": baseline, "progress": progress}


def _yearly_points(
    indicator: Indicator,
    selected: _Selected,
    phase: Period,
    as_of: date,
    baseline: Baseline | None,
    tree: OrgTree | None,
) -> list[tuple[int, Decimal]]:
    points: list[tuple[int, Decimal]] = []
    if baseline is not None:
        points.append((parse_period(baseline.period).end.year, baseline.value))
    for year in sub_periods(phase, PeriodKind.YEAR):
        if year.end > as_of or any(y == year.start.year for y, _ in points):
            continue
        figure = level_figure(indicator, selected.rows, year, tree=tree, selected=selected)
        if figure.value is not None:
            points.append((year.start.year, figure.value))
    return points


def find_baseline(
    indicator: Indicator, observations: Sequence[Observation], phase: Period, tree: OrgTree | None = None
) -> Baseline | None:
    """The figure of the year before the phase (2020 for 2021-2025), when reported."""
    year = parse_period(str(phase.start.year - 1))
    own = [o for o in observations if o.indicator == indicator.code]
    figure = level_figure(indicator, own, year, tree=tree)
    return Baseline(year.key, figure.value) if figure.value is not None else None


def evaluate_plan(
    plan: Plan,
    observations: Sequence[Observation],
    period_key: str,
    *,
    as_of: date,
    baselines: Mapping[str, Baseline] | None = None,
    tree: OrgTree | None = None,
    units: Sequence[str] = (),
    bands: TrajectoryBands = DEFAULT_BANDS,
    explain: bool = True,
    trajectories: bool = True,
    series_memo: dict | None = None,
    phase_memo: dict | None = None,
) -> PlanEvaluation:
    """Evaluate every indicator of the plan for one period, with what was known on ``as_of``.

    ``trajectories=False`` and ``explain=False`` leave out the phase trajectory, the
    baseline and the wording: the verdicts and figures of the period only (bulk
    evaluation of many areas); ``series_memo``: see ``evaluate_indicator``. ``phase_memo``
    (a dict, given again for another period of the same area) keeps each indicator's baseline
    and trajectory while its rows known on ``as_of`` are the very same: they do not depend on
    the period."""
    period = parse_period(period_key)
    issues: list[Issue] = []
    if plan.periods and not any(p.contains(period) for p in plan.periods):
        issues.append(
            Issue(
                Severity.WARNING,
                "period",
                f"kỳ {period.key} nằm ngoài các kỳ của kế hoạch",
                "period_outside_plan",
            )
        )
    if tree is not None:
        issues += unknown_units(tree, observations)
    # What was known on as_of: rows of periods ended by then, and the period's own rows.
    keys = set(map(_PERIOD_OF, observations))
    known = {k for k in keys if k == period.key or parse_period(k).end <= as_of}
    # Each indicator's rows once (in their order), rather than every row scanned per indicator.
    by_code: dict[str, list[Observation]] = {}
    if len(known) == len(keys):  # every row known (the stored verdicts know every figure)
        # Taken a run of one indicator's rows at a time: the rows come grouped by indicator (the
        # summary's, then the communes' per-unit ones), so a few runs instead of a step per row.
        for code, run in groupby(observations, _INDICATOR_OF):
            by_code.setdefault(code, []).extend(run)
    else:
        for o in observations:
            if o.period in known:
                by_code.setdefault(o.indicator, []).append(o)
    phase = plan.phase
    results = []
    for indicator in plan.indicators:
        visible = by_code.get(indicator.code, [])
        memo = _same_rows_memo(phase_memo, indicator.code, visible, as_of)
        baseline = (baselines or {}).get(indicator.code)
        if baseline is None and trajectories and phase is not None and indicator.measure is not Measure.COUNT:
            if memo is None:
                baseline = find_baseline(indicator, visible, phase, tree)
            else:
                key = ("baseline", phase.key)
                if key not in memo:
                    memo[key] = find_baseline(indicator, visible, phase, tree)
                baseline = memo[key]
        results.append(
            _evaluate_indicator(
                indicator,
                visible,
                period.key,
                as_of=as_of,
                baseline=baseline if trajectories else None,
                phase=phase if trajectories else None,
                tree=tree,
                units=units,
                bands=bands,
                explain=explain,
                series_memo=series_memo,
                phase_memo=memo,
                its_own=True,
            )
        )
        issues += results[-1].row_issues
        if results[-1].target is None:
            issues.append(
                Issue(
                    Severity.INFO,
                    f"row {indicator.code}",
                    f"chỉ tiêu {indicator.code} không có chỉ tiêu cho kỳ {period.key}",
                    "no_target",
                )
            )
    return PlanEvaluation(period.key, tuple(results), tuple(issues), as_of)


def _same_rows_memo(memo: dict | None, code: str, rows: list[Observation], as_of: date) -> dict | None:
    """The indicator's entry of ``memo`` if it was made from these very rows (the same objects in
    the same order, kept alive by the entry) and date; else a fresh one."""
    if memo is None:
        return None
    entry = memo.get(code)
    if entry is None or entry[1] != as_of or len(entry[0]) != len(rows) or not all(map(is_, entry[0], rows)):
        entry = memo[code] = (rows, as_of, {})
    return entry[2]
