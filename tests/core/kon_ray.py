"""The Kon Rẫy annex as a person reads it, written out by hand, and builders of its other formats.

``EXPECTED`` is the golden answer every reader must give for the annex,
whatever the file format. Each row: code, name, measure, per, per_period,
direction, targets ((period, comparator, value, text), …), lead units,
by_sex, needs_review.
"""

from __future__ import annotations

from decimal import Decimal as D

from chitieu import konray

ANNEX = konray.ANNEX

TITLE = "PHÂN CÔNG THEO DÕI, CHỦ TRÌ THỰC HIỆN CÁC MỤC TIÊU, CHỈ TIÊU"
SUBTITLE = "(Kèm theo Kế hoạch số /KH-UBND, ngày / /2024 của Ủy ban Nhân dân huyện Kon Rẫy)"
PHASE, YEAR = "2021-2025", "2024"

LD = "Phòng Lao động - Thương binh và Xã hội"
YT = "Phòng Y tế"
GD = "Phòng Giáo dục và Đào tạo"
VH = "Phòng Văn hoá-Thông tin"
TTVH = "Trung tâm Văn hoá-Thể thao -Du lịch và Truyền thông"

OBJECTIVES = [
    ("1", "Mục tiêu 1: Trong lĩnh vực chính trị"),
    ("2", "Mục tiêu 2: Trong lĩnh vực kinh tế, lao động"),
    ("3", "Mục tiêu 3: Trong đời sống gia đình và phòng ngừa, ứng phó với bạo lực trên cơ sở giới"),
    ("4", "Mục tiêu 4: Trong lĩnh vực y tế"),
    ("5", "Mục tiêu 5: Trong lĩnh vực giáo dục, Đào tạo"),
    ("6", "Mục tiêu 6: Trong lĩnh vực thông tin, truyền thông"),
]


def _same(comparator, value, text):
    """The same target for the phase and for 2024."""
    return ((PHASE, comparator, value, text), (YEAR, comparator, value, text))


EXPECTED = [
    ("1.1", "Các cơ quan quản lý nhà nước, chính quyền địa phương các cấp có lãnh đạo chủ chốt là nữ",
     "percent", None, None, "increase", _same(">=", D(60), "60%"), ("Phòng Nội vụ",), False, False),
    ("2.1", "Tăng tỷ lệ lao động nữ làm công hưởng lương so với tổng số lao động nữ",
     "percent", None, None, "increase", _same(">=", D(50), "50%"), (LD,), False, False),
    ("2.2", "Giảm tỷ trọng lao động nữ làm việc trong khu vực nông nghiệp trong tổng số lao động nữ"
     " có việc làm",
     "percent", None, None, "decrease", _same("<=", D(30), "30%"), (LD,), False, False),
    ("2.3", "Tỷ lệ nữ giám đốc/chủ doanh nghiệp, hợp tác xã",
     "percent", None, None, "increase",
     ((PHASE, ">=", D(27), "27%"), (YEAR, ">=", D("26.6"), "26.6%")),
     ("Phòng Tài chính - Kế hoạch",), False, False),
    ("3.1", "Giảm số giờ trung bình làm công việc nội trợ và chăm sóc trong gia đình không được trả công"
     " của phụ nữ so với nam giới",
     "times", None, None, "decrease", _same("<=", D("1.7"), "1,7 lần"), (LD,), False, False),
    ("3.2a", "Người bị bạo lực gia đình được phát hiện được tiếp cận ít nhất một lần trong các dịch vụ"
     " hỗ trợ cơ bản",
     "percent", None, None, "increase", _same(">=", D(80), "80%"), (VH,), False, False),
    ("3.2b", "Người gây bạo lực gia đình, bạo lực trên cơ sở giới được phát hiện ở mức chưa bị truy cứu"
     " trách nhiệm hình sự được tư vấn, tham vấn",
     "percent", None, None, "increase", _same(">=", D(50), "50%"), (VH,), False, False),
    ("3.3", "Số nạn nhân bị mua bán trở về được phát hiện có nhu cầu hỗ trợ được hưởng các dịch vụ hỗ trợ"
     " và tái hòa nhập cộng đồng",
     "percent", None, None, "increase", _same(">=", D(100), "100%"), (LD,), False, False),
    ("3.4", "Cơ sở trợ giúp xã hội công lập triển khai các hoạt động trợ giúp, phòng ngừa và ứng phó"
     " với bạo lực trên cơ sở giới",
     "percent", None, None, "increase", _same(">=", D(70), "70%"), (LD,), False, False),
    ("4.1", "Tỷ số giới tính khi sinh ở mức 100 bé trai/100 bé gái sinh ra sống",
     "ratio", 100, None, "decrease", _same("<=", D(100), "100 bé trai/100 bé gái"), (YT,), False, True),
    ("4.2", "Tỷ lệ tử vong bà mẹ liên quan đến thai sản",
     "rate", 100000, None, "decrease",
     ((PHASE, "<=", D(30), "30/100.000 trẻ"), (YEAR, "<=", D("31.6"), "31.6/100.000 trẻ")),
     (YT,), False, False),
    ("4.3", "Tỷ suất sinh ở vị thành niên",
     "rate", 1000, None, "decrease",
     ((PHASE, "<=", D(55), "55/1.000"), (YEAR, "<=", D(70), "70/1.000")), (YT,), False, False),
    ("5.1", "Nội dung về giới, bình đẳng giới được đưa vào chương trình giảng dạy trong hệ thống"
     " giáo dục quốc dân",
     "percent", None, None, "increase", _same(">=", D(100), "100%"), (GD,), False, False),
    ("5.2a", "Tỷ lệ trẻ em trai và trẻ em gái dân tộc thiểu số hoàn thành giáo dục tiểu học",
     "percent", None, None, "increase", _same(">=", D(100), "100%"), (GD,), True, False),
    ("5.2b", "Tỷ lệ trẻ em trai và trẻ em gái dân tộc thiểu số hoàn thành cấp trung học cơ sở",
     "percent", None, None, "increase", _same(">=", D(95), "95%"), (GD,), True, False),
    ("5.3", "Tỷ lệ nữ học sinh, sinh viên được tuyển mới thuộc hệ thống giáo dục nghề nghiệp",
     "percent", None, None, "increase", _same(">=", D(30), "30%"), (LD,), False, False),
    ("6.1", "Người dân được tiếp cận kiến thức cơ bản về bình đẳng giới",
     "percent", None, None, "increase", _same(">=", D(60), "60%"), (LD,), False, False),
    ("6.2", "Các tổ chức Đảng, chính quyền, cơ quan hành chính, ban, ngành, đoàn thể các cấp được phổ biến,"
     " cập nhật thông tin về bình đẳng giới và cam kết thực hiện bình đẳng giới",
     "percent", None, None, "increase", _same(">=", D(100), "100%"), (LD,), False, False),
    ("6.3", "Duy trì 100% các xã, thị trấn phần đầu mỗi quý có ít nhất 03 tin về bình đẳng giới trên hệ thống"
     " thông tin cơ sở",
     "count", None, "quarter", "increase", _same(">=", D(3), "03 tin, bài/quý"),
     ("UBND các xã, thị trấn", TTVH), False, False),
    ("6.4", "xây dựng chuyên mục, chuyên đề nâng cao nhận thức về bình đẳng giới hàng tháng",
     "count", None, "month", "increase", _same(">=", D(1), "01 chuyên mục/tháng"), (TTVH,), False, False),
]  # fmt: skip


def as_rows(plan):
    """The plan in the shape of ``EXPECTED``."""
    return [
        (
            i.code,
            i.name,
            i.measure.value,
            i.per,
            i.per_period.value if i.per_period else None,
            i.direction.value,
            tuple((t.period, t.comparator.value, t.value, t.text) for t in i.targets),
            i.lead_units,
            i.by_sex,
            i.needs_review,
        )
        for i in plan.indicators
    ]
