"""Report charts as PNG bytes (matplotlib, imported only when a report is drawn).

Two kinds: how many targets of each objective were exceeded, met, missed or
lack data; and each indicator's yearly figure against its phase and year
targets, drawn as small multiples so twenty indicators fit on a few pages.
"""

from __future__ import annotations

import hashlib
import io
import textwrap
import threading
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol

from chitieu.reports.model import AchievementChart, Assessment, Report, TrendChart
from chitieu.reports.numbers import format_number

# Colours chosen to stay apart when printed in grey as well.
COLOURS = {
    Assessment.EXCEEDED: "#1b7837",
    Assessment.ACHIEVED: "#7fbf7b",
    Assessment.NOT_ACHIEVED: "#c2410c",
    Assessment.NO_DATA: "#bdbdbd",
    Assessment.NOT_ARISEN: "#9ecae1",
}
# matplotlib's own DejaVu covers Vietnamese everywhere; Debian's older "liberation"
# package (picked before liberation2 by name) lacks the stacked diacritics.
FONT = "DejaVu Sans"
ACTUAL, TARGET = "#1f4e79", "#c2410c"
TRENDS_PER_FIGURE = 6  # 3 × 2 panels: one landscape page
DPI = 130  # sharp enough printed at 25 cm wide; higher doubled the drawing time


@dataclass(frozen=True)
class ChartImages:
    achievement: bytes | None
    trends: tuple[bytes, ...]


_LOCK = threading.Lock()  # matplotlib's text and font caches are not made for concurrent drawing


def _figure_class() -> Any:
    """matplotlib's Figure, without pyplot: no global figure registry to leak in a web server."""
    import matplotlib
    from matplotlib.figure import Figure

    matplotlib.rcParams.update(
        {
            "font.family": FONT,
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.formatter.use_locale": False,
        }
    )
    return Figure


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    # Fast zlib level: the charts are flat colours, the files stay small and encoding was the
    # slowest step of a whole report at the default level.
    figure.savefig(buffer, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def achievement_png(chart: AchievementChart) -> bytes:
    """Stacked horizontal bars: one per objective, segments per assessment."""
    height = 1.2 + 0.45 * len(chart.bars)
    figure = _figure_class()(figsize=(6.3, height), layout="constrained")
    axes = figure.subplots()
    labels = [bar.label for bar in chart.bars][::-1]
    left = [0] * len(labels)
    for assessment in Assessment:
        widths = [dict(bar.counts).get(assessment, 0) for bar in chart.bars][::-1]
        bars = axes.barh(labels, widths, left=left, color=COLOURS[assessment], label=assessment.label)
        axes.bar_label(bars, labels=[str(w) if w else "" for w in widths], label_type="center", fontsize=8)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.set_xlabel("Số chỉ tiêu")
    axes.xaxis.get_major_locator().set_params(integer=True)
    figure.legend(loc="outside lower center", ncols=4, frameon=False, fontsize=8)
    return _png(figure)


def _draw_trend(axes: Any, chart: TrendChart) -> None:
    """One panel: the yearly figures labelled with their values, the targets as dashed line and diamond.

    The values are written on the points, so the panel needs no y scale; fewer
    labels keep twenty panels readable and quick to draw.
    """
    periods = [p.period for p in chart.points]
    index = {key: i for i, key in enumerate(periods)}
    known = [(index[p.period], float(p.value)) for p in chart.points if p.value is not None]
    label = {"fontsize": 8, "textcoords": "offset points", "ha": "center"}
    if known:
        axes.plot(*zip(*known, strict=True), marker="o", color=ACTUAL, linewidth=1.6)
        last_x, last_y = known[-1]
        year_x = index.get(chart.target_year_period)
        # At the target's year the two labels go on opposite sides so they never overlap.
        below = chart.target_year is not None and last_x == year_x and last_y < float(chart.target_year)
        for x, y in known:
            offset = -12 if below and x == last_x else 6
            axes.annotate(format_number(Decimal(str(y))), (x, y), xytext=(0, offset), **label)
    else:
        axes.text(0.5, 0.75, "Chưa có số liệu", transform=axes.transAxes, ha="center", color="#777")
    if chart.target_phase is not None:
        axes.axhline(float(chart.target_phase), color=TARGET, linestyle="--", linewidth=1)
        if chart.target_phase != chart.target_year:
            axes.annotate(
                format_number(chart.target_phase),
                (-0.45, float(chart.target_phase)),
                xytext=(0, 3),
                color=TARGET,
                **{**label, "ha": "left"},
            )
    if chart.target_year is not None and chart.target_year_period in index:
        x, y = index[chart.target_year_period], float(chart.target_year)
        axes.plot([x], [y], marker="D", linestyle="none", color=TARGET, markersize=5)
        actual = dict(known).get(x)
        offset = 6 if actual is not None and actual < y else -12
        axes.annotate(format_number(chart.target_year), (x, y), xytext=(0, offset), color=TARGET, **label)
    axes.set_xlim(-0.5, len(periods) - 0.5)
    axes.set_xticks(range(len(periods)), periods)
    axes.margins(y=0.3)
    axes.set_yticks([])
    axes.spines["left"].set_visible(False)
    unit = f" ({chart.unit})" if chart.unit else ""
    title = textwrap.fill(f"{chart.indicator_code}. {_shorten(chart.title, 100)}{unit}", 40)
    axes.set_title(title, fontsize=8.5, loc="left")
    axes.tick_params(labelsize=8)


def _trend_legend(figure: Any, group: tuple[TrendChart, ...]) -> None:
    """One legend per page of panels instead of one per panel: lighter to read and to draw."""
    from matplotlib.lines import Line2D

    first = group[0]
    phase = first.target_phase_label or "Chỉ tiêu giai đoạn"
    year = first.target_year_label or "Chỉ tiêu năm"
    handles = [
        Line2D([], [], color=ACTUAL, marker="o", linewidth=1.6, label="Thực hiện"),
        Line2D([], [], color=TARGET, linestyle="--", linewidth=1, label=phase),
        Line2D([], [], color=TARGET, marker="D", linestyle="none", markersize=5, label=year),
    ]
    figure.legend(handles=handles, loc="lower center", ncols=3, frameon=False, fontsize=8.5)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def trend_pngs(charts: tuple[TrendChart, ...], per_figure: int = TRENDS_PER_FIGURE) -> tuple[bytes, ...]:
    """Small multiples, ``per_figure`` indicators to an image sized for a landscape A4 page."""
    figure_class = _figure_class()
    images = []
    for start in range(0, len(charts), per_figure):
        group = charts[start : start + per_figure]
        rows = (len(group) + 2) // 3
        # Fixed margins rather than constrained layout: the same look, a fraction of the time.
        # 9 inches wide is printed at about 23 cm, so the text keeps its nominal size on paper.
        height = 2.9 * rows + 0.6
        figure = figure_class(figsize=(9.0, height))
        grid = figure.subplots(rows, 3, squeeze=False)
        figure.subplots_adjust(
            left=0.03, right=0.98, bottom=0.75 / height, top=1 - 0.8 / height, wspace=0.3, hspace=0.75
        )
        for axes, chart in zip(grid.flat, group, strict=False):
            _draw_trend(axes, chart)
        for axes in list(grid.flat)[len(group) :]:
            axes.set_visible(False)
        _trend_legend(figure, group)
        images.append(_png(figure))
    return tuple(images)


class ChartStore(Protocol):
    """Where drawn charts are kept between processes (the web app gives its shared cache)."""

    def get(self, key: str) -> ChartImages | None: ...

    def set(self, key: str, images: ChartImages) -> None: ...


_store: ChartStore | None = None


def use_store(store: ChartStore | None) -> None:
    """Keep drawn charts in ``store`` too, so that every process and server draws the same data once."""
    global _store
    _store = store


def charts_key(achievement: AchievementChart | None, trends: tuple[TrendChart, ...]) -> str:
    """The charts' content, digested: the same figures give the same key in any process, and a
    changed figure, target or label a new one (frozen dataclasses of text and Decimals: a stable repr)."""
    return hashlib.sha256(repr((achievement, trends, DPI)).encode()).hexdigest()


def chart_images(report: Report) -> ChartImages:
    """The report's charts; the same data drawn twice (Word, then PDF; or by another server) is drawn
    once: per process in memory, and across processes in the store when one is set."""
    return _drawn(report.achievement_chart, report.trend_charts)


@lru_cache(maxsize=4)
def _drawn(achievement: AchievementChart | None, trends: tuple[TrendChart, ...]) -> ChartImages:
    key = charts_key(achievement, trends) if _store is not None else ""
    kept = _store.get(key) if _store is not None else None
    if kept is not None:
        return kept
    with _LOCK:
        images = ChartImages(achievement_png(achievement) if achievement else None, trend_pngs(trends))
    if _store is not None:
        _store.set(key, images)
    return images


clear_cache = _drawn.cache_clear  # for benchmarks that must pay for every drawing (the store aside)
