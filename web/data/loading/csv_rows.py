"""Small CSV files (units, assignments) read whole, with their header checked."""

from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

from web.data.loading.errors import LoadError, LoadIssue, load_issue


def csv_rows(rows_or_path, header: tuple[str, ...]) -> tuple[list[tuple[int, list[str]]], str]:
    """(line, cells) after a header that must be ``header``; blank lines skipped."""
    if isinstance(rows_or_path, str | Path):
        path = Path(rows_or_path)
        if not path.is_file():
            raise LoadError([load_issue(0, "not_found", path)], source=path.name)
        text, name = path.read_bytes().decode("utf-8-sig", errors="replace"), path.name
        reader = csv.reader(io.StringIO(unicodedata.normalize("NFC", text), newline=""))
        rows, previous = [], 0
        for cells in reader:
            rows.append((previous + 1, cells))
            previous = reader.line_num
    else:
        rows, name = [(n, list(r)) for n, r in enumerate(rows_or_path, start=1)], ""
    rows = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
    if not rows or [c.strip().lower() for c in rows[0][1][: len(header)]] != list(header):
        line = rows[0][0] if rows else 1
        raise LoadError(
            [LoadIssue(line, "dòng tiêu đề phải là: " + ",".join(header), "bad_header")], source=name
        )
    return rows[1:], name
