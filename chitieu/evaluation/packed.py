"""A result's long lists kept packed until someone reads them: what stored verdicts hold.

At the nation, a per-unit indicator's result (6.3: the share of communes meeting a threshold)
lists every commune with its part in each sub-period, every source row and the communes meeting,
missing or without figures: 10,599 communes × 4 quarters a year, 53,000 objects, 5.2 MB pickled
a year and 21.5 MB for the phase. Pickled as objects, writing them cost seconds of every judging
(the nation's, each province's and each district's results hold the same communes' parts), and
every page that read the verdict built them all again, though a page lists the first few names
and how many there are. ``packed`` keeps such a tuple as one compressed string of plain values
(``marshal`` of str/None tuples): its length and truth are known at once, its items are built on
first use (iterating, indexing, comparing), and pickling it again (a page's cache) keeps it packed.

A ``Packed`` equals the tuple it holds, hashes as it, and iterates as it: the engine's result with
packed lists is equal to the engine's result (``tests/web/rollups/test_stored_verdicts.py``)."""

from __future__ import annotations

import gc
import marshal
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal

from chitieu.evaluation.results import IndicatorResult, PartResult, new_part
from chitieu.evaluation.verdict import Status
from chitieu.rollup import FigureState

PARTS = "parts"  # PartResult items (with their sub-period parts)
PLAIN = "plain"  # str items

# The long lists of a result (per-unit indicators, and the sources of whatever sums many rows).
PACKED_FIELDS = {
    "units": PARTS,
    "sources": PLAIN,
    "units_meeting": PLAIN,
    "units_missing_target": PLAIN,
    "units_without_data": PLAIN,
    "units_not_applicable": PLAIN,
}
# marshal's version 2 writes no back-references: the same values give the same bytes whatever
# object shares which string (a rebuild stores exactly what the moves stored).
_MARSHAL_VERSION = 2
_ZIPPED_FROM = 4096  # bytes: below it, compressing costs more than it saves
_ZIPPED, _RAW = b"z", b"m"


@contextmanager
def collector_paused() -> Iterator[None]:
    """Without the cyclic garbage collector meanwhile: building tens of thousands of objects that hold
    no cycle (a nation's parts) set it off again and again over them; turned back on only by
    whoever turned it off."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class Packed(Sequence):
    """A tuple kept packed (``blob``) until its items are asked for; ``length`` items of ``kind``."""

    __slots__ = ("_items", "blob", "kind", "length")

    def __init__(self, blob: bytes, length: int, kind: str) -> None:
        self.blob, self.length, self.kind = blob, length, kind
        self._items: tuple | None = None

    def __reduce__(self) -> tuple:
        return (Packed, (self.blob, self.length, self.kind))  # packed again, whatever was read

    def __len__(self) -> int:
        return self.length

    def __bool__(self) -> bool:
        return self.length > 0

    def items(self) -> tuple:
        if self._items is None:
            self._items = _unpacked(self.blob, self.kind)
        return self._items

    def __iter__(self) -> Iterator:
        return iter(self.items())

    def __getitem__(self, index):
        return self.items()[index]

    def __contains__(self, value: object) -> bool:
        return value in self.items()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Packed):
            return self.kind == other.kind and (self.blob == other.blob or self.items() == other.items())
        if isinstance(other, tuple):
            return self.length == len(other) and self.items() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.items())

    def __repr__(self) -> str:
        return repr(self.items())


def pack(items: Sequence, kind: str, memo: dict[int, tuple] | None = None) -> Packed:
    """``items`` packed; ``memo`` keeps each part's plain form by identity (with the part, so
    that no other object takes its id meanwhile): the nation, its province and its district
    share a commune's part, worked out once."""
    plain = [_plain_part(p, memo) for p in items] if kind == PARTS else list(items)
    data = marshal.dumps(plain, _MARSHAL_VERSION)
    blob = _ZIPPED + zlib.compress(data, 1) if len(data) >= _ZIPPED_FROM else _RAW + data
    return Packed(blob, len(plain), kind)


# Shorter lists stay tuples: packing them costs more than pickling them (a district's communes).
PACKED_FROM = 64


def packed_result(result: IndicatorResult, memo: dict[int, tuple] | None = None) -> IndicatorResult:
    """``result`` with its long lists (``PACKED_FROM`` items or more) packed: equal to it, smaller
    to pickle."""
    changes = {
        name: pack(value, kind, memo)
        for name, kind in PACKED_FIELDS.items()
        if len(value := getattr(result, name)) >= PACKED_FROM and not isinstance(value, Packed)
    }
    if not changes:
        return result
    # A copy with those fields changed, as unpickling makes one: ``dataclasses.replace`` runs the
    # frozen dataclass's __init__ (33 fields), which took as long as packing.
    packed = object.__new__(IndicatorResult)
    packed.__dict__.update(result.__dict__, **changes)
    return packed


def _plain_part(part: PartResult, memo: dict[int, tuple] | None) -> tuple:
    if memo is not None:
        kept = memo.get(id(part))
        if kept is not None:
            return kept[1]
    plain = (
        part.key,
        part.status.value,
        _text(part.actual),
        _text(part.numerator),
        _text(part.denominator),
        part.state.value,
        tuple(_plain_part(p, memo) for p in part.parts),
    )
    if memo is not None:
        memo[id(part)] = (part, plain)
    return plain


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)  # str keeps a Decimal exactly (digits, exponent)


def _unpacked(blob: bytes, kind: str) -> tuple:
    data = zlib.decompress(blob[1:]) if blob[:1] == _ZIPPED else blob[1:]
    plain = marshal.loads(data)
    if kind != PARTS:
        return tuple(plain)
    with collector_paused():
        return tuple(_part(p) for p in plain)


_STATUS = {s.value: s for s in Status}
_STATE = {s.value: s for s in FigureState}


def _part(plain: tuple) -> PartResult:
    """The part ``_plain_part`` packed, built as unpickling builds it (``new_part``: its fields set,
    no ``__init__``, which took most of the time of reading a nation's parts)."""
    key, status, actual, numerator, denominator, state, parts = plain
    return new_part(
        key,
        _STATUS[status],
        None if actual is None else Decimal(actual),
        None if numerator is None else Decimal(numerator),
        None if denominator is None else Decimal(denominator),
        _STATE[state],
        tuple([_part(p) for p in parts]) if parts else (),
    )
