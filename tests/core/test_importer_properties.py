"""Properties of the readers: they never raise, and Unicode normal form does not change a plan."""

import os
import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from chitieu.importer import ReadResult, read_plan_bytes
from chitieu.plan import plan_as_dict
from tests.core import annex_files, kon_ray

# CHITIEU_FUZZ_EXAMPLES=2000 for a longer hunt; the suite keeps it short.
EXAMPLES = int(os.environ.get("CHITIEU_FUZZ_EXAMPLES", "60"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FILENAMES = st.sampled_from(["a.txt", "a.csv", "a.tsv", "a.xlsx", "a.docx", "a"])
ANNEX_TEXT = kon_ray.ANNEX.read_text(encoding="utf-8")
DOCX = annex_files.build_docx(annex_files.real_annex())
XLSX = annex_files.build_xlsx(annex_files.real_annex())


def _never_crashes(result: ReadResult) -> None:
    assert isinstance(result, ReadResult)
    assert not [i for i in result.issues if i.code == "internal"], result.issues
    assert result.plan is not None or result.errors


@SETTINGS
@given(st.binary(max_size=3000), FILENAMES)
@example(b"\xfe\xff", "a.txt")  # a UTF-16 byte-order mark and nothing else
@example(b"\xef\xbb\xbf \r\n", "a.csv")
def test_arbitrary_bytes_give_issues_not_exceptions(data, filename):
    _never_crashes(read_plan_bytes(data, filename))


@SETTINGS
@given(st.text(max_size=2000), FILENAMES)
def test_arbitrary_text_gives_issues_not_exceptions(text, filename):
    _never_crashes(read_plan_bytes(text.encode("utf-8", errors="surrogatepass"), filename))


@SETTINGS
@given(st.data())
def test_damaged_annex_text_gives_issues_not_exceptions(data):
    text = ANNEX_TEXT
    for _ in range(data.draw(st.integers(1, 4))):
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, min(len(text), start + 80)))
        insert = data.draw(st.text(alphabet='\t;,\n"%/.0123456789 -abcMụctiêu', max_size=12))
        text = text[:start] + insert + text[end:]
    _never_crashes(read_plan_bytes(text.encode(), "phu-luc.txt"))


@settings(max_examples=max(25, EXAMPLES // 3), deadline=None)
@given(
    st.sampled_from(["docx", "xlsx"]),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=6),
)
def test_damaged_office_files_give_issues_not_exceptions(kind, edits):
    data = bytearray(DOCX if kind == "docx" else XLSX)
    for position, byte in edits:
        data[position % len(data)] = byte
    _never_crashes(read_plan_bytes(bytes(data), f"phu-luc.{kind}"))


WORDS = ["Tỷ lệ", "phụ nữ", "trẻ em gái", "được", "tiếp cận", "dịch vụ", "hỗ trợ", "lãnh đạo", "xã", "Đảng"]
TARGETS = ["60%", "26.6%", "1,7 lần", "31.6/100.000 trẻ", "55/1.000", "03 tin, bài/quý", "ít nhất 80%"]
UNITS = ["Phòng Y tế", "Phòng Giáo dục và Đào tạo", "UBND các xã, thị trấn và Phòng Tư pháp", ""]


@st.composite
def annex_texts(draw):
    lines = ["Phụ lục", "KẾ HOẠCH THỰC HIỆN MỤC TIÊU BÌNH ĐẲNG GIỚI", ""]
    lines += ["TT\tMục tiêu/chỉ tiêu\tChỉ tiêu đến năm 2025\tKế hoạch năm 2024\tĐơn vị chủ trì"]
    for o in range(1, draw(st.integers(1, 3)) + 1):
        lines.append(
            f"{o}\tMục tiêu {o}: {' '.join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4)))}"
        )
        for i in range(1, draw(st.integers(1, 3)) + 1):
            code = draw(st.sampled_from([f"{o}.{i}", ""]))
            name = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=6)))
            target = draw(st.sampled_from(TARGETS))
            lines.append(f"{code}\t- {name}\t{target}\t{target}\t{draw(st.sampled_from(UNITS))}")
    return "\n".join(lines)


@SETTINGS
@given(annex_texts(), st.sampled_from(["\n", "\r\n"]))
def test_nfc_and_nfd_inputs_give_identical_plans(text, newline):
    text = text.replace("\n", newline)
    nfc = read_plan_bytes(unicodedata.normalize("NFC", text).encode(), "a.txt")
    nfd = read_plan_bytes(b"\xef\xbb\xbf" + unicodedata.normalize("NFD", text).encode(), "a.txt")
    assert [str(i) for i in nfc.issues] == [str(i) for i in nfd.issues]
    if nfc.plan is None:
        assert nfd.plan is None
    else:
        assert plan_as_dict(nfc.plan) == plan_as_dict(nfd.plan)
        assert all(unicodedata.is_normalized("NFC", u) for u in nfd.plan.lead_units)


def test_nfd_word_document_reads_like_the_nfc_one():
    annex = annex_files.real_annex()
    nfd = annex_files.Annex(
        [unicodedata.normalize("NFD", t) for t in annex.titles],
        [[unicodedata.normalize("NFD", c) for c in row] for row in annex.data],
    )
    a = read_plan_bytes(annex_files.build_docx(annex), "a.docx").plan
    b = read_plan_bytes(annex_files.build_docx(nfd), "b.docx").plan
    assert a is not None and plan_as_dict(a) == plan_as_dict(b)
