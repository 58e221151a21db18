"""Roll figures up an organisation tree: communes → district → province.

Shares, rates and ratios are rolled up as a ratio of sums (Σ numerators ÷ Σ
denominators × factor), never by averaging or adding percentages: a commune of
50 people must not weigh as much as a town of 5.000. Counts are summed.
Missing, zero and not applicable stay three different things all the way up.
Which reports are expected and how complete they are: ``chitieu.completeness``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import StrEnum
from operator import attrgetter

from chitieu.issues import Issue, Severity
from chitieu.observations import Observation, fold, observation_value, unit_key
from chitieu.periods import Period, PeriodKind, parse_period
from chitieu.plan import Indicator, Measure, Sex

# ------------------------------------------------------------------ org tree


@dataclass(frozen=True)
class OrgUnitNode:
    code: str
    name: str
    parent: str | None = None  # code of the parent; None for the root
    kind: str = ""  # "province", "district", "commune", "office"…


@dataclass(frozen=True)
class OrgTree:
    """A simple hierarchy of units; observations name a unit by code or by name (any spelling)."""

    nodes: tuple[OrgUnitNode, ...]
    _index: dict[str, OrgUnitNode] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for node in self.nodes:
            self._index[node.code] = node
        for node in self.nodes:
            self._index.setdefault(fold(node.name), node)
            self._index.setdefault(unit_key(node.name), node)

    def find(self, name_or_code: str) -> OrgUnitNode | None:
        return (
            self._index.get(name_or_code)
            or self._index.get(fold(name_or_code))
            or self._index.get(unit_key(name_or_code))
        )

    def children(self, code: str | None) -> tuple[OrgUnitNode, ...]:
        return tuple(n for n in self.nodes if n.parent == code)

    @property
    def roots(self) -> tuple[OrgUnitNode, ...]:
        return self.children(None)

    def leaves(self, code: str | None = None) -> tuple[OrgUnitNode, ...]:
        below = self.children(code)
        if not below:
            node = self._index.get(code) if code else None
            return (node,) if node else ()
        return tuple(leaf for child in below for leaf in self.leaves(child.code))

    def descendants(self, code: str) -> tuple[OrgUnitNode, ...]:
        return tuple(d for c in self.children(code) for d in (c, *self.descendants(c.code)))


def flat_tree(units: Iterable[str], root: str = "") -> OrgTree:
    """The plan's area with the given units directly below it."""
    nodes = [OrgUnitNode(root, root or "toàn địa bàn", None, "area")]
    nodes += [OrgUnitNode(u, u, root, "unit") for u in dict.fromkeys(units) if u != root]
    return OrgTree(tuple(nodes))


# ------------------------------------------------------------------ figures


class FigureState(StrEnum):
    VALUE = "value"  # a figure is known
    MISSING = "missing"  # nothing reported (chưa báo cáo)
    NOT_APPLICABLE = "not_applicable"  # reported as not applicable (không áp dụng)
    UNDEFINED = "undefined"  # reported, but no figure follows: Σ denominators = 0, or shares without counts


@dataclass(frozen=True)
class Figure:
    """An aggregated figure with the inputs behind it."""

    state: FigureState
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    sources: tuple[str, ...] = ()
    rule: str = ""  # "single", "ratio_of_sums", "sum", "value", "latest"
    reason: str = ""  # why there is no value, in Vietnamese


_FIGURE_FIELDS = ("state", "value", "numerator", "denominator", "sources", "rule", "reason")
assert tuple(f.name for f in fields(Figure)) == _FIGURE_FIELDS, "_figure sets every field, in order"
_NEW = object.__new__


def _figure(
    state: FigureState,
    value: Decimal | None = None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    sources: tuple[str, ...] = (),
    rule: str = "",
    reason: str = "",
) -> Figure:
    """``Figure(state, …)``: the same object (its fields set in their order: equal, the same repr and
    pickle) without the frozen dataclass's ``__init__`` and its seven ``object.__setattr__``: a
    country's judging aggregates a figure per unit and sub-period, hundreds of thousands."""
    figure = _NEW(Figure)
    values = figure.__dict__
    values["state"] = state
    values["value"] = value
    values["numerator"] = numerator
    values["denominator"] = denominator
    values["sources"] = sources
    values["rule"] = rule
    values["reason"] = reason
    return figure


MISSING = Figure(FigureState.MISSING, reason="chưa có số liệu")
_SOURCE_OF = attrgetter("source")


def aggregate(indicator: Indicator, observations: Sequence[Observation]) -> Figure:
    """Combine observations of one indicator into one figure: sum for counts, ratio of sums otherwise."""
    if not observations:
        return MISSING
    sources = tuple(map(_SOURCE_OF, observations))
    applicable = [o for o in observations if not o.not_applicable]
    if not applicable:
        return _figure(
            FigureState.NOT_APPLICABLE, sources=sources, rule="not_applicable", reason="không áp dụng"
        )
    if indicator.measure is Measure.COUNT:
        values = [observation_value(indicator, o) for o in applicable]
        if None in values:  # (a Decimal is never equal to None)
            return _figure(
                FigureState.UNDEFINED, sources=sources, rule="sum", reason="có dòng không có số đếm"
            )
        total = sum((v for v in values if v is not None), Decimal(0))  # none is None, as just checked
        return _figure(FigureState.VALUE, total, total, None, sources, "sum" if len(values) > 1 else "single")
    if len(applicable) == 1:
        return _single(indicator, applicable[0], sources)
    if any(o.numerator is None or o.denominator is None for o in applicable):
        return _figure(
            FigureState.UNDEFINED,
            sources=sources,
            rule="ratio_of_sums",
            reason="có đơn vị/kỳ chỉ báo tỷ lệ, không có tử số và mẫu số: không cộng gộp được tỷ lệ",
        )
    # Every part is there (just checked); the filters only say so to the type checker.
    numerator = sum((o.numerator for o in applicable if o.numerator is not None), Decimal(0))
    denominator = sum((o.denominator for o in applicable if o.denominator is not None), Decimal(0))
    if denominator == 0:
        return _figure(
            FigureState.UNDEFINED, None, numerator, denominator, sources, "ratio_of_sums", "tổng mẫu số = 0"
        )
    value = numerator * indicator.factor / denominator
    return _figure(FigureState.VALUE, value, numerator, denominator, sources, "ratio_of_sums")


def _single(indicator: Indicator, obs: Observation, sources: tuple[str, ...]) -> Figure:
    value = observation_value(indicator, obs)
    if value is None:
        return _figure(
            FigureState.UNDEFINED, None, obs.numerator, obs.denominator, sources, "single", "mẫu số = 0"
        )
    if obs.numerator is not None and obs.denominator is not None:
        return _figure(FigureState.VALUE, value, obs.numerator, obs.denominator, sources, "single")
    return _figure(FigureState.VALUE, value, None, None, sources, "value")


# ------------------------------------------------------------------ roll-up


@dataclass(frozen=True)
class UnitFigure:
    unit: str  # node code
    figure: Figure
    own: bool  # the unit reported this figure itself (not summed from below)


def rollup(
    indicator: Indicator,
    observations: Sequence[Observation],
    tree: OrgTree,
    *,
    root: str | None = None,
) -> dict[str, UnitFigure]:
    """The figure of every unit of the tree, bottom-up.

    A unit that reported its own figure keeps it (a district survey is not replaced by
    the sum of communes); otherwise it is the aggregate of its children's observations.
    ``observations`` must be of one indicator, one period and one sex; units are
    matched by code or name. Observations naming no known unit belong to the root.
    """
    by_unit: dict[str, list[Observation]] = {}
    top = root if root is not None else (tree.roots[0].code if tree.roots else "")
    strays: list[Observation] = []  # rows naming a unit the tree does not know
    for obs in observations:
        node = tree.find(obs.org_unit) if obs.org_unit else tree.find(top)
        if obs.org_unit and node is None:
            strays.append(obs)
        else:
            by_unit.setdefault(node.code if node else top, []).append(obs)
    result: dict[str, UnitFigure] = {}

    def visit(code: str) -> list[Observation]:
        below = [o for child in tree.children(code) for o in visit(child.code)]
        if code == top:
            below += strays  # counted with the area rather than lost; validate with unknown_units()
        own = by_unit.get(code, [])
        used = own or below
        result[code] = UnitFigure(code, aggregate(indicator, used), bool(own))
        return used

    visit(top)
    return result


def unknown_units(tree: OrgTree, observations: Iterable[Observation]) -> list[Issue]:
    """Rows naming a unit that is not in the tree (a typo, or a unit merged away)."""
    return [
        Issue(Severity.WARNING, o.source, f"đơn vị không có trong danh sách: {o.org_unit!r}", "unknown_unit")
        for o in observations
        if o.org_unit and tree.find(o.org_unit) is None
    ]


def rollup_total(indicator: Indicator, observations: Sequence[Observation], tree: OrgTree | None) -> Figure:
    """The figure for the whole area: its own row if reported, else the roll-up of its units."""
    if tree is None:
        area = [o for o in observations if not o.org_unit]
        return aggregate(indicator, area or list(observations))
    top = tree.roots[0].code if tree.roots else ""
    return rollup(indicator, observations, tree, root=top)[top].figure


# -------------------------------------------------- per-unit thresholds (6.3)


def coarsest_kind_only(observations: Sequence[Observation]) -> list[Observation]:
    """Of rows inside one period, keep the coarsest kind.

    A quarter reported whole and month by month is counted once."""
    if len(observations) < 2:
        return list(observations)
    kinds = {parse_period(k).kind for k in {o.period for o in observations}}
    if len(kinds) == 1:  # the usual case: one kind, every row kept
        return list(observations)
    coarsest = min(kinds, key=lambda k: _KIND_ORDER.index(k))
    return [o for o in observations if parse_period(o.period).kind is coarsest]


_KIND_ORDER = [PeriodKind.PHASE, PeriodKind.YEAR, PeriodKind.HALF, PeriodKind.QUARTER, PeriodKind.MONTH]


@dataclass(frozen=True)
class UnitSeries:
    """One unit's figure in each sub-period (6.3: news items of one commune, quarter by quarter)."""

    unit: str
    figures: tuple[tuple[str, Figure], ...]  # (sub-period key, figure)


def unit_series(
    indicator: Indicator,
    observations: Sequence[Observation],
    units: Sequence[str],
    periods: Sequence[Period],
    *,
    sex: Sex | None = None,
) -> tuple[UnitSeries, ...]:
    """Each unit's figure in each period; units matched by name whatever the spelling."""
    # Each unit's rows placed in its periods in one pass (a phase has 20 quarters, a country 10 k
    # communes); the periods containing a period key found once per key, not per unit and row.
    containing: dict[str, list[int]] = {}
    by_unit: dict[str, list[list[Observation]]] = {}
    for obs in observations:
        if obs.indicator == indicator.code and obs.sex is sex:
            where = containing.get(obs.period)
            if where is None:
                inner = parse_period(obs.period)
                where = containing[obs.period] = [i for i, p in enumerate(periods) if p.contains(inner)]
            key = unit_key(obs.org_unit)
            slots = by_unit.get(key)
            if slots is None:
                slots = by_unit[key] = [[] for _ in periods]
            for i in where:
                slots[i].append(obs)
    nothing: list[list[Observation]] = [[] for _ in periods]
    series = []
    for unit in units:
        inside = by_unit.get(unit_key(unit), nothing)
        figures = tuple(
            (period.key, aggregate(indicator, coarsest_kind_only(rows)))
            for period, rows in zip(periods, inside, strict=True)
        )
        series.append(UnitSeries(unit, figures))
    return tuple(series)


@dataclass(frozen=True)
class ShareMeeting:
    meeting: tuple[str, ...]  # met the threshold in every period
    below: tuple[str, ...]  # reported, and below it in some period
    without_data: tuple[str, ...]  # not below anywhere, but some period not reported
    share: Decimal | None  # % of the answering units meeting; None without units
    not_applicable: tuple[str, ...] = ()  # "không áp dụng" in every period: neither meets nor fails

    def as_dict(self) -> dict[str, object]:
        return {
            "meeting": list(self.meeting),
            "below": list(self.below),
            "without_data": list(self.without_data),
            "percent": float(round(self.share, 2)) if self.share is not None else None,
            "not_applicable": list(self.not_applicable),
        }


def share_meeting(series: Sequence[UnitSeries], meets: Callable[[Decimal], bool]) -> ShareMeeting:
    """The share of units whose figure ``meets`` the threshold in every period.

    A period reported as not applicable neither meets nor fails; a missing one is not a zero.
    """
    return share_of(series, [unit_standing(s, meets) for s in series])


NOT_APPLICABLE, BELOW, WITHOUT_DATA, MEETING = "not_applicable", "below", "without_data", "meeting"


def unit_standing(s: UnitSeries, meets: Callable[[Decimal], bool]) -> str:
    """Where one unit stands for ``share_meeting``: NOT_APPLICABLE, BELOW, WITHOUT_DATA or MEETING
    (a unit's standing is the same from every area above it: the engine keeps it)."""
    # One pass over the figures (a country's units × periods: hundreds of thousands of them); in
    # order of precedence: every figure not applicable, a value below, a figure missing or undefined.
    not_applicable, below, without = bool(s.figures), False, False
    for _, f in s.figures:
        state = f.state
        if state is not FigureState.NOT_APPLICABLE:
            not_applicable = False
            if state is FigureState.VALUE:
                below = below or not meets(f.value)  # type: ignore[arg-type]
            elif state is FigureState.MISSING or state is FigureState.UNDEFINED:
                without = True
    if not_applicable:
        return NOT_APPLICABLE
    if below:
        return BELOW
    if without:
        return WITHOUT_DATA
    return MEETING


def share_of(series: Sequence[UnitSeries], standings: Sequence[str]) -> ShareMeeting:
    """``share_meeting`` of ``series`` whose ``unit_standing`` are ``standings`` (in their order)."""
    lists: dict[str, list[str]] = {NOT_APPLICABLE: [], BELOW: [], WITHOUT_DATA: [], MEETING: []}
    for s, standing in zip(series, standings, strict=True):
        lists[standing].append(s.unit)
    meeting, not_applicable = lists[MEETING], lists[NOT_APPLICABLE]
    answering = len(series) - len(not_applicable)
    share = Decimal(len(meeting)) * 100 / answering if answering else None
    return ShareMeeting(
        tuple(meeting), tuple(lists[BELOW]), tuple(lists[WITHOUT_DATA]), share, tuple(not_applicable)
    )
