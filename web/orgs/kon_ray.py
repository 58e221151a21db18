"""The units Kon Rẫy's 2024 plan needs: the district, its communes and the offices of its annex."""

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
