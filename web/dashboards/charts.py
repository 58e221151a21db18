"""Plotly figure specifications (plain dicts, turned into JSON by the template).

The figure is built on the server so that the page carries the same numbers as
the table beside it; the browser only draws. ``separators: ",."`` writes
52,17 and 1.234 the Vietnamese way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

VI_SEPARATORS = ",."  # decimal comma, thousands dot


@dataclass(frozen=True)
class Point:
    period: str  # "2023", "2024-Q3"
    value: Decimal | None


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[Point, ...]


# No toolbar: its ten English-labelled buttons sat in the Tab order inside the chart's role="img"; the
# same figures are in the table under the chart, and hovering still shows each point.
CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True}


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def trend_figure(
    *,
    title: str,
    unit: str,
    periods: Sequence[str],
    actual: Sequence[Series],
    yearly_targets: Sequence[Point],
    phase_target: Decimal | None,
    phase_label: str = "",
) -> dict:
    """Actual values over the phase, the yearly targets as markers and the phase target as a line."""
    data: list[dict] = []
    for series in actual:
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": series.name,
                "x": [p.period for p in series.points],
                "y": [_num(p.value) for p in series.points],
                "connectgaps": False,  # a missing year stays a gap, never a guessed line
            }
        )
    if yearly_targets:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": _("Yearly target"),
                "x": [p.period for p in yearly_targets],
                "y": [_num(p.value) for p in yearly_targets],
                "marker": {"symbol": "diamond-open", "size": 12},
            }
        )
    if phase_target is not None and periods:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": phase_label or _("Phase target"),
                "x": [periods[0], periods[-1]],
                "y": [_num(phase_target)] * 2,
                "line": {"dash": "dash"},
            }
        )
    layout = {
        "title": {"text": title},
        "separators": VI_SEPARATORS,
        "xaxis": {"type": "category", "categoryorder": "array", "categoryarray": list(periods)},
        "yaxis": {"title": {"text": unit}, "rangemode": "tozero"},
        "legend": {"orientation": "h"},
        "margin": {"t": 48, "r": 16, "b": 40, "l": 56},
        "height": 360,
    }
    return {"data": data, "layout": layout, "config": CONFIG}
