"""Text that a spreadsheet would run as a formula, written so that it stays text.

A note such as ``=HYPERLINK("http://…","Bấm vào đây")`` or ``@SUM(A1)`` typed by a
reporter would become a live formula on the coordinator's computer when an export
is opened in Excel or LibreOffice (CSV injection). Following OWASP, a text cell that
begins with ``= + - @``, a tab or a carriage return is written with a leading
apostrophe in CSV, and as a string with Excel's "quote prefix" in XLSX. Real numbers
("-4", "-1,5", "+3") stay numbers.

The tidy CSV reader removes the apostrophe again (``from_csv_cell``), so an export
read back gives the same notes.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
# A number as our writers and Vietnamese spreadsheets write it: sign, digits, one kind of separator.
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*%?", re.ASCII)


def looks_like_formula(text: str) -> bool:
    """True for text a spreadsheet may take for a formula (and that is not a plain number)."""
    return text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text)


def csv_cell(text: str) -> str:
    """A text cell for a CSV file: prefixed with an apostrophe when it could run as a formula.

    Line breaks become "\n": the csv module leaves a field holding a bare carriage return
    unquoted, which breaks the row for every reader.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return GUARD + text if looks_like_formula(text) else text


def from_csv_cell(text: str) -> str:
    """The text ``csv_cell`` was given: the apostrophe it added is taken off again."""
    return text[1:] if text.startswith(GUARD) and looks_like_formula(text[1:]) else text


def quote_prefixed(text: str) -> bool:
    """True for a text cell that is written with Excel's quote prefix (``set_text``)."""
    return text.startswith(FORMULA_STARTS)


def set_text(cell: Any, text: str | None) -> None:
    """Put text into an openpyxl cell so that it is never a formula.

    openpyxl turns any string starting with "=" into a formula; the data type is set back to
    string, and the quote prefix keeps Excel from reading the cell as a formula when edited.
    """
    cell.value = text if text else None
    if text and quote_prefixed(text):
        cell.data_type = "s"
        cell.quotePrefix = True
