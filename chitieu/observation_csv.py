"""The tidy data CSV of docs/interfaces.md §3, read streamed, every bad row reported with its line.

``read_observations_csv`` (a path) and ``read_observations_text`` (text) read it;
``read_observations_for_plan`` adds the checks against the plan
(``chitieu.observations.validate_observations``). The bulk loader of the web app
reads with the same row and header rules (``_row``, ``_header``, ``period_key``).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from chitieu.dates import parse_day
from chitieu.figures import Problem, check_parts
from chitieu.formulas import from_csv_cell
from chitieu.issues import Issue, Severity, in_line_order
from chitieu.observations import Observation, fold, validate_observations
from chitieu.periods import PeriodKeyError, parse_period
from chitieu.plan import Plan, Sex

COLUMNS = ("indicator", "period", "org_unit", "sex", "numerator", "denominator", "value", "note")
OPTIONAL_COLUMNS = ("submitted",)  # date the unit sent the figure: dd/mm/yyyy or yyyy-mm-dd

# Header names people write in a Vietnamese spreadsheet, folded (no accents, lower case).
_ALIASES = {
    "indicator": "indicator",
    "code": "indicator",
    "chi tieu": "indicator",
    "ma chi tieu": "indicator",
    "period": "period",
    "ky": "period",
    "ky bao cao": "period",
    "org_unit": "org_unit",
    "org unit": "org_unit",
    "unit": "org_unit",
    "don vi": "org_unit",
    "sex": "sex",
    "gioi tinh": "sex",
    "numerator": "numerator",
    "tu so": "numerator",
    "denominator": "denominator",
    "mau so": "denominator",
    "value": "value",
    "gia tri": "value",
    "note": "note",
    "ghi chu": "note",
    "submitted": "submitted",
    "ngay gui": "submitted",
    "ngay bao cao": "submitted",
}

_SEXES = {
    "f": Sex.FEMALE,
    "nu": Sex.FEMALE,
    "female": Sex.FEMALE,
    "m": Sex.MALE,
    "nam": Sex.MALE,
    "male": Sex.MALE,
}
_TOTAL_SEX = {"", "t", "total", "chung", "tong", "ca hai"}
_NOT_APPLICABLE = {"n/a", "na", "kad", "khong ap dung", "k/a"}
# "không phát sinh": no case arose (no victim returned): 0 of 0, a state of its own (issue 19.9).
_NOT_ARISEN = {"khong phat sinh", "kps"}

_NUMBER = re.compile(r"^[+-]?\d+$", re.ASCII)


class NumberError(ValueError):
    """A cell that is not a number, or can be read two ways; ``reason`` explains (Vietnamese)."""

    def __init__(self, text: str, reason: str):
        super().__init__(text)
        self.reason = reason


def parse_number(text: str, decimal_comma: bool = False, comma_decimal: bool = False) -> Decimal:
    """A number written the Vietnamese way or the English way: ``1.234,5``, ``52,17``, ``52.17``.

    When both separators occur the last one is the decimal mark; a lone comma is a
    decimal comma; several dots (or several commas) are thousands separators. A lone
    dot is a decimal point unless ``decimal_comma`` says the file writes decimals
    with a comma (then ``1.200`` is one thousand two hundred).
    A lone comma before exactly three digits ("12,345") can be either; unless the file
    writes decimals with a comma (``decimal_comma``) or is a semicolon or tab file as
    Vietnamese spreadsheets export (``comma_decimal``), it is refused with both readings.
    Digits other than 0–9 are refused. Raises ``ValueError`` (``NumberError`` with the
    reason) for anything else.
    """
    s = text.strip().replace("\u00a0", "").replace(" ", "").removesuffix("%")
    if any(c.isdigit() and not c.isascii() for c in s):
        raise NumberError(text, "chỉ dùng chữ số 0–9 (không dùng chữ số Ả Rập hay chữ số toàn độ rộng)")
    if not (decimal_comma or comma_decimal) and re.fullmatch(r"[+-]?[1-9]\d{0,2},\d{3}", s):
        whole, fraction = s.split(",")
        raise NumberError(
            text,
            f"có hai cách hiểu: {whole},{fraction} (dấu phẩy thập phân) hoặc {whole}{fraction}"
            f" (dấu phẩy phân cách hàng nghìn); ghi {whole}{fraction} nếu là số nguyên,"
            f" {whole},{fraction}0 nếu là số thập phân",
        )
    if (s.count(",") > 1 or s.count(".") > 1) and not re.fullmatch(
        r"[+-]?\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*(?:[.,]\d+)?", s
    ):
        raise NumberError(text, "các nhóm hàng nghìn phải có đúng 3 chữ số (như 1.234.567)")
    if decimal_comma and "," not in s:
        s = s.replace(".", "")
    if "," in s and "." in s:
        decimal_mark = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        s = s.replace(thousands, "").replace(decimal_mark, ".")
    elif s.count(",") > 1 or s.count(".") > 1:
        s = s.replace(",", "").replace(".", "")
    else:
        s = s.replace(",", ".")
    whole, _, fraction = s.partition(".")
    if not _NUMBER.match(whole) or (fraction and not fraction.isdigit()) or s.endswith("."):
        raise ValueError(text)
    try:
        return Decimal(s)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above already refuses these
        raise ValueError(text) from exc


# How periods are written in Vietnamese spreadsheets, folded: "Quý 3/2024", "tháng 03/2024",
# "Năm 2024", "6 tháng đầu năm 2024".
_PERIOD_WORDS = (
    (re.compile(r"^(?:quy|q)\s*([1-4])\s*(?:[/.\- ]|nam)\s*(\d{4})$"), "{1}-Q{0}"),
    (re.compile(r"^(?:thang|t)?\s*(\d{1,2})\s*(?:[/.\- ]|nam)\s*(\d{4})$"), "{1}-{0:0>2}"),
    (re.compile(r"^nam\s*(\d{4})$"), "{0}"),
    (re.compile(r"^6 thang dau nam\s*(\d{4})$"), "{0}-H1"),
    (re.compile(r"^6 thang cuoi nam\s*(\d{4})$"), "{0}-H2"),
    (re.compile(r"^giai doan\s*(\d{4})\s*[-–]\s*(\d{4})$"), "{0}-{1}"),
)


def period_key(text: str) -> str:
    """A period as people write it, turned into a key: "Quý 3/2024" → "2024-Q3"; keys pass unchanged."""
    folded = fold(text)
    for pattern, key in _PERIOD_WORDS:
        if m := pattern.match(folded):
            return key.format(*m.groups())
    return text


def _is_file(text: str) -> bool:
    """Whether a one-line text names an existing file (a long or odd line is CSV text, not a name)."""
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # name too long, NUL byte…
        return False


def _delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the most known columns."""

    def known(delim: str) -> int:
        cells = next(csv.reader([header_line], delimiter=delim), [])
        return sum(fold(c) in _ALIASES for c in cells)

    return max((",", ";", "\t"), key=lambda d: (known(d), header_line.count(d)))


def _encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) unless a byte says otherwise: then a Windows Vietnamese export.

    Reads the file in blocks, never whole."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with path.open("rb") as stream:
        try:
            while block := stream.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1258"
    return "utf-8-sig"


def read_observations_csv(source: str | Path) -> tuple[list[Observation], list[Issue]]:
    """Read the tidy CSV of docs/interfaces.md §3 (a path, or the text itself).

    Returns the rows that could be read and one issue per problem, each saying
    which line. Rows with an error are not returned, so callers must look at the
    issues (``has_errors``) before trusting the result. A file is streamed: read
    line by line twice (once for its header and number style, once for its rows),
    never held whole in memory.
    """
    if isinstance(source, Path) or ("\n" not in source and _is_file(source)):
        path = Path(source)
        encoding = _encoding(path)
        errors = "replace" if encoding == "cp1258" else "strict"
        return _read_stream(lambda: path.open(encoding=encoding, errors=errors, newline=""))
    return read_observations_text(source.removeprefix("\ufeff"))


def read_observations_text(text: str) -> tuple[list[Observation], list[Issue]]:
    """The same, for CSV text that came from a user (an upload, a request body).

    Never opens a file: a body of one line such as ``/etc/passwd`` is CSV text here, not a name.
    """
    return _read_stream(lambda: io.StringIO(text, newline=""))


Opener = Callable[[], IO[str]]
_NUMERIC = ("numerator", "denominator", "value")
_EMPTY = "tệp số liệu trống"


def _nfc_lines(stream: IO[str]) -> Iterator[str]:
    """The stream's lines in NFC, without a leading byte-order mark (a line at a time: NFC never
    composes across a line break)."""
    for number, line in enumerate(stream):
        if number == 0:
            line = line.removeprefix("\ufeff")
        yield unicodedata.normalize("NFC", line)


def _first_line(opener: Opener) -> str | None:
    """The first line with something on it (as ``str.splitlines`` cuts lines), or None."""
    with opener() as stream:
        for line in _nfc_lines(stream):
            if line.strip():
                return next(piece for piece in line.splitlines() if piece.strip())
    return None


def _records(stream: IO[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, cells) for each record with something in it."""
    reader = csv.reader(_nfc_lines(stream), delimiter=delimiter)
    previous = 0
    for cells in reader:
        cells = [from_csv_cell(c) for c in cells]  # our exports' "'=…" guard
        if any(c.strip() for c in cells):
            yield previous + 1, cells
        previous = reader.line_num


@dataclass
class _Survey:
    """What the first pass learns: the header, its columns, the number style, how many rows."""

    header_line: int = 0
    columns: dict[str, int] = field(default_factory=dict)
    decimal_comma: bool = False
    rows: int = 0


def _survey(opener: Opener, delimiter: str) -> tuple[_Survey | None, list[Issue]]:
    survey = _Survey()
    issues: list[Issue] = []
    numeric: list[int] = []
    try:
        with opener() as stream:
            for line, row in _records(stream, delimiter):
                if not survey.header_line:
                    survey.header_line = line
                    survey.columns, issues = _header(row, line)
                    if any(i.severity is Severity.ERROR for i in issues):
                        return None, issues
                    numeric = [survey.columns[c] for c in _NUMERIC if c in survey.columns]
                    continue
                survey.rows += 1
                if not survey.decimal_comma:
                    survey.decimal_comma = any(_decimal_comma(row[i]) for i in numeric if i < len(row))
    except csv.Error as exc:  # e.g. a field larger than the csv module accepts
        where = _csv_error_line(opener, delimiter)
        return None, [Issue(Severity.ERROR, f"line {where}", f"không đọc được dòng CSV: {exc}", "bad_csv")]
    if not survey.header_line:
        return None, [Issue(Severity.ERROR, "line 1", _EMPTY, "empty_file")]
    return survey, issues


def _csv_error_line(opener: Opener, delimiter: str) -> int:
    """The line a broken record starts on (after the last record read whole)."""
    reader_line = 0
    with opener() as stream:
        reader = csv.reader(_nfc_lines(stream), delimiter=delimiter)
        try:
            for _cells in reader:
                reader_line = reader.line_num
        except csv.Error:
            pass
    return reader_line + 1


def _read_stream(opener: Opener) -> tuple[list[Observation], list[Issue]]:
    header_text = _first_line(opener)
    if header_text is None:
        return [], [Issue(Severity.ERROR, "line 1", _EMPTY, "empty_file")]
    delimiter = _delimiter(header_text)
    survey, issues = _survey(opener, delimiter)
    if survey is None:
        return [], issues
    observations: list[Observation] = []
    seen: dict[tuple[str, str, str, Sex | None], int] = {}
    with opener() as stream:
        records = _records(stream, delimiter)
        next(records)  # the header
        for line, row in records:
            obs, row_issues = _row(row, survey.columns, line, survey.decimal_comma, delimiter != ",")
            issues += row_issues
            if obs is None:
                continue
            if obs.key in seen:
                issues.append(
                    Issue(
                        Severity.ERROR,
                        obs.source,
                        f"trùng với dòng {seen[obs.key]}: cùng chỉ tiêu {obs.indicator}, kỳ {obs.period},"
                        f" đơn vị {obs.org_unit or '(toàn địa bàn)'}, giới tính {obs.sex or 'chung'}",
                        "duplicate_row",
                    )
                )
                continue
            seen[obs.key] = line
            observations.append(obs)
    if survey.rows == 0:
        issues.append(
            Issue(
                Severity.WARNING,
                f"line {survey.header_line}",
                "tệp chỉ có dòng tiêu đề, không có số liệu",
                "no_rows",
            )
        )
    return observations, issues


def _decimal_comma(cell: str) -> bool:
    """A cell such as ``52,17`` shows the file writes decimals with a comma."""
    return bool(re.fullmatch(r"\s*\d+,\d+\s*%?\s*", cell)) and not re.fullmatch(
        r"\s*\d{1,3}(,\d{3})+\s*", cell
    )


def _header(cells: list[str], line: int) -> tuple[dict[str, int], list[Issue]]:
    columns: dict[str, int] = {}
    issues: list[Issue] = []
    where = f"line {line}"
    for index, cell in enumerate(cells):
        name = _ALIASES.get(fold(cell))
        if name is None:
            if cell.strip():
                issues.append(
                    Issue(Severity.WARNING, where, f"cột không dùng đến: {cell.strip()!r}", "extra_column")
                )
            continue
        if name in columns:
            issues.append(Issue(Severity.ERROR, where, f"cột {name} xuất hiện hai lần", "duplicate_column"))
        columns[name] = index
    missing = [c for c in ("indicator", "period") if c not in columns]
    if not ({"value", "numerator"} & columns.keys()):
        missing.append("value (hoặc numerator và denominator)")
    if missing:
        issues.append(
            Issue(
                Severity.ERROR,
                where,
                "thiếu cột: " + ", ".join(missing) + f" (cần các cột: {', '.join(COLUMNS)})",
                "missing_column",
            )
        )
    return columns, issues


def _row(
    cells: list[str], columns: dict[str, int], line: int, decimal_comma: bool, comma_decimal: bool = False
) -> tuple[Observation | None, list[Issue]]:
    where = f"line {line}"
    issues: list[Issue] = []

    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def error(message: str, code: str) -> None:
        issues.append(Issue(Severity.ERROR, where, message, code))

    if len(cells) > max(columns.values()) + 1 and any(c.strip() for c in cells[max(columns.values()) + 1 :]):
        issues.append(
            Issue(Severity.WARNING, where, "dòng có nhiều ô hơn tiêu đề; các ô thừa bị bỏ qua", "extra_cells")
        )
    indicator = cell("indicator")
    if not indicator:
        error("thiếu mã chỉ tiêu (cột indicator)", "missing_indicator")
    period = cell("period")
    try:
        period = parse_period(period_key(period)).key
    except PeriodKeyError as exc:
        message = str(exc).replace(repr(period_key(period)), repr(period))  # quote what the user wrote
        error(message if period else "thiếu kỳ báo cáo (cột period)", "bad_period")
    sex_text = fold(cell("sex"))
    sex = _SEXES.get(sex_text)
    if sex is None and sex_text not in _TOTAL_SEX:
        error(f"giới tính không hợp lệ: {cell('sex')!r} (dùng F/nữ, M/nam hoặc để trống)", "bad_sex")

    numbers: dict[str, Decimal | None] = {}
    not_applicable = arisen_none = False
    for name in ("numerator", "denominator", "value"):
        raw = cell(name)
        if not raw:
            numbers[name] = None
        elif fold(raw) in _NOT_ARISEN:
            numbers[name], arisen_none = None, True
        elif fold(raw) in _NOT_APPLICABLE:
            numbers[name], not_applicable = None, True
        else:
            try:
                numbers[name] = parse_number(raw, decimal_comma, comma_decimal)
            except NumberError as exc:
                numbers[name] = None
                error(f"{name} không đọc được: {raw!r} {exc.reason}", "not_a_number")
                continue
            except ValueError:
                numbers[name] = None
                error(f"{name} không phải là số: {raw!r}", "not_a_number")
                continue
            if not decimal_comma and name != "value" and re.fullmatch(r"\d{1,3}(\.\d{3})+", raw):
                issues.append(
                    Issue(
                        Severity.WARNING,
                        where,
                        f"{name} {raw!r} được hiểu là {numbers[name]} (dấu chấm thập"
                        " phân); nếu là số hàng nghìn, hãy bỏ dấu chấm",
                        "ambiguous_number",
                    )
                )
    if arisen_none:  # nothing else to check: 0 events of 0
        numbers = {"numerator": Decimal(0), "denominator": Decimal(0), "value": None}
    else:
        issues += _check_numbers(numbers, not_applicable, where, {c for c in columns if cell(c)})
    submitted = _date(cell("submitted"), where, issues) if cell("submitted") else None
    if any(i.severity is Severity.ERROR for i in issues):
        return None, issues
    return (
        Observation(
            indicator=indicator,
            period=period,
            org_unit=cell("org_unit"),
            sex=sex,
            numerator=numbers["numerator"],
            denominator=numbers["denominator"],
            value=numbers["value"],
            note=cell("note"),
            source=where,
            not_applicable=not_applicable,
            submitted=submitted,
        ),
        issues,
    )


def _date(text: str, where: str, issues: list[Issue]) -> date | None:
    """dd/mm/yyyy (Vietnamese order) or ISO yyyy-mm-dd."""
    day = parse_day(text)
    if day is None:
        issues.append(
            Issue(Severity.ERROR, where, f"ngày gửi không hợp lệ: {text!r} (dùng dd/mm/yyyy)", "bad_date")
        )
    return day


_ZERO_HINT = " (nếu chỉ tiêu không áp dụng cho đơn vị này, ghi 'không áp dụng' vào cột value)"


def _check_numbers(
    numbers: dict[str, Decimal | None], not_applicable: bool, where: str, filled: set[str]
) -> list[Issue]:
    num, den, value = numbers["numerator"], numbers["denominator"], numbers["value"]
    if not_applicable:
        return []
    problem = check_parts(num, den, value)
    if problem is not None and not (problem.code is Problem.MISSING_NUMERATOR and "numerator" in filled):
        hint = _ZERO_HINT if problem.code is Problem.ZERO_DENOMINATOR else ""
        return [Issue(Severity.ERROR, where, problem.message() + hint, problem.code.value)]
    if num is None and den is None and value is None and not ({"numerator", "denominator", "value"} & filled):
        return [
            Issue(
                Severity.ERROR, where, "dòng không có số liệu (numerator/denominator hoặc value)", "no_figure"
            )
        ]
    return []


def read_observations_for_plan(plan: Plan, source: str | Path) -> tuple[list[Observation], list[Issue]]:
    """Read the tidy CSV and check it against the plan; issues in line order."""
    observations, issues = read_observations_csv(source)
    return observations, in_line_order([*issues, *validate_observations(plan, observations)])
