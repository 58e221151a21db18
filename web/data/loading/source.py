"""Reading the tidy CSV for a load: a path (plain or gzip), its bytes or rows, streamed once."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import unicodedata
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from chitieu import observation_csv as tidy
from web.data.loading.errors import LoadError, LoadIssue, load_issue


class Source:
    """The tidy CSV as (first line of the record, cells), with how far the reading has got."""

    def __init__(self, rows_or_path):
        self.name = ""
        self.size = 0
        self._raw = None
        self._rows = None
        if isinstance(rows_or_path, str | Path):
            path = Path(rows_or_path)
            if not path.is_file():
                raise LoadError([load_issue(0, "not_found", path)], source=path.name)
            self.name, self.size, self._path = path.name, path.stat().st_size, path
            self.encoding, self.has_quote, self.has_comma, self.has_end_mark = _prescan(self._binary())
        elif isinstance(rows_or_path, bytes):
            self._path, self._bytes = None, rows_or_path
            self.size = len(rows_or_path)
            self.encoding, self.has_quote, self.has_comma, self.has_end_mark = _prescan(self._binary())
        else:  # rows already split into cells, the header first
            self._rows = [list(r) for r in rows_or_path]
            self.encoding, self.has_quote, self.has_comma, self.has_end_mark = "", True, True, True

    def _binary(self):
        path = getattr(self, "_path", None)
        raw = open(path, "rb") if path is not None else io.BytesIO(self._bytes)  # noqa: SIM115 - closed by the caller
        self._raw = raw
        if raw.read(2) == b"\x1f\x8b":
            raw.seek(0)
            return gzip.GzipFile(fileobj=raw)
        raw.seek(0)
        return raw

    def position(self) -> int:
        try:
            return self._raw.tell() if self._raw is not None else 0
        except ValueError:  # closed
            return self.size

    def records(self) -> Iterator[tuple[int, list[str]]]:
        if self._rows is not None:
            yield from ((n, cells) for n, cells in enumerate(self._rows, start=1))
            return
        with self._binary() as binary, self._raw:
            text = io.TextIOWrapper(binary, encoding=self.encoding, errors="replace", newline="")
            first = text.readline()
            header = unicodedata.normalize("NFC", first)
            delimiter = tidy._delimiter(header.strip("\r\n"))
            self.delimiter = delimiter
            lines = chain([first], text)
            reader = csv.reader(lines, delimiter=delimiter)
            previous = 0
            try:
                for cells in reader:
                    yield previous + 1, cells
                    previous = reader.line_num
            except csv.Error as exc:
                raise LoadError(
                    [LoadIssue(previous + 1, f"không đọc được dòng CSV: {exc}", "bad_csv")], source=self.name
                ) from exc


def _prescan(binary) -> tuple[str, bool, bool, bool]:
    """(encoding, a quote occurs, a comma occurs, a backslash-dot occurs), reading the bytes once
    without parsing. The last: PostgreSQL's COPY takes a line of "\\." as the end of the data, so
    a file with one is never copied as it is (web.data.loading.plain_copy)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, quote, comma, end_mark = True, False, False, False
    last = b""
    with binary, getattr(binary, "fileobj", None) or binary:
        while chunk := binary.read(1 << 20):
            quote = quote or b'"' in chunk
            comma = comma or b"," in chunk
            end_mark = end_mark or b"\\." in last + chunk[:1] or b"\\." in chunk
            last = chunk[-1:]
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False  # a Windows Vietnamese export, as the core reader assumes
    return ("utf-8-sig" if utf8 else "cp1258"), quote, comma, end_mark


def decimal_comma_possible(source: Source, delimiter: str) -> bool:
    """Whether any cell can hold a comma: with no quote in a comma file, or no comma at all, none can."""
    return source.has_quote if delimiter == "," else source.has_comma


def scan_decimal_comma(source: Source, columns: dict[str, int]) -> bool:
    """The core reader's rule (one cell such as 52,17 means decimals are written with a comma)."""
    numeric = [columns[c] for c in ("numerator", "denominator", "value") if c in columns]
    records = source.records()
    next(records, None)
    for _line, cells in records:
        if any(i < len(cells) and tidy._decimal_comma(cells[i]) for i in numeric):
            records.close()
            return True
    return False
