"""Issue 14 item 6: a report's charts are drawn once per content, then taken from the store that
every process shares (the web app gives Django's cache), not drawn again by each process."""

from __future__ import annotations

import dataclasses

import pytest

from chitieu.reports import charts
from chitieu.reports.charts import ChartImages

from .sample import sample_report


class DictStore:
    """A store in a dict: what a shared cache does, within one test."""

    def __init__(self) -> None:
        self.kept: dict[str, ChartImages] = {}

    def get(self, key: str) -> ChartImages | None:
        return self.kept.get(key)

    def set(self, key: str, images: ChartImages) -> None:
        self.kept[key] = images


@pytest.fixture
def store():
    kept = DictStore()
    charts.use_store(kept)
    charts.clear_cache()
    yield kept
    charts.use_store(None)
    charts.clear_cache()


def test_charts_drawn_in_one_process_are_taken_from_the_store_by_the_next(store):
    report = sample_report()
    drawn = charts.chart_images(report)
    assert list(store.kept.values()) == [drawn] and drawn.trends
    charts.clear_cache()  # another process: nothing in its memory
    assert charts.chart_images(report) is drawn  # the stored images, not a new drawing


def test_a_changed_figure_is_drawn_anew_under_its_own_key(store):
    report = sample_report()
    charts.chart_images(report)
    trend = report.trend_charts[0]
    changed = dataclasses.replace(trend, title=trend.title + " (sửa)")
    other = dataclasses.replace(report, trend_charts=(changed, *report.trend_charts[1:]))
    charts.chart_images(other)
    assert len(store.kept) == 2
    assert charts.charts_key(report.achievement_chart, report.trend_charts) != charts.charts_key(
        other.achievement_chart, other.trend_charts
    )
