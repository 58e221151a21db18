"""A report model built by hand, so the renderers are tested apart from the builder."""

from __future__ import annotations

from decimal import Decimal as D

from chitieu.reports.model import (
    AchievementBar,
    AchievementChart,
    Assessment,
    Header,
    ObservationRow,
    Report,
    ResultRow,
    RowKind,
    Section,
    Signature,
    TrendChart,
    TrendPoint,
)

A = Assessment


def _indicator(stt, text, unit, target, actual, previous, assessment, comparator=">=", **kw) -> ResultRow:
    return ResultRow(
        kind=RowKind.INDICATOR,
        stt=stt,
        text=text,
        unit=unit,
        target_phase=target,
        target_phase_text=f"{target}",
        target_year=target,
        target_year_text=f"{target}",
        comparator=comparator,
        actual=actual,
        actual_previous=previous,
        assessment=assessment,
        lead_units=kw.pop("lead", "Phòng Lao động - Thương binh và Xã hội"),
        indicator_code=stt,
        source=kw.pop("source", "Phòng Lao động - Thương binh và Xã hội"),
        needs_attention=assessment in (A.NOT_ACHIEVED, A.NO_DATA),
        **kw,
    )


ROWS = (
    ResultRow(RowKind.OBJECTIVE, "1", "Mục tiêu 1: Trong lĩnh vực chính trị"),
    _indicator(
        "1.1",
        "Các cơ quan quản lý nhà nước có lãnh đạo chủ chốt là nữ",
        "%",
        D(60),
        D("62.5"),
        D("58.33"),
        A.EXCEEDED,
        comparison="Cao hơn 2,5 điểm %",
        lead="Phòng Nội vụ",
    ),
    ResultRow(RowKind.OBJECTIVE, "2", "Mục tiêu 2: Trong lĩnh vực kinh tế, lao động"),
    _indicator(
        "2.1",
        "Tỷ lệ lao động nữ làm công hưởng lương",
        "%",
        D(50),
        D("52.17"),
        D("49.8"),
        A.EXCEEDED,
        comparison="Cao hơn 2,17 điểm %",
    ),
    _indicator(
        "2.2",
        "Tỷ trọng lao động nữ làm việc trong khu vực nông nghiệp",
        "%",
        D(30),
        D("34.1"),
        D("36.2"),
        A.NOT_ACHIEVED,
        comparator="<=",
        comparison="Cao hơn 4,1 điểm %",
    ),
    ResultRow(RowKind.OBJECTIVE, "4", "Mục tiêu 4: Trong lĩnh vực y tế"),
    _indicator(
        "4.2",
        "Tỷ lệ tử vong bà mẹ liên quan đến thai sản",
        "/100.000 trẻ đẻ sống",
        D("31.6"),
        None,
        D("1234.5"),
        A.NO_DATA,
        comparator="<=",
        lead="Phòng Y tế",
    ),
    ResultRow(RowKind.OBJECTIVE, "5", "Mục tiêu 5: Trong lĩnh vực giáo dục, đào tạo"),
    _indicator(
        "5.2a",
        "Tỷ lệ trẻ em trai và trẻ em gái dân tộc thiểu số hoàn thành giáo dục tiểu học",
        "%",
        D(100),
        D(100),
        D("99.1"),
        A.ACHIEVED,
        comparison="Bằng chỉ tiêu",
        lead="Phòng Giáo dục và Đào tạo",
    ),
    ResultRow(
        RowKind.BREAKDOWN,
        "",
        "Trẻ em trai",
        "%",
        target_phase=D(100),
        target_year=D(100),
        comparator=">=",
        actual=D(100),
        assessment=A.ACHIEVED,
        indicator_code="5.2a",
    ),
    ResultRow(
        RowKind.BREAKDOWN,
        "",
        "Trẻ em gái",
        "%",
        target_phase=D(100),
        target_year=D(100),
        comparator=">=",
        actual=D(100),
        assessment=A.ACHIEVED,
        indicator_code="5.2a",
    ),
)


def sample_report() -> Report:
    return Report(
        header=Header(issuing_body="Ủy ban nhân dân\nhuyện Kon Rẫy", place="Kon Rẫy", year=2024),
        title="BÁO CÁO",
        subject="Kết quả thực hiện mục tiêu quốc gia về bình đẳng giới năm 2024\ntrên địa bàn huyện Kon Rẫy",
        period="2024",
        previous_period="2023",
        phase="2021-2025",
        intro=("Ủy ban nhân dân huyện Kon Rẫy báo cáo kết quả thực hiện năm 2024 như sau:",),
        sections=(
            Section(
                "I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
                (
                    "Năm 2024, trong 5 chỉ tiêu: 2 chỉ tiêu vượt, 1 chỉ tiêu đạt, 1 chỉ tiêu không đạt"
                    " và 1 chỉ tiêu chưa có số liệu.",
                ),
                achievement_chart=True,
            ),
            Section(
                "II. NHỮNG CHỈ TIÊU CẦN QUAN TÂM",
                (),
                (
                    "Chỉ tiêu 2.2 không đạt: 34,1% so với chỉ tiêu ≤ 30%.",
                    "Chỉ tiêu 4.2 chưa có số liệu năm 2024.",
                ),
            ),
        ),
        table_title="KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU, CHỈ TIÊU BÌNH ĐẲNG GIỚI NĂM 2024",
        table_subtitle=(
            "(Kèm theo Báo cáo số      /BC-UBND ngày     /     /2024 của Ủy ban nhân dân huyện Kon Rẫy)"
        ),
        rows=ROWS,
        signature=Signature("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "Nguyễn Văn A"),
        recipients=("Sở Lao động - Thương binh và Xã hội tỉnh", "Thường trực Huyện ủy", "Lưu: VT, LĐTBXH"),
        achievement_chart=AchievementChart(
            "Kết quả thực hiện chỉ tiêu năm 2024 theo mục tiêu",
            (
                AchievementBar("MT 1", "Mục tiêu 1", ((A.EXCEEDED, 1),)),
                AchievementBar("MT 2", "Mục tiêu 2", ((A.EXCEEDED, 1), (A.NOT_ACHIEVED, 1))),
                AchievementBar("MT 4", "Mục tiêu 4", ((A.NO_DATA, 1),)),
                AchievementBar("MT 5", "Mục tiêu 5", ((A.ACHIEVED, 1),)),
            ),
        ),
        trend_charts=(
            TrendChart(
                "2.1",
                "Tỷ lệ lao động nữ làm công hưởng lương",
                "%",
                tuple(
                    TrendPoint(str(y), v)
                    for y, v in zip(range(2021, 2025), (D(45), None, D("49.8"), D("52.17")), strict=True)
                ),
                D(50),
                "Chỉ tiêu 2021-2025",
                D(50),
                "Chỉ tiêu 2024",
                "2024",
            ),
            TrendChart(
                "4.2",
                "Tỷ lệ tử vong bà mẹ",
                "/100.000",
                tuple(TrendPoint(str(y), None) for y in range(2021, 2025)),
                D(30),
                "Chỉ tiêu 2021-2025",
                D("31.6"),
                "Chỉ tiêu 2024",
                "2024",
            ),
        ),
        observations=(
            ObservationRow("2.1", "2024", "", "", D(1200), D(2300), None, "", "data.csv, dòng 2"),
            ObservationRow("2.1", "2024", "Xã Đăk Kôi", "Nữ", None, None, D("52.17"), "ước tính", "dòng 3"),
        ),
    )
