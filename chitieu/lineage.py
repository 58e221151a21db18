"""A unit's series across a reorganisation: whose figures stand for it in each period.

A commune opened on 1 July 2025 by a merger has no figures of its own for
2021–2024; its trend for those years is its predecessors' figures combined
(ratio of sums: numerators and denominators added, never shares averaged). A
split divides nothing: the new commune's past is its predecessor's whole
series, labelled as such. A transfer or a rename keeps the one predecessor.

Pure: ``links`` are (predecessor, successor, kind, on) with ``on`` the
successor's first day; units are named by any hashable key.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from chitieu.observations import Observation
from chitieu.periods import parse_period
from chitieu.plan import Indicator
from chitieu.rollup import Figure, aggregate


@dataclass(frozen=True)
class Link:
    predecessor: Hashable
    successor: Hashable
    kind: str  # "merger", "split", "transfer"
    on: date


@dataclass(frozen=True)
class Sources:
    units: tuple[Hashable, ...]  # the units whose figures stand for the unit in the period
    split_from: tuple[Hashable, ...] = ()  # predecessors split up: their whole series is shown, labelled

    @property
    def crosses(self) -> bool:
        """The series for this period comes (at least partly) from other units."""
        return len(self.units) != 1 or bool(self.split_from)


def sources_in(unit: Hashable, links: Iterable[Link], start: date, end: date) -> Sources:
    """Who reported for ``unit``'s area between ``start`` and ``end`` (the unit and its predecessors).

    A period wholly after the unit opened: the unit alone. A period before it, or
    across its first day: its predecessors (recursively) for the part before,
    and the unit itself when it existed for part of the period.
    """
    links = list(links)
    found: list[Hashable] = []
    split: list[Hashable] = []

    def walk(current: Hashable, seen: frozenset) -> None:
        before = [link for link in links if link.successor == current and link.on > start]
        opened = min((link.on for link in before), default=None)
        if opened is None or opened <= end:
            found.append(current)  # it existed for (part of) the period
        for link in before:
            if link.predecessor in seen:
                continue
            if link.kind == "split" and link.predecessor not in split:
                split.append(link.predecessor)
            walk(link.predecessor, seen | {link.predecessor})

    walk(unit, frozenset({unit}))
    return Sources(tuple(dict.fromkeys(found)), tuple(split))


@dataclass(frozen=True)
class TrendPoint:
    period: str
    figure: Figure
    sources: Sources


def lineage_trend(
    indicator: Indicator,
    unit: Hashable,
    links: Sequence[Link],
    observations_of: dict[Hashable, Sequence[Observation]],
    period_keys: Sequence[str],
) -> list[TrendPoint]:
    """``unit``'s figure for each period, from the units that stood for it then (ratio of sums)."""
    points = []
    for key in period_keys:
        period = parse_period(key)
        sources = sources_in(unit, links, period.start, period.end)
        rows = [
            o
            for source in sources.units
            for o in observations_of.get(source, ())
            if o.indicator == indicator.code and o.period == key and o.sex is None
        ]
        points.append(TrendPoint(key, aggregate(indicator, rows), sources))
    return points
