"""The per-process cache of a single server (the laptop, the demo), bounded by bytes, not only entries.

Django's LocMemCache counts entries (MAX_ENTRIES): 500 dashboard fragments are a few MB, but 500
evaluations of large areas or report charts are gigabytes, and a worker grew past 1 GB that way.
This one also keeps the pickled values under ``MAX_BYTES`` (OPTIONS), dropping the least recently
used entries first, and does not keep a value larger than a quarter of the budget at all. The
cluster points CACHES at Redis instead, which has its own ``maxmemory``.
"""

from __future__ import annotations

from django.core.cache.backends.locmem import LocMemCache

DEFAULT_MAX_BYTES = 64 * 1024 * 1024


class SizedLocMemCache(LocMemCache):
    def __init__(self, name, params):
        super().__init__(name, params)
        options = params.get("OPTIONS") or {}
        self._max_bytes = int(options.get("MAX_BYTES", DEFAULT_MAX_BYTES))

    def _set(self, key, value, timeout=None):
        # Called under the cache's lock with the pickled value (bytes).
        if len(value) > self._max_bytes // 4:
            self._delete(key)  # an older, smaller value of the key must not be answered instead
            return
        super()._set(key, value, timeout)
        total = sum(len(kept) for kept in self._cache.values())
        while total > self._max_bytes and len(self._cache) > 1:
            # The least recently used entry is last (LocMemCache moves what it reads to the front).
            oldest, kept = self._cache.popitem()
            self._expire_info.pop(oldest, None)
            total -= len(kept)
