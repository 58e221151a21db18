"""Pasted or exported text: tab, semicolon or comma separated; UTF-8 (BOM or not) or UTF-16."""

from __future__ import annotations

import csv
import io

from chitieu.importer.grid import Cell, Grid, clean_text, column_letter, pad
from chitieu.issues import Issue, Severity

_DELIMITERS = ("\t", ";", ",")
MAX_ROWS = 5000  # as the Excel and Word readers: an annex has tens of rows, a national one hundreds
MAX_COLUMNS = 64
_DELIMITER_NAMES = {"\t": "tab", ";": "dấu chấm phẩy", ",": "dấu phẩy"}


def decode(data: bytes) -> tuple[str | None, list[Issue]]:
    """Bytes → text, or a clear error saying where decoding failed."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            return None, [Issue(Severity.ERROR, "byte 0", "tệp UTF-16 bị hỏng", "bad_encoding")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [
            Issue(
                Severity.ERROR,
                f"line {line}",
                f"tệp không phải văn bản UTF-8 (lỗi ở byte {exc.start}); có thể là mã cũ như cp1258"
                " hoặc là tệp nhị phân: hãy lưu lại với mã hoá UTF-8",
                "bad_encoding",
            )
        ]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [
            Issue(Severity.ERROR, f"line {line}", "tệp chứa dữ liệu nhị phân, không phải văn bản", "binary")
        ]
    return text, []


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(first line number, fields) per record; quoted fields may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records = []
    line = 1
    try:
        for fields in reader:
            records.append((line, fields))
            line = reader.line_num + 1
    except csv.Error:
        return []
    return records


def _score(records: list[tuple[int, list[str]]]) -> int:
    """How table-like a parse is: rows with at least three fields."""
    return sum(1 for _, fields in records if len([f for f in fields if f.strip()]) >= 3 or len(fields) >= 4)


def sniff(text: str) -> tuple[str, list[tuple[int, list[str]]]]:
    best = ("\t", _records(text, "\t"))
    best_score = _score(best[1])
    for delimiter in _DELIMITERS[1:]:
        records = _records(text, delimiter)
        if (score := _score(records)) > best_score:
            best, best_score = (delimiter, records), score
    return best


def read_text(data: bytes) -> Grid | list[Issue]:
    text, issues = decode(data)
    if text is None:
        return issues
    if not text.strip():
        return [Issue(Severity.ERROR, "file", "tệp rỗng", "empty")]
    _, records = sniff(text)
    if len(records) > MAX_ROWS:
        line = records[MAX_ROWS][0]
        message = f"tệp có hơn {MAX_ROWS} dòng: không phải một bảng phụ lục kế hoạch"
        return [Issue(Severity.ERROR, f"line {line}", message, "too_many_rows")]
    rows: list[list[Cell]] = []
    where_of: list[str] = []
    found: list[Issue] = []
    for r, (line, fields) in enumerate(records):
        where_of.append(f"line {line}")
        # Every row is padded to the widest one: one line of 100 000 tabs must not make
        # every other line 100 000 cells wide.
        if any(f.strip() for f in fields[MAX_COLUMNS:]):
            message = (
                f"dòng có hơn {MAX_COLUMNS} cột: bỏ qua các cột sau cột {column_letter(MAX_COLUMNS - 1)}"
            )
            found.append(Issue(Severity.WARNING, f"line {line}", message, "too_many_columns"))
        rows.append(
            [
                Cell(clean_text(f), f"line {line}, cell {column_letter(c)}", (r, c))
                for c, f in enumerate(fields[:MAX_COLUMNS])
            ]
        )
    return Grid(pad(rows, where_of), tuple(where_of), issues=tuple(found))
