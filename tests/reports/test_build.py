"""The builder: the report says what the evaluation engine decided, no more, no less."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from docx import Document
from openpyxl import load_workbook

from chitieu.evaluate import Status, evaluate_plan
from chitieu.observations import Observation
from chitieu.periods import parse_period
from chitieu.plan import Sex
from chitieu.reports import render
from chitieu.reports.build import ReportOptions, build_report, period_phrase, previous_period
from chitieu.reports.excel import RESULTS_SHEET
from chitieu.reports.model import Assessment, RowKind, Signature
from tests.reports.district import kon_ray_plan, observations

LABELS = {
    Status.EXCEEDED: "Vượt",
    Status.ACHIEVED: "Đạt",
    Status.NOT_ACHIEVED: "Không đạt",
    Status.NO_DATA: "Chưa có số liệu",
}


@pytest.fixture(scope="module")
def plan():
    return kon_ray_plan()


@pytest.fixture(scope="module")
def data(plan):
    return observations(plan)


@pytest.fixture(scope="module")
def engine(plan, data):
    return evaluate_plan(plan, data, "2024", as_of=date(2024, 12, 31))


@pytest.fixture(scope="module")
def report(plan, data):
    return build_report(plan, data, "2024")


def test_every_indicator_has_a_row_with_the_engines_verdict(plan, engine, report):
    rows = {r.indicator_code: r for r in report.indicator_rows}
    assert list(rows) == [i.code for i in plan.indicators]
    for result in engine.results:
        row = rows[result.indicator]
        assert row.assessment is Assessment(result.status.value)
        assert row.actual == result.actual
        assert row.target_year == (result.target.value if result.target else None)
    # the data leave gaps on purpose, and some targets are missed: every verdict is exercised
    assert {r.assessment for r in report.indicator_rows} >= {
        Assessment.EXCEEDED,
        Assessment.NOT_ACHIEVED,
        Assessment.NO_DATA,
    }


def test_the_year_before_comes_from_the_engine_too(plan, data, report):
    before = evaluate_plan(plan, data, "2023", as_of=date(2024, 12, 31))
    for row in report.indicator_rows:
        assert row.actual_previous == before.result(row.indicator_code).actual
    assert report.previous_period == "2023"
    assert any(row.actual_previous is not None for row in report.indicator_rows)


def test_summary_counts_match_the_verdicts(engine, report):
    summary = engine.summary()
    text = report.sections[0].paragraphs[0]
    assert f"với {len(engine.results)} chỉ tiêu" in text
    if summary["exceeded"]:
        assert f"{summary['exceeded']} chỉ tiêu vượt chỉ tiêu" in text
    if summary["not_achieved"]:
        assert f"{summary['not_achieved']} chỉ tiêu không đạt" in text
    if summary["no_data"]:
        assert f"{summary['no_data']} chỉ tiêu chưa có số liệu" in text


def test_every_missed_target_is_named_under_attention(engine, report):
    attention = " ".join(report.sections[1].bullets)
    for result in engine.results:
        if result.status is Status.NOT_ACHIEVED:
            assert f"Chỉ tiêu {result.indicator} (" in attention
        if result.status is Status.NO_DATA:
            assert result.indicator in attention


def test_missing_sex_disaggregated_figures_are_reported(plan, report, engine):
    by_sex = [i for i in plan.indicators if i.by_sex]
    gap = by_sex[-1]  # the synthetic data give girls' figures only for it
    section = report.sections[2]
    assert "SỐ LIỆU PHÂN TÁCH THEO GIỚI TÍNH" in section.heading
    assert any(gap.code in b and "thiếu số liệu trẻ em trai" in b for b in section.bullets)
    breakdown = [r for r in report.rows if r.kind is RowKind.BREAKDOWN and r.indicator_code == gap.code]
    assert [r.text for r in breakdown] == ["Trẻ em gái", "Trẻ em trai"]
    parts = {p.key: p for p in engine.result(gap.code).by_sex}
    assert breakdown[0].actual == parts[Sex.FEMALE.value].actual and breakdown[1].actual is None


def test_header_comes_from_the_plan_and_options(plan, data):
    options = ReportOptions(
        number="125", issued_on=date(2024, 12, 10), signature=Signature(name="Nguyễn Văn A")
    )
    report = build_report(plan, data, "2024", options=options)
    assert report.header.issuing_body.upper().split("\n") == ["ỦY BAN NHÂN DÂN", "HUYỆN KON RẪY"]
    assert report.header.number_line == "Số: 125/BC-UBND"
    assert report.header.date_line == "Kon Rẫy, ngày 10 tháng 12 năm 2024"
    assert report.subject.endswith("trên địa bàn huyện Kon Rẫy")
    assert "ngày 10/12/2024" in report.table_subtitle


def test_a_report_is_written_with_no_observations_at_all(plan):
    report = build_report(plan, [], "2024")
    assert {r.assessment for r in report.indicator_rows} == {Assessment.NO_DATA}
    assert render(report, "xlsx")[:2] == b"PK"


def test_as_of_hides_figures_reported_for_later_periods(plan):
    rows = [
        Observation("2.1", "2024", numerator=Decimal(60), denominator=Decimal(100)),
        Observation("2.1", "2025", numerator=Decimal(10), denominator=Decimal(100)),
    ]
    report = build_report(plan, rows, "2024", as_of=date(2024, 12, 14))
    row = next(r for r in report.indicator_rows if r.indicator_code == "2.1")
    assert row.actual == Decimal(60) and row.assessment is Assessment.EXCEEDED
    assert [o.period for o in report.observations] == ["Năm 2024"]


def test_expected_units_count_those_that_sent_nothing(plan):
    """``units``: a commune with no figure for a per-unit indicator is judged, as the dashboard does."""
    rows = [Observation("6.3", f"2024-Q{q}", org_unit="Xã Tân Lập", value=Decimal(4)) for q in range(1, 5)]
    units = ("Xã Tân Lập", "Xã Đăk Kôi")
    as_of = date(2025, 2, 10)
    alone = next(
        r for r in build_report(plan, rows, "2024", as_of=as_of).indicator_rows if r.indicator_code == "6.3"
    )
    both = next(
        r
        for r in build_report(plan, rows, "2024", as_of=as_of, units=units).indicator_rows
        if r.indicator_code == "6.3"
    )
    engine = evaluate_plan(plan, rows, "2024", as_of=as_of, units=units).result("6.3")
    assert both.assessment is Assessment(engine.status.value)
    assert alone.assessment is not both.assessment and "Xã Đăk Kôi" in both.notes


@pytest.mark.parametrize(
    ("key", "phrase", "before"),
    [
        ("2024", "năm 2024", "2023"),
        ("2024-H1", "6 tháng đầu năm 2024", "2023-H1"),
        ("2024-Q3", "quý III năm 2024", "2023-Q3"),
        ("2024-03", "tháng 3 năm 2024", "2023-03"),
        ("2021-2025", "giai đoạn 2021–2025", None),
    ],
)
def test_periods_in_words(key, phrase, before):
    period = parse_period(key)
    assert period_phrase(period) == phrase
    previous = previous_period(period)
    assert (previous.key if previous else None) == before


def test_word_and_excel_files_carry_the_engines_verdicts(engine, report):
    expected = {r.indicator: LABELS[r.status] for r in engine.results}
    table = Document(io.BytesIO(render(report, "docx"))).tables[-1]
    in_word = {
        row.cells[0].text: row.cells[8].text for row in table.rows[1:] if row.cells[0].text in expected
    }
    assert in_word == expected
    sheet = load_workbook(io.BytesIO(render(report, "xlsx")))[RESULTS_SHEET]
    in_excel = {row[0].value: row[10].value for row in sheet.iter_rows() if row[0].value in expected}
    assert in_excel == expected
    actuals = {row[0].value: row[7].value for row in sheet.iter_rows() if row[0].value in expected}
    for result in engine.results:
        if result.actual is None:
            assert actuals[result.indicator] is None
        else:
            assert actuals[result.indicator] == pytest.approx(float(result.actual))
