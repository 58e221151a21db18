"""The demo's July 2025 story: Kon Rẫy's units reorganised, and the 2026–2030 plan of its successor.

Facts only, read by the web app's demo loader and the tests. The mapping of the
old communes to new ones and every commune or district code here are
ILLUSTRATIVE: the official list (Resolution 1677/NQ-UBTVQH15 of 16 June 2025 on
Quảng Ngãi's commune-level units) could not be checked when this was written,
so the demo says so on its pages and never presents the mapping as official.
Only the two province codes (Kon Tum 62, Quảng Ngãi 51) are the official ones.
"""

from datetime import date
from pathlib import Path

from chitieu import konray

DATA = Path(__file__).parent / "data" / "demo"
REORGANISATION_FILE = DATA / "kon-ray-reorganisation-2025.csv"
PLAN_2026_ANNEX = DATA / "quang-ngai-2026-2030-plan-annex.txt"
EFFECTIVE = date(2025, 7, 1)

OLD_PROVINCE_CODES = {konray.PROVINCE: "62"}
OLD_QUANG_NGAI = ("Quảng Ngãi", "51")  # the province Kon Tum merged into, before 1 July 2025
DISTRICT_CODE = "906"  # illustrative
COMMUNE_CODES = {  # illustrative
    "Thị trấn Đăk Rve": "90001",
    "Xã Đăk Kôi": "90002",
    "Xã Đăk Pne": "90003",
    "Xã Đăk Ruồng": "90004",
    "Xã Đăk Tơ Lung": "90005",
    "Xã Đăk Tờ Re": "90006",
    "Xã Tân Lập": "90007",
}
NEW_PROVINCE = ("Tỉnh Quảng Ngãi", "51")
NEW_COMMUNES = {  # illustrative: new commune → the old units it is formed from
    "Xã Đăk Rve": ("Thị trấn Đăk Rve", "Xã Đăk Pne"),
    "Xã Đăk Kôi": ("Xã Đăk Kôi", "Xã Đăk Tơ Lung"),
    "Xã Kon Braih": ("Xã Tân Lập", "Xã Đăk Ruồng", "Xã Đăk Tờ Re"),
}
# The province's departments that lead the 2026–2030 annex's indicators (gender equality
# moved with the Labour ministry's merger into Home Affairs).
PROVINCE_OFFICES = ("Sở Nội vụ", "Sở Y tế")
COORDINATOR = ("dieuphoi.quangngai", "Phan Thị Thu")
PLAN_2026_NAME = "Kế hoạch thực hiện Chiến lược quốc gia về bình đẳng giới giai đoạn 2026–2030 (minh hoạ)"
NEW_COMMUNE_CODES = {"Xã Đăk Rve": "91001", "Xã Đăk Kôi": "91002", "Xã Kon Braih": "91003"}  # illustrative
ILLUSTRATIVE_CODES = frozenset({DISTRICT_CODE, *COMMUNE_CODES.values(), *NEW_COMMUNE_CODES.values()})


def shows_illustrative(codes) -> bool:
    """A page showing any of these units must say the demo's mapping is illustrative."""
    return any(code in ILLUSTRATIVE_CODES for code in codes)
