"""``evaluate_plan``'s ``phase_memo``: the trajectories and baselines worked out once for every
period of an area give exactly what each period evaluated alone gives, and a memo handed other
rows (another area, another date) is never used for them."""

from datetime import date

import pytest

from chitieu import konray
from chitieu.evaluate import evaluate_plan
from chitieu.observation_csv import read_observations_for_plan
from chitieu.periods import parse_period
from chitieu.planfile import read_plan_file
from chitieu.synth import SynthOptions, write_country

PERIODS = ["2021-2025", "2024", "2021", "2022", "2023", "2025", "2024-Q3"]


@pytest.fixture(scope="module")
def country(tmp_path_factory):
    plan, _ = read_plan_file(konray.ANNEX)
    out = tmp_path_factory.mktemp("memo-country")
    write_country(out, plan, SynthOptions(provinces=1, communes_per_district=3, seed=7))
    observations, issues = read_observations_for_plan(plan, out / "observations.csv")
    assert not issues
    return plan, observations


def alone(plan, rows, period, as_of):
    return evaluate_plan(plan, rows, period, as_of=as_of)


@pytest.mark.parametrize("as_of", [date.max, date(2024, 7, 1), date(2026, 1, 1)])
def test_every_period_with_one_memo_equals_each_alone(country, as_of):
    plan, rows = country
    memo: dict = {}
    for period in PERIODS:
        shared = evaluate_plan(plan, rows, period, as_of=as_of, phase_memo=memo)
        expected = alone(plan, rows, period, as_of)
        assert shared.as_dict() == expected.as_dict(), period
        assert shared.issues == expected.issues
    assert any(entry[2] for entry in memo.values())  # the memo was filled and used


def test_a_memo_is_not_used_for_other_rows_or_another_date(country):
    plan, rows = country
    memo: dict = {}
    evaluate_plan(plan, rows, "2024", as_of=date.max, phase_memo=memo)
    # The same indicators with one unit's rows only (another area), and the first rows on an earlier date.
    fewer = [o for o in rows if o.org_unit == rows[0].org_unit]
    for subset, as_of in ((fewer, date.max), (rows, date(2023, 6, 30))):
        got = evaluate_plan(plan, subset, "2023", as_of=as_of, phase_memo=memo)
        assert got.as_dict() == alone(plan, subset, "2023", as_of).as_dict()


# ------------------------------------------------------------------ series_memo across periods

STORED = ["2021-2025", "2024", "2021", "2022", "2023", "2025"]  # as stored verdicts judge them


def _areas(rows):
    """The nation (every commune) and two "districts" (some communes each), as the store judges
    them, on the per-unit indicator's rows; one commune gone at the end of 2022 (its rows and its
    place in the lists of later periods go), one opened in 2024 (none before), as a reorganisation
    leaves them; each with the units expected in a period."""
    per_unit = [o for o in rows if o.indicator == "6.3"]
    communes = sorted({o.org_unit for o in per_unit})
    gone, opened = communes[0], communes[-1]

    def exists(unit, period):
        start, end = parse_period(period).start.year, parse_period(period).end.year
        return (unit != gone or start <= 2022) and (unit != opened or end >= 2024)

    kept = [
        o
        for o in rows
        if o.org_unit not in (gone, opened)
        or (o.org_unit == gone and o.period < "2023")
        or (o.org_unit == opened and o.period >= "2024")
    ]
    groups = {"nation": communes, "first": communes[: len(communes) // 3], "last": communes[-5:]}
    return [
        (name, [o for o in kept if o.indicator != "6.3" or o.org_unit in members], members, exists)
        for name, members in groups.items()
    ]


def test_per_unit_series_shared_across_periods_equal_each_period_alone(country, monkeypatch):
    """One ``series_memo`` for every period and area (the store's, when a name means one commune):
    each result equals the engine's with no memo, and a commune's figure in a quarter (and its part
    of the verdict) is worked out once, not again for the phase and its year."""
    from chitieu.evaluation import engine

    plan, rows = country
    worked: list[tuple[str, str]] = []
    real = engine.unit_series

    def counted(indicator, observations, units, periods, **kwargs):
        worked.extend((u, p.key) for u in units for p in periods)
        return real(indicator, observations, units, periods, **kwargs)

    made: list[str] = []
    real_part = engine._Statuses.part

    def part(self, key, figure):
        made.append(key)
        return real_part(self, key, figure)

    memo: dict = {}
    for order in (STORED, STORED[::-1]):
        memo.clear()
        worked.clear()
        made.clear()
        for period in order:
            for name, subset, members, exists in _areas(rows):
                units = [u for u in members if exists(u, period)]
                monkeypatch.setattr(engine, "unit_series", counted)
                monkeypatch.setattr(engine._Statuses, "part", part)
                shared = evaluate_plan(plan, subset, period, as_of=date.max, units=units, series_memo=memo)
                monkeypatch.setattr(engine, "unit_series", real)
                monkeypatch.setattr(engine._Statuses, "part", real_part)
                expected = evaluate_plan(plan, subset, period, as_of=date.max, units=units)
                assert shared.as_dict() == expected.as_dict(), (order[0], period, name)
                assert shared.issues == expected.issues
        assert worked and len(worked) == len(set(worked)), order[0]  # each commune's quarter once
        # ...and its part in it made once (the year's and the phase's targets are alike).
        assert len(made) == len(worked), order[0]


def test_a_unit_judged_once_per_period_and_target_for_every_area_above_it(country, monkeypatch):
    """With one ``series_memo``, a commune's series, part and standing are judged when the first
    area holding it is (the nation) and the areas above it after that find them in one look-up
    (``engine._units_judged``: no ``_unit_verdict`` asked again per area and commune); each result
    equals the engine's with no memo (as_dict, repr and pickle), every period, areas in two orders."""
    import pickle

    from chitieu.evaluation import engine

    plan, rows = country
    asked: list[str] = []
    real = engine._unit_verdict

    def spied(indicator, series, *args):
        asked.append(series.unit)
        return real(indicator, series, *args)

    for period in STORED:
        for areas in (_areas(rows), _areas(rows)[::-1]):
            memo: dict = {}
            asked.clear()
            expected_asks = set()
            for name, subset, members, exists in areas:
                units = [u for u in members if exists(u, period)]
                monkeypatch.setattr(engine, "_unit_verdict", spied)
                shared = evaluate_plan(plan, subset, period, as_of=date.max, units=units, series_memo=memo)
                monkeypatch.setattr(engine, "_unit_verdict", real)
                expected = evaluate_plan(plan, subset, period, as_of=date.max, units=units)
                assert shared.as_dict() == expected.as_dict(), (period, name)
                assert repr(shared) == repr(expected)
                assert pickle.dumps(shared) == pickle.dumps(expected)
                expected_asks |= set(units)
            assert asked and sorted(asked) == sorted(expected_asks), period  # each unit once
