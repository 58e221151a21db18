"""The report charts kept in Django's cache: drawn once per content by any app server.

matplotlib takes most of a report's time (about 1.2 s of a district's 1.6 s docx); the figures
change only when the summary does, so the core's charts (``chitieu.reports.charts``) are kept
under their content's digest in the cache every server shares (Redis in the cluster; the
per-process memory cache on the laptop). A changed figure gives a new key: nothing to invalidate.
"""

from __future__ import annotations

from django.core.cache import cache

from chitieu.reports.charts import ChartImages

CHARTS_TIMEOUT = 7 * 24 * 3600  # a plan's last year is downloaded again and again after it closes


class CachedCharts:
    def get(self, key: str) -> ChartImages | None:
        kept = cache.get(f"reports:charts:{key}")
        return kept if isinstance(kept, ChartImages) else None

    def set(self, key: str, images: ChartImages) -> None:
        cache.set(f"reports:charts:{key}", images, CHARTS_TIMEOUT)
