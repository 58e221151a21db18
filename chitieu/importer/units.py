"""Lead-unit cells: "UBND các xã, thị trấn và Trung tâm Văn hoá-Thể thao -Du lịch và Truyền thông".

A cell may name several units. Many unit names contain "và" themselves
("Phòng Lao động - Thương binh và Xã hội"), so a cell is split at "và", ";",
"," or a line break only where the next part starts a new unit, that is with a
word that opens a unit's name (Phòng, Trung tâm, UBND, …).
"""

from __future__ import annotations

import re

from chitieu.importer.grid import one_line

# Words that open the name of a Vietnamese public body, longest first.
UNIT_OPENERS = (
    "Ủy ban nhân dân",
    "Uỷ ban nhân dân",
    "Ủy ban",
    "Uỷ ban",
    "Ủy ban MTTQ",
    "Mặt trận",
    "Văn phòng",
    "Trung tâm",
    "Công an",
    "Chi cục",
    "Bệnh viện",
    "Ban Chỉ huy",
    "Liên đoàn",
    "Huyện đoàn",
    "Huyện ủy",
    "Huyện uỷ",
    "Tòa án",
    "Toà án",
    "Viện kiểm sát",
    "Thanh tra",
    "Cơ quan",
    "Đài",
    "Đoàn",
    "Hội",
    "Ban",
    "Phòng",
    "Sở",
    "Bộ",
    "Tổng cục",
    "Cục",
    "Viện",
    "Tỉnh ủy",
    "Tỉnh uỷ",
    "Tỉnh đoàn",
    "Thành ủy",
    "Thành uỷ",
    "Thành đoàn",
    "Đảng ủy",
    "Đảng uỷ",
    "Ngân hàng",
    "Bảo hiểm xã hội",
    "Kho bạc",
    "Chi nhánh",
    "Trường",
    "UBND",
    "MTTQ",
    "HĐND",
    "Các phòng",
    "Các cơ quan",
    "Các đơn vị",
)
_OPENER = "|".join(re.escape(o) for o in UNIT_OPENERS)
# A separator followed (lookahead) by a unit opener as a whole word.
_SPLIT = re.compile(rf"\s*(?:\bvà\b|;|,|\n)\s*(?=(?:{_OPENER})(?:\s|$|[-–,.]))")


# "và" followed by an opener written in lower case ("và phòng Y tế", "và sở ...") or a cell
# in capitals: a person should say whether it names one unit or several.
_DOUBTFUL = re.compile(rf"\b(?:và|VÀ)\s+(?:{_OPENER})(?:\s|$|[-–,.])", re.IGNORECASE)


def doubtful_split(cell: str) -> bool:
    """True when the cell may join units at a "và" that ``split_units`` kept whole."""
    return any(_DOUBTFUL.search(unit) and not _SPLIT.search(unit) for unit in split_units(cell))


def split_units(cell: str) -> tuple[str, ...]:
    """One entry per unit named in the cell, in the order written."""
    parts = _SPLIT.split(cell.replace("\r", "\n"))
    units = []
    for part in parts:
        unit = one_line(part).strip(" ,;.-+•")
        if unit and unit not in units:
            units.append(unit)
    return tuple(units)
