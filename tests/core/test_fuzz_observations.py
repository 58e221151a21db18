"""Fuzzing the tidy CSV reader (docs/interfaces.md §3) and what follows it: plan checks, evaluation.

Whatever a spreadsheet exports, the reader returns rows and issues with their line; no
exception escapes, and rows it accepts must survive the checks against the Kon Rẫy plan and a
full evaluation whose JSON has no NaN or infinity (``chitieu evaluate --json``).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from chitieu.evaluate import evaluate_plan
from chitieu.issues import Issue, has_errors
from chitieu.observation_csv import read_observations_text
from chitieu.observations import validate_observations
from tests.core.fuzz import CELLS, MARKUP, ODD_NUMBERS, budget, damage_bytes, no_hang
from tests.core.konray import konray_plan

PLAN = konray_plan()
CODES = [i.code for i in PLAN.indicators]
COLUMNS = ["indicator", "period", "org_unit", "sex", "numerator", "denominator", "value", "note"]
HEADER_WORDS = [
    *COLUMNS,
    "Chỉ tiêu",
    "Kỳ",
    "Đơn vị",
    "Giới tính",
    "Tử số",
    "Mẫu số",
    "Giá trị",
    "Ghi chú",
    "INDICATOR",
    " period ",
    "",
    "value",
    "x",
]
PERIODS = [
    "2024",
    "2024-H1",
    "2024-Q3",
    "2024-03",
    "2021-2025",
    "Quý 3/2024",
    "tháng 13/2024",
    "2024-Q5",
    "0000",
    "9999-12",
    "2025-2021",
    "2024-00",
    "năm 2024",
    "6 tháng đầu năm 2024",
    "2024-W01",
]
SEXES = ["", "F", "M", "nữ", "nam", "Nữ", "X", "f "]
NUMBERS = st.one_of(
    st.sampled_from(ODD_NUMBERS),
    st.sampled_from(["", "0", "1", "52,17", "1.234,5", "1,234.5", "100", "0,0", "1450", "-1", "2000"]),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.integers(-(10**40), 10**40).map(str),
)


@st.composite
def rows(draw) -> list[str]:
    return [
        draw(st.sampled_from(CODES) | CELLS),
        draw(st.sampled_from(PERIODS) | CELLS),
        draw(st.sampled_from(["", "Xã Đăk Rve", "Đăk Kôi", "xa dak koi", "Phòng Y tế"]) | CELLS),
        draw(st.sampled_from(SEXES)),
        draw(NUMBERS),
        draw(NUMBERS),
        draw(NUMBERS),
        draw(st.sampled_from(["", *MARKUP]) | st.text(max_size=20)),
    ][: draw(st.integers(0, 9))] + draw(
        st.lists(CELLS, max_size=2) if draw(st.integers(0, 5)) == 0 else st.just([])
    )


@st.composite
def tidy_csvs(draw) -> str:
    header = list(COLUMNS)
    for _ in range(draw(st.integers(0, 3))):
        header[draw(st.integers(0, len(header) - 1))] = draw(st.sampled_from(HEADER_WORDS))
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    body = draw(st.lists(rows(), max_size=25))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    out = io.StringIO()
    if draw(st.booleans()):
        csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows([header, *body])
    else:  # joined by hand: quotes and delimiters inside cells left as they are
        out.write(newline.join(delimiter.join(r) for r in [header, *body]))
    text = draw(st.sampled_from(["", "\ufeff", "\n\n"])) + out.getvalue()
    if draw(st.integers(0, 5)) == 0:  # bytes cut or damaged, decoded as a server would
        text = damage_bytes(draw, text.encode()).decode("utf-8", errors="replace")
    return text


def _located(issues: list[Issue]) -> None:
    assert all(i.where and i.message for i in issues), issues


@budget(2)
@given(tidy_csvs(), st.sampled_from(["2024", "2021-2025", "2024-Q3", "2024-H1"]))
def test_fuzz_tidy_csv_read_check_and_evaluate(text, period):
    with no_hang():
        observations, issues = read_observations_text(text)
        _located(issues)
        assert all(o.source.startswith("line ") for o in observations)
        checked = validate_observations(PLAN, observations)
        _located(checked)
        if has_errors(issues + checked):
            return
        evaluation = evaluate_plan(PLAN, observations, period, as_of=date(2026, 1, 1))
    json.dumps(evaluation.as_dict(), ensure_ascii=False, allow_nan=False)


@budget(1)
@given(st.binary(max_size=2000))
def test_fuzz_tidy_csv_from_any_bytes(data):
    with no_hang():
        observations, issues = read_observations_text(data.decode("utf-8", errors="replace"))
    _located(issues)
    assert observations or issues
