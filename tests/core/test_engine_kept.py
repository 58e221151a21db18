"""What the engine keeps between calls to spare work (session 16: its per-evaluation cost) gives
exactly what it would work out again: for another indicator or plan asked after the first, for
another trajectory, for the same number at another precision; and the results, parts and figures
it makes without their dataclasses' constructors are the constructors' own (equal, same repr,
same pickle)."""

import pickle
from dataclasses import fields
from datetime import date
from decimal import Decimal as D

from chitieu.evaluate import IndicatorResult, Status, evaluate_indicator
from chitieu.evaluation import engine
from chitieu.evaluation.results import PartResult, copied, new_part
from chitieu.evaluation.trajectory import trajectory
from chitieu.explain import explain_trajectory, vi_number
from chitieu.observations import Observation
from chitieu.periods import parse_period
from chitieu.plan import Comparator, Direction, Indicator, Measure, Target
from chitieu.rollup import Figure, FigureState, _figure

AS_OF = date(2026, 1, 1)


def _share(year_target: str, *, code: str = "2.1", phase_target: str = "60") -> Indicator:
    return Indicator(
        code=code,
        name="t",
        measure=Measure.PERCENT,
        direction=Direction.INCREASE,
        targets=(
            Target("2021-2025", Comparator.GE, D(phase_target), ""),
            Target("2024", Comparator.GE, D(year_target), ""),
        ),
        lead_units=("x",),
    )


def _rows(code: str = "2.1") -> list[Observation]:
    return [Observation(code, "2024-Q1", "", None, D(26), D(50), source="line 2")]


def test_a_second_indicator_of_the_same_code_is_judged_on_its_own_targets():
    # The applicable target is kept per indicator (by identity) and period: a quarter takes its
    # year's target. Another plan's indicator of the same code, asked after, has its own.
    first, second = _share("50"), _share("55")
    for indicator, target, status in ((first, D(50), Status.EXCEEDED), (second, D(55), Status.NOT_ACHIEVED)):
        for _ in range(2):  # worked out, then kept
            result = evaluate_indicator(indicator, _rows(), "2024-Q1", as_of=AS_OF)
            assert result.target is not None and result.target.value == target
            assert result.status is status
    # An equal indicator (another object of the same value) gives the same answer.
    assert evaluate_indicator(_share("50"), _rows(), "2024-Q1", as_of=AS_OF) == evaluate_indicator(
        first, _rows(), "2024-Q1", as_of=AS_OF
    )
    # A period no target covers: none, kept as none.
    assert engine.applicable_target(first, parse_period("2026")) is None
    assert engine.applicable_target(first, parse_period("2026")) is None


def test_each_trajectory_is_worded_as_itself():
    target = Target("2021-2025", Comparator.GE, D(60), "")
    rising = trajectory(target, Direction.INCREASE, 2025, [(2021, D(40)), (2023, D(50))])
    falling = trajectory(target, Direction.INCREASE, 2025, [(2021, D(50)), (2023, D(40))])
    words = explain_trajectory(rising)
    assert explain_trajectory(rising) == words  # kept
    assert explain_trajectory(falling) != words
    # An equal trajectory made again (another object) is worded the same.
    again = trajectory(target, Direction.INCREASE, 2025, [(2021, D(40)), (2023, D(50))])
    assert again is not rising and explain_trajectory(again) == words


def test_a_number_kept_in_words_is_kept_per_precision():
    assert vi_number(D("1234.5678"), 2) == "1.234,57"
    assert vi_number(D("1234.5678"), 4) == "1.234,5678"  # not the words kept for 2 places
    assert vi_number(D("1234.50")) == vi_number(D("1234.5")) == "1.234,5"  # equal values, same words
    assert vi_number(D("-0.001")) == "0"
    assert vi_number(None) == "—"


def test_results_parts_and_figures_made_without_their_constructors_are_the_constructors():
    values = {
        "indicator": "2.1",
        "period": "2024",
        "status": Status.ACHIEVED,
        "actual": D("52.0"),
        "numerator": D(26),
        "denominator": D(50),
        "state": FigureState.VALUE,
        "rule": "single",
        "sources": ("line 2",),
    }
    made, built = copied(engine._NO_RESULT, **values), IndicatorResult(**values)
    assert made == built and repr(made) == repr(built)
    assert pickle.dumps(made, protocol=5) == pickle.dumps(built, protocol=5)
    assert list(vars(made)) == [f.name for f in fields(IndicatorResult)]

    part_values = ("F", Status.EXCEEDED, D("1.5"), D(3), D(2), FigureState.VALUE)
    part, constructed = new_part(*part_values), PartResult(*part_values)
    assert part == constructed and repr(part) == repr(constructed) and hash(part) == hash(constructed)
    assert pickle.dumps(part, protocol=5) == pickle.dumps(constructed, protocol=5)

    figure_values = (FigureState.VALUE, D(52), D(26), D(50), ("line 2",), "single", "")
    figure, constructed_figure = _figure(*figure_values), Figure(*figure_values)
    assert figure == constructed_figure and repr(figure) == repr(constructed_figure)
    assert pickle.dumps(figure, protocol=5) == pickle.dumps(constructed_figure, protocol=5)
