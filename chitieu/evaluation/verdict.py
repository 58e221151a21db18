"""Verdict rules: better / equal / worse against a target, for every comparator and direction."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum

from chitieu.plan import (
    Comparator,
    Direction,
    Target,
)
from chitieu.quantity import round_half_up as round_half_up  # the one rounding; re-exported


class Status(StrEnum):
    EXCEEDED = "exceeded"  # Vượt: strictly better than the target in its direction
    ACHIEVED = "achieved"  # Đạt: equal to it
    NOT_ACHIEVED = "not_achieved"  # Không đạt: worse
    NO_DATA = "no_data"  # Chưa có số liệu (or not enough to judge)
    # Không phát sinh: no case arose (no victim to return, 0 of 0): not missing data.
    NOT_ARISEN = "not_arisen"


STATUS_LABELS = {
    Status.EXCEEDED: "Vượt chỉ tiêu",
    Status.ACHIEVED: "Đạt",
    Status.NOT_ACHIEVED: "Không đạt",
    Status.NO_DATA: "Chưa có số liệu",
    Status.NOT_ARISEN: "Không phát sinh",
}


class Standing(StrEnum):
    BETTER = "better"
    EQUAL = "equal"
    WORSE = "worse"


def standing(actual: Decimal, target: Decimal, comparator: Comparator, direction: Direction) -> Standing:
    """Better, equal or worse than the target: the one rule for every comparator and direction.

    ``>=``: above is better; ``<=``: below is better. ``==`` ("Duy trì") is met only at the
    value, unless the indicator also has a direction, which then says which side is better.
    """
    if actual == target:
        return Standing.EQUAL
    if comparator is Comparator.GE:
        return Standing.BETTER if actual > target else Standing.WORSE
    if comparator is Comparator.LE:
        return Standing.BETTER if actual < target else Standing.WORSE
    if direction is Direction.INCREASE:
        return Standing.BETTER if actual > target else Standing.WORSE
    if direction is Direction.DECREASE:
        return Standing.BETTER if actual < target else Standing.WORSE
    return Standing.WORSE


_STATUS_OF_STANDING = {
    Standing.BETTER: Status.EXCEEDED,
    Standing.EQUAL: Status.ACHIEVED,
    Standing.WORSE: Status.NOT_ACHIEVED,
}


def status_for(actual: Decimal | None, target: Target | None, direction: Direction) -> Status:
    if actual is None or target is None:
        return Status.NO_DATA
    return _STATUS_OF_STANDING[standing(actual, target.value, target.comparator, direction)]


def combine(statuses: Sequence[Status]) -> Status:
    """All parts must meet: the worst part decides, and a missing part blocks "met"."""
    if statuses and all(s is Status.NOT_ARISEN for s in statuses):
        return Status.NOT_ARISEN
    statuses = [s for s in statuses if s is not Status.NOT_ARISEN]  # no case: neither meets nor fails
    if not statuses:
        return Status.NO_DATA
    for status in (Status.NOT_ACHIEVED, Status.NO_DATA, Status.ACHIEVED):
        if status in statuses:
            return status
    return Status.EXCEEDED


def achievement_percent(actual: Decimal | None, target: Target | None) -> Decimal | None:
    """Direction-aware % of the target: actual ÷ target for "at least", target ÷ actual for "at most".

    None when the division is impossible (a zero target to reach, a zero actual under a ceiling).
    """
    if actual is None or target is None:
        return None
    if target.comparator is Comparator.LE:
        return target.value * 100 / actual if actual else None
    return actual * 100 / target.value if target.value else None


def progress_share(
    actual: Decimal | None,
    target: Decimal | None,
    baseline: Decimal | None,
    comparator: Comparator | None = None,
    direction: Direction = Direction.INCREASE,
) -> Decimal | None:
    """Share of the planned change done: (actual − baseline) ÷ (target − baseline).

    None when no change was planned (target = baseline), and when the baseline already met
    the target (no change was needed: a move either way is no "share of the change").
    ``comparator`` tells which side meets; without it the sign of target − baseline does."""
    if actual is None or target is None or baseline is None or target == baseline:
        return None
    if comparator is not None and standing(baseline, target, comparator, direction) is not Standing.WORSE:
        return None
    return (actual - baseline) / (target - baseline)


# ------------------------------------------------------------- trajectory


def _num(value: Decimal | None, places: int = 2) -> int | float | None:
    """A JSON number: integral values as integers, others rounded half up for reading (the one
    rounding rule of the JSON, the pages and the reports)."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    rounded = round_half_up(value, places)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)
