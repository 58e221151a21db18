"""A worked example for each of the 20 Kon Rẫy indicators, 2024.

The figures are in tests/data/konray-2024.csv (a Vietnamese spreadsheet export:
semicolons, decimal commas, dots grouping thousands, BOM, Vietnamese headers);
every expectation below was computed by hand from them. The same data goes
through the real command line with the real annex, and through the library
with the hand-built plan: both must agree.
"""

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from chitieu.evaluate import Status, evaluate_plan
from chitieu.observation_csv import read_observations_csv
from chitieu.observations import validate_observations
from tests.core.konray import COMMUNES, konray_plan

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "konray-2024.csv"
ANNEX = ROOT / "chitieu" / "data" / "kon-ray-2024-plan-annex.txt"

# indicator: (actual rounded to 2 places, target, comparator, status), all by hand.
EXPECTED = {
    "1.1": (58.33, 60, ">=", "not_achieved"),  # 7 ÷ 12 × 100
    "2.1": (52.17, 50, ">=", "exceeded"),  # 1.200 ÷ 2.300 × 100
    "2.2": (71.74, 30, "<=", "not_achieved"),  # 1.650 ÷ 2.300 × 100, "Giảm": must be at most 30
    "2.3": (
        26.67,
        26.6,
        ">=",
        "exceeded",
    ),  # 8 ÷ 30 × 100 = 26,666… > 26,6 (the 2024 value, not the phase's 27)
    "3.1": (1.8, 1.7, "<=", "not_achieved"),  # 15,5 ÷ 8,6 = 1,802 times
    "3.2a": (80, 80, ">=", "achieved"),  # 12 ÷ 15 × 100 = 80 exactly: "Đạt", not "Vượt"
    "3.2b": (40, 50, ">=", "not_achieved"),  # 4 ÷ 10 × 100
    "3.3": (None, 100, ">=", "no_data"),  # reported "không áp dụng": no victim returned
    "3.4": (100, 70, ">=", "exceeded"),  # 1 ÷ 1 × 100
    "4.1": (115, 100, "<=", "not_achieved"),  # 230 boys ÷ 200 girls × 100
    "4.2": (0, 31.6, "<=", "exceeded"),  # 0 deaths ÷ 640 live births × 100.000
    "4.3": (75, 70, "<=", "not_achieved"),  # Σ 45 births ÷ Σ 600 women 15-19 × 1.000, over 7 communes
    "5.1": (100, 100, ">=", "achieved"),  # 24 ÷ 24 × 100
    "5.2a": (99.17, 100, ">=", "not_achieved"),  # total 239 ÷ 241; girls 118 ÷ 120 = 98,33 miss, boys 100
    "5.2b": (95.5, 95, ">=", "achieved"),  # girls 96 ÷ 100 exceed, boys 95 ÷ 100 achieve → achieved
    "5.3": (30, 30, ">=", "achieved"),  # 45 ÷ 150 × 100
    "6.1": (62.5, 60, ">=", "exceeded"),  # a survey value, no counts
    "6.2": (96.67, 100, ">=", "not_achieved"),  # 58 ÷ 60 × 100
    "6.3": (2, 3, ">=", "not_achieved"),  # Đăk Pne had 2 items in Q3; the 6 other communes ≥ 3 every quarter
    "6.4": (1, 1, ">=", "achieved"),  # every month ≥ 1, the weakest month exactly 1
}


@pytest.fixture(scope="module")
def cli_output():
    done = subprocess.run(
        [sys.executable, "-m", "chitieu", "evaluate", str(ANNEX), str(DATA), "--period", "2024", "--json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def evaluation():
    observations, issues = read_observations_csv(DATA)
    plan = konray_plan()
    assert issues == [] and validate_observations(plan, observations) == []
    return evaluate_plan(plan, observations, "2024", as_of=date(2024, 12, 31))


def test_the_cli_with_the_real_annex_gives_the_hand_computed_verdicts(cli_output):
    got = {
        r["indicator"]: (r["actual"], r["target"], r["comparator"], r["status"])
        for r in cli_output["results"]
    }
    assert got == EXPECTED
    assert cli_output["summary"] == {
        "exceeded": 5,
        "achieved": 5,
        "not_achieved": 9,
        "no_data": 1,
        "not_arisen": 0,
    }


@pytest.mark.parametrize("code", list(EXPECTED))
def test_the_library_agrees_with_the_hand_computation(evaluation, code):
    result = evaluation.result(code)
    actual, target, comparator, status = EXPECTED[code]
    assert (float(round(result.actual, 2)) if result.actual is not None else None) == actual
    assert (float(result.target.value), result.comparator.value, result.status.value) == (
        target,
        comparator,
        status,
    )


def test_inputs_behind_the_verdicts(evaluation):
    r = evaluation.result("4.3")
    assert (r.numerator, r.denominator, r.rule) == (D(45), D(600), "ratio_of_sums")
    assert len(r.sources) == 7 and "45 / 600 × 1.000" in r.explanation
    assert evaluation.result("3.3").state.value == "not_applicable"
    assert evaluation.result("4.2").achievement is None  # no finite % for zero deaths under a ceiling
    assert round(evaluation.result("1.1").achievement, 2) == D("97.22")  # 58,33 ÷ 60
    assert round(evaluation.result("2.2").achievement, 2) == D("41.82")  # 30 ÷ 71,74
    assert round(evaluation.result("3.1").achievement, 2) == D("94.32")  # 1,7 ÷ 1,802


def test_both_sexes_must_meet(evaluation):
    a = evaluation.result("5.2a")
    assert [(p.key, round(p.actual, 2), p.status) for p in a.by_sex] == [
        ("F", D("98.33"), Status.NOT_ACHIEVED),
        ("M", D(100), Status.ACHIEVED),
    ]
    b = evaluation.result("5.2b")
    assert [p.status for p in b.by_sex] == [Status.EXCEEDED, Status.ACHIEVED] and b.status is Status.ACHIEVED


def test_news_items_per_commune_and_quarter(evaluation):
    r = evaluation.result("6.3")
    assert r.units_missing_target == ("Đăk Pne",) and r.units_without_data == ()
    assert set(r.units_meeting) == set(COMMUNES) - {"Đăk Pne"}
    assert round(r.units_meeting_share, 2) == D("85.71")  # 6 ÷ 7
    pne = next(u for u in r.units if u.key == "Đăk Pne")
    assert [(p.key, p.actual, p.status) for p in pne.parts if p.status is Status.NOT_ACHIEVED] == [
        ("2024-Q3", D(2), Status.NOT_ACHIEVED)
    ]
    assert "Đăk Pne" in r.explanation


def test_monthly_column(evaluation):
    r = evaluation.result("6.4")
    assert len(r.sub_periods) == 12 and r.numerator == 14  # 10 months × 1 + 2 months × 2


def test_baseline_progress_and_trajectory_of_2_1(evaluation):
    r = evaluation.result("2.1")
    assert r.baseline.period == "2020" and r.baseline.value == 45  # 900 ÷ 2.000
    assert round(r.progress, 4) == D("1.4348")  # (52,17 − 45) ÷ (50 − 45)
    t = r.trajectory
    assert [y for y, _ in t.points] == [2020, 2022, 2024]
    assert round(t.projected, 2) == D("53.64")  # least squares through the three years, read at 2025
    assert round(t.observed_growth, 4) == D("0.0377")  # (52,17 ÷ 45)^(1/4) − 1
    assert round(t.required_growth, 4) == D("0.0213")  # (50 ÷ 45)^(1/5) − 1
    # 52,17 already meets the phase's 50 and the line keeps it there (53,64 in 2025): on track;
    # the growth ratio (1,77) is not used once the target is reached (issue 12.1).
    assert t.ratio is None and t.band == "achieved" and t.projected_status.value == "exceeded"


def test_the_human_table_lists_all_twenty(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "chitieu", "evaluate", str(ANNEX), str(DATA), "--period", "2024"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0
    assert all(f"\n{code}:" in done.stdout for code in EXPECTED)
    assert "Vượt chỉ tiêu: 5, Đạt: 5, Không đạt: 9, Chưa có số liệu: 1" in done.stdout


def test_explanations_warn_about_small_numbers_and_doubtful_rows(evaluation):
    # 4.1: n = 430 births, p = 230 ÷ 430; margin 1,96 × 100 × √(p(1−p)/n) ÷ (1−p)² ≈ 21,8 by hand.
    assert "±21,8" in evaluation.result("4.1").explanation
    assert "xem lại" in evaluation.result("4.1").explanation and evaluation.result("4.1").needs_review
    # 4.2: one death among 640 births is 100.000 ÷ 640 = 156,25 per 100.000, five times the target.
    assert "156,25" in evaluation.result("4.2").explanation
    # 4.3: one birth among 600 girls moves the rate by 1,67 per 1.000, under 5 % of 70: no warning.
    assert "Mẫu số nhỏ" not in evaluation.result("4.3").explanation


def test_a_half_year_is_measured_against_its_years_targets():
    observations, _ = read_observations_csv(DATA)
    result = evaluate_plan(konray_plan(), observations, "2024-H1", as_of=date(2024, 6, 30)).result("6.4")
    assert (
        result.target.period == "2024" and len(result.sub_periods) == 6 and result.status is Status.ACHIEVED
    )
    assert "không có chỉ tiêu riêng" in result.explanation
    assert result.as_dict()["target_period"] == "2024"
