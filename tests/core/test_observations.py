"""The tidy CSV reader: every format people export, every bad row reported with its line."""

from decimal import Decimal as D

import pytest

from chitieu.issues import Severity
from chitieu.observation_csv import parse_number, read_observations_csv
from chitieu.observations import validate_observations
from chitieu.plan import Sex
from tests.core.konray import konray_plan

HEADER = "indicator,period,org_unit,sex,numerator,denominator,value,note\n"


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("52.17", False, "52.17"),
        ("52,17", False, "52.17"),
        ("1.234,5", False, "1234.5"),
        ("1,234.5", False, "1234.5"),
        ("1.234.567", False, "1234567"),
        ("1.200", True, "1200"),  # the file writes decimals with a comma: the dot groups thousands
        ("03", False, "3"),
        (" 26,6% ", False, "26.6"),
        ("-4", False, "-4"),
    ],
)
def test_numbers_both_ways(text, decimal_comma, expected):
    assert parse_number(text, decimal_comma) == D(expected)


@pytest.mark.parametrize("text", ["abc", "1,2,3.4.5", "", "12a", "1.", "--1"])
def test_not_numbers(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_semicolons_decimal_commas_bom_and_mixed_case_headers():
    text = "\ufeffIndicator;Period;Org_Unit;SEX;Numerator;Denominator;Value;Note\r\n"
    text += "2.1;2024;;;1.200;2.300;;\r\n3.1;2024;;;15,5;8,6;;\r\n5.2a;2024;Tân Lập;nữ;45;50;;\r\n"
    observations, issues = read_observations_csv(text)
    assert issues == []
    assert [(o.indicator, o.numerator, o.denominator, o.sex, o.source) for o in observations] == [
        ("2.1", D(1200), D(2300), None, "line 2"),
        ("3.1", D("15.5"), D("8.6"), None, "line 3"),
        ("5.2a", D(45), D(50), Sex.FEMALE, "line 4"),
    ]


def test_tabs_and_vietnamese_headers_from_a_file(tmp_path):
    path = tmp_path / "so-lieu.tsv"
    path.write_text("chỉ tiêu\tkỳ\tđơn vị\tgiới tính\tgiá trị\n6.4\t2024-03\t\tnam\t1\n", encoding="utf-8")
    observations, issues = read_observations_csv(path)
    assert issues == [] and observations[0].value == 1 and observations[0].sex is Sex.MALE


def test_every_bad_row_is_reported_with_its_line_and_none_is_dropped_silently():
    text = HEADER + "\n".join(
        [
            "2.1,2024,,,5,10,,",  # 2 fine
            "2.1,2024-13,,,5,10,,",  # 3 bad period
            "2.2,2024,,,abc,10,,",  # 4 not a number
            "2.3,2024,,,5,0,,",  # 5 zero denominator
            "3.2a,2024,,,-1,10,,",  # 6 negative count
            "5.2a,2024,,X,1,2,,",  # 7 bad sex
            "2.1,2024,,,6,10,,",  # 8 duplicate of line 2
            ",2024,,,1,2,,",  # 9 no indicator
            "4.2,2024,,,,,,",  # 10 no figure
            "",  # 11 blank line: nothing to lose
            "4.3,2024,,,12,300,,",  # 12 fine
        ]
    )
    observations, issues = read_observations_csv(text)
    assert [(i.where, i.code) for i in issues] == [
        ("line 3", "bad_period"),
        ("line 4", "not_a_number"),
        ("line 5", "zero_denominator"),
        ("line 6", "negative"),
        ("line 7", "bad_sex"),
        ("line 8", "duplicate_row"),
        ("line 9", "missing_indicator"),
        ("line 10", "no_figure"),
    ]
    assert all(i.severity is Severity.ERROR for i in issues)
    assert [o.source for o in observations] == ["line 2", "line 12"]


def test_a_quoted_note_over_two_lines_keeps_the_line_numbers_right():
    text = HEADER + '2.1,2024,,,5,10,,"ghi chú\nhai dòng"\n2.2,2024,,,abc,10,,\n'
    _, issues = read_observations_csv(text)
    assert [(i.where, i.code) for i in issues] == [("line 4", "not_a_number")]


def test_missing_columns_are_named():
    _, issues = read_observations_csv("indicator,value\n2.1,5\n")
    assert [i.code for i in issues] == ["missing_column"] and "period" in issues[0].message


def test_not_applicable_is_kept_apart_from_missing_and_zero():
    observations, issues = read_observations_csv(HEADER + "3.3,2024,,,,,không áp dụng,không có nạn nhân\n")
    assert issues == [] and observations[0].not_applicable and observations[0].value is None


def test_checks_that_need_the_plan():
    text = HEADER + "\n".join(
        [
            "9.9,2024,,,1,2,,",  # unknown indicator
            "2.1,2024,,,12,10,,",  # share above its whole
            "4.1,2024,,,112,100,,",  # a ratio may exceed its denominator
            "3.2A,2024,,,1,2,,",  # wrong case: a hint
            "2.2,2024,,,3,10,40,",  # value disagrees with numerator ÷ denominator
            "6.4,2019-05,,,,,1,",  # before the phase: a baseline figure, fine
            "6.4,2027-05,,,,,1,",  # after the plan: a warning
        ]
    )
    observations, issues = read_observations_csv(text)
    assert issues == []
    found = [(i.where, i.code, i.severity) for i in validate_observations(konray_plan(), observations)]
    assert found == [
        ("line 2", "unknown_indicator", Severity.ERROR),
        ("line 3", "numerator_above_denominator", Severity.ERROR),
        ("line 5", "unknown_indicator", Severity.ERROR),
        ("line 6", "value_mismatch", Severity.WARNING),
        ("line 8", "period_outside_plan", Severity.WARNING),
    ]
    assert "3.2a" in validate_observations(konray_plan(), observations)[2].message


def test_the_same_commune_spelt_two_ways_is_a_duplicate():
    text = HEADER + "6.3,2024-Q1,Đắk Kôi,,,,3,\n6.3,2024-Q1,Xã Đăk Kôi,,,,4,\n"
    observations, issues = read_observations_csv(text)
    assert [(i.where, i.code) for i in issues] == [("line 3", "duplicate_row")] and len(observations) == 1


def test_a_split_row_number_names_its_parts():
    observations, _ = read_observations_csv(HEADER + "3.2,2024,,,1,2,,\n")
    (issue,) = validate_observations(konray_plan(), observations)
    assert issue.code == "unknown_indicator" and "3.2a, 3.2b" in issue.message


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("Quý 3/2024", "2024-Q3"),
        ("Q3 2024", "2024-Q3"),
        ("tháng 03/2024", "2024-03"),
        ("3/2024", "2024-03"),
        ("Năm 2024", "2024"),
        ("6 tháng đầu năm 2024", "2024-H1"),
        ("Giai đoạn 2021-2025", "2021-2025"),
        ("2024-q4", "2024-Q4"),
    ],
)
def test_periods_as_written_in_vietnamese_spreadsheets(written, key):
    observations, issues = read_observations_csv(f"indicator;period;value\n6.4;{written};1\n")
    assert issues == [] and observations[0].period == key


def test_a_bad_period_is_quoted_as_written():
    _, issues = read_observations_csv("indicator;period;value\n6.4;13/2024;1\n")
    assert issues[0].code == "bad_period" and "'13/2024'" in issues[0].message
