"""Kon Rẫy district, the first user: its 2024 annex and the units that plan needs.

One place for these facts, read by the demo loader, the default org units and
the tests alike (the annex itself is shipped in ``chitieu/data``).
"""

from pathlib import Path

ANNEX = Path(__file__).parent / "data" / "kon-ray-2024-plan-annex.txt"

PROVINCE = "Kon Tum"
DISTRICT = "Kon Rẫy"
COMMUNES = (
    "Thị trấn Đăk Rve",
    "Xã Đăk Kôi",
    "Xã Đăk Pne",
    "Xã Đăk Ruồng",
    "Xã Đăk Tơ Lung",
    "Xã Đăk Tờ Re",
    "Xã Tân Lập",
)
OFFICES = (
    "Phòng Nội vụ",
    "Phòng Lao động - Thương binh và Xã hội",
    "Phòng Tài chính - Kế hoạch",
    "Phòng Văn hoá-Thông tin",
    "Phòng Y tế",
    "Phòng Giáo dục và Đào tạo",
    "Trung tâm Văn hoá-Thể thao-Du lịch và Truyền thông",
)
# Indicators the communes themselves report each quarter (they detect violence cases
# first); the annex names the district office as lead, which then compiles them.
COMMUNE_QUARTERLY = ("3.2a", "3.2b")
