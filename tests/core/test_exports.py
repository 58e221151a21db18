"""Observations written as tidy CSV, DHIS2 dataValueSets and SDMX-CSV, read back by real parsers."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chitieu.exports import (
    SDMX_COLUMNS,
    TIDY_COLUMNS,
    dhis2_data_value_set,
    dhis2_period,
    export_value,
    plain_number,
    sdmx_id,
    sdmx_period,
    to_dhis2_json,
    to_sdmx_csv,
    to_tidy_csv,
    unit_code,
)
from chitieu.formulas import csv_cell, from_csv_cell
from chitieu.issues import has_errors
from chitieu.observation_csv import read_observations_csv
from chitieu.observations import Observation
from chitieu.periods import PeriodKeyError, parse_period
from chitieu.plan import (
    Comparator,
    CountPeriod,
    Direction,
    Indicator,
    Measure,
    Objective,
    Plan,
    Sex,
    Target,
)

Obs = Observation  # short, for the tables below


def _indicator(code, measure, per=None, **kw):
    return Indicator(
        code=code,
        name=f"chỉ tiêu {code}",
        measure=measure,
        per=per,
        direction=Direction.INCREASE,
        targets=(Target("2024", Comparator.GE, Decimal(50), "50%"),),
        lead_units=("Phòng Lao động - Thương binh và Xã hội",),
        **kw,
    )


PLAN = Plan(
    title="Phụ lục",
    periods=(parse_period("2021-2025"), parse_period("2024")),
    objectives=(
        Objective(
            "2",
            "Mục tiêu 2",
            (
                _indicator("2.1", Measure.PERCENT),
                _indicator("4.2", Measure.RATE, per=100000),
                _indicator("3.1", Measure.TIMES),
                _indicator("6.3", Measure.COUNT, per_period=CountPeriod.QUARTER, per_unit=True),
            ),
        ),
    ),
)

SAMPLE = [
    Obs("2.1", "2024", numerator=Decimal(1200), denominator=Decimal(2300), note="điều tra LĐ"),
    Obs("2.1", "2024-H1", org_unit="Đăk Kôi", sex=Sex.FEMALE, value=Decimal("48.5")),
    Obs("4.2", "2024", numerator=Decimal(1), denominator=Decimal(3160)),
    Obs("6.3", "2024-Q3", org_unit="Thị trấn Đăk Rve", value=Decimal(3), note='có "ngoặc", dấu phẩy'),
    Obs("3.1", "2024-03", sex=Sex.MALE, value=Decimal("1.7")),
]


def test_period_forms():
    assert [dhis2_period(k) for k in ("2024", "2024-H1", "2024-H2", "2024-Q3", "2024-03")] == [
        "2024",
        "2024S1",
        "2024S2",
        "2024Q3",
        "202403",
    ]
    assert [sdmx_period(k) for k in ("2024", "2024-H2", "2024-Q1", "2024-11")] == [
        ("A", "2024"),
        ("S", "2024-S2"),
        ("Q", "2024-Q1"),
        ("M", "2024-11"),
    ]
    with pytest.raises(PeriodKeyError):
        dhis2_period("2021-2025")
    with pytest.raises(PeriodKeyError):
        sdmx_period("2021-2025")


def test_names_and_numbers():
    assert unit_code("Đăk Kôi") == unit_code("Đắk  Kôi ") == "DAK_KOI"
    assert unit_code("Thị trấn Đăk Rve") == "THI_TRAN_DAK_RVE"
    assert sdmx_id("3.2a") == "3_2a"
    assert [plain_number(Decimal(x)) for x in ("52.170", "1E+2", "0.00", "-0", "31.6")] == [
        "52.17",
        "100",
        "0",
        "0",
        "31.6",
    ]
    assert plain_number(None) == ""


def test_value_is_computed_with_the_measure_factor():
    assert export_value(SAMPLE[0], PLAN.indicator("2.1")) == Decimal("52.1739")
    assert export_value(SAMPLE[2], PLAN.indicator("4.2")) == Decimal("31.6456")
    # Without the plan the factor is unknown, so nothing is guessed.
    assert export_value(SAMPLE[0], None) is None
    assert (
        export_value(Obs("2.1", "2024", numerator=Decimal(1), denominator=Decimal(0)), PLAN.indicator("2.1"))
        is None
    )


def test_tidy_csv_has_the_contract_columns_and_every_row():
    result = to_tidy_csv(SAMPLE)
    rows = list(csv.DictReader(io.StringIO(result.text)))
    assert tuple(rows[0]) == TIDY_COLUMNS
    assert result.count == len(rows) == len(SAMPLE)
    assert rows[0] == {
        "indicator": "2.1",
        "period": "2024",
        "org_unit": "",
        "sex": "",
        "numerator": "1200",
        "denominator": "2300",
        "value": "",
        "note": "điều tra LĐ",
    }
    assert rows[1]["sex"] == "F" and rows[1]["org_unit"] == "Đăk Kôi" and rows[1]["value"] == "48.5"
    assert rows[3]["note"] == 'có "ngoặc", dấu phẩy'


def test_tidy_csv_for_vietnamese_spreadsheets_uses_semicolons_and_decimal_commas():
    text = to_tidy_csv(SAMPLE, delimiter=";", decimal_comma=True).text
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert rows[1]["value"] == "48,5" and rows[4]["value"] == "1,7"
    with pytest.raises(ValueError):
        to_tidy_csv(SAMPLE, decimal_comma=True)


def test_dhis2_document_parses_and_follows_the_mapping():
    result = to_dhis2_json(SAMPLE, plan=PLAN, area="KON_RAY")
    document = json.loads(result.text)
    assert set(document) == {"dataValues"}
    values = document["dataValues"]
    assert all(isinstance(v["value"], str) for v in values)
    assert all(
        set(v) <= {"dataElement", "period", "orgUnit", "categoryOptionCombo", "value", "comment"}
        for v in values
    )
    first = [v for v in values if v["period"] == "2024" and v["dataElement"].startswith("2.1")]
    assert first == [
        {
            "dataElement": "2.1",
            "period": "2024",
            "orgUnit": "KON_RAY",
            "value": "52.1739",
            "comment": "điều tra LĐ",
        },
        {
            "dataElement": "2.1.NUM",
            "period": "2024",
            "orgUnit": "KON_RAY",
            "value": "1200",
            "comment": "điều tra LĐ",
        },
        {
            "dataElement": "2.1.DEN",
            "period": "2024",
            "orgUnit": "KON_RAY",
            "value": "2300",
            "comment": "điều tra LĐ",
        },
    ]
    half = next(v for v in values if v["period"] == "2024S1")
    assert half == {
        "dataElement": "2.1",
        "period": "2024S1",
        "orgUnit": "DAK_KOI",
        "categoryOptionCombo": "F",
        "value": "48.5",
    }
    assert {v["period"] for v in values} == {"2024", "2024S1", "2024Q3", "202403"}
    assert result.count == len(SAMPLE) and result.issues == ()


def test_dhis2_uses_the_instance_identifiers_when_given():
    document, issues = dhis2_data_value_set(
        SAMPLE[1:2],
        data_element_ids={"2.1": "fbfJHSPpUQD"},
        org_unit_ids={"Đăk Kôi": "DiszpKrYNg8"},
        sex_combo_ids={"F": "hEFKSsPV5et"},
        data_set="pBOMPrpg1QX",
    )
    assert issues == []
    assert document == {
        "dataSet": "pBOMPrpg1QX",
        "dataValues": [
            {
                "dataElement": "fbfJHSPpUQD",
                "period": "2024S1",
                "orgUnit": "DiszpKrYNg8",
                "categoryOptionCombo": "hEFKSsPV5et",
                "value": "48.5",
            }
        ],
    }


def test_rows_a_format_cannot_carry_are_reported_not_dropped():
    rows = [
        *SAMPLE[:2],
        Obs("2.1", "2021-2025", value=Decimal(50)),
        Obs("2.1", "2024", org_unit="Tân Lập"),  # nothing reported
    ]
    dhis2 = to_dhis2_json(rows, plan=PLAN)
    assert [i.code for i in dhis2.issues] == ["dhis2_period", "no_value"]
    assert dhis2.count == 2
    sdmx = to_sdmx_csv(rows, plan=PLAN)
    assert [i.code for i in sdmx.issues] == ["sdmx_period", "no_value"]
    assert sdmx.count == 2
    assert "observation 3 (2.1, 2021-2025)" in sdmx.issues[0].where


def test_sdmx_csv_parses_with_the_csv_module():
    result = to_sdmx_csv(SAMPLE, plan=PLAN, area="KON_RAY")
    rows = list(csv.DictReader(io.StringIO(result.text)))
    assert tuple(rows[0]) == SDMX_COLUMNS
    assert len(rows) == result.count == len(SAMPLE)
    assert {r["STRUCTURE"] for r in rows} == {"dataflow"}
    assert {r["STRUCTURE_ID"] for r in rows} == {"VN_CHITIEU:DF_GENDER_EQUALITY(1.0)"}
    assert {r["ACTION"] for r in rows} == {"I"}
    by_period = {(r["INDICATOR"], r["TIME_PERIOD"]): r for r in rows}
    total = by_period[("2_1", "2024")]
    assert (total["FREQ"], total["REF_AREA"], total["SEX"], total["OBS_VALUE"], total["UNIT_MEASURE"]) == (
        "A",
        "KON_RAY",
        "_T",
        "52.1739",
        "PT",
    )
    assert by_period[("2_1", "2024-S1")]["SEX"] == "F"
    assert by_period[("4_2", "2024")]["UNIT_MEASURE"] == "PER_100000"
    assert by_period[("6_3", "2024-Q3")]["REF_AREA"] == "THI_TRAN_DAK_RVE"
    assert by_period[("6_3", "2024-Q3")]["UNIT_MEASURE"] == "NUMBER"
    assert by_period[("3_1", "2024-03")]["SEX"] == "M"
    assert by_period[("3_1", "2024-03")]["UNIT_MEASURE"] == "RATIO"
    assert by_period[("6_3", "2024-Q3")]["COMMENT_OBS"] == 'có "ngoặc", dấu phẩy'


_numbers = st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False)
_text = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), max_size=20)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.builds(
            Obs,
            indicator=st.sampled_from(["2.1", "4.2", "6.3"]),
            period=st.sampled_from(["2024", "2023-H2", "2024-Q4", "2022-07"]),
            org_unit=st.sampled_from(["", "Đăk Kôi", "Tân Lập"]),
            sex=st.sampled_from([None, Sex.FEMALE, Sex.MALE]),
            numerator=st.none() | _numbers,
            denominator=st.none() | _numbers,
            value=st.none() | _numbers,
            note=_text,
        ),
        max_size=8,
    )
)
def test_tidy_csv_keeps_every_field_exactly(observations):
    for delimiter, comma in ((",", False), (";", True), ("\t", True)):
        text = to_tidy_csv(observations, delimiter=delimiter, decimal_comma=comma).text
        rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
        assert len(rows) == len(observations)
        for obs, row in zip(observations, rows, strict=True):
            for name in ("numerator", "denominator", "value"):
                expected = getattr(obs, name)
                cell = row[name].replace(",", ".")
                assert (Decimal(cell) if cell else None) == expected
            # A note a spreadsheet could run as a formula carries the apostrophe guard (chitieu.formulas).
            assert row["note"] == csv_cell(obs.note) and from_csv_cell(row["note"]) == obs.note
            assert row["sex"] == (obs.sex.value if obs.sex else "")


def test_tidy_csv_round_trips_through_the_engine_reader():
    rows = [
        *SAMPLE,
        Obs("3.3", "2024", org_unit="Xã Tân Lập", not_applicable=True, note="không có nạn nhân trở về"),
        Obs("2.1", "2024-Q2", org_unit="Đăk Kôi", numerator=Decimal("0"), denominator=Decimal("12.5")),
    ]
    for options in ({}, {"delimiter": ";", "decimal_comma": True}, {"delimiter": "\t"}):
        observations, issues = read_observations_csv(to_tidy_csv(rows, **options).text)
        assert not has_errors(issues), issues
        assert [replace(o, source="") for o in observations] == rows


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.builds(
            Obs,
            indicator=st.sampled_from(["2.1", "4.2", "6.3"]),
            period=st.sampled_from(["2024", "2023-H2", "2024-Q4", "2022-07"]),
            org_unit=st.sampled_from(["", "Đăk Kôi", "Tân Lập"]),
            sex=st.sampled_from([None, Sex.FEMALE, Sex.MALE]),
            numerator=_numbers,
            denominator=_numbers.filter(bool),
            value=st.none(),
            note=st.text(alphabet='abcđê ,;"', max_size=12),
        ),
        max_size=6,
        unique_by=lambda o: o.key,
    )
)
def test_any_exported_csv_reads_back_the_same(observations):
    text = to_tidy_csv(observations, delimiter=";", decimal_comma=True).text
    back, issues = read_observations_csv(text)
    assert not has_errors(issues), issues
    assert [replace(o, source="") for o in back] == [replace(o, note=o.note.strip()) for o in observations]
