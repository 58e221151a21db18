"""A result with its long lists packed (chitieu.evaluation.packed) is the engine's result: equal,
the same JSON, the same items; its lengths are known without building the items; pickled (a
stored verdict, a page's cache) it is much smaller than the result and stays packed."""

from __future__ import annotations

import pickle
from decimal import Decimal

import pytest

from chitieu.evaluation.packed import PACKED_FROM, PARTS, PLAIN, Packed, pack, packed_result
from chitieu.evaluation.results import IndicatorResult, PartResult
from chitieu.evaluation.verdict import Status
from chitieu.rollup import FigureState

# Decimals whose digits and exponent a careless round trip would lose.
AWKWARD = [
    Decimal("1.50"),
    Decimal("-0"),
    Decimal("1E+3"),
    Decimal("0.000"),
    Decimal("33.3333333333333333333"),
]


def commune(n: int) -> PartResult:
    quarters = tuple(
        PartResult(
            f"2024-Q{q}",
            Status.ACHIEVED if (n + q) % 3 else Status.NOT_ACHIEVED,
            AWKWARD[(n + q) % len(AWKWARD)] if q != 4 or n % 5 else None,
            Decimal(n * q),
            None,
            FigureState.VALUE if q != 4 or n % 5 else FigureState.MISSING,
        )
        for q in range(1, 5)
    )
    return PartResult(
        f"Xã {n}", Status.NOT_ACHIEVED, Decimal(n) / 7, Decimal(n), None, FigureState.VALUE, quarters
    )


def result(units: int) -> IndicatorResult:
    parts = tuple(commune(n) for n in range(units))
    return IndicatorResult(
        "6.3",
        "2024",
        Status.NOT_ACHIEVED,
        actual=Decimal("12.5"),
        units=parts,
        units_meeting=tuple(p.key for p in parts[::3]),
        units_missing_target=tuple(p.key for p in parts[1::3]),
        sources=tuple(f"{p.key} 2024-Q{q} (dòng {n})" for n, p in enumerate(parts) for q in range(1, 5)),
    )


@pytest.mark.parametrize("units", [0, 3, 64, 2000])  # 2000: compressed; 64: not; 3: kept a tuple
def test_packed_result_is_the_result(units):
    engine = result(units)
    packed = packed_result(engine, {})
    assert isinstance(packed.units, Packed) == (units >= PACKED_FROM)
    assert packed == engine and engine == packed
    assert packed.as_dict() == engine.as_dict()
    assert hash(packed) == hash(engine)
    again = pickle.loads(pickle.dumps(packed))
    assert again == engine and again.as_dict() == engine.as_dict()
    assert [str(q.actual) for p in again.units for q in p.parts] == [
        str(q.actual) for p in engine.units for q in p.parts
    ]


def test_lengths_are_known_without_building_the_items_and_a_pickle_stays_packed():
    engine = result(2000)
    packed = pickle.loads(pickle.dumps(packed_result(engine, {})))
    assert len(packed.units) == 2000 and packed.units and len(packed.sources) == 8000
    assert packed.units._items is None  # nothing built yet
    assert list(packed.units_meeting[:2]) == ["Xã 0", "Xã 3"]
    size = len(pickle.dumps(packed))
    assert packed.units[5] == engine.units[5]  # built now
    assert len(pickle.dumps(packed)) == size  # and pickled packed again
    assert size * 5 < len(pickle.dumps(engine))


def test_parts_are_packed_once_for_every_area_sharing_them():
    parts = tuple(commune(n) for n in range(50))
    memo: dict = {}
    nation = pack(parts, PARTS, memo)
    assert len(memo) == 50 * 5
    district = pack(parts[:10], PARTS, memo)
    assert len(memo) == 50 * 5
    assert tuple(district) == parts[:10] and nation == parts
    # The same values give the same bytes, whatever was packed before (a rebuild stores what moves stored).
    assert pack(parts[:10], PARTS).blob == district.blob


def test_a_packed_tuple_compares_as_a_tuple():
    names = ("a", "b", "c")
    packed = pack(names, PLAIN)
    assert packed == names and names == packed and packed == pack(names, PLAIN)
    assert packed != ("a", "b") and packed != ["a", "b", "c"] and packed != pack(names[:2], PLAIN)
    assert "b" in packed and list(reversed(packed)) == ["c", "b", "a"] and repr(packed) == repr(names)
