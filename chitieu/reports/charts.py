"""Report charts as PNG bytes (matplotlib, imported only when a report is drawn).

Two kinds: how many targets of each objective were exceeded, met, missed or
lack data; and each indicator's yearly figure against its phase and year
targets, drawn as small multiples so twenty indicators fit on a few pages.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chitieu.reports.model import AchievementChart, Assessment, Report, TrendChart
from chitieu.reports.numbers import format_number

# Colours chosen to stay apart when printed in grey as well.
COLOURS = {
    Assessment.EXCEEDED: "#1b7837",
    Assessment.ACHIEVED: "#7fbf7b",
    Assessment.NOT_ACHIEVED: "#c2410c",
    Assessment.NO_DATA: "#bdbdbd",
}
# matplotlib's own DejaVu covers Vietnamese everywhere; Debian's older "liberation"
# package (picked before liberation2 by name) lacks the stacked diacritics.
FONT = "DejaVu Sans"
TRENDS_PER_FIGURE = 6  # 3 × 2 panels: one landscape page
DPI = 150


@dataclass(frozen=True)
class ChartImages:
    achievement: bytes | None
    trends: tuple[bytes, ...]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # no display on servers
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "font.family": FONT,
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.formatter.use_locale": False,
        }
    )
    return plt


def _png(plt: Any, figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    plt.close(figure)
    return buffer.getvalue()


def _vi_formatter() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: format_number(Decimal(str(float(x)))))


def achievement_png(chart: AchievementChart) -> bytes:
    """Stacked horizontal bars: one per objective, segments per assessment."""
    plt = _pyplot()
    height = 1.2 + 0.45 * len(chart.bars)
    figure, axes = plt.subplots(figsize=(6.3, height), layout="constrained")
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
    return _png(plt, figure)


def _draw_trend(axes: Any, chart: TrendChart) -> None:
    periods = [p.period for p in chart.points]
    known = [(p.period, float(p.value)) for p in chart.points if p.value is not None]
    axes.set_xticks(range(len(periods)), periods)
    index = {key: i for i, key in enumerate(periods)}
    if known:
        xs = [index[k] for k, _ in known]
        ys = [v for _, v in known]
        axes.plot(xs, ys, marker="o", color="#1f4e79", label="Thực hiện", linewidth=1.6)
        for x, y in zip(xs, ys, strict=True):
            axes.annotate(format_number(Decimal(str(y))), (x, y), textcoords="offset points",
                          xytext=(0, 5), ha="center", fontsize=8)
    else:
        axes.text(0.5, 0.5, "Chưa có số liệu", transform=axes.transAxes, ha="center", color="#777")
    if chart.target_phase is not None:
        axes.axhline(float(chart.target_phase), color="#c2410c", linestyle="--", linewidth=1,
                     label=chart.target_phase_label)
    if chart.target_year is not None and chart.target_year_period in index:
        axes.plot([index[chart.target_year_period]], [float(chart.target_year)], marker="D",
                  linestyle="none", color="#c2410c", markersize=5, label=chart.target_year_label)
    axes.set_xlim(-0.5, len(periods) - 0.5)
    axes.margins(y=0.25)
    axes.yaxis.set_major_formatter(_vi_formatter())
    title = f"{chart.indicator_code}. {_shorten(chart.title, 70)}"
    axes.set_title(title, fontsize=9, loc="left", wrap=True)
    if chart.unit:
        axes.set_ylabel(chart.unit, fontsize=9)
    axes.tick_params(labelsize=8)
    axes.legend(fontsize=7, frameon=False, loc="best")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def trend_pngs(charts: tuple[TrendChart, ...], per_figure: int = TRENDS_PER_FIGURE) -> tuple[bytes, ...]:
    """Small multiples, ``per_figure`` indicators to an image sized for a landscape A4 page."""
    plt = _pyplot()
    images = []
    for start in range(0, len(charts), per_figure):
        group = charts[start : start + per_figure]
        rows = (len(group) + 2) // 3
        figure, grid = plt.subplots(rows, 3, figsize=(10.5, 3.0 * rows), layout="constrained", squeeze=False)
        for axes, chart in zip(grid.flat, group, strict=False):
            _draw_trend(axes, chart)
        for axes in list(grid.flat)[len(group) :]:
            axes.set_visible(False)
        images.append(_png(plt, figure))
    return tuple(images)


def chart_images(report: Report) -> ChartImages:
    achievement = achievement_png(report.achievement_chart) if report.achievement_chart else None
    return ChartImages(achievement, trend_pngs(report.trend_charts))
