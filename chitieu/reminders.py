"""Who still owes which figure: due and late report items, and reminder keys.

Expected reports are indicator × period × org unit (× sex where required);
the reporting calendar gives each a deadline. Given what has arrived and a
reference date ``as_of`` (passed in, never read from the clock), this module
says which items are due soon and which are late.

A reminder is sent at most once per item and stage: ``due_item_key`` is a
stable digest of (stage, indicator, period, unit, sex), with the unit name
folded so that spelling variants of one unit give one key. The sender stores
the keys it has used and skips them next time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from chitieu.names import fold


class ReportState(StrEnum):
    MISSING = "missing"  # nothing entered
    DRAFT = "draft"  # entered, not yet sent for approval
    SUBMITTED = "submitted"  # waiting for the coordinator
    RETURNED = "returned"  # sent back for correction
    APPROVED = "approved"


# The reporting unit has done its part once the figure is submitted.
RECEIVED = frozenset({ReportState.SUBMITTED, ReportState.APPROVED})
OUTSTANDING = frozenset({ReportState.MISSING, ReportState.DRAFT, ReportState.RETURNED})


class Stage(StrEnum):
    DUE = "due"  # deadline within the reminder window
    LATE = "late"  # deadline passed, figure not received


@dataclass(frozen=True)
class ReportItem:
    """One expected report: indicator × period × unit × sex ("" = total)."""

    indicator: str
    period: str
    org_unit: str = ""  # blank = the plan's whole area
    sex: str = ""  # "", "F", "M"
    # Who must send it (the lead unit for area-wide figures); not part of identity.
    responsible: str = field(default="", compare=False)

    @property
    def identity(self) -> tuple[str, str, str, str]:
        return (self.indicator, self.period, fold(self.org_unit), self.sex.upper())


@dataclass(frozen=True)
class DueItem:
    item: ReportItem
    stage: Stage
    deadline: date
    state: ReportState
    days: int  # days left (due) or days past the deadline (late)

    @property
    def key(self) -> str:
        return due_item_key(self.item, self.stage)


def due_item_key(item: ReportItem, stage: Stage) -> str:
    """Stable 40-character key for (stage, item); the same on every run and machine."""
    text = "\x1f".join((stage.value, *item.identity))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def classify(
    state: ReportState, deadline: date | None, *, as_of: date, remind_before: int = 7
) -> tuple[Stage, int] | None:
    """The reminder stage of one item, with days left/late; None when nothing is owed yet."""
    if state in RECEIVED or deadline is None:
        return None
    days_left = (deadline - as_of).days
    if days_left < 0:
        return Stage.LATE, -days_left
    if days_left <= remind_before:
        return Stage.DUE, days_left
    return None


def due_items(
    expected: Iterable[ReportItem],
    states: Mapping[ReportItem, ReportState],
    deadline_of: Callable[[ReportItem], date | None],
    *,
    as_of: date,
    remind_before: int = 7,
) -> list[DueItem]:
    """Items due within ``remind_before`` days or late at ``as_of``, latest deadlines last.

    ``states`` holds what has arrived; an expected item absent from it is
    missing. Items with no known deadline are never reminded.
    """
    found = {item.identity: state for item, state in states.items()}
    result: list[DueItem] = []
    for item in expected:
        state = found.get(item.identity, ReportState.MISSING)
        deadline = deadline_of(item)
        stage = classify(state, deadline, as_of=as_of, remind_before=remind_before)
        if stage is not None and deadline is not None:
            result.append(DueItem(item, stage[0], deadline, state, stage[1]))
    result.sort(key=lambda d: (d.deadline, *d.item.identity))
    return result


def not_yet_sent(due: Iterable[DueItem], sent_keys: Iterable[str]) -> list[DueItem]:
    """The due items whose reminder has not been sent; one per key even if listed twice."""
    seen = set(sent_keys)
    fresh: list[DueItem] = []
    for item in due:
        if item.key not in seen:
            seen.add(item.key)
            fresh.append(item)
    return fresh
