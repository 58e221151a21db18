"""Find the table's header: which row ends it, which column holds what, which periods.

Headers are recognised from their wording, not their position, because every
district lays out its annex a little differently ("Giai đoạn 2021-2025",
"Chỉ tiêu đến năm 2025", "Kế hoạch năm 2024", "2021 - 2025"…).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chitieu.importer.grid import Grid, one_line
from chitieu.issues import Issue, Severity
from chitieu.periods import Period, PeriodKeyError, parse_period

# The National Strategy 2021-2030 starts in 2021: "đến năm 2025" is counted from there.
STRATEGY_START = 2021
_HEADER_SEARCH_ROWS = 40

_PHASE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-–—]\s*((?:19|20)\d{2})(?!\d)")
_UNTIL = re.compile(r"đến\s+năm\s+((?:19|20)\d{2})(?!\d)")
_YEAR = re.compile(r"(?:năm|kế hoạch|kh)\s+((?:19|20)\d{2})(?!\d)")
_BARE_YEAR = re.compile(r"^((?:19|20)\d{2})$")
_CODE_HEADER = re.compile(r"^(s\.?\s?tt|tt|số\s*tt|số thứ tự|mã|mã số)$")
_NAME_WORDS = ("chỉ tiêu", "mục tiêu", "nội dung", "tên")
_LEAD_WORDS = ("chủ trì", "đơn vị", "cơ quan", "phụ trách")
_UNIT_OF_MEASURE = re.compile(r"đơn vị tính|^đvt$")


@dataclass(frozen=True)
class PeriodHeader:
    period: Period
    note: str = ""  # set when the period was inferred ("đến năm 2025" → 2021-2025)


def period_from_header(text: str) -> PeriodHeader | None:
    """ "Giai đoạn 2021-2025" → 2021-2025; "Năm 2024" → 2024; None when no period is named."""
    lowered = text.lower().strip()
    try:
        if m := _PHASE.search(lowered):
            return PeriodHeader(parse_period(f"{m[1]}-{m[2]}"))
        if m := _UNTIL.search(lowered):
            end = int(m[1])
            if end <= STRATEGY_START:
                return PeriodHeader(parse_period(m[1]))
            note = (
                f"'{text}' được hiểu là giai đoạn {STRATEGY_START}-{end}"
                f" (Chiến lược quốc gia bắt đầu từ {STRATEGY_START})"
            )
            return PeriodHeader(parse_period(f"{STRATEGY_START}-{end}"), note)
        if (m := _YEAR.search(lowered)) or (m := _BARE_YEAR.match(lowered)):
            return PeriodHeader(parse_period(m[1]))
    except PeriodKeyError:
        return None
    return None


@dataclass(frozen=True)
class Layout:
    header_top: int  # first header row
    header_bottom: int  # last header row: data starts below it
    name_col: int
    periods: tuple[tuple[int, Period], ...]  # (column, period) in column order
    code_col: int | None = None
    lead_col: int | None = None
    unit_col: int | None = None  # "Đơn vị tính": the unit of bare numbers
    unlabelled: tuple[int, ...] = ()  # columns with no header text at all
    issues: tuple[Issue, ...] = field(default=())

    @property
    def period_cols(self) -> tuple[int, ...]:
        return tuple(c for c, _ in self.periods)


def _distinct_texts(grid: Grid, r: int) -> set[str]:
    return {one_line(cell.text) for cell in grid.rows[r] if cell.text}


def _looks_like_heading(text: str) -> bool:
    lowered = text.lower()
    return bool(_CODE_HEADER.match(lowered)) or any(w in lowered for w in _NAME_WORDS + _LEAD_WORDS)


def _period_row(grid: Grid) -> int | None:
    for r in range(min(len(grid.rows), _HEADER_SEARCH_ROWS)):
        texts = _distinct_texts(grid, r)
        if len(texts) < 2:  # a title line, even if merged across the table
            continue
        if any(period_from_header(t) for t in texts):
            return r
    return None


def _header_top(grid: Grid, bottom: int) -> int:
    top = bottom
    while top > 0 and top > bottom - 3:
        texts = _distinct_texts(grid, top - 1)
        if len(texts) < 2 or not any(_looks_like_heading(t) for t in texts):
            break
        top -= 1
    return top


def _column_headers(grid: Grid, top: int, bottom: int) -> list[list[str]]:
    headers: list[list[str]] = []
    for c in range(grid.width):
        texts: list[str] = []
        for r in range(top, bottom + 1):
            text = one_line(grid.rows[r][c].text)
            if text and text not in texts:
                texts.append(text)
        headers.append(texts)
    return headers


def find_layout(grid: Grid) -> Layout | list[Issue]:
    bottom = _period_row(grid)
    if bottom is None:
        searched = grid.row_where[:_HEADER_SEARCH_ROWS]
        if not searched:
            where = "file"
        elif len(searched) == 1:
            where = searched[0]
        else:
            where = f"{searched[0]}–{searched[-1].split()[-1]}"
        return [
            Issue(
                Severity.ERROR,
                where,
                "không tìm thấy cột chỉ tiêu theo kỳ (ví dụ 'Giai đoạn 2021-2025', 'Năm 2024')"
                " trong phần đầu bảng",
                "no_period_columns",
            )
        ]
    top = _header_top(grid, bottom)
    headers = _column_headers(grid, top, bottom)
    issues: list[Issue] = []
    periods: list[tuple[int, Period]] = []
    roles: dict[str, int] = {}
    for c, texts in enumerate(headers):
        period = next((p for t in reversed(texts) if (p := period_from_header(t))), None)
        if period is not None:
            if period.note:
                issues.append(
                    Issue(Severity.REVIEW, grid.rows[bottom][c].where, period.note, "period_inferred")
                )
            periods.append((c, period.period))
            continue
        lowered = [t.lower() for t in texts]
        if any(_CODE_HEADER.match(t) for t in lowered):
            roles.setdefault("code", c)
        elif any(_UNIT_OF_MEASURE.search(t) for t in lowered):
            roles.setdefault("unit", c)
        elif any(w in t for t in lowered for w in ("chủ trì", "phụ trách")) or any(
            ("đơn vị" in t or "cơ quan" in t) and "phối hợp" not in t for t in lowered
        ):
            roles.setdefault("lead", c)
        elif any(w in t for t in lowered for w in _NAME_WORDS):
            roles.setdefault("name", c)
    issues += _duplicate_periods(grid, bottom, periods)
    if "name" not in roles:
        return [
            *issues,
            Issue(
                Severity.ERROR,
                grid.row_where[bottom],
                "không tìm thấy cột tên mục tiêu/chỉ tiêu (tiêu đề 'Mục tiêu/chỉ tiêu' hoặc 'Nội dung')",
                "no_name_column",
            ),
        ]
    if "lead" not in roles:
        issues.append(
            Issue(Severity.WARNING, grid.row_where[bottom], "không có cột 'Đơn vị chủ trì'", "no_lead_column")
        )
    return Layout(
        header_top=top,
        header_bottom=bottom,
        name_col=roles["name"],
        periods=tuple(periods),
        code_col=roles.get("code"),
        lead_col=roles.get("lead"),
        unit_col=roles.get("unit"),
        unlabelled=tuple(c for c, texts in enumerate(headers) if not texts),
        issues=tuple(issues),
    )


def _duplicate_periods(grid: Grid, row: int, periods: list[tuple[int, Period]]) -> list[Issue]:
    seen: dict[str, int] = {}
    issues = []
    for c, period in periods:
        if period.key in seen:
            issues.append(
                Issue(
                    Severity.ERROR,
                    grid.rows[row][c].where,
                    f"kỳ {period.key} có hai cột chỉ tiêu",
                    "duplicate_period_column",
                )
            )
        seen[period.key] = c
    return issues


def first_usable(grids: list[Grid]) -> Grid:
    """The first table (sheet) whose header can be found; else the first, whose error will say why."""
    return next((g for g in grids if not isinstance(find_layout(g), list)), grids[0])
