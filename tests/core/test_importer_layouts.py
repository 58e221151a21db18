"""Annexes laid out differently from Kon Rẫy's: other header wordings, columns, numbering."""

from decimal import Decimal

from chitieu.importer import read_plan_bytes
from chitieu.importer.layout import period_from_header
from chitieu.importer.units import split_units
from chitieu.issues import Severity

VARIANT = """\
UBND HUYỆN A
KẾ HOẠCH THỰC HIỆN MỤC TIÊU QUỐC GIA VỀ BÌNH ĐẲNG GIỚI NĂM 2024
STT;Nội dung;Đơn vị tính;Chỉ tiêu đến năm 2025;Kế hoạch năm 2024;Đơn vị chủ trì;Đơn vị phối hợp
(1);(2);(3);(4);(5);(6);(7)
I;Mục tiêu 1: Chính trị;;;;;
1.1;Tỷ lệ nữ đại biểu Hội đồng nhân dân;%;35;30;Phòng Nội vụ;Hội Liên hiệp Phụ nữ
1.2.;Giảm tỷ lệ tảo hôn;%;dưới 5;7;Phòng Tư pháp và Phòng Y tế;
STT;Nội dung;Đơn vị tính;Chỉ tiêu đến năm 2025;Kế hoạch năm 2024;Đơn vị chủ trì;Đơn vị phối hợp
II;Mục tiêu 2: Y tế;;;;;
;Chỉ tiêu 1: Tỷ lệ tử vong trẻ em dưới 5 tuổi;;không vượt quá 20/1.000;22/1.000;Phòng Y tế;
;Chỉ tiêu 2: Số buổi truyền thông;;ít nhất 4 buổi/năm;4 buổi/năm;Trung tâm Y tế;
Ghi chú: số liệu do các phòng cung cấp
"""


def test_variant_layout_with_unit_column_roman_objectives_and_repeated_header():
    result = read_plan_bytes(VARIANT.encode(), "ke-hoach.csv")
    plan = result.plan
    assert plan is not None, result.issues
    assert plan.title == "UBND HUYỆN A KẾ HOẠCH THỰC HIỆN MỤC TIÊU QUỐC GIA VỀ BÌNH ĐẲNG GIỚI NĂM 2024"
    assert [p.key for p in plan.periods] == ["2021-2025", "2024"]
    assert [(o.code, o.title) for o in plan.objectives] == [
        ("1", "Mục tiêu 1: Chính trị"),
        ("2", "Mục tiêu 2: Y tế"),
    ]
    rows = {
        i.code: (
            i.measure.value,
            i.per,
            i.per_period.value if i.per_period else None,
            i.direction.value,
            [(t.period, t.comparator.value, t.value, t.text) for t in i.targets],
            i.lead_units,
        )
        for i in plan.indicators
    }
    assert rows == {
        "1.1": (
            "percent", None, None, "increase",
            [("2021-2025", ">=", Decimal(35), "35"), ("2024", ">=", Decimal(30), "30")],
            ("Phòng Nội vụ",),
        ),
        "1.2": (
            "percent", None, None, "decrease",
            [("2021-2025", "<=", Decimal(5), "dưới 5"), ("2024", "<=", Decimal(7), "7")],
            ("Phòng Tư pháp", "Phòng Y tế"),
        ),
        "2.1": (
            "rate", 1000, None, "decrease",
            [("2021-2025", "<=", Decimal(20), "không vượt quá 20/1.000"),
             ("2024", "<=", Decimal(22), "22/1.000")],
            ("Phòng Y tế",),
        ),
        "2.2": (
            "count", None, "year", "increase",
            [("2021-2025", ">=", Decimal(4), "ít nhất 4 buổi/năm"), ("2024", ">=", Decimal(4), "4 buổi/năm")],
            ("Trung tâm Y tế",),
        ),
    }  # fmt: skip
    found = {(i.severity, i.code) for i in result.issues}
    assert (Severity.REVIEW, "period_inferred") in found  # "đến năm 2025" read as 2021-2025
    assert (Severity.INFO, "skipped_row") in found  # the note under the table


def test_period_headers():
    keys = {
        "Giai đoạn 2021-2025": "2021-2025",
        "2021 - 2025": "2021-2025",
        "Giai đoạn 2026–2030": "2026-2030",
        "Năm 2024": "2024",
        "Kế hoạch năm 2024": "2024",
        "KH 2024": "2024",
        "2024": "2024",
        "Chỉ tiêu đến năm 2030": "2021-2030",
    }
    assert {text: period_from_header(text).period.key for text in keys} == keys
    assert period_from_header("Mục tiêu, chỉ tiêu thực hiện") is None
    assert period_from_header("ngày / /2024") is None


def test_lead_units_split_only_where_a_new_unit_starts():
    assert split_units("UBND các xã, thị trấn và Trung tâm Văn hoá-Thể thao -Du lịch và Truyền thông") == (
        "UBND các xã, thị trấn",
        "Trung tâm Văn hoá-Thể thao -Du lịch và Truyền thông",
    )
    for whole in (
        "Phòng Lao động - Thương binh và Xã hội",
        "Phòng Giáo dục và Đào tạo",
        "Trung tâm Văn hoá-Thể thao -Du lịch và Truyền thông",
        "Phòng Văn hoá và Thông tin",
    ):
        assert split_units(whole) == (whole,)
    assert split_units("Phòng Y tế; Phòng Nội vụ\nCông an huyện") == (
        "Phòng Y tế",
        "Phòng Nội vụ",
        "Công an huyện",
    )
    assert split_units("Phòng Tư pháp, Ủy ban MTTQ huyện và Hội Liên hiệp Phụ nữ") == (
        "Phòng Tư pháp",
        "Ủy ban MTTQ huyện",
        "Hội Liên hiệp Phụ nữ",
    )


def test_objective_whose_rows_are_unnumbered_gets_sequential_codes():
    text = (
        "TT\tChỉ tiêu\tNăm 2024\tĐơn vị chủ trì\n1\tMục tiêu 1: A\t\t\n"
        "\t- Tỷ lệ x\t5%\tPhòng Y tế\n\t- Tỷ lệ y\t6%\t\n"
    )
    plan = read_plan_bytes(text.encode(), "a.txt").plan
    # Unnumbered rows opening an objective are numbered in order; the empty lead cell inherits.
    assert [(i.code, i.lead_units) for i in plan.indicators] == [
        ("1.1", ("Phòng Y tế",)),
        ("1.2", ("Phòng Y tế",)),
    ]


def test_bare_numbers_without_unit_are_inferred_and_flagged():
    text = (
        "TT\tChỉ tiêu\tNăm 2024\tĐơn vị chủ trì\n1\tMục tiêu 1: A\t\t\n"
        "1.1\tTỷ lệ nữ lãnh đạo\t30\tPhòng Nội vụ\n"
    )
    result = read_plan_bytes(text.encode(), "a.txt")
    indicator = result.plan.indicator("1.1")
    assert (indicator.measure.value, indicator.needs_review) == ("percent", True)
    assert [(i.where, i.code) for i in result.issues] == [("row 1.1", "measure_inferred")]


def test_codes_inside_the_name_column_and_roman_objectives():
    text = (
        "Nội dung\tKế hoạch năm 2024\tĐơn vị chủ trì\n"
        "IV. LĨNH VỰC Y TẾ\t\t\n"
        "4.1. Tỷ suất sinh ở vị thành niên\t70/1.000\tPhòng Y tế\n"
        "4.2 Tỷ lệ tử vong bà mẹ\t31,6/100.000\tPhòng Y tế\n"
    )
    plan = read_plan_bytes(text.encode(), "a.txt").plan
    # "IV." is not a "Mục tiêu" row, but it has no target and no number of its own: an objective.
    assert [(o.code, o.title) for o in plan.objectives] == [("4", "IV. LĨNH VỰC Y TẾ")]
    assert [(i.code, i.name) for i in plan.indicators] == [
        ("4.1", "Tỷ suất sinh ở vị thành niên"),
        ("4.2", "Tỷ lệ tử vong bà mẹ"),
    ]


def test_title_is_the_block_under_the_annex_label_not_the_plan_text_above():
    text = (
        "KẾ HOẠCH Thực hiện công tác bình đẳng giới năm 2024\n"
        "Căn cứ Nghị quyết số 28/NQ-CP ngày 03/3/2021 của Chính phủ;\n"
        "Ủy ban nhân dân huyện ban hành Kế hoạch như sau:\n"
        "Phụ lục\n"
        "PHÂN CÔNG THEO DÕI CHỈ TIÊU\n"
        "(Kèm theo Kế hoạch số 12/KH-UBND)\n"
        "TT\tChỉ tiêu\tNăm 2024\tĐơn vị chủ trì\n"
        "1\tMục tiêu 1: A\t\t\n"
        "1.1\tTỷ lệ x\t5%\tPhòng Y tế\n"
    )
    plan = read_plan_bytes(text.encode(), "a.txt").plan
    assert (plan.title, plan.subtitle) == ("PHÂN CÔNG THEO DÕI CHỈ TIÊU", "(Kèm theo Kế hoạch số 12/KH-UBND)")


def test_unquoted_decimal_comma_in_a_comma_separated_file_is_pointed_at():
    text = (
        "TT,Chỉ tiêu,Giai đoạn 2021-2025,Năm 2024,Đơn vị chủ trì\n"
        "3,Mục tiêu 3: Gia đình,,,\n"
        "3.1,Giảm số giờ làm việc nhà của phụ nữ so với nam giới,1,7 lần,1,7 lần,Phòng Lao động\n"
    )
    result = read_plan_bytes(text.encode(), "ke-hoach.csv")
    stray = [i for i in result.issues if i.code == "stray_cell"]
    assert [(i.severity, i.where) for i in stray] == [
        (Severity.WARNING, "line 3, cell F"),
        (Severity.WARNING, "line 3, cell G"),
    ]
    assert "ngoặc kép" in stray[0].message


def test_lead_units_joined_by_va_after_a_name_containing_va():
    # Issue 12 item 9: "và" inside a name and "và" between units in the same cell.
    assert split_units("Sở Văn hóa, Thể thao và Du lịch và Sở Y tế") == (
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Y tế",
    )
    assert split_units("Bộ Y tế và Bộ Giáo dục và Đào tạo") == ("Bộ Y tế", "Bộ Giáo dục và Đào tạo")
    assert split_units("Cục Thống kê và Sở Nội vụ") == ("Cục Thống kê", "Sở Nội vụ")
    for whole in (
        "Sở Khoa học và Công nghệ",
        "Bộ Lao động - Thương binh và Xã hội",
        "Phòng Giáo dục và Đào tạo",
    ):
        assert split_units(whole) == (whole,)


def test_doubtful_va_in_a_lead_unit_cell_is_flagged_for_review():
    text = (
        "TT\tChỉ tiêu\tNăm 2024\tĐơn vị chủ trì\n1\tMục tiêu 1: A\t\t\n"
        "1.1\tTỷ lệ x\t5%\tPhòng Y tế và phòng Nội vụ\n"
        "1.2\tTỷ lệ y\t6%\tBộ Y tế và Bộ Giáo dục và Đào tạo\n"
    )
    result = read_plan_bytes(text.encode(), "a.txt")
    first, second = result.plan.indicators
    assert first.needs_review and first.lead_units == ("Phòng Y tế và phòng Nội vụ",)
    assert [i.code for i in result.issues if i.where == "row 1.1"] == ["ambiguous_lead_units"]
    assert second.lead_units == ("Bộ Y tế", "Bộ Giáo dục và Đào tạo") and not second.needs_review
