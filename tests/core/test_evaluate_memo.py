"""``evaluate_plan``'s ``phase_memo``: the trajectories and baselines worked out once for every
period of an area give exactly what each period evaluated alone gives, and a memo handed other
rows (another area, another date) is never used for them."""

from datetime import date

import pytest

from chitieu import konray
from chitieu.evaluate import evaluate_plan
from chitieu.observation_csv import read_observations_for_plan
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
