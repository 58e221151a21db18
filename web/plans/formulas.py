"""Default labels for what a unit counts, per indicator of the national strategy.

The annex gives only the indicator's name; the numerator and denominator a
commune must count come from the strategy's definitions (see docs/domain.md).
Matched on words of the name, so a re-worded annex still finds them; every
label stays editable on the review screen.
"""

from __future__ import annotations

from chitieu.names import name_key
from chitieu.plan import Measure

# (words that must all appear in the folded name, numerator, denominator)
KNOWN: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("lanh dao chu chot",), "Số cơ quan có lãnh đạo chủ chốt là nữ", "Tổng số cơ quan"),
    (("lam cong huong luong",), "Số lao động nữ làm công hưởng lương", "Tổng số lao động nữ có việc làm"),
    (("nong nghiep",), "Số lao động nữ làm nông, lâm, thủy sản", "Tổng số lao động nữ có việc làm"),
    (("giam doc",), "Số doanh nghiệp, HTX do nữ làm chủ/giám đốc", "Tổng số doanh nghiệp, HTX"),
    (("so gio",), "Số giờ nội trợ, chăm sóc trung bình/tuần của nữ", "Số giờ trung bình/tuần của nam"),
    (
        ("nguoi bi bao luc",),
        "Số người bị bạo lực được tiếp cận dịch vụ hỗ trợ",
        "Số người bị bạo lực được phát hiện",
    ),
    (
        ("nguoi gay bao luc",),
        "Số người gây bạo lực được tư vấn, tham vấn",
        "Số người gây bạo lực được phát hiện",
    ),
    (("mua ban",), "Số nạn nhân được hỗ trợ", "Số nạn nhân có nhu cầu hỗ trợ"),
    (("co so tro giup",), "Số cơ sở triển khai hoạt động", "Tổng số cơ sở trợ giúp xã hội công lập"),
    (("gioi tinh khi sinh",), "Số bé trai sinh ra sống", "Số bé gái sinh ra sống"),
    (("tu vong ba me",), "Số bà mẹ tử vong liên quan đến thai sản", "Số trẻ đẻ ra sống"),
    (("sinh o vi thanh nien",), "Số trẻ sinh ra của phụ nữ 15–19 tuổi", "Số phụ nữ 15–19 tuổi"),
    (("chuong trinh giang day",), "Số trường đưa nội dung giới vào giảng dạy", "Tổng số trường"),
    (("tieu hoc",), "Số học sinh hoàn thành tiểu học", "Số học sinh trong độ tuổi (đoàn hệ)"),
    (("trung hoc co so",), "Số học sinh hoàn thành THCS", "Số học sinh trong độ tuổi (đoàn hệ)"),
    (("giao duc nghe nghiep",), "Số nữ học sinh, sinh viên tuyển mới", "Tổng số tuyển mới"),
    (("nguoi dan",), "Số người được tiếp cận kiến thức về bình đẳng giới", "Tổng dân số"),
    (("duoc pho bien",), "Số tổ chức được phổ biến, cập nhật thông tin", "Tổng số tổ chức"),
    (("tin ve binh dang gioi",), "Số tin, bài đã đăng", ""),
    (("chuyen muc",), "Số chuyên mục đã xây dựng", ""),
)


def default_labels(name: str, measure: Measure) -> tuple[str, str]:
    key = name_key(name)
    for words, numerator, denominator in KNOWN:
        if all(w in key for w in words):
            return numerator, denominator
    # Stored data, not interface text: Vietnamese whatever the user's language.
    if measure is Measure.COUNT:
        return "Số lượng", ""
    return "Số đạt yêu cầu", "Tổng số"
