"""Issues 12 (items 1–2) and 19, hand-computed, through ``chitieu evaluate --json`` on the real annex.

Each case writes the arithmetic next to the figures. Every one of them gave another answer
before the aggregation kinds, the coverage and the flags (see the comment on each).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from chitieu import konray
from chitieu.evaluate import evaluate_plan
from chitieu.explain import provisional_note
from chitieu.importer import read_plan

ROOT = Path(__file__).resolve().parents[2]
ANNEX = ROOT / "chitieu" / "data" / "kon-ray-2024-plan-annex.txt"
COMMUNES = ("Đăk Rve", "Đăk Kôi", "Đăk Pne", "Đăk Ruồng", "Đăk Tơ Lung", "Đăk Tờ Re", "Tân Lập")
HEADER = "indicator,period,org_unit,sex,numerator,denominator,value,note"


def evaluate(tmp_path, rows: list[str], period: str = "2024", *extra: str) -> dict:
    data = tmp_path / "data.csv"
    data.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "chitieu",
            "evaluate",
            str(ANNEX),
            str(data),
            "--period",
            period,
            "--json",
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def result(out: dict, code: str) -> dict:
    return next(r for r in out["results"] if r["indicator"] == code)


def issue_codes(out: dict) -> list[str]:
    return [i["code"] for i in out["issues"]]


# ------------------------------------------------------------ 19.1 mixed periods


def test_a_yearly_commune_and_a_quarterly_one_both_count(tmp_path):
    rows = ["3.2a,2024,Đăk Kôi,,6,10,,"] + [f"3.2a,2024-Q{q},Tân Lập,,0,4,," for q in range(1, 5)]
    r = result(evaluate(tmp_path, rows), "3.2a")
    # (6 + 0 + 0 + 0 + 0) ÷ (10 + 4 + 4 + 4 + 4) = 6 ÷ 26 = 23,08 % (before: 6 ÷ 10 = 60 %)
    assert (r["numerator"], r["denominator"], r["actual"]) == (6, 26, 23.08)
    assert r["status"] == "not_achieved" and r["aggregation"] == "flow"
    assert r["coverage"] == {"expected": 4, "received": 4, "missing": []} and r["complete"]


def test_a_half_year_and_two_quarters_make_the_year(tmp_path):
    rows = ["3.2a,2024-H1,,,4,10,,", "3.2a,2024-Q3,,,3,5,,", "3.2a,2024-Q4,,,2,5,,"]
    r = result(evaluate(tmp_path, rows), "3.2a")
    # (4 + 3 + 2) ÷ (10 + 5 + 5) = 9 ÷ 20 = 45 % (before: H1 alone, 4 ÷ 10 = 40 %)
    assert (r["numerator"], r["denominator"], r["actual"]) == (9, 20, 45)
    assert r["complete"] is True


def test_a_row_shadowed_by_a_coarser_one_comes_back_with_its_line(tmp_path):
    rows = ["3.2a,2024,Đăk Kôi,,6,10,,", "3.2a,2024-Q1,Đăk Kôi,,1,2,,"]
    out = evaluate(tmp_path, rows)
    # Đăk Kôi's year counts (6 ÷ 10); its Q1 would count twice: line 3 is named, not dropped.
    assert result(out, "3.2a")["actual"] == 60
    shadowed = [i for i in out["issues"] if i["code"] == "shadowed"]
    assert len(shadowed) == 1 and "line 3" in shadowed[0]["where"]


# ------------------------------------------------------------ 19.2 stock, running total, rate


def test_a_stock_given_by_quarters_is_its_latest_quarter(tmp_path):
    rows = [f"1.1,2024-Q{q},,,{n},10,," for q, n in zip(range(1, 5), (6, 6, 5, 7), strict=True)]
    r = result(evaluate(tmp_path, rows), "1.1")
    # agencies with a woman key leader at the end of 2024: Q4 = 7 ÷ 10 = 70 % (before: 24 ÷ 40 = 60 %)
    assert (r["numerator"], r["denominator"], r["actual"]) == (7, 10, 70)
    assert r["aggregation"] == "stock" and r["status"] == "exceeded"


def test_a_running_total_is_its_latest_value(tmp_path):
    rows = [f"6.1,2024-Q{q},,,{n},1000,," for q, n in zip(range(1, 5), (100, 250, 400, 650), strict=True)]
    r = result(evaluate(tmp_path, rows), "6.1")
    # people reached so far: 650 ÷ 1.000 = 65 % (before: 1.400 ÷ 4.000 = 35 %)
    assert r["actual"] == 65 and r["aggregation"] == "running_total" and r["status"] == "exceeded"


def test_a_rate_over_a_population_sums_events_not_the_population(tmp_path):
    rows = [f"4.3,2024-Q{q},,,{n},800,," for q, n in zip(range(1, 5), (10, 12, 8, 10), strict=True)]
    r = result(evaluate(tmp_path, rows), "4.3")
    # births to women 15–19: 10 + 12 + 8 + 10 = 40 over 800 women: 40 ÷ 800 × 1.000 = 50 ‰
    # (before: 40 ÷ 3.200 × 1.000 = 12,5 ‰)
    assert (r["numerator"], r["denominator"], r["actual"]) == (40, 800, 50)
    assert r["aggregation"] == "rate" and r["status"] == "exceeded"  # ≤ 70 in 2024


# ------------------------------------------------------------ 12.2 coverage


def test_two_quarters_of_a_flow_are_a_provisional_year(tmp_path):
    rows = ["3.2a,2024-Q1,Đăk Kôi,,2,2,,", "3.2a,2024-Q2,Đăk Kôi,,3,3,,"]
    r = result(evaluate(tmp_path, rows), "3.2a")
    # 5 ÷ 5 = 100 % from Q1 and Q2 only: the year needs four quarters.
    assert r["actual"] == 100 and r["status"] == "exceeded"
    assert r["coverage"] == {"expected": 4, "received": 2, "missing": ["2024-Q3", "2024-Q4"]}
    assert r["complete"] is False and r["provisional"] is True
    assert "Tạm tính — thiếu số liệu Quý 3/2024, Quý 4/2024" in r["explanation"]


def test_a_yearly_row_is_complete(tmp_path):
    r = result(evaluate(tmp_path, ["2.1,2024,,,60,100,,"]), "2.1")
    assert r["coverage"] == {"expected": 1, "received": 1, "missing": []} and r["complete"] is True
    assert r["provisional"] is False
    none = result(evaluate(tmp_path, ["2.1,2024,,,60,100,,"]), "2.2")
    assert none["coverage"] == {"expected": 1, "received": 0, "missing": ["2024"]} and not none["complete"]


def test_a_monthly_count_before_the_year_ends_is_provisional(tmp_path):
    rows = [f"6.4,2024-{m:02d},,,,,1," for m in range(1, 7)]
    out = evaluate(tmp_path, rows, "2024", "--as-of", "2024-07-10")
    r = result(out, "6.4")
    # six months of twelve: every month so far has its column, the year is not over
    assert r["status"] == "achieved" and r["coverage"]["expected"] == 12 and r["coverage"]["received"] == 6
    assert r["coverage"]["missing"][0] == "2024-07" and r["complete"] is False


# ------------------------------------------------------------ 19.3 per-unit thresholds


def _news(units, quarters=range(1, 5), value=3):
    return [f"6.3,2024-Q{q},{u},,,,{value}," for u in units for q in quarters]


def test_a_silent_commune_is_not_counted_as_meeting(tmp_path):
    units = tmp_path / "units.txt"
    units.write_text("\n".join(COMMUNES) + "\n", encoding="utf-8")
    out = evaluate(tmp_path, _news(COMMUNES[:6]), "2024", "--units-file", str(units))
    r = result(out, "6.3")
    # 6 of 7 communes reported 3 news items every quarter, Tân Lập nothing: 6 ÷ 7 = 85,71 %
    # (before: the list came from the data, 6 ÷ 6 = 100 %, "achieved")
    assert r["status"] == "no_data" and r["units_without_data"] == ["Tân Lập"]
    assert r["units_meeting_percent"] == 85.71
    assert r["coverage"]["expected"] == 28 and r["coverage"]["received"] == 24
    assert "Tân Lập: 2024-Q1" in r["coverage"]["missing"]


def test_without_a_units_list_the_verdict_is_provisional(tmp_path):
    r = result(evaluate(tmp_path, _news(COMMUNES[:6])), "6.3")
    assert r["status"] == "achieved" and r["provisional"] is True
    assert [f["code"] for f in r["flags"]] == ["units_from_data"]


def test_a_district_total_says_nothing_about_each_commune(tmp_path):
    out = evaluate(tmp_path, [f"6.3,2024-Q{q},,,,,25," for q in range(1, 5)])
    # 25 items a quarter for the district (before: "exceeded")
    assert result(out, "6.3")["status"] == "no_data"
    assert issue_codes(out).count("not_per_unit") == 4


def test_a_commune_answering_not_applicable_is_shown_apart(tmp_path):
    units = ",".join(COMMUNES)
    rows = _news(COMMUNES[:6]) + [f"6.3,2024-Q{q},Tân Lập,,,,không áp dụng," for q in range(1, 5)]
    r = result(evaluate(tmp_path, rows, "2024", "--units", units), "6.3")
    # 6 of the 6 communes it applies to: 100 %; Tân Lập neither meets nor fails
    assert r["status"] == "achieved" and r["units_meeting_percent"] == 100
    assert r["units_not_applicable"] == ["Tân Lập"] and "Tân Lập" not in r["units_meeting"]


# ------------------------------------------------------------ 19.4 sex ratio plausibility


def test_a_sex_ratio_below_the_natural_level_is_never_exceeded(tmp_path):
    r = result(evaluate(tmp_path, ["4.1,2024,,,490,500,,"]), "4.1")
    # 490 boys ÷ 500 girls × 100 = 98 < 100 target, but under 102: implausible, not "Vượt"
    assert r["actual"] == 98 and r["status"] == "achieved" and r["needs_review"] is True
    implausible = next(f for f in r["flags"] if f["code"] == "implausible")
    assert implausible["band"] == {"low": 102, "high": 130} and r["provisional"] is True


def test_few_births_make_the_sex_ratio_provisional(tmp_path):
    r = result(evaluate(tmp_path, ["4.1,2024,,,52,50,,"]), "4.1")
    # 52 ÷ 50 × 100 = 104 within the band; 102 births: margin ≈ ±39 ≫ 2 % of 100
    assert r["actual"] == 104 and "small_numbers" in [f["code"] for f in r["flags"]] and r["provisional"]


# ------------------------------------------------------------ 19.5 F rows of a share of women


def test_an_f_row_of_women_directors_is_the_indicator(tmp_path):
    out = evaluate(tmp_path, ["2.3,2024,,F,8,30,,", "2.3,2024,,M,22,30,,"])
    r = result(out, "2.3")
    # women directors: 8 ÷ 30 = 26,67 % ≥ 26,6 (before: no data, the F row dropped)
    assert r["actual"] == 26.67 and r["status"] == "exceeded"
    assert issue_codes(out).count("wrong_sex") == 1


# ------------------------------------------------------------ 19.6 progress


def test_no_progress_share_after_a_met_baseline_worsened(tmp_path):
    r = result(evaluate(tmp_path, ["1.1,2020,,,7,10,,", "1.1,2024,,,65,100,,"]), "1.1")
    # baseline 70 % already met ≥ 60; 65 % is a move the wrong way.
    # before: (65 − 70) ÷ (60 − 70) = 0,5 "đã thực hiện 50 % mức thay đổi cần có"
    assert r["baseline"] == {"period": "2020", "value": 70} and r["progress"] is None
    assert "mức thay đổi cần có" not in r["explanation"]


# ------------------------------------------------------------ 19.7 one rounding rule


def test_the_figure_shown_agrees_with_the_verdict(tmp_path):
    r = result(evaluate(tmp_path, ["1.1,2024,,,11999,20000,,"]), "1.1")
    # 11.999 ÷ 20.000 × 100 = 59,995 < 60: shown 59,995, never 60 next to "Không đạt"
    assert r["status"] == "not_achieved" and r["actual"] == 59.995
    assert "thực hiện 59,995" in r["explanation"]


@pytest.mark.parametrize(("num", "shown"), [(52125, 52.13), (52135, 52.14)])
def test_half_up_in_json_as_in_words(tmp_path, num, shown):
    r = result(evaluate(tmp_path, [f"2.1,2024,,,{num},100000,,"]), "2.1")
    # 52,125 and 52,135: half up both (half-to-even gave 52,12 and 52,14)
    assert r["actual"] == shown


# ------------------------------------------------------------ 19.8 data quality flags


def test_girls_and_boys_that_do_not_add_up_to_the_total(tmp_path):
    rows = ["5.2a,2024,,,90,100,,", "5.2a,2024,,F,40,50,,", "5.2a,2024,,M,45,50,,"]
    out = evaluate(tmp_path, rows)
    # 40 + 45 = 85 ≠ 90 completers
    assert "inconsistent_by_sex" in issue_codes(out)


def test_a_monthly_count_given_by_quarter_comes_back(tmp_path):
    out = evaluate(tmp_path, ["6.4,2024-Q1,,,,,3,"])
    wrong = [i for i in out["issues"] if i["code"] == "wrong_frequency"]
    assert len(wrong) == 1 and "line 2" in wrong[0]["where"]


def test_one_maternal_death_is_small_numbers(tmp_path):
    r = result(evaluate(tmp_path, ["4.2,2024,,,1,640,,"]), "4.2")
    # 1 ÷ 640 × 100.000 = 156,25 per 100.000: one death moves it by 156,25
    small = next(f for f in r["flags"] if f["code"] == "small_numbers")
    assert "156,25" in small["message"] and r["actual"] == 156.25


# ------------------------------------------------------------ 19.9 không phát sinh


def test_no_victim_returned_is_not_arisen(tmp_path):
    out = evaluate(tmp_path, ["3.3,2024,,,,,không phát sinh,"])
    r = result(out, "3.3")
    assert r["status"] == "not_arisen" and r["status_label"] == "Không phát sinh"
    assert out["summary"]["not_arisen"] == 1 and out["summary"]["no_data"] == 19


# ------------------------------------------------------------ 4.2 pooled phase


def test_a_rare_event_rate_pools_the_phase(tmp_path):
    rows = ["4.2,2021,,,1,700,,", "4.2,2022,,,0,650,,", "4.2,2023,,,0,640,,", "4.2,2024,,,1,700,,"]
    r = result(evaluate(tmp_path, rows, "2021-2025"), "4.2")
    # (1 + 0 + 0 + 1) ÷ (700 + 650 + 640 + 700) × 100.000 = 2 ÷ 2.690 × 100.000 = 74,35
    # (before: 2024 alone, 1 ÷ 700 × 100.000 = 142,86)
    assert (r["numerator"], r["denominator"], r["actual"]) == (2, 2690, 74.35)
    assert "gộp các năm 2021–2024" in r["rule"]
    # a phase judged before its last year is provisional
    assert r["coverage"]["missing"] == ["2025"] and r["complete"] is False


def test_no_figure_is_no_verdict_and_so_not_provisional():
    # was: "Chưa có số liệu" next to "tạm tính — thiếu số liệu năm 2024" on the dashboard
    plan = read_plan(konray.ANNEX).plan
    evaluation = evaluate_plan(plan, [], "2024", as_of=date(2024, 12, 31))
    assert {r.status.value for r in evaluation.results} == {"no_data"}
    assert not any(r.provisional for r in evaluation.results)
    assert all(provisional_note(r) == "" for r in evaluation.results)
