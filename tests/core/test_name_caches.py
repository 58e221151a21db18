"""The name caches hold a whole country: the engine keys every row by its unit's name, and an
LRU smaller than the names it cycles through misses on every row (seen at full scale: 16 k
names through 4,096 entries, 3.9 M rows, every one a miss)."""

from __future__ import annotations

import pytest

from chitieu.names import fold, name_key
from chitieu.observations import unit_key
from chitieu.synth import SynthOptions, build_country


@pytest.mark.parametrize("cached", [unit_key, fold, name_key], ids=lambda f: f.__name__)
def test_a_country_of_names_stays_cached(cached) -> None:
    country = build_country(SynthOptions())  # the whole country, as before the reform
    # Each unit as the engine names it when names repeat: with its parent. Rows arrive unit
    # after unit, over and over: the order that defeats a short LRU.
    names = [f"{unit.name} ({unit.parent_code})" for unit in country.units()]
    assert len(set(names)) > 16_000
    cached.cache_clear()
    for name in names:
        cached(name)
    before = cached.cache_info()
    for name in names:
        cached(name)
    after = cached.cache_info()
    assert after.misses == before.misses, f"{after.misses - before.misses} of {len(names)} names missed"
