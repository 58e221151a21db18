"""The verdict rules, one table per question: better/equal/worse, achievement, progress, trajectory."""

from datetime import date
from decimal import Decimal as D

import pytest

from chitieu.evaluate import (
    Baseline,
    Standing,
    Status,
    TrajectoryBands,
    achievement_percent,
    combine,
    compound_growth,
    evaluate_indicator,
    linear_projection,
    progress_share,
    standing,
    status_for,
    trajectory,
)
from chitieu.observations import Observation
from chitieu.periods import parse_period
from chitieu.plan import Comparator, CountPeriod, Direction, Indicator, Measure, Target
from chitieu.rollup import FigureState

GE, LE, EQ = Comparator.GE, Comparator.LE, Comparator.EQ
UP, DOWN, KEEP = Direction.INCREASE, Direction.DECREASE, Direction.MAINTAIN


@pytest.mark.parametrize(
    ("actual", "target", "comparator", "direction", "expected"),
    [
        # at least ("Tăng", "ít nhất")
        ("52.17", "50", GE, UP, Standing.BETTER),
        ("50", "50", GE, UP, Standing.EQUAL),
        ("49.99", "50", GE, UP, Standing.WORSE),
        ("0", "0", GE, UP, Standing.EQUAL),  # zero target reached by zero
        ("0.01", "0", GE, UP, Standing.BETTER),
        # at most ("Giảm", "không vượt quá")
        ("28", "30", LE, DOWN, Standing.BETTER),
        ("30", "30", LE, DOWN, Standing.EQUAL),
        ("30.0001", "30", LE, DOWN, Standing.WORSE),
        ("0", "0", LE, DOWN, Standing.EQUAL),  # zero target: "no maternal death"
        ("1", "0", LE, DOWN, Standing.WORSE),
        # exactly ("Duy trì")
        ("100", "100", EQ, KEEP, Standing.EQUAL),
        ("101", "100", EQ, KEEP, Standing.WORSE),
        ("99", "100", EQ, KEEP, Standing.WORSE),
        # "==" with a direction: the direction says which side is better
        ("101", "100", EQ, UP, Standing.BETTER),
        ("99", "100", EQ, UP, Standing.WORSE),
        ("99", "100", EQ, DOWN, Standing.BETTER),
        ("101", "100", EQ, DOWN, Standing.WORSE),
        # the comparator decides even when the direction says "maintain" (6.3: "Duy trì … ít nhất 03")
        ("4", "3", GE, KEEP, Standing.BETTER),
        ("2", "3", GE, KEEP, Standing.WORSE),
        ("2", "3", LE, KEEP, Standing.BETTER),
    ],
)
def test_standing_for_every_comparator_and_direction(actual, target, comparator, direction, expected):
    assert standing(D(actual), D(target), comparator, direction) is expected


@pytest.mark.parametrize(
    ("actual", "comparator", "expected"),
    [
        ("60", GE, Status.ACHIEVED),  # exact equality is "Đạt", not "Vượt"
        ("60.5", GE, Status.EXCEEDED),
        ("59.5", GE, Status.NOT_ACHIEVED),
        ("60", LE, Status.ACHIEVED),
        ("59.5", LE, Status.EXCEEDED),
        ("60.5", LE, Status.NOT_ACHIEVED),
        (None, GE, Status.NO_DATA),
    ],
)
def test_status_for(actual, comparator, expected):
    target = Target("2024", comparator, D(60), "60")
    assert status_for(D(actual) if actual else None, target, UP) is expected


def test_no_target_is_no_verdict():
    assert status_for(D(5), None, UP) is Status.NO_DATA


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([Status.EXCEEDED, Status.EXCEEDED], Status.EXCEEDED),
        ([Status.EXCEEDED, Status.ACHIEVED], Status.ACHIEVED),
        ([Status.EXCEEDED, Status.NOT_ACHIEVED], Status.NOT_ACHIEVED),
        ([Status.EXCEEDED, Status.NO_DATA], Status.NO_DATA),
        ([Status.NO_DATA, Status.NOT_ACHIEVED], Status.NOT_ACHIEVED),  # a known failure is a failure
        ([], Status.NO_DATA),
    ],
)
def test_all_parts_must_meet(parts, expected):
    assert combine(parts) is expected


@pytest.mark.parametrize(
    ("actual", "target", "comparator", "expected"),
    [
        ("52.17", "50", GE, "104.34"),  # 52,17 ÷ 50
        ("25", "30", LE, "120"),  # 30 ÷ 25: lower than the ceiling is better
        ("36", "30", LE, "83.33"),
        ("5", "0", GE, None),  # a zero target to reach: no percentage
        ("0", "30", LE, None),  # zero under a ceiling: not a finite percentage
        ("0", "0", LE, None),
    ],
)
def test_achievement_percent_is_direction_aware(actual, target, comparator, expected):
    result = achievement_percent(D(actual), Target("2024", comparator, D(target), ""))
    assert (round(result, 2) if result is not None else None) == (D(expected) if expected else None)


@pytest.mark.parametrize(
    ("actual", "target", "baseline", "expected"),
    [
        ("45", "50", "40", "0.5"),  # half the planned rise done
        ("35", "30", "40", "0.5"),  # half the planned fall done
        ("38", "50", "40", "-0.2"),  # went the wrong way
        ("50", "50", "50", None),  # baseline equal to target: no change was planned
        ("50", "50", None, None),
    ],
)
def test_progress_share(actual, target, baseline, expected):
    result = progress_share(D(actual), D(target), D(baseline) if baseline else None)
    assert result == (D(expected) if expected else None)


def _percent(code="2.1", comparator=GE, direction=UP, year="50", phase="60", **kw) -> Indicator:
    return Indicator(
        code=code,
        name="t",
        measure=Measure.PERCENT,
        direction=direction,
        targets=(Target("2021-2025", comparator, D(phase), ""), Target("2024", comparator, D(year), "")),
        lead_units=("x",),
        **kw,
    )


def _obs(period, num=None, den=None, value=None, code="2.1", unit="", sex=None, line=2):
    def d(x):
        return None if x is None else D(str(x))

    return Observation(code, period, unit, sex, d(num), d(den), d(value), source=f"line {line}")


PHASE = parse_period("2021-2025")


def test_a_single_data_point_gives_a_verdict_but_no_trend():
    result = evaluate_indicator(
        _percent(), [_obs("2024", 26, 50)], "2024", as_of=date(2024, 12, 31), phase=PHASE
    )
    assert (result.actual, result.status) == (D(52), Status.EXCEEDED)
    assert result.trajectory is not None and result.trajectory.points == ((2024, D(52)),)
    assert result.trajectory.projected is None and result.trajectory.ratio is None
    assert "ít nhất hai năm" in result.trajectory.note


def test_a_zero_denominator_gives_no_figure_and_no_verdict():
    # The reader refuses a zero denominator; figures built by code may still carry one.
    result = evaluate_indicator(_percent(), [_obs("2024", 0, 0)], "2024", as_of=date(2024, 12, 31))
    assert result.status is Status.NO_DATA and result.actual is None
    assert result.state is FigureState.UNDEFINED


def test_baseline_equal_to_target_has_no_progress_share_but_a_verdict():
    result = evaluate_indicator(
        _percent(year="50"),
        [_obs("2024", 25, 50)],
        "2024",
        as_of=date(2024, 12, 31),
        baseline=Baseline("2020", D(50)),
    )
    assert result.status is Status.ACHIEVED and result.progress is None and result.achievement == 100


def test_exact_equality_through_division_is_achieved():
    # 1 ÷ 3 × 300 must be exactly 100, not 99,999…: multiply before dividing.
    ind = Indicator("4.1", "t", Measure.RATIO, DOWN, (Target("2024", LE, D(100), ""),), ("x",), per=300)
    result = evaluate_indicator(ind, [_obs("2024", 1, 3, code="4.1")], "2024", as_of=date(2024, 12, 31))
    assert result.actual == 100 and result.status is Status.ACHIEVED


@pytest.mark.parametrize(
    ("measure", "per", "num", "den", "actual"),
    [
        (Measure.PERCENT, None, 3, 8, D("37.5")),
        (Measure.RATE, 1000, 21, 300, D(70)),
        (Measure.RATE, 100000, 1, 400, D(250)),
        (Measure.RATIO, 100, 115, 100, D(115)),
        (Measure.TIMES, None, D("15.5"), D("8.6"), D("1.802326")),  # chitieu.figures: six decimals, half up
    ],
)
def test_each_measure_applies_its_factor(measure, per, num, den, actual):
    ind = Indicator("x", "t", measure, DOWN, (Target("2024", LE, D(70), ""),), ("u",), per=per)
    result = evaluate_indicator(ind, [_obs("2024", num, den, code="x")], "2024", as_of=date(2024, 12, 31))
    assert result.actual == actual
    assert result.status is status_for(actual, ind.targets[0], DOWN)


def test_count_per_month_is_judged_on_the_weakest_month():
    ind = Indicator(
        "6.4", "t", Measure.COUNT, UP, (Target("2024", GE, D(1), ""),), ("u",), per_period=CountPeriod.MONTH
    )
    rows = [_obs(f"2024-{m:02d}", value=2, code="6.4", line=m) for m in range(1, 13)]
    assert evaluate_indicator(ind, rows, "2024", as_of=date(2024, 12, 31)).status is Status.EXCEEDED
    rows[4] = _obs("2024-05", value=1, code="6.4")
    result = evaluate_indicator(ind, rows, "2024", as_of=date(2024, 12, 31))
    assert (result.status, result.actual, result.numerator) == (Status.ACHIEVED, D(1), D(23))
    rows[6] = _obs("2024-07", value=0, code="6.4")
    result = evaluate_indicator(ind, rows, "2024", as_of=date(2024, 12, 31))
    assert result.status is Status.NOT_ACHIEVED and "2024-07" in result.explanation


def test_a_missing_month_is_not_a_zero():
    ind = Indicator(
        "6.4", "t", Measure.COUNT, UP, (Target("2024", GE, D(1), ""),), ("u",), per_period=CountPeriod.MONTH
    )
    rows = [_obs(f"2024-{m:02d}", value=1, code="6.4") for m in range(1, 13) if m != 8]
    result = evaluate_indicator(ind, rows, "2024", as_of=date(2024, 12, 31))
    assert result.status is Status.NO_DATA and not result.complete
    assert [p.key for p in result.sub_periods if p.state is FigureState.MISSING] == ["2024-08"]
    # As of 31 July, August is not due yet: the months so far are all met.
    early = evaluate_indicator(ind, rows, "2024", as_of=date(2024, 7, 31))
    assert early.status is Status.ACHIEVED and len(early.sub_periods) == 7


# ------------------------------------------------------------------ trajectory


def test_linear_projection_and_compound_growth_by_hand():
    points = [(2020, D(40)), (2022, D(44)), (2024, D(48))]  # +2 a year
    assert linear_projection(points, 2025) == D(50)
    assert linear_projection([(2024, D(48))], 2025) is None
    # 40 → 48.4 in two years: ×1,1 a year.
    assert compound_growth(D(40), D("48.4"), 2) == D("0.1")
    assert compound_growth(D(0), D(5), 2) is None


def test_trajectory_bands_are_configurable():
    target = Target("2021-2025", GE, D(60), "60%")
    # Needed: 40 → 60 over 5 years; observed 40 → 44 over 4 years: well short.
    t = trajectory(target, UP, 2025, [(2020, D(40)), (2024, D(44))])
    required = (D(60) / D(40)) ** (D(1) / D(5)) - 1
    observed = (D(44) / D(40)) ** (D(1) / D(4)) - 1
    assert t.required_growth == required and t.observed_growth == observed
    assert t.ratio == observed / required and D("0") < t.ratio < D("0.6")
    assert t.band == "limited"
    assert trajectory(
        target, UP, 2025, [(2020, D(40)), (2024, D(44))], TrajectoryBands(moderate=D("0.2"))
    ).band == ("moderate")


@pytest.mark.parametrize(
    ("points", "band"),
    [
        ([(2020, D(40)), (2024, D(58))], "substantial"),
        ([(2020, D(40)), (2024, D(50))], "moderate"),
        ([(2020, D(40)), (2024, D(38))], "deterioration"),
    ],
)
def test_trajectory_bands_for_a_rising_target(points, band):
    assert trajectory(Target("2021-2025", GE, D(60), ""), UP, 2025, points).band == band


def test_trajectory_of_a_falling_target_uses_the_same_ratio():
    # Adolescent births 80 → 55 per 1.000 needed; falling fast is good progress.
    t = trajectory(Target("2021-2025", LE, D(55), ""), DOWN, 2025, [(2020, D(80)), (2024, D(57))])
    assert t.band == "substantial" and t.projected_status in (Status.EXCEEDED, Status.ACHIEVED)
    worse = trajectory(Target("2021-2025", LE, D(55), ""), DOWN, 2025, [(2020, D(80)), (2024, D(85))])
    assert worse.band == "deterioration" and worse.projected_status is Status.NOT_ACHIEVED


def test_trajectory_when_the_start_already_equals_the_target():
    t = trajectory(Target("2021-2025", GE, D(100), ""), UP, 2025, [(2020, D(100)), (2024, D(100))])
    # Issue 12.1: the start already meets the target and stays there: on track, no growth ratio.
    assert t.ratio is None and t.required_growth == 0 and t.band == "achieved"
    assert t.projected == 100 and t.projected_status is Status.ACHIEVED


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        ("1234.5", 2, "1.234,5"),
        ("52.1739", 2, "52,17"),
        ("100", 2, "100"),
        ("1000.004", 2, "1.000"),
        (None, 2, "—"),
    ],
)
def test_vietnamese_numbers_in_explanations(value, places, text):
    from chitieu.explain import vi_number

    assert vi_number(D(value) if value else None, places) == text


def test_linear_projection_is_held_within_what_the_measure_allows():
    falling = [(2021, D(90)), (2022, D(50)), (2023, D(10))]
    assert linear_projection(falling, 2025) < 0  # the raw line runs below zero
    target = Target("2021-2025", GE, D(100), "100%")
    assert trajectory(target, UP, 2025, falling, ceiling=D(100)).projected == D(0)
    rising = [(2021, D(60)), (2022, D(80)), (2023, D(100))]
    assert trajectory(target, UP, 2025, rising, ceiling=D(100)).projected == D(100)
    assert trajectory(target, UP, 2025, rising).projected == D(140)  # rates have no ceiling
