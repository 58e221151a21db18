"""2026–2030 target wording (Resolution 28/NQ-CP): what "khoảng" and "1,4 lần" mean for a verdict.

The reading chosen (README, "2026–2030 targets"): "khoảng X" has no official
tolerance, so X itself is the threshold on the side the indicator's direction
says is better; the review screen flags every such target ("chỉ tiêu ghi gần
đúng") for a person to confirm. An increase-type target that is exceeded is
exceeded, never missed.
"""

from datetime import date
from decimal import Decimal as D

import pytest

from chitieu.evaluate import Status, evaluate_indicator
from chitieu.importer import read_plan_bytes
from chitieu.observations import Observation
from chitieu.plan import Comparator, Direction

ANNEX = (
    "TT\tMục tiêu/chỉ tiêu\tGiai đoạn 2026-2030\tNăm 2026\tĐơn vị chủ trì thực hiện\n"
    "1\tMục tiêu 1: Trong lĩnh vực kinh tế, lao động\t\t\t\n"
    "1.1\t- Chỉ tiêu 1: Tăng tỷ lệ lao động nữ làm công hưởng lương."
    "\tkhoảng 60%\tkhoảng 55%\tPhòng Văn hóa - Xã hội\n"
    "1.2\t- Chỉ tiêu 2: Giảm tỷ trọng lao động nữ trong nông nghiệp.\tkhoảng 25%\tkhoảng 27%\tPhòng Kinh tế\n"
    "1.3\t- Chỉ tiêu 3: Tăng số nữ làm chủ doanh nghiệp so với năm 2025.\t1,4 lần\t1,1 lần\tPhòng Kinh tế\n"
)
PLAN_READ = read_plan_bytes(ANNEX.encode(), "phu-luc-2026.txt")
PLAN = PLAN_READ.plan
AS_OF = date(2027, 1, 31)


def verdict(code: str, numerator: int, denominator: int = 100) -> Status:
    rows = [Observation(code, "2026", "", None, D(numerator), D(denominator))]
    return evaluate_indicator(PLAN.indicator(code), rows, "2026", as_of=AS_OF).status


def test_khoang_is_read_as_the_value_and_flagged_for_review():
    increase, decrease = PLAN.indicator("1.1"), PLAN.indicator("1.2")
    assert (increase.direction, decrease.direction) == (Direction.INCREASE, Direction.DECREASE)
    assert [(t.period, t.comparator, t.value) for t in increase.targets] == [
        ("2026-2030", Comparator.EQ, D(60)),
        ("2026", Comparator.EQ, D(55)),
    ]
    flagged = [i for i in PLAN_READ.issues if i.code == "approximate"]
    assert len(flagged) == 4 and all(i.severity.value == "review" for i in flagged)


def test_an_increase_type_khoang_target_that_is_exceeded_is_exceeded_never_missed():
    # 2026 target "khoảng 55 %": 55/100 reaches it, 70/100 exceeds it, 54/100 misses it (no tolerance).
    assert verdict("1.1", 55) is Status.ACHIEVED
    assert verdict("1.1", 70) is Status.EXCEEDED
    assert verdict("1.1", 54) is Status.NOT_ACHIEVED


@pytest.mark.parametrize("numerator", range(55, 101))
def test_no_value_above_an_increase_type_khoang_target_reads_as_missed(numerator):
    assert verdict("1.1", numerator) in (Status.ACHIEVED, Status.EXCEEDED)


def test_a_decrease_type_khoang_target_is_met_at_or_below_the_value():
    # 2026 target "khoảng 27 %" for a share to reduce: 20 % is better, 30 % worse.
    assert verdict("1.2", 27) is Status.ACHIEVED
    assert verdict("1.2", 20) is Status.EXCEEDED
    assert verdict("1.2", 30) is Status.NOT_ACHIEVED


def test_lan_is_a_ratio_to_reach_at_least():
    target = PLAN.indicator("1.3").targets[0]
    assert (target.period, target.comparator, target.value) == ("2026-2030", Comparator.GE, D("1.4"))
