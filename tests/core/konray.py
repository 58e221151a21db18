"""The Kon Rẫy 2024 annex, built by hand from the real file (chitieu/data/kon-ray-2024-plan-annex.txt).

Used by the evaluation tests and the bench so they do not depend on the importer;
the codes, measures, directions and values are our reading of each row.
"""

from __future__ import annotations

from decimal import Decimal

from chitieu.periods import parse_period
from chitieu.plan import Comparator, CountPeriod, Direction, Indicator, Measure, Objective, Plan, Target

PHASE, YEAR = "2021-2025", "2024"
LTBXH = "Phòng Lao động - Thương binh và Xã hội"
COMMUNES = ("Đăk Rve", "Đăk Kôi", "Đăk Pne", "Đăk Ruồng", "Đăk Tơ Lung", "Đăk Tờ Re", "Tân Lập")


def _targets(
    comparator: Comparator, phase: str, year: str, text_phase: str, text_year: str
) -> tuple[Target, ...]:
    return (
        Target(PHASE, comparator, Decimal(phase), text_phase),
        Target(YEAR, comparator, Decimal(year), text_year),
    )


def _share(code: str, name: str, phase: str, year: str, unit: str, *, lower: bool = False, **kw) -> Indicator:
    comparator = Comparator.LE if lower else Comparator.GE
    return Indicator(
        code=code,
        name=name,
        measure=Measure.PERCENT,
        direction=Direction.DECREASE if lower else Direction.INCREASE,
        targets=_targets(comparator, phase, year, f"{phase}%", f"{year}%"),
        lead_units=(unit,),
        unit_label="%",
        **kw,
    )


def konray_plan() -> Plan:
    o1 = (_share("1.1", "Cơ quan có lãnh đạo chủ chốt là nữ", "60", "60", "Phòng Nội vụ"),)
    o2 = (
        _share("2.1", "Tỷ lệ lao động nữ làm công hưởng lương", "50", "50", LTBXH),
        _share("2.2", "Tỷ trọng lao động nữ trong nông nghiệp", "30", "30", LTBXH, lower=True),
        _share("2.3", "Tỷ lệ nữ giám đốc/chủ doanh nghiệp, HTX", "27", "26.6", "Phòng Tài chính - Kế hoạch"),
    )
    o3 = (
        Indicator(
            code="3.1",
            name="Số giờ làm việc nhà không được trả công của nữ so với nam",
            measure=Measure.TIMES,
            direction=Direction.DECREASE,
            targets=_targets(Comparator.LE, "1.7", "1.7", "1,7 lần", "1,7 lần"),
            lead_units=(LTBXH,),
            unit_label="lần",
        ),
        _share(
            "3.2a",
            "Người bị bạo lực gia đình được tiếp cận dịch vụ hỗ trợ",
            "80",
            "80",
            "Phòng Văn hoá-Thông tin",
        ),
        _share("3.2b", "Người gây bạo lực được tư vấn, tham vấn", "50", "50", "Phòng Văn hoá-Thông tin"),
        _share("3.3", "Nạn nhân bị mua bán trở về được hỗ trợ", "100", "100", LTBXH),
        _share("3.4", "Cơ sở trợ giúp xã hội công lập phòng ngừa bạo lực giới", "70", "70", LTBXH),
    )
    o4 = (
        Indicator(
            code="4.1",
            name="Tỷ số giới tính khi sinh",
            measure=Measure.RATIO,
            per=100,
            direction=Direction.DECREASE,
            targets=_targets(Comparator.LE, "100", "100", "100 bé trai/100 bé gái", "100 bé trai/100 bé gái"),
            lead_units=("Phòng Y tế",),
            unit_label="bé trai/100 bé gái",
            needs_review=True,
        ),
        Indicator(
            code="4.2",
            name="Tỷ lệ tử vong bà mẹ liên quan đến thai sản",
            measure=Measure.RATE,
            per=100000,
            direction=Direction.DECREASE,
            targets=_targets(Comparator.LE, "30", "31.6", "30/100.000 trẻ", "31.6/100.000 trẻ"),
            lead_units=("Phòng Y tế",),
            unit_label="/100.000 trẻ",
        ),
        Indicator(
            code="4.3",
            name="Tỷ suất sinh ở vị thành niên",
            measure=Measure.RATE,
            per=1000,
            direction=Direction.DECREASE,
            targets=_targets(Comparator.LE, "55", "70", "55/1.000", "70/1.000"),
            lead_units=("Phòng Y tế",),
            unit_label="/1.000",
        ),
    )
    edu = "Phòng Giáo dục và Đào tạo"
    o5 = (
        _share("5.1", "Nội dung về giới trong chương trình giảng dạy", "100", "100", edu),
        _share("5.2a", "Trẻ em trai và gái DTTS hoàn thành tiểu học", "100", "100", edu, by_sex=True),
        _share("5.2b", "Trẻ em trai và gái DTTS hoàn thành THCS", "95", "95", edu, by_sex=True),
        _share("5.3", "Nữ học sinh tuyển mới giáo dục nghề nghiệp", "30", "30", LTBXH),
    )
    centre = "Trung tâm Văn hoá-Thể thao -Du lịch và Truyền thông"
    o6 = (
        _share("6.1", "Người dân được tiếp cận kiến thức về bình đẳng giới", "60", "60", LTBXH),
        _share("6.2", "Tổ chức được phổ biến thông tin về bình đẳng giới", "100", "100", LTBXH),
        Indicator(
            code="6.3",
            name="Xã, thị trấn mỗi quý có ít nhất 03 tin về bình đẳng giới",
            measure=Measure.COUNT,
            per_period=CountPeriod.QUARTER,
            direction=Direction.MAINTAIN,
            targets=_targets(Comparator.GE, "3", "3", "03 tin, bài/quý", "03 tin, bài/quý"),
            lead_units=("UBND các xã, thị trấn", centre),
            unit_label="tin, bài/quý",
            per_unit=True,
            unit_share=Decimal(100),
        ),
        Indicator(
            code="6.4",
            name="Chuyên mục về bình đẳng giới hằng tháng",
            measure=Measure.COUNT,
            per_period=CountPeriod.MONTH,
            direction=Direction.INCREASE,
            targets=_targets(Comparator.GE, "1", "1", "01 chuyên mục/tháng", "01 chuyên mục/tháng"),
            lead_units=(centre,),
            unit_label="chuyên mục/tháng",
        ),
    )
    objectives = tuple(
        Objective(str(n), f"Mục tiêu {n}", inds) for n, inds in enumerate((o1, o2, o3, o4, o5, o6), start=1)
    )
    return Plan(
        title="PHÂN CÔNG THEO DÕI, CHỦ TRÌ THỰC HIỆN CÁC MỤC TIÊU, CHỈ TIÊU",
        periods=(parse_period(PHASE), parse_period(YEAR)),
        objectives=objectives,
    )
