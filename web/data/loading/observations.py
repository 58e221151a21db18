"""Bulk loading: a whole country's figures from the tidy CSV, all or nothing.

``observations_load`` streams the tidy CSV of docs/interfaces.md §3 (plain or gzip) once:
every line is read with the rules of ``chitieu.observations`` (Vietnamese period
spellings, decimal commas, nữ/nam, "không áp dụng") and checked against the plan in
force with the one figure rule every door uses (``chitieu.figures``).

The common line (known names, plain numbers, a new report) is judged here by the quick path
with the core's rule and — while no line has failed — written straight away: many rows per
INSERT on SQLite, COPY on PostgreSQL. On PostgreSQL every other line placed (indicator,
unit, period, report) is copied as read into an UNLOGGED staging table named for the load;
once the file is read, the figure rule judges all of them in SQL (``figure_sql``, proven
equal to the core's) and one INSERT … SELECT stores them (``stage``).
The whole load is one transaction, so a bad line anywhere, a database error or an
interruption leaves the database as it was; every bad line is still reported with its
number (the reading goes on to the end). Only the periods the load wrote to are rebuilt
in the roll-up tables afterwards.

Why write while reading rather than check the whole file first and read it
again: ten million lines are read in Python once instead of twice, and nothing
is visible to anyone before the commit, so the result is the same.

Memory stays flat whatever the file size: lines are never kept; what is kept is
one entry per unit and period (the submissions) and a bitmap that finds repeated
lines (one bit per submission × indicator × sex).
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from chitieu import approval
from chitieu import observation_csv as tidy
from chitieu.approval import State
from chitieu.evaluation.packed import collector_paused
from chitieu.periods import PeriodKeyError, parse_period
from web.core import hooks
from web.core.audit import audit_entries_save, audit_entry, audit_record
from web.core.bulk_sql import bulk_statements
from web.data.loading import line_pool
from web.data.loading.area import AreaUnit, AreaUnits, IndicatorRule, indicator_rules
from web.data.loading.errors import LOAD_STATES, MAX_REPORTED, LoadError, LoadIssue, load_issue
from web.data.loading.plain_copy import PlainLoad, plain_copy_load, plain_copy_possible
from web.data.loading.source import Source, decimal_comma_possible, scan_decimal_comma
from web.data.loading.stage import figure_load_issue, staged_refusals, staged_store
from web.data.loading.writers import refresh_statistics, staging_drop, writer_for_connection
from web.data.models import Observation, Submission
from web.data.services import FigureError, _differs, _plain
from web.orgs.access import require_coordinator, require_see_unit
from web.orgs.models import UnitKind
from web.plans.models import Plan
from web.plans.selectors import plan_version_active

Progress = Callable[[int, int, int], None]  # (lines read, bytes read, bytes in all; 0 = unknown)

PROGRESS_EVERY = 10_000  # lines between two calls of the progress callback
# Answers of the figure rule kept by the quick path: at 5 % of the country 61 % of the lines repeat
# one of the 16,384 kept before (63 % with no limit), at a few megabytes whatever the file's size.
JUDGED_KEPT = 16_384
NOT_APPLICABLE_NOTE = "không áp dụng"
LOCKED_STATES = tuple(s.value for s in approval.RECEIVED_STATES)  # a load may not overwrite these

_STATE_WORDS = {State.SUBMITTED.value: "gửi, đang chờ duyệt", State.APPROVED.value: "được duyệt (khóa)"}


@dataclass
class LoadResult:
    rows: int = 0  # data lines read
    observations_created: int = 0
    observations_updated: int = 0
    observations_unchanged: int = 0
    submissions_created: int = 0
    submissions_updated: int = 0
    seconds: float = 0.0  # reading, checking, writing and committing (not the roll-ups)
    rollup_seconds: float = 0.0  # bringing the roll-up tables up to date afterwards
    warnings: list[LoadIssue] = field(default_factory=list)
    periods: set[str] = field(default_factory=set)  # the periods written to: only these are rebuilt
    units: set[int] = field(default_factory=set)  # the units written to: only the areas above them are
    set_based: bool = False  # PostgreSQL took the whole file in SQL (web.data.loading.plain_copy)

    @property
    def figures(self) -> int:
        return self.observations_created + self.observations_updated + self.observations_unchanged

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class PeriodSpan(NamedTuple):
    """A period as the load uses it: its key, its dates, and the dates as ISO text (for COPY and sqlite3)."""

    key: str
    start: date
    end: date
    start_text: str
    end_text: str


class ReadLine(NamedTuple):
    """One data line as read, before the plan's checks (by the quick path or the general reader)."""

    code: str
    period: PeriodSpan | None
    unit_text: str
    sex: str  # "", "F" or "M"
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    note: str
    not_applicable: bool


class StoredFigure(NamedTuple):
    """A checked line: what is written for it (the value already worked out by the figure rule)."""

    submission: _Sub
    code: str
    sex: str
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    note: str


class _Sub:
    """A submission the file writes to: new, or an existing one whose figures are updated."""

    __slots__ = ("existing", "id", "refused", "seq", "state")

    def __init__(self, seq: int, sub_id: int | None, state: str, existing: bool, refused: str = ""):
        self.seq, self.id, self.state, self.existing, self.refused = seq, sub_id, state, existing, refused


_PLAIN_DECIMAL = re.compile(r"\d+\.\d+", re.ASCII)
_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+", re.ASCII)
_SEX_INDEX = {"": 0, "F": 1, "M": 2}


class _Load:
    def __init__(self, *, plan: Plan, actor, state: str, allow_locked: bool, source: Source, progress):
        self.plan, self.actor, self.state, self.allow_locked = plan, actor, state, allow_locked
        self.source, self.progress = source, progress
        version = plan_version_active(plan)
        if version is None:
            raise LoadError([load_issue(0, "no_version")], source=source.name)
        self.rules = indicator_rules(version)
        self.slots = max(1, len(self.rules)) * 3
        self.units = AreaUnits(plan.area)
        self.existing = {
            (u, p): (i, s)
            for i, u, p, s in Submission.objects.filter(plan=plan).values_list(
                "id", "org_unit_id", "period_key", "state"
            )
        }
        self.subs: dict[tuple[int, str], _Sub] = {}
        self.seen = bytearray(1 << 16)
        self.errors: list[LoadIssue] = []
        self.error_count = 0
        self.result = LoadResult()
        self.pending: list[tuple] = []  # lines for existing submissions, merged in batches
        self.periods: dict[str, PeriodSpan | None] = {}
        self.now = timezone.now()
        self.actor_id = actor.pk if actor is not None else None
        # PostgreSQL: the lines the quick path leaves are staged as read and judged in SQL, all at
        # once (web.data.loading.stage); SQLite: judged here, line by line, by the same rule.
        self.staged = connection.vendor == "postgresql"

    # -- errors

    def error(self, issue: LoadIssue) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(issue)

    def warn(self, issue: LoadIssue) -> None:
        if len(self.result.warnings) < MAX_REPORTED:
            self.result.warnings.append(issue)

    # -- one line

    def period(self, text: str) -> PeriodSpan | None:
        if text not in self.periods:
            try:
                p = parse_period(tidy.period_key(text))
                self.periods[text] = PeriodSpan(p.key, p.start, p.end, p.start.isoformat(), p.end.isoformat())
            except PeriodKeyError:
                self.periods[text] = None
        return self.periods[text]

    def fast(self, cells: list[str]):
        """The line read without the general reader, when it is in the plain form; None otherwise.

        Plain form: a period, sex and numbers as the reader writes them back (2024-Q3, F,
        1200, 52.17). Anything else goes to ``slow``, the general reader, so both paths
        accept exactly the same files; this one only saves time on the common case.
        """
        width = self.width
        n = len(cells)
        if n > width:
            if any(x.strip() for x in cells[width:]):
                return None
            cells = [*cells[:width], ""]
        else:
            cells = cells + self.padding[n:]
        ci, cp, cu, cs, cn, cd, cv, cnote = self.indexes
        period = self.periods.get(cells[cp].strip()) or self.period(cells[cp].strip())
        sex = self.sexes.get(cells[cs].strip())
        code = cells[ci].strip()
        if period is None or sex is None or not code:
            return None
        num, den, value = cells[cn].strip(), cells[cd].strip(), cells[cv].strip()
        if num:
            num = self.number(num, False)
            if num is None:
                return None
        else:
            num = None
        if den:
            den = self.number(den, False)
            if den is None or den == 0 or (num is None and not value):
                return None  # the reader's own messages
        else:
            den = None
        if value:
            value = self.number(value, True)
            if value is None:
                return None
        elif num is None and den is None:
            return None
        else:
            value = None
        note = cells[cnote].strip()
        if not note.isascii():
            note = unicodedata.normalize("NFC", note)
        return ReadLine(code, period, cells[cu].strip(), sex, num, den, value, note, False)

    def number(self, text: str, is_value: bool) -> Decimal | None:
        if text.isdigit() and text.isascii():
            return Decimal(text)
        if (
            not self.decimal_comma
            and _PLAIN_DECIMAL.fullmatch(text)
            and (is_value or not _THOUSANDS.fullmatch(text))
        ):
            return Decimal(text)
        return None

    def slow(self, line: int, cells: list[str]):
        """The general reader of chitieu.observations, for every other spelling and for its messages."""
        obs, issues = tidy._row(cells, self.columns_core, line, self.decimal_comma, self.comma_decimal)
        for issue in issues:
            target = self.error if issue.severity.value == "error" else self.warn
            target(LoadIssue(line, issue.message, issue.code))
        if obs is None:
            return None
        period = self.period(obs.period)
        sex = obs.sex.value if obs.sex else ""
        return ReadLine(
            obs.indicator,
            period,
            obs.org_unit,
            sex,
            obs.numerator,
            obs.denominator,
            obs.value,
            obs.note,
            obs.not_applicable,
        )

    def check(self, line: int, parsed: ReadLine) -> StoredFigure | None:
        """The stored row for a read line, or None after reporting why it cannot be stored."""
        code, period, unit_text, sex, num, den, value, note, not_applicable = parsed
        rule = self.rules.get(code)
        if rule is None:
            return self.error(load_issue(line, "unknown_indicator", code))
        if rule.by_sex and not sex:
            return self.error(load_issue(line, "sex_required", code))
        if sex and not rule.by_sex:
            return self.error(load_issue(line, "sex_not_required", code))
        unit = self.units.find(unit_text)
        if isinstance(unit, tuple):
            return self.error(load_issue(line, unit[0], unit_text, unit[1]))
        if not (
            unit.id in rule.lead_ids
            or (unit.kind == UnitKind.COMMUNE if rule.communes else unit.id == self.units.area_id)
        ):
            return self.error(load_issue(line, "not_assigned", code, unit.name))
        if not_applicable:
            num = den = value = None
            note = f"{NOT_APPLICABLE_NOTE} — {note}" if note else NOT_APPLICABLE_NOTE
        elif not self.staged:  # staged figures are judged in SQL once the file is read
            value = self.figure(line, rule, num, den, value)
            if value is False:
                return None
        # A staged figure is judged in SQL only if its line is stored; a line refused below for its
        # report is judged here first, so that it names the same problem as on SQLite (figure first).
        judged = not_applicable or not self.staged

        def figure_refused() -> bool:
            return not judged and self.figure(line, rule, num, den, value) is False

        sub = self.submission(line, unit, period, figure_refused)
        if sub is None:
            return None
        bit = sub.seq * self.slots + rule.index * 3 + _SEX_INDEX[sex]
        byte, mask = bit >> 3, 1 << (bit & 7)
        if byte >= len(self.seen):
            self.seen.extend(bytes(max(byte + 1 - len(self.seen), len(self.seen))))
        if self.seen[byte] & mask:
            if figure_refused():
                return None
            return self.error(load_issue(line, "duplicate", code, period.key, unit.name, sex or "chung"))
        self.seen[byte] |= mask
        return StoredFigure(sub, code, sex, num, den, value, note)

    def figure(self, line: int, rule: IndicatorRule, num, den, value):
        """The value to store, by the figure rule (as every door); False after reporting an error."""
        try:
            return rule.value(num, den, value)
        except FigureError as exc:
            return self.error(figure_load_issue(line, rule.code, exc.issue)) or False

    def submission(
        self, line: int, unit: AreaUnit, period: PeriodSpan, figure_refused: Callable[[], bool]
    ) -> _Sub | None:
        key = (unit.id, period.key)
        sub = self.subs.get(key)
        if sub is None:
            seq = len(self.subs)
            if key in self.existing:
                sub_id, state = self.existing[key]
                refused = "locked" if state in LOCKED_STATES and not self.allow_locked else ""
                sub = _Sub(seq, sub_id, state, True, refused)
            elif (unit.valid_from and unit.valid_from > period.end) or (
                unit.valid_to and unit.valid_to < period.start
            ):
                sub = _Sub(seq, None, "", False, "unit_not_valid")
            else:
                sub = _Sub(seq, None, self.state, False)
            self.subs[key] = sub
        if sub.refused and figure_refused():
            return None
        if sub.refused == "locked":
            return self.error(load_issue(line, "locked", unit.name, period.key, _STATE_WORDS[sub.state]))
        if sub.refused:
            return self.error(load_issue(line, sub.refused, unit.name, period.key))
        if sub.id is None and not self.error_count:
            sub.id = self.writer.submission(self.new_submission(unit, period))
            self.result.submissions_created += 1
        return sub

    def new_submission(self, unit: AreaUnit, period: PeriodSpan) -> tuple:
        return (
            self.plan.pk,
            unit.id,
            period.key,
            period.start_text,  # the dates as ISO text: what both COPY and sqlite3 take
            period.end_text,
            *self.tail,
        )

    def submission_tail(self) -> tuple:
        """The columns every new submission of this load shares (state, revision, who and when)."""
        sent = self.state in LOCKED_STATES
        approved = self.state == State.APPROVED.value
        return (
            self.state,
            1,
            self.now_db if sent else None,
            self.actor_id if sent else None,
            self.now_db if approved else None,
            self.actor_id if approved else None,
            "",
        )

    # -- the file

    def header(self, records) -> None:
        first = next(records, None)
        while first is not None and not any(c.strip() for c in first[1]):
            first = next(records, None)
        if first is None:
            raise LoadError([LoadIssue(1, "tệp số liệu trống", "empty_file")], source=self.source.name)
        line, cells = first
        self.header_line = line
        self.header_cells = cells
        columns, issues = tidy._header([unicodedata.normalize("NFC", c) for c in cells], line)
        errors = [LoadIssue(line, i.message, i.code) for i in issues if i.severity.value == "error"]
        if errors:
            raise LoadError(errors, source=self.source.name)
        self.columns_core = columns
        self.width = width = max(columns.values()) + 1
        # Column positions in the line padded with one blank cell: a missing column reads as blank.
        self.indexes = tuple(columns.get(name, width) for name in tidy.COLUMNS)
        self.padding = [""] * (width + 1)
        self.sexes = {
            "": "",
            "F": "F",
            "M": "M",
            "f": "F",
            "m": "M",
            "nữ": "F",
            "nam": "M",
            "Nữ": "F",
            "Nam": "M",
        }

    def run(self) -> LoadResult:
        self.writer = writer_for_connection()
        try:
            return self.read_and_store()
        finally:
            self.writer.close()  # before the transaction ends: no batch is written after it

    def read_and_store(self) -> LoadResult:
        self.now_db = self.writer.adapt(self.now)
        self.tail = self.submission_tail()  # once: a national file makes a million submissions
        records = self.source.records()
        self.header(records)
        records.close()
        delimiter = getattr(self.source, "delimiter", ",")
        self.comma_decimal = delimiter != ","  # a semicolon or tab file: "12,345" is a decimal
        self.decimal_comma = decimal_comma_possible(self.source, delimiter) and scan_decimal_comma(
            self.source, self.columns_core
        )
        if self.staged and plain_copy_possible(self):
            plain = plain_copy_load(self)  # the whole file in SQL, or None: then line by line
            if plain is not None:
                return self.plain_done(plain)
        records = self.source.records()  # the reading that counts, after the header
        self.header(records)
        # Without the cycle collector while the lines are read: the load keeps one object per
        # report (a million at national scale) and the collector went through them again and again
        # (loading thread's CPU 47.3 → 41.3 s at full scale, SQLite).
        with collector_paused():
            self.read_lines(records)
        if self.staged:
            self.writer.finish()
            refused, count = staged_refusals(self.writer.staging, self.rules, MAX_REPORTED)
            if count:
                self.errors = sorted([*self.errors, *refused], key=lambda issue: issue.line)[:MAX_REPORTED]
                self.error_count += count
        if self.error_count:
            raise LoadError(self.errors, self.error_count, source=self.source.name)
        if self.staged:
            stored = staged_store(
                self.writer.staging,
                self.rules,
                actor=self.actor,
                reason=f"bulk_load {self.source.name}".strip(),
            )
            self.result.observations_created += stored.created  # the quick path counted its own
            self.result.observations_updated = stored.updated
            self.result.observations_unchanged = stored.unchanged
            staging_drop(self.writer.staging)
            self.writer.keys_restore()
        else:
            self.merge_pending()
            self.writer.finish()
        self.touch_existing()
        written = [key for key, sub in self.subs.items() if not sub.refused]
        self.result.periods = {period for _unit, period in written}
        self.result.units = {unit for unit, _period in written}
        self.audit()
        if self.progress is not None:
            self.progress(self.result.rows, self.source.size, self.source.size)
        return self.result

    def plain_done(self, plain: PlainLoad) -> LoadResult:
        result = self.result
        result.rows, result.submissions_created = plain.rows, plain.submissions
        result.observations_created = plain.stored.created
        result.observations_updated = plain.stored.updated
        result.observations_unchanged = plain.stored.unchanged
        result.periods, result.units = plain.periods, plain.units
        result.set_based = True
        self.audit()
        if self.progress is not None:
            self.progress(result.rows, self.source.size, self.source.size)
        return result

    def general(self, line: int, cells: list[str]) -> None:
        """A line the quick path of ``read_lines`` leaves: other spellings, errors, first sight of a name."""
        parsed = self.fast(cells) or self.slow(line, cells)
        if parsed is None:
            return
        stored = self.check(line, parsed)
        if stored is None or (self.error_count and not self.staged):
            return  # staged lines go on to the staging table: the SQL rule still reports their figures
        self.store(stored, line)

    def read_lines(self, records) -> None:
        """Every data line: the common case here, anything else through ``general``.

        This loop runs for each of ten million lines, so it is written out with local
        names and few calls for the common case: a known indicator, period, sex and unit
        (found once by ``general`` and cached), plain numbers, a new submission. The figure
        is judged by the same rule object as every door (``FigureRule.accept_plain``, proven
        equal to ``accept``); whenever a check would fail, or the line needs anything else,
        the line goes to ``general``, which reports it with the shared messages. The two
        paths store identical rows (the tests run both).
        """
        processes = line_pool.workers()
        if not self.staged and processes and self.source.size >= line_pool.MIN_BYTES:
            return self.read_lines_pooled(records, processes)
        result, writer, general = self.result, self.writer, self.general
        rules_get, periods_get, sexes_get = self.rules.get, self.periods.get, self.sexes.get
        units_found, subs, seen = self.units._found, self.subs, self.seen
        out, batch = writer.observations, writer.batch
        width, padding, slots, area_id = self.width, self.padding, self.slots, self.units.area_id
        ci, cp, cu, cs, cn, cd, cv, cnote = self.indexes
        progress, every, position, size = (
            self.progress,
            PROGRESS_EVERY,
            self.source.position,
            self.source.size,
        )
        commune, sex_index = UnitKind.COMMUNE.value, _SEX_INDEX
        decimal_comma, normalize, unit_class = self.decimal_comma, unicodedata.normalize, AreaUnit
        # The figure rule's answers, by (indicator, numerator, denominator, value) as written: the
        # value to store as text, or "" for a line the rule sends to the general path.
        judged: dict[tuple[str, str, str, str], str] = {}
        judged_get, judged_kept = judged.get, JUDGED_KEPT
        rows = created = 0
        failed = False
        for line, cells in records:
            n = len(cells)
            if n < width:
                cells.extend(padding[n:])
            elif n == width:
                cells.append("")
            code = cells[ci].strip()  # padded: every column index exists
            if not code and not any(c.strip() for c in cells):
                continue  # a blank line
            rows += 1
            if progress is not None and not rows % every:
                progress(rows, position(), size)
            rule = rules_get(code)
            period = periods_get(cells[cp].strip())
            sex = sexes_get(cells[cs].strip())
            unit = units_found.get(cells[cu].strip())
            if (
                failed
                or n > width
                or rule is None
                or period is None
                or sex is None
                or unit.__class__ is not unit_class
            ):
                general(line, cells)
                failed = bool(self.error_count)
                continue
            if (sex != "") != rule.by_sex or not (
                unit.id in rule.lead_ids or (unit.kind == commune if rule.communes else unit.id == area_id)
            ):
                general(line, cells)
                failed = bool(self.error_count)
                continue
            t_num, t_den, t_val = cells[cn].strip(), cells[cd].strip(), cells[cv].strip()
            # The figure rule itself (chitieu.figures) for numbers written plainly (quick_value);
            # "" sends the line to the general path, which gives the reason. Its answer is kept
            # per indicator and numbers as written: most lines repeat an earlier one's.
            judged_key = (code, t_num, t_den, t_val)
            value = judged_get(judged_key)
            if value is None:
                value = rule.quick_value(t_num, t_den, t_val, decimal_comma)
                if len(judged) >= judged_kept:
                    judged.clear()  # memory stays flat: the common numbers come back quickly
                judged[judged_key] = value
            if not value:
                general(line, cells)
                failed = bool(self.error_count)
                continue
            key = (unit.id, period.key)
            sub = subs.get(key)
            if sub is None:
                sub = self.new_quick_submission(key, unit, period)
                if sub is None:
                    general(line, cells)
                    failed = bool(self.error_count)
                    continue
            elif sub.existing or sub.refused or sub.id is None:
                general(line, cells)
                failed = bool(self.error_count)
                continue
            bit = sub.seq * slots + rule.index * 3 + sex_index[sex]
            byte, mask = bit >> 3, 1 << (bit & 7)
            if byte >= len(seen) or seen[byte] & mask:
                general(line, cells)
                failed = bool(self.error_count)
                continue
            seen[byte] |= mask
            note = cells[cnote].strip()
            if not note.isascii():
                note = normalize("NFC", note)
            out.append((sub.id, code, sex, t_num or None, t_den or None, value, note))
            created += 1
            if len(out) >= batch:
                writer.flush()
        result.rows += rows
        result.observations_created += created

    def new_quick_submission(self, key: tuple[int, str], unit, period) -> _Sub | None:
        """The new submission a quick-path line of ``unit`` for ``period`` writes to, or None when
        the line needs the general reader (the report exists already, or the unit did not exist
        then). Runs once per (unit, period), so the two quick loops share it."""
        if (
            key in self.existing
            or (unit.valid_from and unit.valid_from > period.end)
            or (unit.valid_to and unit.valid_to < period.start)
        ):
            return None
        sub = self.subs[key] = _Sub(len(self.subs), None, self.state, False)
        sub.id = self.writer.submission(self.new_submission(unit, period))
        self.result.submissions_created += 1
        return sub

    def read_lines_pooled(self, records, processes: int) -> None:
        """``read_lines`` with the checks that need only the line done by worker processes
        (web.data.loading.line_pool); what depends on earlier lines stays here, in line order."""
        plan = line_pool.LinePlan(
            rules={
                code: line_pool.LineRule(r.index, r.by_sex, r.communes, r.lead_ids, r.figure)
                for code, r in self.rules.items()
            },
            units=self.units,
            area_id=self.units.area_id,
            commune=UnitKind.COMMUNE.value,
            width=self.width,
            indexes=self.indexes,
            sexes=self.sexes,
            decimal_comma=self.decimal_comma,
        )
        units = {u.id: u for u in self.units.by_code.values()}
        units.update((u.id, u) for named in self.units.by_name.values() for u in named)
        result, writer, general = self.result, self.writer, self.general
        subs, seen, slots = self.subs, self.seen, self.slots
        out, batch = writer.observations, writer.batch
        width, padding, blank = self.width, self.padding, line_pool.BLANK
        progress, every, position, size = (
            self.progress,
            PROGRESS_EVERY,
            self.source.position,
            self.source.size,
        )
        sex_index, period_of = _SEX_INDEX, self.period
        rows = created = 0
        failed = False
        for line, cells, answer in line_pool.checked(plan, records, processes):
            if answer == blank:
                continue
            n = len(cells)  # padded as read_lines pads them, for the general reader
            if n < width:
                cells.extend(padding[n:])
            elif n == width:
                cells.append("")
            rows += 1
            if progress is not None and not rows % every:
                progress(rows, position(), size)
            if failed or answer is None:
                general(line, cells)
                failed = bool(self.error_count)
                continue
            unit_id, period_text, index, code, sex, t_num, t_den, value, note = answer  # type: ignore[misc]
            period = period_of(period_text)
            unit = units[unit_id]
            if period is None:
                general(line, cells)
                failed = bool(self.error_count)
                continue
            key = (unit_id, period.key)
            sub = subs.get(key)
            if sub is None:
                sub = self.new_quick_submission(key, unit, period)
                if sub is None:
                    general(line, cells)
                    failed = bool(self.error_count)
                    continue
            elif sub.existing or sub.refused or sub.id is None:
                general(line, cells)
                failed = bool(self.error_count)
                continue
            bit = sub.seq * slots + index * 3 + sex_index[sex]
            byte, mask = bit >> 3, 1 << (bit & 7)
            if byte >= len(seen) or seen[byte] & mask:
                general(line, cells)
                failed = bool(self.error_count)
                continue
            seen[byte] |= mask
            out.append((sub.id, code, sex, t_num, t_den, value, note))
            created += 1
            if len(out) >= batch:
                writer.flush()
        result.rows += rows
        result.observations_created += created

    def store(self, stored: StoredFigure, line: int) -> None:
        sub, code, sex, num, den, value, note = stored
        if self.staged:
            index = self.rules[code].index
            self.writer.stage((line, sub.id, index, code, sex, num, den, value, note, sub.existing))
            return
        if sub.existing:
            self.pending.append(stored)
            if len(self.pending) >= 5000:
                self.merge_pending()
            return
        self.writer.observation((sub.id, code, sex, _text(num), _text(den), _text(value), note))
        self.result.observations_created += 1

    # -- figures of submissions that were already there

    def merge_pending(self) -> None:
        """Update changed figures (one audit row per changed field, as the form does), add new ones."""
        if not self.pending:
            return
        self.writer.settle()  # the connection is the loading thread's again (PostgreSQL copies in a thread)
        batch, self.pending = self.pending, []
        ids = {sub.id for sub, *_ in batch}
        current = {
            (o.submission_id, o.indicator_code, o.sex): o
            for o in Observation.objects.filter(submission_id__in=ids)
        }
        changed, audits = [], []
        for sub, code, sex, num, den, value, note in batch:
            old = current.get((sub.id, code, sex))
            if old is None:
                self.writer.observation((sub.id, code, sex, _text(num), _text(den), _text(value), note))
                self.result.observations_created += 1
                continue
            diffs = [
                (name, new)
                for name, new in (("numerator", num), ("denominator", den), ("value", value), ("note", note))
                if _differs(getattr(old, name), new)
            ]
            for name, new in diffs:
                audits.append(
                    audit_entry(
                        actor=self.actor,
                        action="figure_change",
                        subject=Submission(pk=sub.id),
                        field=f"{code}/{sex}/{name}",
                        old=_plain(getattr(old, name)),
                        new=_plain(new),
                        reason=f"bulk_load {self.source.name}".strip(),
                    )
                )
                setattr(old, name, new)
            if diffs:
                changed.append(old)
                self.result.observations_updated += 1
            else:
                self.result.observations_unchanged += 1
        Observation.objects.bulk_update(
            changed, ["numerator", "denominator", "value", "note"], batch_size=1000
        )
        audit_entries_save(audits)

    def touch_existing(self) -> None:
        """Existing submissions written to: a new revision (open forms become stale), the load's state."""
        touched = [s for s in self.subs.values() if s.existing and not s.refused]
        audits = []
        for chunk_start in range(0, len(touched), 500):
            chunk = touched[chunk_start : chunk_start + 500]
            for sub in chunk:
                if sub.state != self.state:
                    audits.append(
                        audit_entry(
                            actor=self.actor,
                            action="bulk_load",
                            subject=Submission(pk=sub.id),
                            field="state",
                            old=sub.state,
                            new=self.state,
                            reason=self.source.name,
                        )
                    )
            fields = {"state": self.state}
            if self.state in LOCKED_STATES:
                fields.update(submitted_at=self.now, submitted_by_id=self.actor_id)
                # Timeliness is judged from the first submission: a reload does not move it.
                fields.update(
                    first_submitted_at=Coalesce("first_submitted_at", "submitted_at", Value(self.now))
                )
            if self.state == State.APPROVED.value:
                fields.update(decided_at=self.now, decided_by_id=self.actor_id)
            Submission.objects.filter(pk__in=[s.id for s in chunk]).update(
                revision=F("revision") + 1, **fields
            )
        self.result.submissions_updated = len(touched)
        audit_entries_save(audits)

    def audit(self) -> None:
        # One entry for the whole load, not one per figure: a national load is ten million
        # figures that nobody typed; the entry says who loaded which file and how much, and
        # the file itself is the record of every value. Figures that *replace* stored ones
        # still get their own entry each (merge_pending), so no old value is ever lost.
        r = self.result
        audit_record(
            actor=self.actor,
            action="bulk_load",
            subject=self.plan,
            field=(self.source.name or "rows")[:120],
            new=str(r.observations_created + r.observations_updated),
            reason=(
                f"{r.rows} dòng; {r.observations_created} số liệu mới, {r.observations_updated} sửa,"
                f" {r.observations_unchanged} không đổi; {r.submissions_created} báo cáo mới,"
                f" {r.submissions_updated} báo cáo cập nhật; trạng thái {self.state}"
            ),
        )


def _text(number: Decimal | None) -> str | None:
    return None if number is None else str(number)


def observations_load(
    *,
    plan: Plan,
    rows_or_path: str | Path | bytes | Iterable[list[str]],
    actor,
    state: str = "approved",
    progress: Progress | None = None,
    allow_locked: bool = False,
) -> LoadResult:
    """Load a tidy CSV (interfaces §3; a path, plain or .gz, its bytes, or rows with the header first).

    All or nothing: LoadError lists every bad line (with its number) and nothing is
    stored. Figures for a unit and period that already has a report update it when
    it is a draft or returned (one audit entry per changed value); a report sent or
    approved is refused unless ``allow_locked``. ``actor`` None means the command line.
    """
    if state not in LOAD_STATES:
        raise LoadError([load_issue(0, "bad_state")])
    if actor is not None:
        require_coordinator(actor)
        require_see_unit(actor, plan.area)
    started = time.monotonic()
    source = Source(rows_or_path)
    load = None
    try:
        # wrap_database_errors: the writers use the driver directly; its errors become Django's.
        with connection.wrap_database_errors, transaction.atomic(), bulk_statements():
            load = _Load(
                plan=plan,
                actor=actor,
                state=state,
                allow_locked=allow_locked,
                source=source,
                progress=progress,
            )
            result = load.run()
    except DatabaseError as exc:  # a refusal found late (a constraint, a lost connection…)
        raise LoadError(
            [load_issue(0, "database", str(exc).strip().splitlines()[0])], source=source.name
        ) from exc
    finally:
        # The rollback has removed a failed load's staging table already; this makes sure of it.
        staging = getattr(getattr(load, "writer", None), "staging", None)
        if staging is not None and connection.is_usable() and not connection.needs_rollback:
            staging_drop(staging)
    result.seconds = time.monotonic() - started
    refresh_statistics()
    _rollups_rebuild(plan, sorted(result.periods), sorted(result.units))
    result.rollup_seconds = time.monotonic() - started - result.seconds
    return result


def _rollups_rebuild(plan: Plan, period_keys: list[str], unit_ids: list[int]) -> None:
    """Bring the roll-up tables up to date once the load is stored: only the periods it wrote to,
    in the areas above the units it wrote to."""
    hooks.announce(hooks.PLAN_LOADED, plan=plan, period_keys=period_keys, unit_ids=unit_ids)
