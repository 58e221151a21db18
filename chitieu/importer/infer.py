"""What an indicator means: measure, direction, comparators, sex and per-unit flags.

The annex rarely says "at least" or "at most" in the target cell; the meaning
is in the indicator's wording (domain.md): "Tăng", "ít nhất", "trên", "đạt"
→ higher is better; "Giảm", "dưới", "không vượt quá", deaths, violence,
adolescent births, the sex ratio at birth → lower is better; "Duy trì" →
maintain. Where the wording is silent, a percentage of a good thing is "at
least". Doubts become ``review`` issues instead of silent guesses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from chitieu.issues import Issue, Severity
from chitieu.plan import Comparator, CountPeriod, Direction, Measure
from chitieu.quantity import Quantity

# Natural sex ratio at birth and the national targets (Resolution 28/NQ-CP).
NATURAL_SEX_RATIO = (Decimal(104), Decimal(106))
NATIONAL_SEX_RATIO = {2025: Decimal(111), 2030: Decimal(109)}

_BY_SEX = re.compile(
    r"\btrai\s+và\s+(?:trẻ em\s+|học sinh\s+|em\s+)?gái\b|\bnam\s+và\s+nữ\b|\bnữ\s+và\s+nam\b|\bnam,\s*nữ\b"
)
_PER_UNIT = re.compile(r"(\d+(?:[.,]\d+)?)\s*%\s*(?:số\s+|các\s+)")
_SEX_RATIO = re.compile(r"giới tính khi sinh")
_BAD_SUBJECTS = ("tử vong", "bạo lực", "mua bán", "tảo hôn", "cận huyết", "vị thành niên", "phá thai")
# Wording that turns a bad subject into a service for it: "được tư vấn", "phòng ngừa … bạo lực".
_SERVICE_WORDS = (
    "được",
    "phòng ngừa",
    "phòng chống",
    "phòng, chống",
    "ứng phó",
    "hỗ trợ",
    "trợ giúp",
    "tư vấn",
)
_AT_MOST = re.compile(r"\bkhông vượt quá\b|\btối đa\b|\bdưới\s+\d(?!\S*\s*(?:tuổi|tháng tuổi))")
_AT_LEAST = re.compile(r"\bít nhất\b|\btối thiểu\b|\btrên\s+\d(?!\S*\s*tuổi)|\bđạt\b")


@dataclass(frozen=True)
class Meaning:
    measure: Measure
    direction: Direction
    per: int | None = None
    per_period: CountPeriod | None = None
    unit_label: str = ""
    by_sex: bool = False
    per_unit: bool = False
    unit_share: Decimal | None = None
    issues: tuple[Issue, ...] = field(default=())

    @property
    def needs_review(self) -> bool:
        return any(i.severity is Severity.REVIEW for i in self.issues)


T = TypeVar("T")


def _first(values: Sequence[T | None], what: str, where: str) -> tuple[T | None, list[Issue]]:
    distinct = list(dict.fromkeys(v for v in values if v is not None))
    if len(distinct) > 1:
        shown = ", ".join(str(v) for v in distinct)
        return distinct[0], [
            Issue(Severity.ERROR, where, f"{what} khác nhau giữa các kỳ: {shown}", "mixed_units")
        ]
    return (distinct[0] if distinct else None), []


def _measure_from_wording(name: str) -> tuple[Measure, int | None]:
    lowered = name.lower()
    if "tỷ suất" in lowered:
        return Measure.RATE, 1000
    if "tỷ số" in lowered:
        return Measure.RATIO, 100
    if "tỷ lệ" in lowered or "tỷ trọng" in lowered:
        return Measure.PERCENT, None
    return Measure.COUNT, None


def _direction(name: str, measure: Measure, hints: list[Direction]) -> tuple[Direction, bool]:
    """(direction, doubtful) from the target cells' wording, then the indicator's."""
    lowered = name.lower()
    if hints:
        return hints[0], False
    if _SEX_RATIO.search(lowered):
        return Direction.DECREASE, False
    if re.search(r"^giảm\b|\bgiảm\b", lowered):
        return Direction.DECREASE, False
    if re.search(r"^tăng\b|\btăng\b", lowered):
        return Direction.INCREASE, False
    # "Duy trì 100% các xã … có ít nhất 03 tin": what is kept is the share of
    # communes; the quantity measured per commune is "at least 3".
    if re.search(r"\bduy trì\b", lowered) and not (_PER_UNIT.search(lowered) and _AT_LEAST.search(lowered)):
        return Direction.MAINTAIN, False
    if _AT_MOST.search(lowered):
        return Direction.DECREASE, False
    if _AT_LEAST.search(lowered):
        return Direction.INCREASE, False
    if any(s in lowered for s in _BAD_SUBJECTS) and not any(w in lowered for w in _SERVICE_WORDS):
        return Direction.DECREASE, False
    return Direction.INCREASE, measure not in (Measure.PERCENT, Measure.COUNT)


def comparator_for(direction: Direction, quantity: Quantity | None) -> Comparator:
    if quantity is not None and quantity.comparator is not None:
        return quantity.comparator
    # "Duy trì" keeps a level already reached: falling below it is the failure.
    return Comparator.LE if direction is Direction.DECREASE else Comparator.GE


def infer_meaning(name: str, quantities: list[Quantity], where: str) -> Meaning:
    issues: list[Issue] = []
    measure, found = _first([q.measure for q in quantities], "đơn vị đo", where)
    issues += found
    per, found = _first([q.per for q in quantities], "mẫu số", where)
    issues += found
    per_period, found = _first([q.per_period for q in quantities], "kỳ đếm", where)
    issues += found
    if measure is None:
        measure, per = _measure_from_wording(name)
        issues.append(
            Issue(
                Severity.REVIEW,
                where,
                f"chỉ tiêu không ghi đơn vị; suy ra từ tên chỉ tiêu: {measure.value}"
                + (f" trên {per}" if per else ""),
                "measure_inferred",
            )
        )
    hints = [q.direction for q in quantities if q.direction is not None]
    direction, doubtful = _direction(name, measure, hints)
    if doubtful:
        issues.append(
            Issue(
                Severity.REVIEW,
                where,
                "tên chỉ tiêu không nói tăng hay giảm; đã coi là càng cao càng tốt (≥)",
                "direction_guessed",
            )
        )
    lowered = name.lower()
    share = _PER_UNIT.search(lowered)
    per_unit = share is not None and measure is not Measure.PERCENT
    by_sex = bool(_BY_SEX.search(lowered)) and measure is not Measure.RATIO
    if _SEX_RATIO.search(lowered) and measure is Measure.RATIO:
        issues += _sex_ratio_review(quantities, where)
    label = next((q.unit_label for q in quantities if q.unit_label), "")
    return Meaning(
        measure=measure,
        direction=direction,
        per=per,
        per_period=per_period,
        unit_label=label,
        by_sex=by_sex,
        per_unit=per_unit,
        unit_share=Decimal(share[1].replace(",", ".")) if per_unit and share else None,
        issues=tuple(issues),
    )


def _sex_ratio_review(quantities: list[Quantity], where: str) -> list[Issue]:
    low, high = NATURAL_SEX_RATIO
    values = [q.value for q in quantities if q.value is not None]
    if all(low <= v <= NATIONAL_SEX_RATIO[2025] for v in values):
        return []
    shown = ", ".join(str(v) for v in dict.fromkeys(values))
    national = ", ".join(f"{v} ({y})" for y, v in NATIONAL_SEX_RATIO.items())
    return [
        Issue(
            Severity.REVIEW,
            where,
            f"tỷ số giới tính khi sinh mục tiêu {shown} bé trai/100 bé gái nằm ngoài mức tự nhiên"
            f" {low}–{high} và khác chỉ tiêu quốc gia ({national}); đã hiểu là giảm dần, so sánh ≤:"
            " cần xác nhận ý nghĩa",
            "sex_ratio_target",
        )
    ]
