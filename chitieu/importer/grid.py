"""The common shape every reader produces: rows of cells, each knowing where it came from."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from chitieu.issues import Issue


def column_letter(index: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA" (as spreadsheets name columns)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def clean_text(text: str) -> str:
    """NFC, no non-breaking or zero-width spaces, spaces collapsed; line breaks kept.

    Line breaks matter: a lead-unit cell may name one unit per line.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def one_line(text: str) -> str:
    """A cell's text as one line: for names, codes and headers."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Cell:
    text: str
    where: str  # "line 12, cell C", "row 9, cell C", "sheet Phụ lục, cell C7"
    origin: tuple[int, int] = (-1, -1)  # top-left (row, col) of the merged range holding this cell
    number: Decimal | None = None  # a number stored as a number (Excel), already in % when shown as %
    percent: bool = False  # the number is displayed with a % format

    @property
    def empty(self) -> bool:
        return not self.text and self.number is None


@dataclass(frozen=True)
class Grid:
    """A table as read: ``rows[r][c]``; rows padded to the same width."""

    rows: tuple[tuple[Cell, ...], ...]
    row_where: tuple[str, ...]  # "line 12", "row 9", "sheet Phụ lục, row 7"
    titles: tuple[str, ...] = ()  # paragraphs above the table (Word)
    issues: tuple[Issue, ...] = field(default=())

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def is_merged_continuation(self, r: int, c: int) -> bool:
        """True when cell (r, c) only repeats the value of a merged range started elsewhere."""
        origin = self.rows[r][c].origin
        return origin != (-1, -1) and origin != (r, c)


def pad(rows: list[list[Cell]], where_of: list[str]) -> tuple[tuple[Cell, ...], ...]:
    width = max((len(r) for r in rows), default=0)
    padded = []
    for r, row in enumerate(rows):
        extra = [Cell("", f"{where_of[r]}, cell {column_letter(c)}", (r, c)) for c in range(len(row), width)]
        padded.append(tuple(row) + tuple(extra))
    return tuple(padded)
