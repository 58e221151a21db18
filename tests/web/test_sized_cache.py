"""The per-process cache is bounded by bytes: large values push out the least recently used."""

from __future__ import annotations

from web.core.cache import SizedLocMemCache


def _cache(max_bytes: int) -> SizedLocMemCache:
    return SizedLocMemCache(
        f"sized-test-{max_bytes}", {"OPTIONS": {"MAX_ENTRIES": 500, "MAX_BYTES": max_bytes}}
    )


def test_values_over_the_budget_push_out_the_least_recently_used():
    cache = _cache(40_000)
    cache.clear()
    for name in ("a", "b", "c"):
        cache.set(name, b"x" * 9_000)
    assert cache.get("a") is not None  # now the most recently used
    cache.set("d", b"x" * 9_000)
    cache.set("e", b"x" * 9_000)  # 5 × 9 kB > 40 kB: "b", the least recently used, goes
    assert cache.get("b") is None
    assert all(cache.get(k) is not None for k in ("a", "c", "d", "e"))
    assert sum(len(v) for v in cache._cache.values()) <= 40_000


def test_a_value_over_a_quarter_of_the_budget_is_not_kept_nor_its_older_value():
    cache = _cache(40_000)
    cache.clear()
    cache.set("big", b"small")
    cache.set("big", b"x" * 20_000)
    assert cache.get("big") is None
    cache.set("small", b"x" * 100)
    assert cache.get("small") == b"x" * 100
