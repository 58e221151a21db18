"""Why a verdict, in Vietnamese: the figure, how it was computed, the target and the rule.

Kept apart from ``chitieu.evaluate`` so that the rules read as rules and the wording
can change (or be translated) without touching them.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from chitieu.evaluation.results import (
    BAND_LABELS,
    STATUS_LABELS,
    IndicatorResult,
    Status,
    Trajectory,
)
from chitieu.periods import period_label
from chitieu.plan import Comparator, Indicator, Sex
from chitieu.quantity import format_number
from chitieu.rollup import FigureState


# Kept by value: the words of a number rounded to a number of places depend on its value only (equal
# Decimals round to the same digits), and an explanation's numbers repeat (the target, 100 for a
# share, the counts): two thirds of a country's are worded already.
@functools.lru_cache(maxsize=8192, typed=True)
def vi_number(value: Decimal | None, places: int = 2) -> str:
    """1234.5 → "1.234,5": rounded to ``places``, trailing zeros dropped; "—" for no value."""
    if value is None:
        return "—"
    text = format_number(value, places)
    return text.rstrip("0").rstrip(",") if "," in text else text


RULE_LABELS = {
    "single": "một dòng số liệu",
    "value": "giá trị được báo cáo",
    "ratio_of_sums": "tổng tử số ÷ tổng mẫu số của các đơn vị/kỳ",
    "sum": "cộng các số đếm",
    "not_applicable": "không áp dụng",
}


def rule_label(rule: str) -> str:
    """The rule in words: "ratio_of_sums (cộng nữ và nam)" → "tổng tử số ÷ tổng mẫu số … (cộng nữ và nam)"."""
    code, sep, rest = rule.partition(" ")
    return RULE_LABELS.get(code, code) + (sep + rest if sep else "")


_COMPARATOR_VI = {Comparator.GE: "≥", Comparator.LE: "≤", Comparator.EQ: "="}


_VERB = {
    Status.EXCEEDED: "vượt",
    Status.ACHIEVED: "đạt",
    Status.NOT_ACHIEVED: "không đạt",
    Status.NO_DATA: "chưa xác định được",
    Status.NOT_ARISEN: "không phát sinh trường hợp nào để xét",
}


def explain_trajectory(t: Trajectory) -> str:
    """The trend toward the phase target, in one Vietnamese sentence.

    Kept for the last trajectories worded, by identity (each kept with its trajectory, so that no
    other object takes its id meanwhile): an area's trajectory is one object for all its periods
    (``evaluate_plan``'s ``phase_memo``), worded again in each period's explanation."""
    kept = _TRAJECTORY_WORDS.get(id(t))
    if kept is not None and kept[0] is t:
        return kept[1]
    if len(_TRAJECTORY_WORDS) >= 4096:
        _TRAJECTORY_WORDS.clear()
    text = _trajectory_words(t)
    _TRAJECTORY_WORDS[id(t)] = (t, text)
    return text


_TRAJECTORY_WORDS: dict[int, tuple[Trajectory, str]] = {}


def _trajectory_words(t: Trajectory) -> str:
    text = (
        f"Xu hướng {t.points[0][0]}–{t.points[-1][0]}: dự báo năm {t.end_year} đạt {vi_number(t.projected)}"
        f" ({_VERB[t.projected_status]} chỉ tiêu giai đoạn {_COMPARATOR_VI[t.target.comparator]}"
        f" {vi_number(t.target.value)})"
    )
    growths = (t.observed_growth, t.required_growth)
    if t.ratio is not None and t.band is not None and growths[0] is not None and growths[1] is not None:
        text += (
            f"; tốc độ bình quân {vi_number(growths[0] * 100)}%/năm so với mức cần"
            f" {vi_number(growths[1] * 100)}%/năm: {BAND_LABELS[t.band]}"
        )
    return text + "."


def vi_period(key: str) -> str:
    """A period key in words: "2024-Q3" → "Quý 3/2024", "2024-03" → "Tháng 3/2024",
    "2024-H1" → "6 tháng đầu năm 2024", "2024" → "năm 2024"; "Đăk Kôi: 2024-Q3" keeps the unit."""
    unit, sep, rest = key.rpartition(": ")
    if sep:
        return f"{unit}: {vi_period(rest)}"
    label = period_label(key)  # the one formatter; in a sentence a year or phase takes no capital
    return label[0].lower() + label[1:] if label.startswith(("Năm ", "Giai đoạn ")) else label


def provisional_note(result: IndicatorResult) -> str:
    """ "Tạm tính — thiếu số liệu Quý 3/2024, Quý 4/2024": empty when the verdict is final."""
    if not result.provisional:
        return ""
    reasons = []
    if result.coverage is not None and result.coverage.missing:
        missing = result.coverage.missing  # the first six in words (a nation's may be thousands)
        shown = ", ".join(map(vi_period, missing[:6]))
        shown += f" và {len(missing) - 6} kỳ khác" if len(missing) > 6 else ""
        reasons.append(f"thiếu số liệu {shown}")
    elif not result.complete:
        reasons.append("thiếu số liệu")
    reasons += [f.message for f in result.flags if f.provisional]
    return "Tạm tính — " + "; ".join(reasons) if reasons else "Tạm tính"


# An explanation names at most this many units; the full lists stay in the result
# (``units_missing_target``, ``units_without_data``: ``chitieu evaluate --json``, ``--all-units``).
UNITS_SHOWN = 10


def units_summary(names: tuple[str, ...] | list[str], limit: int | None = UNITS_SHOWN) -> str:
    """ "Xã A, Xã B và 3 đơn vị khác": the first ``limit`` names (all when ``limit`` is None)."""
    if limit is None or len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f" và {len(names) - limit} đơn vị khác"


def explain(indicator: Indicator, result: IndicatorResult, *, units_shown: int | None = UNITS_SHOWN) -> str:
    """Why the verdict, in Vietnamese: the figure, how it was computed, the target, the rule.

    Units below the target or without data are named up to ``units_shown`` (None: all of them)."""
    target = result.target
    target_text = f"{_COMPARATOR_VI[target.comparator]} {vi_number(target.value)}" if target else "không có"
    parts: list[str] = []
    if result.units:
        parts.append(
            f"{len(result.units_meeting)}/{len(result.units)} đơn vị đạt ở mọi kỳ"
            f" ({vi_number(result.units_meeting_share)}%)"
        )
        if result.units_missing_target:
            parts.append("không đạt: " + units_summary(result.units_missing_target, units_shown))
        if result.units_without_data:
            parts.append("thiếu số liệu: " + units_summary(result.units_without_data, units_shown))
    elif result.sub_periods:
        below = [p.key for p in result.sub_periods if p.status is Status.NOT_ACHIEVED]
        missing = [p.key for p in result.sub_periods if p.status is Status.NO_DATA]
        parts.append(
            f"thấp nhất {vi_number(result.actual)} {indicator.unit_label}".strip()
            + f" trong {len(result.sub_periods)} kỳ"
        )
        if below:
            parts.append("kỳ không đạt: " + ", ".join(below))
        if missing:
            parts.append("kỳ thiếu số liệu: " + ", ".join(missing))
    elif result.status is Status.NOT_ARISEN:
        parts.append("không phát sinh trường hợp nào trong kỳ (0/0), không phải thiếu số liệu")
    elif result.actual is not None:
        how = f"thực hiện {vi_number(result.actual, result.places)}"
        if result.numerator is not None and result.denominator is not None:
            num, den = vi_number(result.numerator), vi_number(result.denominator)
            how += f" (= {num} / {den} × {vi_number(indicator.factor)})"
        parts.append(how)
    else:
        parts.append("chưa có số liệu" if result.state is FigureState.MISSING else "không tính được số liệu")
    for p in result.by_sex:
        label = "nữ" if p.key == Sex.FEMALE else "nam"
        parts.append(f"{label}: {vi_number(p.actual)} → {STATUS_LABELS[p.status].lower()}")
    if result.rule:
        parts.append(f"cách tính: {rule_label(result.rule)}")
    verdict = STATUS_LABELS[result.status]
    provisional = provisional_note(result)
    if provisional:
        verdict = f"{verdict} ({provisional.lower() if provisional == 'Tạm tính' else provisional})"
    text = f"{verdict}. Chỉ tiêu {target_text}; " + "; ".join(parts) + "."
    if result.by_sex:
        text += " Chỉ đạt khi cả nam và nữ đều đạt."
    if result.target is not None and result.target.period != result.period:
        text += f" Kỳ {result.period} không có chỉ tiêu riêng: so với chỉ tiêu của kỳ {result.target.period}."
    for flag in result.flags:
        if not flag.provisional:
            text += f" {flag.message[0].upper()}{flag.message[1:]}."

    if result.needs_review:
        text += " Lưu ý: cách hiểu chỉ tiêu này trong kế hoạch cần được xem lại."
    if result.trajectory is not None and result.trajectory.projected is not None:
        text += " " + explain_trajectory(result.trajectory)
        if result.trajectory.note:
            text += f" ({result.trajectory.note})."
    if result.progress is not None and result.baseline is not None:
        text += (
            f" So với mức nền {result.baseline.period} ({vi_number(result.baseline.value)}) đã thực hiện"
            f" {vi_number(result.progress * 100)}% mức thay đổi cần có."
        )
    return text
