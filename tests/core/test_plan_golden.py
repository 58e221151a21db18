"""The real Kon Rẫy annex reads into exactly what a person reads in it."""

from decimal import Decimal

import pytest

from chitieu.importer import read_plan, read_plan_bytes
from chitieu.issues import Severity
from chitieu.plan import plan_as_dict
from tests.core import annex_files, kon_ray


def _check_golden(result):
    assert result.plan is not None, [str(i) for i in result.issues]
    plan = result.plan
    assert plan.title == kon_ray.TITLE
    assert plan.subtitle == kon_ray.SUBTITLE
    assert [(p.key, p.kind.value) for p in plan.periods] == [("2021-2025", "phase"), ("2024", "year")]
    assert [(o.code, o.title) for o in plan.objectives] == kon_ray.OBJECTIVES
    assert [len(o.indicators) for o in plan.objectives] == [1, 3, 5, 3, 4, 4]
    got = kon_ray.as_rows(plan)
    for expected_row, got_row in zip(kon_ray.EXPECTED, got, strict=True):
        assert got_row == expected_row
    six_three = plan.indicator("6.3")
    assert (six_three.per_unit, six_three.unit_share) == (True, Decimal(100))
    assert all(not i.per_unit for i in plan.indicators if i.code != "6.3")
    return plan


def _issue_codes(result):
    return {(i.where, i.severity, i.code) for i in result.issues}


def test_the_real_text_annex():
    result = read_plan(kon_ray.ANNEX)
    _check_golden(result)
    codes = _issue_codes(result)
    assert ("row 4.1", Severity.REVIEW, "sex_ratio_target") in codes
    assert ("row 4.3", Severity.INFO, "year_looser_than_phase") in codes
    assert not [i for i in result.issues if i.severity in (Severity.ERROR, Severity.WARNING)]


def test_sex_ratio_review_explains_natural_and_national_levels():
    result = read_plan(kon_ray.ANNEX)
    (issue,) = [i for i in result.issues if i.code == "sex_ratio_target"]
    assert "104–106" in issue.message and "111" in issue.message and "109" in issue.message


@pytest.mark.parametrize("normal_form", ["NFD", "NFC"])
def test_text_in_nfd_with_crlf_and_bom(normal_form):
    import unicodedata

    text = kon_ray.ANNEX.read_text(encoding="utf-8")
    data = b"\xef\xbb\xbf" + unicodedata.normalize(normal_form, text).replace("\n", "\r\n").encode()
    _check_golden(read_plan_bytes(data, "phu-luc.txt"))


FORMATS = {
    "docx": ("phu-luc.docx", annex_files.build_docx),
    "xlsx": ("phu-luc.xlsx", annex_files.build_xlsx),
    "xlsx-text-only": ("phu-luc.xlsx", lambda a: annex_files.build_xlsx(a, percents_as_numbers=False)),
    "xlsx-numeric-codes": ("phu-luc.xlsx", lambda a: annex_files.build_xlsx(a, numbers_for_codes=True)),
    "semicolon-csv": ("phu-luc.csv", lambda a: annex_files.build_delimited(a, ";")),
    "comma-csv": ("phu-luc.csv", lambda a: annex_files.build_delimited(a, ",")),
    "tsv": ("phu-luc.tsv", lambda a: annex_files.build_delimited(a, "\t")),
    # Excel's "Unicode text" export: UTF-16 with a byte-order mark, tab separated.
    "utf16-tsv": ("phu-luc.txt", lambda a: annex_files.build_delimited(a, "\t").decode().encode("utf-16")),
}


@pytest.mark.parametrize("kind", FORMATS)
def test_every_format_gives_the_same_plan(kind):
    filename, build = FORMATS[kind]
    result = read_plan_bytes(build(annex_files.real_annex()), filename)
    plan = _check_golden(result)
    text_plan = read_plan(kon_ray.ANNEX).plan
    assert plan_as_dict(plan) == plan_as_dict(text_plan)  # everything but where each row was read
    assert {(i.where, i.code) for i in result.issues if i.where.startswith("row ")} == {
        (i.where, i.code) for i in text_plan.issues if i.where.startswith("row ")
    }


# Where the bad "abc%" of the with-problems variant must be reported, per format.
BAD_CELL = {
    "docx": "row 6, cell D",
    "xlsx": "sheet Phụ lục, cell D10",
    "xlsx-text-only": "sheet Phụ lục, cell D10",
    "xlsx-numeric-codes": "sheet Phụ lục, cell D10",
    "semicolon-csv": "line 10, cell D",
    "comma-csv": "line 10, cell D",
    "tsv": "line 10, cell D",
    "utf16-tsv": "line 10, cell D",
}


@pytest.mark.parametrize("kind", FORMATS)
def test_with_problems_variant_is_refused_saying_where(kind):
    filename, build = FORMATS[kind]
    result = read_plan_bytes(build(annex_files.with_problems(annex_files.real_annex())), filename)
    assert result.plan is None
    errors = {(i.where, i.code) for i in result.errors}
    assert (BAD_CELL[kind], "not_a_number") in errors
    assert ("row 2.2", "duplicate_code") in errors


def test_with_problems_variant_of_the_real_text_file():
    text = kon_ray.ANNEX.read_text(encoding="utf-8")
    text = text.replace("so với tổng số lao động nữ.\t50%\t50%", "so với tổng số lao động nữ.\t50%\tabc%")
    result = read_plan_bytes(text.encode(), "phu-luc.txt")
    assert result.plan is None
    assert [(i.where, i.code) for i in result.errors] == [("line 12, cell D", "not_a_number")]


def test_warnings_do_not_stop_the_plan(tmp_path, capsys):
    """A file with doubts but no errors is read (exit 0) and its issues are listed."""
    from chitieu.cli import main

    text = kon_ray.ANNEX.read_text(encoding="utf-8")
    text = text.replace(
        "hàng tháng.\t01 chuyên mục/tháng\t01 chuyên mục/tháng\tTrung tâm",
        "hàng tháng.\t01 chuyên mục/tháng\tkhoảng 1\tTrung tâm",
    )
    text = text.replace("\t60%\t60%\tPhòng Nội vụ", "\t60%\t60%\t")
    result = read_plan_bytes(text.encode(), "phu-luc.txt")
    assert result.plan is not None
    found = {(i.severity, i.where, i.code) for i in result.issues}
    assert (Severity.WARNING, "row 1.1", "no_lead_unit") in found
    assert (Severity.REVIEW, "line 36, cell D", "approximate") in found
    assert result.plan.indicator("6.4").needs_review
    assert result.plan.indicator("6.4").target_for("2024").comparator.value == "=="
    path = tmp_path / "phu-luc.txt"
    path.write_text(text, encoding="utf-8")
    assert main(["plan", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "[cảnh báo] row 1.1: chưa có đơn vị chủ trì" in out
    assert "[cần xem lại] line 36, cell D: chỉ tiêu ghi gần đúng ('khoảng 1')" in out
