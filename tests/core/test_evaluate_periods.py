"""Evaluating other periods than a year: the phase, a quarter, a year still running."""

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal as D
from pathlib import Path

from chitieu.completeness import completeness, expected_reports
from chitieu.evaluate import Status, evaluate_indicator, evaluate_plan
from chitieu.observations import Observation
from tests.core.konray import COMMUNES, konray_plan

PLAN = konray_plan()
ROOT = Path(__file__).resolve().parents[2]


def obs(code, period, num=None, den=None, value=None, unit=""):
    def d(x):
        return None if x is None else D(str(x))

    return Observation(code, period, unit, None, d(num), d(den), d(value), source=f"{code} {period} {unit}")


def test_phase_takes_the_latest_year_against_the_phase_target():
    rows = [obs("2.3", "2022", 5, 25), obs("2.3", "2024", 8, 30)]
    result = evaluate_indicator(PLAN.indicator("2.3"), rows, "2021-2025", as_of=date(2025, 12, 31))
    # 26,67 % beats the 2024 value (26,6) but not the phase's 27.
    assert result.target.value == 27 and result.status is Status.NOT_ACHIEVED
    assert "2024" in result.rule and result.sources == ("2.3 2024 ",)


def test_a_year_without_its_own_row_is_the_ratio_of_sums_of_its_quarters():
    rows = [obs("3.2a", f"2024-Q{q}", n, d) for q, (n, d) in enumerate([(3, 4), (1, 4), (4, 4), (4, 8)], 1)]
    result = evaluate_indicator(PLAN.indicator("3.2a"), rows, "2024", as_of=date(2024, 12, 31))
    assert (result.numerator, result.denominator, result.actual) == (12, 20, 60)


def test_a_quarter_reported_whole_and_by_month_is_counted_once():
    rows = [obs("6.3", "2024-Q1", value=3, unit="Tân Lập")]
    rows += [obs("6.3", f"2024-{m:02d}", value=1, unit="Tân Lập") for m in (1, 2, 3)]
    result = evaluate_indicator(PLAN.indicator("6.3"), rows, "2024-Q1", as_of=date(2024, 3, 31))
    assert result.actual == 3 and result.status is Status.ACHIEVED


def test_a_quarter_of_the_news_indicator():
    rows = [obs("6.3", "2024-Q3", value=3 if c != "Tân Lập" else 1, unit=c) for c in COMMUNES]
    result = evaluate_indicator(PLAN.indicator("6.3"), rows, "2024-Q3", as_of=date(2024, 9, 30))
    # "03 tin, bài/quý" in the 2024 column is the target of each quarter of 2024.
    assert result.target.period == "2024" and result.target.value == 3
    assert result.units_missing_target == ("Tân Lập",) and result.status is Status.NOT_ACHIEVED


def test_a_quarter_of_a_share_is_measured_against_its_year():
    result = evaluate_indicator(
        PLAN.indicator("2.3"), [obs("2.3", "2024-Q2", 3, 10)], "2024-Q2", as_of=date(2024, 6, 30)
    )
    assert (result.target.period, result.target.value, result.status) == ("2024", D("26.6"), Status.EXCEEDED)


def test_what_was_known_on_as_of():
    rows = [obs("6.4", f"2024-{m:02d}", value=1) for m in range(1, 13)]
    rows.append(obs("3.2a", "2024-Q4", 1, 2))
    mid_year = evaluate_plan(PLAN, rows, "2024", as_of=date(2024, 6, 30))
    assert len(mid_year.result("6.4").sub_periods) == 6
    assert mid_year.result("3.2a").status is Status.NO_DATA  # Q4 had not ended


def test_completeness_counts_a_rolled_up_figure_as_received():
    rows = [obs("4.3", "2024", 3, 50, unit=c) for c in COMMUNES]
    c = completeness(expected_reports(PLAN, "2024"), rows)
    assert c.by_indicator["4.3"].received == 1 and c.by_indicator["2.1"].received == 0


def test_cli_phase_and_units(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text(
        "indicator,period,org_unit,value\n" + "".join(f"6.3,2024-Q{q},Đăk Kôi,3\n" for q in (1, 2, 3, 4)),
        encoding="utf-8",
    )
    annex = ROOT / "chitieu" / "data" / "kon-ray-2024-plan-annex.txt"
    args = ["evaluate", str(annex), str(data), "--period", "2024", "--json", "--units", "Đăk Kôi, Tân Lập"]
    done = subprocess.run(
        [sys.executable, "-m", "chitieu", *args],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    r = next(r for r in out["results"] if r["indicator"] == "6.3")
    assert r["units_meeting"] == ["Đăk Kôi"] and r["units_without_data"] == ["Tân Lập"]
    assert out["completeness"]["by_unit"]["Tân Lập"] == {"expected": 4, "received": 0, "percent": 0}


def test_units_are_listed_but_not_judged_without_a_target():
    from chitieu.plan import Comparator, CountPeriod, Direction, Indicator, Measure, Target

    ind = Indicator(
        "6.3",
        "t",
        Measure.COUNT,
        Direction.INCREASE,
        (Target("2025", Comparator.GE, D(3), ""),),
        ("u",),
        per_period=CountPeriod.QUARTER,
        per_unit=True,
    )
    rows = [obs("6.3", f"2024-Q{q}", value=1, unit="A") for q in (1, 2, 3, 4)]
    result = evaluate_indicator(ind, rows, "2024", as_of=date(2024, 12, 31))
    assert result.status is Status.NO_DATA and result.units_missing_target == () and len(result.units) == 1


def test_an_explanation_names_ten_units_and_counts_the_rest():
    # 126,000 units once made a 1.7 MB explanation line: ten names, then how many more.
    units = [f"Xã {i:03d}" for i in range(25)]
    rows = [obs("6.3", "2024-Q3", value=1, unit=u) for u in units]
    result = evaluate_indicator(PLAN.indicator("6.3"), rows, "2024-Q3", as_of=date(2024, 9, 30))
    assert len(result.units_missing_target) == 25  # the full list stays in the result (and --json)
    assert "không đạt: " + ", ".join(units[:10]) + " và 15 đơn vị khác;" in result.explanation
    assert "Xã 010" not in result.explanation
