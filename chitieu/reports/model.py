"""The report as data: what the annual report says, before any file format.

The builder fills a ``Report`` from a plan, its observations and a period; each
renderer (Word, Excel, PDF) only lays it out. Keeping the words and numbers
here means the three files can never disagree with each other or with the
engine. Numbers stay ``Decimal``; renderers format them the Vietnamese way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Assessment(StrEnum):
    """The judgement written in the report; values are the engine's status codes."""

    EXCEEDED = "exceeded"
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"
    NO_DATA = "no_data"
    NOT_ARISEN = "not_arisen"

    @property
    def label(self) -> str:
        return _ASSESSMENT_LABELS[self]


_ASSESSMENT_LABELS = {
    Assessment.EXCEEDED: "Vượt",
    Assessment.ACHIEVED: "Đạt",
    Assessment.NOT_ACHIEVED: "Không đạt",
    Assessment.NO_DATA: "Chưa có số liệu",
    Assessment.NOT_ARISEN: "Không phát sinh",
}


class RowKind(StrEnum):
    OBJECTIVE = "objective"  # "Mục tiêu 2: Trong lĩnh vực kinh tế, lao động": a heading row
    INDICATOR = "indicator"
    BREAKDOWN = "breakdown"  # one sex of an indicator judged "for boys and for girls"


@dataclass(frozen=True)
class Header:
    """The blocks above the title (Decree 30/2020/NĐ-CP, appendix I)."""

    issuing_body: str  # "ỦY BAN NHÂN DÂN HUYỆN KON RẪY" (upper case, bold)
    place: str  # "Kon Rẫy": the place before the date line
    year: int  # the year printed when the date is left blank for signing
    parent_body: str = ""  # the body above the issuer, when it has one (not bold)
    number: str = ""  # "123" ; blank leaves room for the clerk: "Số:      /BC-UBND"
    symbol: str = "BC-UBND"  # document kind and issuer abbreviation
    issued_on: date | None = None  # None: "ngày     tháng     năm 2024", filled at signing

    @property
    def number_line(self) -> str:
        number = self.number or "\u00a0" * 6
        return f"Số: {number}/{self.symbol}"

    @property
    def date_line(self) -> str:
        if self.issued_on is None:
            gap = "\u00a0" * 5
            return f"{self.place}, ngày{gap}tháng{gap}năm {self.year}"
        day = self.issued_on
        # Decree 30: days below 10 and months below 3 are written with a leading zero.
        month = f"{day.month:02d}" if day.month < 3 else str(day.month)
        return f"{self.place}, ngày {day.day:02d} tháng {month} năm {day.year}"


@dataclass(frozen=True)
class Signature:
    authority: str = "TM. ỦY BAN NHÂN DÂN"  # "TM." = on behalf of the collective body
    position: str = "CHỦ TỊCH"  # "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH" when a deputy signs
    name: str = ""  # left blank: the signer's name is typed when the draft is approved


@dataclass(frozen=True)
class Section:
    """A numbered part of the body; the achievement chart, when flagged, follows its text."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()  # "- Chỉ tiêu 2.2 …": points listed under the paragraphs
    closing: tuple[str, ...] = ()  # paragraphs after the points
    achievement_chart: bool = False


@dataclass(frozen=True)
class ResultRow:
    """One line of the results table (the report's annex)."""

    kind: RowKind
    stt: str  # "2", "2.1", "" for a breakdown row
    text: str  # objective title, indicator name, or "Trẻ em gái"
    unit: str = ""
    target_phase: Decimal | None = None
    target_phase_text: str = ""  # as the plan wrote it: "30/100.000 trẻ"
    target_year: Decimal | None = None
    target_year_text: str = ""
    comparator: str = ""  # ">=", "<=", "==": how the target reads
    actual: Decimal | None = None
    actual_places: int = 2  # decimals the actual needs to agree with its assessment (59,995 < 60)
    actual_previous: Decimal | None = None  # the same indicator, the year before
    comparison: str = ""  # "Cao hơn chỉ tiêu 2,17 điểm %"
    difference: Decimal | None = None  # actual − target for the period, when both exist
    assessment: Assessment | None = None  # None on objective rows
    lead_units: str = ""
    source: str = ""  # where the figures came from
    notes: str = ""
    indicator_code: str = ""
    needs_attention: bool = False


@dataclass(frozen=True)
class ObservationRow:
    """A figure behind the results, for the long sheet of the Excel annex."""

    indicator: str
    period: str
    org_unit: str  # "" = the plan's whole area
    sex: str  # "", "Nữ", "Nam"
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    note: str = ""
    source: str = ""  # "data.csv, dòng 12"


@dataclass(frozen=True)
class TrendPoint:
    period: str
    value: Decimal | None


@dataclass(frozen=True)
class TrendChart:
    """One indicator's figure per year of the phase against its targets."""

    indicator_code: str
    title: str
    unit: str
    points: tuple[TrendPoint, ...]
    target_phase: Decimal | None = None
    target_phase_label: str = ""  # "Chỉ tiêu 2021-2025"
    target_year: Decimal | None = None
    target_year_label: str = ""  # "Chỉ tiêu 2024"
    target_year_period: str = ""  # where on the axis the year target sits


@dataclass(frozen=True)
class AchievementBar:
    label: str  # "MT 2"
    title: str  # "Mục tiêu 2: Trong lĩnh vực kinh tế, lao động"
    counts: tuple[tuple[Assessment, int], ...]  # in Assessment order


@dataclass(frozen=True)
class AchievementChart:
    title: str
    bars: tuple[AchievementBar, ...]


@dataclass(frozen=True)
class YearlyRow:
    """One line of the phase report's table: an indicator (or one sex of it) year by year."""

    kind: RowKind
    stt: str
    text: str
    unit: str = ""
    values: tuple[Decimal | None, ...] = ()  # one per year of ``YearlyTable.years``
    places: int = 2
    target_phase: Decimal | None = None
    target_phase_text: str = ""
    comparator: str = ""
    actual_phase: Decimal | None = None  # the engine's figure for the whole phase
    assessment: Assessment | None = None  # the phase verdict


@dataclass(frozen=True)
class YearlyTable:
    """The final review of a phase (báo cáo tổng kết giai đoạn): every year against the phase target."""

    title: str
    years: tuple[str, ...]
    rows: tuple[YearlyRow, ...]


@dataclass(frozen=True)
class Report:
    header: Header
    title: str  # "BÁO CÁO"
    subject: str  # "Kết quả thực hiện ... năm 2024" (trích yếu)
    period: str  # "2024"
    intro: tuple[str, ...]  # the paragraphs before the first section
    sections: tuple[Section, ...]
    table_title: str  # "KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU, CHỈ TIÊU ..."
    table_subtitle: str  # "(Kèm theo Báo cáo số      /BC-UBND ngày ...)"
    rows: tuple[ResultRow, ...]
    signature: Signature = field(default_factory=Signature)
    recipients: tuple[str, ...] = ()  # "Nơi nhận" lines, without the leading "- "
    closing: tuple[str, ...] = ()  # the issuer's own closing paragraphs, after the last section
    previous_period: str = ""  # "2023": heads the "actual the year before" column
    phase: str = ""  # "2021-2025"
    achievement_chart: AchievementChart | None = None
    trend_charts: tuple[TrendChart, ...] = ()
    observations: tuple[ObservationRow, ...] = ()
    yearly: YearlyTable | None = None  # the phase report's year-by-year table

    @property
    def indicator_rows(self) -> tuple[ResultRow, ...]:
        return tuple(r for r in self.rows if r.kind is RowKind.INDICATOR)

    def count(self, assessment: Assessment) -> int:
        return sum(1 for r in self.indicator_rows if r.assessment is assessment)
