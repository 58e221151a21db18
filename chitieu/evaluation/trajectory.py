"""Trajectory maths: linear projection and compound growth towards the phase target, and the progress band."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from chitieu.evaluation.verdict import Standing, Status, _num, standing, status_for
from chitieu.plan import (
    Comparator,
    Direction,
    Target,
)


@dataclass(frozen=True)
class TrajectoryBands:
    """Bands of the SDG ratio method (observed ÷ required growth); configurable per plan."""

    substantial: Decimal = Decimal("0.95")
    moderate: Decimal = Decimal("0.6")
    limited: Decimal = Decimal(0)

    def band(self, ratio: Decimal) -> str:
        if ratio >= self.substantial:
            return "substantial"
        if ratio >= self.moderate:
            return "moderate"
        if ratio >= self.limited:
            return "limited"
        return "deterioration"


BAND_LABELS = {
    "achieved": "đã đạt và giữ được chỉ tiêu giai đoạn",
    "at_risk": "đang đạt nhưng có nguy cơ không giữ được",
    "substantial": "tiến triển tốt, đúng lộ trình",
    "moderate": "tiến triển vừa phải",
    "limited": "tiến triển hạn chế",
    "deterioration": "đi xuống",
}


@dataclass(frozen=True)
class Baseline:
    period: str  # "2020"
    value: Decimal


@dataclass(frozen=True)
class Trajectory:
    target: Target  # the phase target
    end_year: int
    points: tuple[tuple[int, Decimal], ...]  # (year, value), the baseline first when there is one
    projected: Decimal | None = None  # linear trend at end_year
    projected_status: Status = Status.NO_DATA
    observed_growth: Decimal | None = None  # compound annual growth so far
    required_growth: Decimal | None = None  # compound annual growth needed from the start point
    ratio: Decimal | None = None  # observed ÷ required
    band: str | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "target_period": self.target.period,
            "target": _num(self.target.value),
            "comparator": self.target.comparator.value,
            "end_year": self.end_year,
            "points": [{"year": y, "value": _num(v)} for y, v in self.points],
            "linear_projection": _num(self.projected),
            "linear_status": self.projected_status.value,
            "observed_growth": _num(self.observed_growth, 4),
            "required_growth": _num(self.required_growth, 4),
            "growth_ratio": _num(self.ratio, 3),
            "band": self.band,
            "note": self.note,
        }


def linear_projection(points: Sequence[tuple[int, Decimal]], year: int) -> Decimal | None:
    """Least-squares line through (year, value), read at ``year``; None with fewer than two years."""
    if len({y for y, _ in points}) < 2:
        return None
    n = Decimal(len(points))
    mean_x = sum((Decimal(y) for y, _ in points), Decimal(0)) / n
    mean_y = sum((v for _, v in points), Decimal(0)) / n
    sxx = sum(((Decimal(y) - mean_x) ** 2 for y, _ in points), Decimal(0))
    sxy = sum(((Decimal(y) - mean_x) * (v - mean_y) for y, v in points), Decimal(0))
    return mean_y + sxy / sxx * (Decimal(year) - mean_x)


def _within_bounds(value: Decimal | None, ceiling: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    value = max(value, Decimal(0))
    return min(value, ceiling) if ceiling is not None else value


def compound_growth(start: Decimal, end: Decimal, years: int) -> Decimal | None:
    """(end ÷ start)^(1 ÷ years) − 1; None when undefined (zero or negative levels, no time)."""
    if years <= 0 or start <= 0 or end <= 0:
        return None
    return (end / start) ** (Decimal(1) / Decimal(years)) - 1


def _better(a: Decimal, b: Decimal, target: Target, direction: Direction) -> bool:
    return standing(a, b, target.comparator, direction) is Standing.BETTER


def _slope_improves(
    points: Sequence[tuple[int, Decimal]], target: Target, direction: Direction
) -> bool | None:
    """True when the fitted line moves toward the better side, False away from it, None when flat
    or when no side is better (a "maintain" target at one value)."""
    n = Decimal(len(points))
    mean_x = sum((Decimal(y) for y, _ in points), Decimal(0)) / n
    mean_y = sum((v for _, v in points), Decimal(0)) / n
    sxy = sum(((Decimal(y) - mean_x) * (v - mean_y) for y, v in points), Decimal(0))
    if sxy == 0:
        return None
    up = sxy > 0
    if target.comparator is Comparator.GE or (
        target.comparator is Comparator.EQ and direction is Direction.INCREASE
    ):
        return up
    if target.comparator is Comparator.LE or (
        target.comparator is Comparator.EQ and direction is Direction.DECREASE
    ):
        return not up
    return None


def trajectory(
    target: Target,
    direction: Direction,
    end_year: int,
    points: Sequence[tuple[int, Decimal]],
    bands: TrajectoryBands = TrajectoryBands(),
    ceiling: Decimal | None = None,
) -> Trajectory:
    """Where the figures so far lead by ``end_year``; ``points`` in year order, the start point first.

    A straight line can run past what the measure allows (a share below 0 % or
    above 100 %), so the projection is held within ``[0, ceiling]``; a line moving the
    right way never projects worse than the latest value, nor one moving the wrong way
    better than it (the trend continues from where the figures are).

    The rule of issue 12: when the latest value already meets the phase target and the
    trend keeps it there, the trajectory is ``achieved`` (on track); the SDG growth ratio
    (observed ÷ required growth) applies only while the target is still ahead. When the
    start already met the target and the latest value no longer does, the band is
    ``deterioration``. Where the linear and growth conclusions still differ, the note
    says why.
    """
    pts = tuple(sorted(points))
    result = Trajectory(target, end_year, pts)
    if len(pts) < 2:
        return replace(
            result, note="cần số liệu của ít nhất hai năm (hoặc mức nền và một năm) để xét xu hướng"
        )
    projected = _within_bounds(linear_projection(pts, end_year), ceiling)
    (y0, x0), (yt, xt) = pts[0], pts[-1]
    improves = _slope_improves(pts, target, direction)
    if projected is not None:
        lags = improves is True and _better(xt, projected, target, direction)
        leads = improves is False and _better(projected, xt, target, direction)
        if lags or leads:
            projected = xt
    projected_status = status_for(projected, target, direction)
    observed = compound_growth(x0, xt, yt - y0)
    required = compound_growth(x0, target.value, end_year - y0)
    latest_meets = standing(xt, target.value, target.comparator, direction) is not Standing.WORSE
    start_meets = standing(x0, target.value, target.comparator, direction) is not Standing.WORSE
    note = ""
    ratio = band = None
    if latest_meets and projected_status is not Status.NOT_ACHIEVED:
        band = "achieved"
        note = "giá trị gần nhất đã đạt chỉ tiêu giai đoạn và xu hướng giữ được mức đó"
    elif latest_meets:
        band = "at_risk"
        note = "giá trị gần nhất đã đạt chỉ tiêu giai đoạn nhưng xu hướng đi xuống, có thể không giữ được"
    elif start_meets:
        band = "deterioration"
        note = "mức xuất phát đã đạt chỉ tiêu giai đoạn nhưng giá trị gần nhất không còn đạt"
    elif observed is None or required is None:
        note = "không tính được tốc độ tăng trưởng bình quân (có giá trị bằng 0)"
    elif required == 0:
        note = "mức xuất phát đã bằng chỉ tiêu: không cần thay đổi"
    else:
        ratio = observed / required
        band = bands.band(ratio)
        linear_meets = projected_status in (Status.ACHIEVED, Status.EXCEEDED)
        if linear_meets != (band == "substantial"):
            note = (
                "hai cách tính cho kết luận khác nhau: đường xu hướng dùng số liệu mọi năm,"
                f" tốc độ bình quân chỉ dùng năm đầu ({y0}) và năm cuối ({yt})"
            )
    return replace(
        result,
        projected=projected,
        projected_status=projected_status,
        observed_growth=observed,
        required_growth=required,
        ratio=ratio,
        band=band,
        note=note,
    )


# ------------------------------------------------------------- results
