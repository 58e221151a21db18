"""The one figure rule (chitieu.figures) and the command line's doors to it (issues 12.5, 13, 18.1, 18.6)."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Context, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chitieu.figures import INTEGER_DIGITS, FigureRefused, FigureRule, Problem, check_target
from chitieu.observation_csv import parse_number, read_observations_for_plan
from chitieu.plan import Measure, plan_as_dict
from tests.core.konray import konray_plan

D = Decimal
PERCENT, COUNT = FigureRule.of(Measure.PERCENT), FigureRule.of(Measure.COUNT)
RATE = FigureRule.of(Measure.RATE, 100000)


@pytest.mark.parametrize(
    ("rule", "figure", "code"),
    [
        (COUNT, (None, None, D("45.5")), Problem.NOT_WHOLE),
        (COUNT, (D("3.5"), None, None), Problem.NOT_WHOLE),
        (PERCENT, (D("999999999999999"), D(1), None), Problem.TOO_LARGE),
        (PERCENT, (D("1e309"), D(1), None), Problem.TOO_LARGE),
        (PERCENT, (D("NaN"), D(1), None), Problem.NOT_FINITE),
        (PERCENT, (None, None, D("Infinity")), Problem.NOT_FINITE),
        (PERCENT, (D("1.0000001"), D(3), None), Problem.TOO_PRECISE),
        (PERCENT, (D(-1), D(3), None), Problem.NEGATIVE),
        (PERCENT, (D(7), D(5), None), Problem.NUMERATOR_ABOVE_DENOMINATOR),
        (PERCENT, (None, None, D(140)), Problem.SHARE_ABOVE_100),
        (PERCENT, (D(1), D(0), None), Problem.ZERO_DENOMINATOR),
        (PERCENT, (D(1), None, None), Problem.MISSING_DENOMINATOR),
        (PERCENT, (None, D(3), None), Problem.MISSING_NUMERATOR),
        (RATE, (D("99999999999999"), D("0.000001"), None), Problem.TOO_LARGE),  # the computed value
    ],
)
def test_the_rule_refuses_with_a_code(rule, figure, code):
    issue = rule.check(*figure)
    assert issue is not None and issue.code is code
    with pytest.raises(FigureRefused):
        rule.accept(*figure)
    assert issue.message()  # a Vietnamese sentence for the command line


def test_the_limit_is_in_the_message():
    issue = PERCENT.check(D("999999999999999"), D(1), None)
    assert issue.message() == (
        "Tử số quá lớn: 999999999999999 (tối đa 14 chữ số trước dấu phẩy, tức nhỏ hơn 100.000.000.000.000)"
    )
    assert COUNT.check(None, None, D("45.5")).message() == "Số đếm phải là số nguyên: 45,5"


def test_one_formula_one_rounding():
    assert PERCENT.accept(D(2), D(3), None) == D("66.666667")  # half up, six decimals
    assert FigureRule.of(Measure.PERCENT).accept(D(1), D(3), None) * 3 == D("99.999999")
    assert FigureRule.of(Measure.RATIO, 300).accept(D(1), D(3), None) == D(100)  # multiplied first: exact
    assert COUNT.accept(D(4), None, D(4)) == D(4)
    assert COUNT.accept(None, None, None) is None  # nothing given: missing, not refused


@given(
    st.decimals(min_value=0, max_value=10**INTEGER_DIGITS - 1, places=6, allow_nan=False),
    st.decimals(min_value=D("0.000001"), max_value=10**INTEGER_DIGITS - 1, places=6, allow_nan=False),
)
def test_what_the_rule_accepts_fits_the_columns(num, den):
    """Every value the rule lets through fits numeric(24, 6); every part numeric(20, 6)."""
    for rule in (PERCENT, RATE, FigureRule.of(Measure.TIMES)):
        try:
            value = rule.accept(num, den, None)
        except FigureRefused:
            continue
        assert value is not None and len(value.as_tuple().digits) <= 24 and value.as_tuple().exponent >= -6


def test_targets_have_the_same_limits():
    assert check_target(D("999999999999999")).code is Problem.TOO_LARGE
    assert check_target(D("Infinity")).code is Problem.NOT_FINITE
    assert check_target(D("31.6")) is None


@pytest.mark.parametrize(
    ("text", "words"),
    [("1.2.3", "3 chữ số"), ("12,345", "hai cách hiểu"), ("١٢٣", "0–9"), ("１２３", "0–9")],
)
def test_the_csv_reader_refuses_ambiguous_numbers_with_the_reading_explained(text, words):
    with pytest.raises(ValueError) as caught:
        parse_number(text)
    assert words in caught.value.reason


# ------------------------------------------------------------------ the command line


@pytest.fixture
def plan_file(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan_as_dict(konray_plan()), ensure_ascii=False), encoding="utf-8")
    return path


def chitieu(*args):
    return subprocess.run([sys.executable, "-m", "chitieu", *map(str, args)], capture_output=True, text=True)


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("6.3;2024;;;45.5", "Số đếm phải là số nguyên: 45,5"),
        ("6.3;2024;;;45,5", "Số đếm phải là số nguyên: 45,5"),
        ("2.1;2024;999999999999999;1;", "tối đa 14 chữ số"),
        ("2.1;2024;1.2.3;5;", "3 chữ số"),
        ("2.1;2024;4;;", "thiếu mẫu số"),
    ],
)
def test_evaluate_exits_1_naming_the_line(plan_file, tmp_path, row, words):
    data = tmp_path / "data.csv"
    header = "indicator;period;numerator;denominator;value"
    data.write_text(f"{header}\n4.2;2024;1;1450;\n{row}\n", encoding="utf-8")
    done = chitieu("evaluate", plan_file, data, "--period", "2024")
    assert done.returncode == 1, done.stdout
    assert "line 3" in done.stderr or "dòng 3" in done.stderr, done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr


def test_the_reader_and_the_rule_give_the_same_value(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("indicator,period,numerator,denominator\n2.1,2024,2,3\n", encoding="utf-8")
    observations, issues = read_observations_for_plan(konray_plan(), data)
    assert not issues
    from chitieu.observations import observation_value

    indicator = konray_plan().indicator("2.1")
    assert observation_value(indicator, observations[0]) == PERCENT.accept(D(2), D(3), None)


def test_plan_check_refuses_a_target_with_more_digits_than_the_database_holds(tmp_path):
    from chitieu import konray

    text = konray.ANNEX.read_text(encoding="utf-8").replace("26.6%", "999.999.999.999.999%", 1)
    annex = tmp_path / "annex.txt"
    annex.write_text(text, encoding="utf-8")
    done = chitieu("plan", "check", annex)
    assert done.returncode == 1, done.stdout
    assert "tối đa 14 chữ số" in done.stderr and "Traceback" not in done.stderr


@given(
    st.text("0123456789", min_size=1, max_size=40),
    st.sampled_from(["", ",5", ".25", ",000001", ",0000001"]),
    st.sampled_from(["2.1", "4.2", "6.3"]),
)
def test_any_digit_count_is_read_or_refused_with_the_limit(digits, fraction, code):
    """Fuzz (make fuzz): however many digits a cell has, the reader stores what the columns
    hold or refuses the line with the limit; never a traceback, never a number too big."""
    column = "value" if code == "6.3" else "numerator"
    denominator = "" if code == "6.3" else "1"
    text = f'indicator,period,{column},denominator\n{code},2024,"{digits}{fraction}",{denominator}\n'
    observations, issues = read_observations_for_plan(konray_plan(), text)
    errors = [i for i in issues if i.severity.value == "error"]
    if errors:
        assert all(i.where == "line 2" for i in errors)
        return
    [obs] = observations
    number = obs.value if code == "6.3" else obs.numerator
    assert number.adjusted() < INTEGER_DIGITS and number == number.quantize(D("0.000001"))


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from([("percent", None), ("rate", 100000), ("ratio", 100), ("times", None)]),
    st.decimals(min_value=0, max_value=Decimal("99999999999999.999999"), places=6),
    st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("99999999999999.999999"), places=6),
)
def test_a_share_is_the_exact_quotient_rounded_half_up_at_six_decimals(measure, num, den):
    """compute() against exact rational arithmetic: whatever context it computes in, never a digit off."""
    rule = FigureRule.of(*measure)
    exact = Fraction(num) * Fraction(rule.factor) / Fraction(den)
    micro = exact * 10**6
    whole = int(micro)
    rounded = whole + (1 if micro - whole >= Fraction(1, 2) else 0)
    computed = rule.compute(num, den, None)
    assert computed.as_tuple().exponent == -6
    assert int(computed.scaleb(6, Context(prec=80))) == rounded
