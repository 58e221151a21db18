"""Fuzzing the plan readers: hostile text, Excel and Word annexes give issues, never exceptions or hangs.

Every case must come back as a ``ReadResult``: a plan, or errors saying where. The reader's
last-resort guard turns an unexpected exception into an issue coded ``internal``; a case
that produces one is a crash, and fails here. The plan that comes back must serialise to
the JSON of docs/interfaces.md §2 (no NaN, no infinity).
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from chitieu.importer import ReadResult, read_plan_bytes
from chitieu.packages import package_problem
from chitieu.plan import plan_as_dict
from tests.core.fuzz import budget, docx_files, no_hang, text_files, xlsx_files
from tests.core.test_fuzz_regressions import XLSX, _renamed

NAMES = {"text": ["phu-luc.txt", "phu-luc.csv", "phu-luc.tsv", "phu-luc", "phu-luc.xlsx"]}


def check_read(data: bytes, filename: str) -> ReadResult:
    with no_hang():
        result = read_plan_bytes(data, filename)
    assert isinstance(result, ReadResult)
    crashes = [i for i in result.issues if i.code == "internal"]
    assert not crashes, crashes
    assert result.plan is not None or result.errors
    assert all(i.where and i.message for i in result.issues), result.issues
    if result.plan is not None:
        json.dumps(plan_as_dict(result.plan), ensure_ascii=False, allow_nan=False)
    return result


@budget(3)
@given(text_files(), st.sampled_from(NAMES["text"]))
def test_fuzz_text_annexes(data, filename):
    check_read(data, filename)


@budget(1)
@given(xlsx_files(), st.sampled_from(["phu-luc.xlsx", "phu-luc.XLSX", "phu-luc.docx", "phu-luc"]))
def test_fuzz_excel_annexes(data, filename):
    check_read(data, filename)


@budget(1)
@given(docx_files(), st.sampled_from(["phu-luc.docx", "phu-luc.xlsx", "phu-luc.txt"]))
def test_fuzz_word_annexes(data, filename):
    check_read(data, filename)


_WHOLE_SHEET_MERGE = b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells></worksheet>'


@budget(0.3)
@given(st.from_regex(r"xl/worksheets/[a-z][a-z0-9_]{0,8}\.(bin|dat|tmp|xml|part|[a-z]{1,4})", fullmatch=True))
def test_fuzz_a_merge_bomb_is_refused_whatever_its_part_is_called(part):
    # A worksheet is found through the package's relationships, not its name: the bomb check must
    # look at every part that reads as markup (issue 18.3: "sheet1.bin" went unchecked).
    if part == "xl/worksheets/sheet1.xml":
        return
    data = _renamed(
        XLSX, "xl/worksheets/sheet1.xml", part, lambda x: x.replace(b"</worksheet>", _WHOLE_SHEET_MERGE)
    )
    assert package_problem(data) is not None
    with no_hang():
        result = read_plan_bytes(data, "phu-luc.xlsx")
    assert result.plan is None and result.errors
