"""Plan + observations + period → the report model.

Every number and every judgement comes from the evaluation engine
(``evaluate_plan``); this module only decides what the report says about
them: the counts, which targets need attention, where sex-disaggregated
figures are missing, and the actual of the year before for comparison.
Pure: the reference date is passed in, nothing reads the clock.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from chitieu.evaluate import IndicatorResult, PlanEvaluation, Status, evaluate_plan
from chitieu.explain import provisional_note
from chitieu.observations import Observation
from chitieu.periods import Period, PeriodKind, name_periods, parse_period, period_label, period_words
from chitieu.plan import Comparator, Indicator, Measure, Objective, Plan, Sex
from chitieu.quantity import unit_words
from chitieu.reports.model import (
    AchievementBar,
    AchievementChart,
    Assessment,
    Header,
    ObservationRow,
    Report,
    ResultRow,
    RowKind,
    Section,
    Signature,
    TrendChart,
    TrendPoint,
)
from chitieu.reports.numbers import format_number

_LEVELS = ("tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn")
_ISSUER = re.compile(
    r"(?:Ủy|Uỷ)\s+ban\s+nhân\s+dân\s+(" + "|".join(_LEVELS) + r")\s+([^),;]+)", re.IGNORECASE
)


@dataclass(frozen=True)
class ReportOptions:
    """What the plan file does not say; the web app fills these from its settings."""

    issuing_body: str = ""  # "Ủy ban nhân dân\nhuyện Kon Rẫy"; read from the plan's subtitle when blank
    parent_body: str = ""
    place: str = ""  # "Kon Rẫy"
    area: str = ""  # "huyện Kon Rẫy": used in the title and the text
    number: str = ""
    symbol: str = "BC-UBND"
    issued_on: date | None = None
    signature: Signature = field(default_factory=Signature)
    recipients: tuple[str, ...] = ()  # default: upper levels, lead units, archive
    standing_office: str = ""  # "LĐTBXH" in "Lưu: VT, LĐTBXH"; by year when blank
    closing: tuple[str, ...] = ()  # paragraphs after the body, before the signature


@dataclass(frozen=True)
class _Area:
    body: str  # "Ủy ban nhân dân\nhuyện Kon Rẫy"
    name: str  # "huyện Kon Rẫy"
    place: str  # "Kon Rẫy"
    level: str  # "huyện"


def _area(plan: Plan, options: ReportOptions) -> _Area:
    found = _ISSUER.search(f"{plan.subtitle} {plan.title}")
    level, place = (found[1].lower(), found[2].strip()) if found else ("", "")
    name = options.area or (f"{level} {place}" if found else "")
    body = options.issuing_body or (f"Ủy ban nhân dân\n{name}" if name else "Ủy ban nhân dân")
    return _Area(body, name, options.place or place or "\u2026\u2026", level)


# ------------------------------------------------------------ periods in words


_ROMAN = ("I", "II", "III", "IV")


def period_phrase(period: Period) -> str:
    """ "năm 2024", "6 tháng đầu năm 2024", "quý III năm 2024", "giai đoạn 2021-2025"."""
    year = period.start.year
    if period.kind is PeriodKind.PHASE:
        return period_words(period.key)
    if period.kind is PeriodKind.HALF:
        half = "đầu" if period.start.month == 1 else "cuối"
        return f"6 tháng {half} năm {year}"
    if period.kind is PeriodKind.QUARTER:
        return f"quý {_ROMAN[(period.start.month - 1) // 3]} năm {year}"
    if period.kind is PeriodKind.MONTH:
        return f"tháng {period.start.month} năm {year}"
    return f"năm {year}"


def previous_period(period: Period) -> Period | None:
    """The same period a year earlier (the year before, for an annual report); none for a phase."""
    if period.kind is PeriodKind.PHASE:
        return None
    key = period.key
    return parse_period(f"{period.start.year - 1}{key[4:]}")


# ------------------------------------------------------------------- the rows


def _comparison(indicator: Indicator, actual: Decimal | None, target: Decimal | None) -> str:
    if actual is None or target is None:
        return ""
    difference = actual - target
    if difference == 0:
        return "Bằng chỉ tiêu"
    unit = "điểm %" if indicator.measure is Measure.PERCENT else indicator.unit_label
    side = "Cao hơn" if difference > 0 else "Thấp hơn"
    # The column is narrow: keep the number and its unit on one line.
    return f"{side} {format_number(abs(difference))}\u00a0{unit}".replace(" %", "\u00a0%").strip()


_SEX_WORDS = {Sex.FEMALE: "Nữ", Sex.MALE: "Nam"}


def _sex_label(indicator: Indicator, key: str) -> str:
    sex = Sex(key)
    if "trẻ em" in indicator.name.lower():
        return "Trẻ em gái" if sex is Sex.FEMALE else "Trẻ em trai"
    return _SEX_WORDS[sex]


def _own(observations: Sequence[Observation], indicator: Indicator) -> list[Observation]:
    return [o for o in observations if o.indicator == indicator.code]


def _sources(indicator: Indicator, observations: Sequence[Observation], period: Period) -> str:
    """Who reported the figures: the units when they are few, their number otherwise."""
    rows = [o for o in _own(observations, indicator) if period.contains(parse_period(o.period))]
    if not rows:
        return ""
    units = sorted({o.org_unit for o in rows if o.org_unit})
    if not units:
        return "Báo cáo của đơn vị chủ trì"
    if len(units) <= 3:
        return "Báo cáo của " + ", ".join(units)
    return f"Báo cáo của {len(units)} đơn vị"


def _notes(
    indicator: Indicator, result: IndicatorResult, observations: Sequence[Observation], period: Period
) -> str:
    notes = sorted(
        {
            o.note.strip()
            for o in observations
            if o.indicator == indicator.code and o.note.strip() and period.contains(parse_period(o.period))
        }
    )[:2]
    if indicator.by_sex:
        missing = [_sex_label(indicator, p.key).lower() for p in result.by_sex if p.actual is None]
        if missing:
            notes.append("Thiếu số liệu " + " và ".join(missing))
    if result.units_without_data:
        notes.append("Thiếu số liệu: " + ", ".join(result.units_without_data))
    if provisional := provisional_note(result):
        notes.append(provisional)
    return "; ".join(notes)


def _sentence(text: str) -> str:
    """Names as the annex wrote them, but starting with a capital ("xây dựng …" → "Xây dựng …")."""
    text = text.strip()
    return text[:1].upper() + text[1:]


def _indicator_rows(
    indicator: Indicator,
    result: IndicatorResult,
    before: IndicatorResult | None,
    phase: Period | None,
    observations: Sequence[Observation],
    period: Period,
) -> list[ResultRow]:
    target = result.target
    phase_target = indicator.target_for(phase.key) if phase else None
    shown_target = target or phase_target
    comparator = shown_target.comparator.value if shown_target is not None else ""
    assessment = Assessment(result.status.value)
    difference = result.actual - target.value if result.actual is not None and target else None
    rows = [
        ResultRow(
            kind=RowKind.INDICATOR,
            stt=indicator.code,
            text=_sentence(indicator.name),
            unit=unit_words(indicator.unit_label),
            target_phase=phase_target.value if phase_target else None,
            target_phase_text=phase_target.text if phase_target else "",
            target_year=target.value if target else None,
            target_year_text=target.text if target else "",
            comparator=comparator,
            actual=result.actual,
            actual_places=max(2, result.places),
            actual_previous=before.actual if before else None,
            comparison=_comparison(indicator, result.actual, target.value if target else None),
            difference=difference,
            assessment=assessment,
            lead_units=", ".join(indicator.lead_units),
            source=_sources(indicator, observations, period),
            notes=_notes(indicator, result, observations, period),
            indicator_code=indicator.code,
            needs_attention=assessment in (Assessment.NOT_ACHIEVED, Assessment.NO_DATA),
        )
    ]
    previous_parts = {p.key: p for p in before.by_sex} if before else {}
    for part in result.by_sex:
        earlier = previous_parts.get(part.key)
        rows.append(
            ResultRow(
                kind=RowKind.BREAKDOWN,
                stt="",
                text=_sex_label(indicator, part.key),
                unit=unit_words(indicator.unit_label),
                target_phase=phase_target.value if phase_target else None,
                target_year=target.value if target else None,
                comparator=comparator,
                actual=part.actual,
                actual_previous=earlier.actual if earlier else None,
                comparison=_comparison(indicator, part.actual, target.value if target else None),
                difference=part.actual - target.value if part.actual is not None and target else None,
                assessment=Assessment(part.status.value),
                indicator_code=indicator.code,
            )
        )
    return rows


# --------------------------------------------------------------- the words


def _count_phrase(counts: dict[Assessment, int]) -> str:
    words = {
        Assessment.EXCEEDED: "vượt chỉ tiêu",
        Assessment.ACHIEVED: "đạt chỉ tiêu",
        Assessment.NOT_ACHIEVED: "không đạt",
        Assessment.NO_DATA: "chưa có số liệu để đánh giá",
        Assessment.NOT_ARISEN: "không phát sinh trường hợp nào để đánh giá",
    }
    parts = [f"{n} chỉ tiêu {words[a]}" for a, n in counts.items() if n]
    return ", ".join(parts[:-1]) + (" và " if len(parts) > 1 else "") + parts[-1] if parts else ""


def _codes(results: Sequence[IndicatorResult], status: Status) -> list[str]:
    return [r.indicator for r in results if r.status is status]


def _objective_name(objective: Objective) -> str:
    """ "Mục tiêu 2 (trong lĩnh vực kinh tế, lao động)" from "Mục tiêu 2: Trong lĩnh vực …"."""
    rest = re.sub(r"^\s*mục tiêu\s*[\w.]*\s*[:.\-–]\s*", "", objective.title, flags=re.IGNORECASE).strip()
    if not rest or rest == objective.title.strip():
        return objective.title.strip() or f"Mục tiêu {objective.code}"
    return f"Mục tiêu {objective.code} ({rest[0].lower()}{rest[1:]})"


def _objective_line(objective: Objective, evaluation: PlanEvaluation) -> str:
    found = (evaluation.result(i.code) for i in objective.indicators)
    results = [r for r in found if r is not None]
    parts = []
    for status in Status:
        codes = _codes(results, status)
        if codes:
            parts.append(f"{Assessment(status.value).label.lower()}: {len(codes)} ({', '.join(codes)})")
    return f"{_objective_name(objective)}: {len(results)} chỉ tiêu; " + "; ".join(parts) + "."


def _quantity(indicator: Indicator, value: Decimal | None) -> str:
    if value is None:
        return "chưa có số liệu"
    unit = indicator.unit_label
    joiner = "" if unit.startswith(("%", "/")) else " "
    return f"{format_number(value)}{joiner}{unit}".strip()


_SYMBOL = {Comparator.GE: "≥ ", Comparator.LE: "≤ ", Comparator.EQ: ""}


def _attention_bullets(
    plan: Plan,
    evaluation: PlanEvaluation,
    before: PlanEvaluation | None,
    period: Period,
    previous: Period | None,
) -> tuple[str, ...]:
    bullets = []
    for indicator in plan.indicators:
        result = evaluation.result(indicator.code)
        if result is None:
            continue
        if result.status is Status.NOT_ACHIEVED and result.target is not None:
            target = result.target
            text = (
                f"Chỉ tiêu {indicator.code} ({_sentence(indicator.name)}) không đạt: thực hiện "
                f"{_quantity(indicator, result.actual)}, chỉ tiêu {_SYMBOL[target.comparator]}"
                f"{_quantity(indicator, target.value)}"
            )
            earlier = before.result(indicator.code) if before else None
            if previous is not None and earlier is not None and earlier.actual is not None:
                text += f" ({period_phrase(previous)}: {_quantity(indicator, earlier.actual)})"
            failing = [
                _sex_label(indicator, p.key).lower() for p in result.by_sex if p.status is Status.NOT_ACHIEVED
            ]
            if failing:
                text += "; chưa đạt ở nhóm " + " và ".join(failing)
            bullets.append(text + f". Đơn vị chủ trì: {', '.join(indicator.lead_units)}.")
        trend = result.trajectory
        if (
            result.status in (Status.ACHIEVED, Status.EXCEEDED)
            and trend is not None
            and trend.projected_status is Status.NOT_ACHIEVED
        ):
            bullets.append(
                f"Chỉ tiêu {indicator.code} ({_sentence(indicator.name)}) đạt trong {period_phrase(period)}"
                " nhưng theo xu hướng các năm qua có nguy cơ không đạt chỉ tiêu giai đoạn"
                f" {trend.target.period}"
                f" (dự báo năm {trend.end_year}: {_quantity(indicator, trend.projected)})."
            )
    missing = [
        i
        for i in plan.indicators
        if (r := evaluation.result(i.code)) is not None and r.status is Status.NO_DATA
    ]
    if missing:
        units = sorted({u for i in missing for u in i.lead_units})
        bullets.append(
            f"{len(missing)} chỉ tiêu chưa có số liệu để đánh giá ({', '.join(i.code for i in missing)});"
            f" đơn vị chủ trì: {', '.join(units)}."
        )
    return tuple(bullets)


def _sex_section(
    plan: Plan, evaluation: PlanEvaluation, observations: Sequence[Observation], period: Period
) -> Section:
    required = [i for i in plan.indicators if i.by_sex]
    paragraphs = []
    bullets = []
    if required:
        complete = []
        for indicator in required:
            result = evaluation.result(indicator.code)
            parts = result.by_sex if result else ()
            missing = [_sex_label(indicator, p.key).lower() for p in parts if p.actual is None]
            if missing or not parts:
                bullets.append(
                    f"Chỉ tiêu {indicator.code} ({_sentence(indicator.name)}): thiếu số liệu "
                    + (" và ".join(missing) if missing else "theo giới tính")
                    + "."
                )
            else:
                complete.append(indicator.code)
        paragraphs.append(
            f"Kế hoạch có {len(required)} chỉ tiêu phải đánh giá riêng cho nam và nữ; "
            f"{len(complete)} chỉ tiêu có đủ số liệu của cả hai giới"
            + (f" ({', '.join(complete)})." if complete else ".")
        )
    rows = [
        o
        for o in observations
        if period.contains(parse_period(o.period)) and plan.indicator(o.indicator) is not None
    ]
    if rows:
        split = sum(1 for o in rows if o.sex is not None)
        indicators = {o.indicator for o in rows if o.sex is not None}
        paragraphs.append(
            f"Trong {len(rows)} dòng số liệu {period_phrase(period)}, {split} dòng có phân tách"
            f" theo giới tính (thuộc {len(indicators)} chỉ tiêu)."
        )
    else:
        paragraphs.append(f"Chưa có dòng số liệu nào của {period_phrase(period)}.")
    return Section("III. SỐ LIỆU PHÂN TÁCH THEO GIỚI TÍNH", tuple(paragraphs), tuple(bullets))


def _proposals(plan: Plan, evaluation: PlanEvaluation, period: Period) -> Section:
    def units(status: Status) -> list[str]:
        found = {
            u
            for i in plan.indicators
            if (r := evaluation.result(i.code)) and r.status is status
            for u in i.lead_units
        }
        return sorted(found)

    paragraphs = []
    if failing := units(Status.NOT_ACHIEVED):
        paragraphs.append(
            f"Đề nghị {', '.join(failing)} phân tích nguyên nhân các chỉ tiêu không đạt, đề xuất giải pháp"
            " cụ thể và báo cáo kết quả trong kỳ tới."
        )
    if silent := units(Status.NO_DATA):
        paragraphs.append(
            f"Đề nghị {', '.join(silent)} cung cấp đầy đủ số liệu (kèm tử số, mẫu số và số liệu theo giới"
            " tính) để có cơ sở đánh giá."
        )
    if not paragraphs:
        paragraphs.append(
            f"Các chỉ tiêu {period_phrase(period)} đều đạt hoặc vượt; đề nghị các đơn vị chủ trì tiếp tục"
            " duy trì kết quả."
        )
    return Section("IV. ĐỀ XUẤT, KIẾN NGHỊ", tuple(paragraphs))


# -------------------------------------------------------------------- charts


def _achievement_chart(plan: Plan, evaluation: PlanEvaluation, period: Period) -> AchievementChart:
    bars = []
    for objective in plan.objectives:
        statuses = [r.status for i in objective.indicators if (r := evaluation.result(i.code))]
        counts = tuple((Assessment(s.value), statuses.count(s)) for s in Status if statuses.count(s))
        bars.append(AchievementBar(f"Mục tiêu {objective.code}", objective.title, counts))
    title = f"Kết quả đánh giá các chỉ tiêu {period_phrase(period)} theo mục tiêu"
    return AchievementChart(title, tuple(bars))


def _trend_years(plan: Plan, period: Period) -> tuple[Period, ...]:
    phase = plan.phase
    last = period.end.year
    if phase is None:
        first = last - 3
    else:
        first = phase.start.year
        last = min(last, phase.end.year)
    return tuple(parse_period(str(y)) for y in range(first, last + 1))


def _trend_charts(plan: Plan, yearly: dict[str, PlanEvaluation], period: Period) -> tuple[TrendChart, ...]:
    phase = plan.phase
    year_key = str(period.end.year)
    charts = []
    for indicator in plan.indicators:
        points = tuple(
            TrendPoint(key, r.actual if (r := evaluation.result(indicator.code)) else None)
            for key, evaluation in yearly.items()
        )
        phase_target = indicator.target_for(phase.key) if phase else None
        year_target = indicator.target_for(year_key)
        charts.append(
            TrendChart(
                indicator.code,
                _sentence(indicator.name),
                unit_words(indicator.unit_label),
                points,
                phase_target.value if phase_target else None,
                f"Chỉ tiêu {period_words(phase.key)}" if phase_target and phase else "",
                year_target.value if year_target else None,
                f"Chỉ tiêu năm {year_key}" if year_target else "",
                year_key,
            )
        )
    return tuple(charts)


# ---------------------------------------------------------------- assembly


def _intro(plan: Plan, issuer: str, phrase: str, as_of: date) -> str:
    # "(Kèm theo Kế hoạch số /KH-UBND, ngày / /2024 của ...)" names the plan being reported on.
    reference = re.sub(r"^kèm theo\s+", "", plan.subtitle.strip().strip("()").strip(), flags=re.IGNORECASE)
    if not reference.lower().startswith("kế hoạch"):
        reference = "Kế hoạch thực hiện mục tiêu quốc gia về bình đẳng giới"
    return (
        f"Thực hiện {reference}, {issuer} báo cáo kết quả thực hiện các mục tiêu, chỉ tiêu bình đẳng giới"
        f" {phrase} (số liệu tính đến ngày {as_of:%d/%m/%Y}) như sau:"
    )


_SEX_TEXT = {Sex.FEMALE: "Nữ", Sex.MALE: "Nam", None: ""}


def _observation_rows(
    plan: Plan, observations: Sequence[Observation], first: date, last: date
) -> tuple[ObservationRow, ...]:
    order = {i.code: n for n, i in enumerate(plan.indicators)}
    kept = [
        o
        for o in observations
        if o.indicator in order
        and first <= parse_period(o.period).start
        and parse_period(o.period).end <= last
    ]
    kept.sort(key=lambda o: (order[o.indicator], parse_period(o.period), o.org_unit, str(o.sex or "")))
    return tuple(
        ObservationRow(
            o.indicator,
            period_label(o.period),
            o.org_unit,
            _SEX_TEXT[o.sex],
            o.numerator,
            o.denominator,
            o.value,
            "Không áp dụng" if o.not_applicable else o.note,
            _source_words(o.source),
        )
        for o in kept
    )


_SOURCE_WORDS = ((re.compile(r"\bline (\d+)"), r"dòng \1"), (re.compile(r"\bform #(\d+)"), r"biểu mẫu số \1"))


@functools.lru_cache(maxsize=8192)  # "Xã A, 2024-03": each unit and period, on every indicator's rows
def _source_words(source: str) -> str:
    """Where a figure came from, in Vietnamese: "line 5" → "dòng 5"."""
    for pattern, words in _SOURCE_WORDS:
        source = pattern.sub(words, source)
    return name_periods(source)


def _recipients(area: _Area, year: int, options: ReportOptions) -> tuple[str, ...]:
    if options.recipients:
        return options.recipients
    # Gender equality moved from Labour (LĐTBXH) to Home Affairs (Nội vụ) on 1 March 2025.
    office, short = ("Sở Lao động - Thương binh và Xã hội", "LĐTBXH") if year <= 2024 else ("Sở Nội vụ", "NV")
    short = options.standing_office or short
    lines = [f"{office} tỉnh (b/c)"]
    if area.level:
        lines.append(f"Thường trực HĐND {area.level} (b/c)")
    lines += ["Các cơ quan, đơn vị chủ trì thực hiện chỉ tiêu", f"Lưu: VT, {short}"]
    return tuple(lines)


Evaluate = Callable[[str], PlanEvaluation]
"""The plan's evaluation for a period key, with the report's "as of" (the web app: its stored verdicts)."""


def _report_years(plan: Plan, period: Period, as_of: date) -> tuple[Period, ...]:
    """The years the trend charts show: those of the phase ended by ``as_of``, and the report's own."""
    return tuple(y for y in _trend_years(plan, period) if y.end <= as_of or y.key == str(period.end.year))


def report_window(
    plan: Plan, period_key: str, *, as_of: date | None = None, annex: bool = True
) -> tuple[date, date]:
    """The first and last day of the figures a report shows, when its verdicts are given
    (``build_report(evaluate=…)``): the period's own for the text; with the annex of figures
    (``annex``: the workbook's "Số liệu" sheet) from the first year its charts or comparison show."""
    period = parse_period(period_key)
    if not annex:
        return period.start, period.end
    previous = previous_period(period)
    years = _report_years(plan, period, as_of or period.end)
    return min(p.start for p in (period, previous, *years) if p is not None), period.end


def build_report(
    plan: Plan,
    observations: Sequence[Observation],
    period_key: str,
    *,
    as_of: date | None = None,
    options: ReportOptions | None = None,
    units: Sequence[str] = (),
    evaluate: Evaluate | None = None,
    annex: bool = True,
) -> Report:
    """The report for ``period_key`` with the figures known on ``as_of`` (the period's end by default).

    ``units``: the units expected to report a per-unit indicator (the communes), as
    ``evaluate_plan`` takes them; by default the units found in the figures.

    ``evaluate``: where the verdicts come from when not from the engine over ``observations``
    (the web app reads the ones it stored, the engine's own); ``observations`` then need only
    cover ``report_window``. ``annex``: whether the report lists its figures (only the
    workbook prints them; leaving them out spares sorting thousands of rows for a document).
    """
    options = options or ReportOptions()
    period = parse_period(period_key)
    as_of = as_of or period.end
    area = _area(plan, options)
    if evaluate is None:

        def evaluate(key: str) -> PlanEvaluation:
            return evaluate_plan(plan, observations, key, as_of=as_of, units=units)

    evaluation = evaluate(period.key)
    previous = previous_period(period)
    before = evaluate(previous.key) if previous else None
    yearly = {
        y.key: evaluation if y.key == period.key else evaluate(y.key)
        for y in _report_years(plan, period, as_of)
    }
    phrase = period_phrase(period)

    rows: list[ResultRow] = []
    for objective in plan.objectives:
        rows.append(ResultRow(RowKind.OBJECTIVE, objective.code, objective.title))
        for indicator in objective.indicators:
            result = evaluation.result(indicator.code)
            if result is None:
                continue
            earlier = before.result(indicator.code) if before else None
            rows += _indicator_rows(indicator, result, earlier, plan.phase, observations, period)

    counts = {a: sum(1 for r in evaluation.results if r.status.value == a.value) for a in Assessment}
    total = len(evaluation.results)
    met = counts[Assessment.EXCEEDED] + counts[Assessment.ACHIEVED]
    issuer = area.body.replace("\n", " ")
    intro = (_intro(plan, issuer, phrase, as_of),)
    results_section = Section(
        "I. KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU, CHỈ TIÊU",
        (
            f"Kế hoạch có {len(plan.objectives)} mục tiêu với {total} chỉ tiêu được theo dõi. Kết quả"
            f" {phrase}: {_count_phrase(counts)}. Số chỉ tiêu đạt và vượt là {met}/{total}"
            f" ({format_number(Decimal(met * 100) / total if total else 0, 1)}%).",
            "Kết quả theo từng mục tiêu:",
        ),
        tuple(_objective_line(o, evaluation) for o in plan.objectives),
        closing=("Chi tiết từng chỉ tiêu tại Phụ lục kèm theo Báo cáo này.",),
        achievement_chart=True,
    )
    attention = _attention_bullets(plan, evaluation, before, period, previous)
    attention_section = Section(
        "II. NHỮNG CHỈ TIÊU CẦN QUAN TÂM",
        () if attention else ("Không có chỉ tiêu nào không đạt hoặc thiếu số liệu.",),
        attention,
    )
    header = Header(
        issuing_body=area.body,
        place=area.place,
        year=period.end.year,
        parent_body=options.parent_body,
        number=options.number,
        symbol=options.symbol,
        issued_on=options.issued_on,
    )
    gap = "\u00a0" * 5
    date_text = f"{options.issued_on:%d/%m/%Y}" if options.issued_on else f"{gap}/{gap}/{period.end.year}"
    first_observed = report_window(plan, period.key, as_of=as_of)[0]
    return Report(
        header=header,
        title="BÁO CÁO",
        subject=f"Kết quả thực hiện các mục tiêu, chỉ tiêu bình đẳng giới {phrase}"
        + (f"\ntrên địa bàn {area.name}" if area.name else ""),
        period=period.key,
        previous_period=previous.key if previous else "",
        phase=plan.phase.key if plan.phase else "",
        intro=intro,
        sections=(
            results_section,
            attention_section,
            _sex_section(plan, evaluation, observations, period),
            _proposals(plan, evaluation, period),
        ),
        table_title=f"KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU, CHỈ TIÊU BÌNH ĐẲNG GIỚI {phrase.upper()}",
        table_subtitle=f"(Kèm theo Báo cáo số {options.number or gap}/{options.symbol} ngày {date_text}"
        f" của {issuer})",
        rows=tuple(rows),
        signature=options.signature,
        recipients=_recipients(area, period.end.year, options),
        closing=options.closing,
        achievement_chart=_achievement_chart(plan, evaluation, period),
        trend_charts=_trend_charts(plan, yearly, period),
        observations=_observation_rows(plan, observations, first_observed, period.end) if annex else (),
    )


__all__ = ["Evaluate", "ReportOptions", "build_report", "period_phrase", "previous_period", "report_window"]
