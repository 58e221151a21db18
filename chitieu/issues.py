"""Issues: what a reader or a check found, with where it found it.

The core never raises on bad user input; it returns issues so that a user sees
every problem of a file at once. ``code`` is stable for tests and translations;
``message`` is the Vietnamese text shown to people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # the input cannot be used as it is
    WARNING = "warning"  # used, but something was dropped or guessed safely
    REVIEW = "review"  # read, but a person should confirm the meaning
    INFO = "info"  # worth knowing, nothing to do


@dataclass(frozen=True)
class Issue:
    severity: Severity
    where: str  # "row 4.1", "line 12", "sheet Phụ lục, cell C7"
    message: str
    code: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity.value,
            "where": self.where,
            "message": self.message,
            "code": self.code,
        }

    def __str__(self) -> str:
        return f"{self.severity.value}: {self.where}: {self.message}"


def has_errors(issues: list[Issue] | tuple[Issue, ...]) -> bool:
    return any(issue.severity is Severity.ERROR for issue in issues)


_LINE = re.compile(r"\bline (\d+)")


def in_line_order(issues: list[Issue]) -> list[Issue]:
    """Issues sorted by the line they name, so a user can fix a file top to bottom.

    Checks run in passes (the rows first, then against the plan); without this
    the messages for line 6 would follow those for line 12. Issues naming no
    line keep their place at the front, in their original order.
    """

    def line(issue: Issue) -> int:
        found = _LINE.search(issue.where)
        return int(found[1]) if found else 0

    return sorted(issues, key=line)
