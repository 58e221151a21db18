"""Bulk loading: a whole country's figures from the tidy CSV, all or nothing.

``observations_load`` streams the tidy CSV of docs/interfaces.md §3 (plain or gzip) once:
every line is read with the rules of ``chitieu.observations`` (Vietnamese period
spellings, decimal commas, nữ/nam, "không áp dụng"), checked against the plan in
force with the one figure rule every door uses (``chitieu.figures``), and
— while no line has failed — written straight away: COPY on PostgreSQL, batched
``executemany`` on SQLite. The whole load is one transaction, so a bad line
anywhere, a database error or an interruption leaves the database as it was;
every bad line is still reported (the reading goes on to the end, the writing
stops at the first error).

Why write while reading rather than check the whole file first and read it
again: ten million lines are read in Python once instead of twice, and nothing
is visible to anyone before the commit, so the result is the same.

Memory stays flat whatever the file size: lines are never kept; what is kept is
one entry per unit and period (the submissions) and a bitmap that finds repeated
lines (one bit per submission × indicator × sex).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from chitieu import approval
from chitieu import observations as tidy
from chitieu.approval import State
from chitieu.figures import DECIMAL_PLACES, INTEGER_DIGITS, FigureRule
from chitieu.names import name_key
from chitieu.periods import PeriodKeyError, parse_period
from chitieu.plan import Measure
from web.core import hooks
from web.core.models import AuditEntry
from web.data.models import Observation, Submission
from web.data.services import FigureError, _differs, _plain
from web.orgs.access import require_coordinator, require_see_unit
from web.orgs.models import OrgUnit, UnitKind, UnitName
from web.plans.models import Plan, Reporters
from web.plans.services import assignment_update

Progress = Callable[[int, int, int], None]  # (lines read, bytes read, bytes in all; 0 = unknown)

PROGRESS_EVERY = 10_000  # lines between two calls of the progress callback
MAX_REPORTED = 1000  # errors kept for the message; all are counted
NOT_APPLICABLE_NOTE = "không áp dụng"
LOAD_STATES = (State.DRAFT.value, State.SUBMITTED.value, State.APPROVED.value)
LOCKED_STATES = tuple(s.value for s in approval.RECEIVED_STATES)  # a load may not overwrite these

MESSAGES = {
    "unknown_indicator": "mã chỉ tiêu không có trong kế hoạch đang có hiệu lực: {0!r}",
    "sex_required": "chỉ tiêu {0} báo cáo riêng nữ (F) và nam (M): cột sex không được để trống",
    "sex_not_required": "chỉ tiêu {0} không báo cáo theo giới tính: để trống cột sex",
    "unknown_unit": "không tìm thấy đơn vị {0!r} trong địa bàn của kế hoạch (theo mã, rồi theo tên)",
    "ambiguous_unit": "tên đơn vị {0!r} trùng với {1} đơn vị trong địa bàn: ghi mã đơn vị thay cho tên",
    "not_assigned": "chỉ tiêu {0} không giao cho đơn vị {1!r} báo cáo",
    "unit_not_valid": "đơn vị {0!r} không tồn tại trong kỳ {1}",
    "locked": "báo cáo của {0!r} kỳ {1} đã {2}: không nạp đè (dùng tùy chọn cho phép ghi đè nếu cần)",
    "duplicate": "trùng với một dòng trước: cùng chỉ tiêu {0}, kỳ {1}, đơn vị {2!r}, giới tính {3}",
    "no_version": "kế hoạch chưa có phiên bản đang có hiệu lực",
    "bad_state": "trạng thái nạp phải là một trong: " + ", ".join(LOAD_STATES),
    "database": "cơ sở dữ liệu từ chối ghi: {0}",
    "not_found": "không mở được tệp: {0}",
}
_STATE_WORDS = {State.SUBMITTED.value: "gửi, đang chờ duyệt", State.APPROVED.value: "được duyệt (khóa)"}


@dataclass(frozen=True)
class LoadIssue:
    line: int  # 0 = the whole file
    message: str
    code: str = ""

    def __str__(self) -> str:
        return f"dòng {self.line}: {self.message}" if self.line else self.message


class LoadError(Exception):
    """Nothing was stored; ``issues`` say why and where (at most MAX_REPORTED of ``count``)."""

    def __init__(self, issues: list[LoadIssue], count: int | None = None, source: str = ""):
        self.issues = issues
        self.count = len(issues) if count is None else count
        self.source = source
        super().__init__("; ".join(str(i) for i in issues[:5]))

    def lines(self) -> list[str]:
        """One Vietnamese line per issue, naming the file and the line."""
        prefix = f"{self.source}, " if self.source else ""
        out = [f"{prefix}{issue}" for issue in self.issues]
        if self.count > len(self.issues):
            out.append(f"… và {self.count - len(self.issues)} lỗi khác")
        return out


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

    @property
    def figures(self) -> int:
        return self.observations_created + self.observations_updated + self.observations_unchanged

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _issue(line: int, code: str, *args) -> LoadIssue:
    return LoadIssue(line, MESSAGES[code].format(*args), code)


# ------------------------------------------------------------------ reading the file


class _Source:
    """The tidy CSV as (first line of the record, cells), with how far the reading has got."""

    def __init__(self, rows_or_path):
        self.name = ""
        self.size = 0
        self._raw = None
        self._rows = None
        if isinstance(rows_or_path, str | Path):
            path = Path(rows_or_path)
            if not path.is_file():
                raise LoadError([_issue(0, "not_found", path)], source=path.name)
            self.name, self.size, self._path = path.name, path.stat().st_size, path
            self.encoding, self.has_quote, self.has_comma = _prescan(self._binary())
        elif isinstance(rows_or_path, bytes):
            self._path, self._bytes = None, rows_or_path
            self.size = len(rows_or_path)
            self.encoding, self.has_quote, self.has_comma = _prescan(self._binary())
        else:  # rows already split into cells, the header first
            self._rows = [list(r) for r in rows_or_path]
            self.encoding, self.has_quote, self.has_comma = "", True, True

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
            lines = _chain([first], text)
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


def _chain(first: list[str], rest) -> Iterator[str]:
    yield from first
    yield from rest


def _prescan(binary) -> tuple[str, bool, bool]:
    """(encoding, a quote occurs, a comma occurs), reading the bytes once without parsing."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, quote, comma = True, False, False
    with binary, getattr(binary, "fileobj", None) or binary:
        while chunk := binary.read(1 << 20):
            quote = quote or b'"' in chunk
            comma = comma or b"," in chunk
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False  # a Windows Vietnamese export, as the core reader assumes
    return ("utf-8-sig" if utf8 else "cp1258"), quote, comma


def _decimal_comma_possible(source: _Source, delimiter: str) -> bool:
    """Whether any cell can hold a comma: with no quote in a comma file, or no comma at all, none can."""
    return source.has_quote if delimiter == "," else source.has_comma


def _scan_decimal_comma(source: _Source, columns: dict[str, int]) -> bool:
    """The core reader's rule (one cell such as 52,17 means decimals are written with a comma)."""
    numeric = [columns[c] for c in ("numerator", "denominator", "value") if c in columns]
    records = source.records()
    next(records, None)
    for _line, cells in records:
        if any(i < len(cells) and tidy._decimal_comma(cells[i]) for i in numeric):
            records.close()
            return True
    return False


# ------------------------------------------------------------------ what the plan allows


@dataclass(frozen=True)
class _Rule:
    """What a line of one indicator must respect, computed once per load."""

    index: int
    indicator: object  # web.plans.models.Indicator
    code: str
    measure: str
    by_sex: bool
    communes: bool  # every commune reports; otherwise the lead units (or the whole area)
    lead_ids: frozenset[int]
    figure: FigureRule  # the one figure rule (chitieu.figures), built once per load

    def value(self, num: Decimal | None, den: Decimal | None, value: Decimal | None) -> Decimal | None:
        """The figure rule's value; FigureError when the rule refuses the figure."""
        return self.figure.accept(num, den, value)


def _rules(version) -> dict[str, _Rule]:
    rules = {}
    indicators = version.indicators.select_related("assignment").prefetch_related("assignment__lead_units")
    for index, indicator in enumerate(indicators):
        assignment = getattr(indicator, "assignment", None)
        rules[indicator.code] = _Rule(
            index=index,
            indicator=indicator,
            code=indicator.code,
            measure=indicator.measure,
            by_sex=assignment.by_sex if assignment else indicator.by_sex,
            communes=bool(assignment and assignment.reporters == Reporters.COMMUNES),
            lead_ids=frozenset(u.pk for u in assignment.lead_units.all()) if assignment else frozenset(),
            figure=FigureRule.of(indicator.measure, indicator.per),
        )
    return rules


@dataclass(frozen=True)
class _Unit:
    id: int
    name: str
    kind: str
    valid_from: object
    valid_to: object


class _Units:
    """The plan's area: every unit below it, found by code first, then by name (any spelling)."""

    def __init__(self, area: OrgUnit):
        children: dict[int | None, list[int]] = {}
        rows = {}
        for row in OrgUnit.objects.values_list(
            "id", "parent_id", "code", "name", "name_key", "kind", "valid_from", "valid_to"
        ):
            rows[row[0]] = row
            children.setdefault(row[1], []).append(row[0])
        self.area_id = area.pk
        self.by_code: dict[str, _Unit] = {}
        self.by_name: dict[str, list[_Unit]] = {}
        stack = [area.pk]
        while stack:
            uid = stack.pop()
            _id, _parent, code, name, key, kind, valid_from, valid_to = rows[uid]
            unit = _Unit(uid, name, kind, valid_from, valid_to)
            if code:
                self.by_code[code] = unit
            self.by_name.setdefault(key, []).append(unit)
            stack.extend(children.get(uid, ()))
            if uid == area.pk:
                self.area = unit
        self._found: dict[str, _Unit | tuple[str, int]] = {}

    def find(self, text: str) -> _Unit | tuple[str, int]:
        """The unit, or (error code, number of candidates)."""
        found = self._found.get(text)
        if found is None:
            if not text:
                found = self.area  # a blank unit is the plan's whole area (docs/interfaces.md §3)
            elif text in self.by_code:
                found = self.by_code[text]
            else:
                named = self.by_name.get(name_key(text), [])
                found = (
                    named[0]
                    if len(named) == 1
                    else ("ambiguous_unit" if named else "unknown_unit", len(named))
                )
            self._found[text] = found
        return found


# ------------------------------------------------------------------ writing


class _Writer:
    """Buffered writes of new submissions and observations; one subclass per database."""

    batch = 20_000

    def __init__(self):
        self.observations: list[tuple] = []
        self.submissions: list[tuple] = []

    def observation(self, row: tuple) -> None:
        self.observations.append(row)
        if len(self.observations) >= self.batch:
            self.flush()

    def flush(self) -> None:
        raise NotImplementedError

    def submission(self, row: tuple) -> int:
        raise NotImplementedError

    def finish(self) -> None:
        self.flush()


_OBS_COLUMNS = "submission_id, indicator_code, sex, numerator, denominator, value, note"
_SUB_COLUMNS = (
    "plan_id, org_unit_id, period_key, period_start, period_end, state, revision,"
    " submitted_at, submitted_by_id, decided_at, decided_by_id, reason"
)


class _SqliteWriter(_Writer):
    """executemany on the sqlite3 connection itself, inside Django's transaction.

    Submission ids are given here (after the largest id in use, the write lock held),
    so that submissions are inserted in batches too: a national file has about one
    submission for every two figures.
    """

    def __init__(self):
        super().__init__()
        self.db = connection.connection
        table = Submission._meta.db_table
        self.obs_sql = (
            f"INSERT INTO {Observation._meta.db_table} ({_OBS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        self.sub_sql = f"INSERT INTO {table} (id, {_SUB_COLUMNS}) VALUES ({', '.join('?' * 13)})"
        # A bigger page cache for the index of (submission, indicator, sex); allowed inside a
        # transaction, unlike synchronous or journal_mode, and put back afterwards.
        self.old_cache = self.db.execute("PRAGMA cache_size").fetchone()[0]
        self.db.execute("PRAGMA cache_size = -65536")
        self.db.execute(f"UPDATE {table} SET id = id WHERE 0")  # takes the write lock now
        largest = self.db.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
        sequence = self.db.execute(
            "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = ?", [table]
        )
        self.next_id = max(largest, sequence.fetchone()[0]) + 1

    def adapt(self, moment):
        return connection.ops.adapt_datetimefield_value(moment)

    def submission(self, row: tuple) -> int:
        sub_id = self.next_id
        self.next_id += 1
        self.submissions.append((sub_id, *row))
        return sub_id

    def flush(self) -> None:
        if self.submissions:
            self.db.executemany(self.sub_sql, self.submissions)
            self.submissions.clear()
        if self.observations:
            self.db.executemany(self.obs_sql, self.observations)
            self.observations.clear()

    def finish(self) -> None:
        self.flush()
        self.db.execute(f"PRAGMA cache_size = {int(self.old_cache)}")


class _PostgresWriter(_Writer):
    """COPY … FROM STDIN (psycopg 3), straight into the tables: every row it writes is new.

    Submission ids are taken from the table's sequence in blocks, so observations can
    name their submission before it is copied; the submissions of a batch are copied
    first, so the foreign key holds at every step.
    """

    batch = 50_000

    def __init__(self):
        super().__init__()
        self.free_ids: list[int] = []
        self.block = 1000
        self.sub_table = Submission._meta.db_table
        self.obs_table = Observation._meta.db_table

    def adapt(self, moment):
        return moment

    def submission(self, row: tuple) -> int:
        if not self.free_ids:
            self.flush()  # no COPY may be open while we ask the sequence
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [self.sub_table, self.block],
                )
                self.free_ids = [r[0] for r in reversed(cursor.fetchall())]
            self.block = min(self.block * 4, 64_000)  # a big file asks the sequence rarely
        sub_id = self.free_ids.pop()
        self.submissions.append((sub_id, *row))
        return sub_id

    def flush(self) -> None:
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor
            if self.submissions:
                with cursor.copy(f"COPY {self.sub_table} (id, {_SUB_COLUMNS}) FROM STDIN") as copy:
                    for row in self.submissions:
                        copy.write_row(row)
                self.submissions.clear()
            if self.observations:
                with cursor.copy(f"COPY {self.obs_table} ({_OBS_COLUMNS}) FROM STDIN") as copy:
                    for row in self.observations:
                        copy.write_row(row)
                self.observations.clear()


def _writer() -> _Writer:
    return _PostgresWriter() if connection.vendor == "postgresql" else _SqliteWriter()


# ------------------------------------------------------------------ the load


class _Sub:
    """A submission the file writes to: new, or an existing one whose figures are updated."""

    __slots__ = ("existing", "id", "refused", "seq", "state")

    def __init__(self, seq: int, sub_id: int | None, state: str, existing: bool, refused: str = ""):
        self.seq, self.id, self.state, self.existing, self.refused = seq, sub_id, state, existing, refused


_PLAIN_DECIMAL = re.compile(r"\d+\.\d+", re.ASCII)
_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+", re.ASCII)
# A value the quick path may take as it is: what the figure rule's limits let through.
_FAST_VALUE = re.compile(rf"\d{{1,{INTEGER_DIGITS}}}(?:\.\d{{1,{DECIMAL_PLACES}}})?", re.ASCII)
_SEX_INDEX = {"": 0, "F": 1, "M": 2}


class _Load:
    def __init__(self, *, plan: Plan, actor, state: str, allow_locked: bool, source: _Source, progress):
        self.plan, self.actor, self.state, self.allow_locked = plan, actor, state, allow_locked
        self.source, self.progress = source, progress
        version = plan.versions.filter(status="active").first()
        if version is None:
            raise LoadError([_issue(0, "no_version")], source=source.name)
        self.rules = _rules(version)
        self.slots = max(1, len(self.rules)) * 3
        self.units = _Units(plan.area)
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
        self.periods: dict[str, tuple[str, object, object] | None] = {}
        self.now = timezone.now()
        self.actor_id = actor.pk if actor is not None else None

    # -- errors

    def error(self, issue: LoadIssue) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(issue)

    def warn(self, issue: LoadIssue) -> None:
        if len(self.result.warnings) < MAX_REPORTED:
            self.result.warnings.append(issue)

    # -- one line

    def period(self, text: str):
        if text not in self.periods:
            try:
                p = parse_period(tidy.period_key(text))
                self.periods[text] = (p.key, p.start, p.end, p.start.isoformat(), p.end.isoformat())
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
        return code, period, cells[cu].strip(), sex, num, den, value, note, False

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
        return (
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

    def check(self, line: int, parsed) -> tuple | None:
        """The stored row for a read line, or None after reporting why it cannot be stored."""
        code, period, unit_text, sex, num, den, value, note, not_applicable = parsed
        rule = self.rules.get(code)
        if rule is None:
            return self.error(_issue(line, "unknown_indicator", code))
        if rule.by_sex and not sex:
            return self.error(_issue(line, "sex_required", code))
        if sex and not rule.by_sex:
            return self.error(_issue(line, "sex_not_required", code))
        unit = self.units.find(unit_text)
        if isinstance(unit, tuple):
            return self.error(_issue(line, unit[0], unit_text, unit[1]))
        if not (
            unit.id in rule.lead_ids
            or (unit.kind == UnitKind.COMMUNE if rule.communes else unit.id == self.units.area_id)
        ):
            return self.error(_issue(line, "not_assigned", code, unit.name))
        if not_applicable:
            num = den = value = None
            note = f"{NOT_APPLICABLE_NOTE} — {note}" if note else NOT_APPLICABLE_NOTE
        else:
            value = self.figure(line, rule, num, den, value)
            if value is False:
                return None
        sub = self.submission(line, unit, period)
        if sub is None:
            return None
        bit = sub.seq * self.slots + rule.index * 3 + _SEX_INDEX[sex]
        byte, mask = bit >> 3, 1 << (bit & 7)
        if byte >= len(self.seen):
            self.seen.extend(bytes(max(byte + 1 - len(self.seen), len(self.seen))))
        if self.seen[byte] & mask:
            return self.error(_issue(line, "duplicate", code, period[0], unit.name, sex or "chung"))
        self.seen[byte] |= mask
        return sub, code, sex, num, den, value, note

    def figure(self, line: int, rule: _Rule, num, den, value):
        """The value to store, by the figure rule (as every door); False after reporting an error."""
        try:
            return rule.value(num, den, value)
        except FigureError as exc:
            message = exc.issue.message()
            if exc.code == "missing_denominator":
                message = f"chỉ tiêu {rule.code}: {message}"
            return self.error(LoadIssue(line, message, exc.code)) or False

    def submission(self, line: int, unit: _Unit, period) -> _Sub | None:
        key = (unit.id, period[0])
        sub = self.subs.get(key)
        if sub is None:
            seq = len(self.subs)
            if key in self.existing:
                sub_id, state = self.existing[key]
                refused = "locked" if state in LOCKED_STATES and not self.allow_locked else ""
                sub = _Sub(seq, sub_id, state, True, refused)
            elif (unit.valid_from and unit.valid_from > period[2]) or (
                unit.valid_to and unit.valid_to < period[1]
            ):
                sub = _Sub(seq, None, "", False, "unit_not_valid")
            else:
                sub = _Sub(seq, None, self.state, False)
            self.subs[key] = sub
        if sub.refused == "locked":
            return self.error(_issue(line, "locked", unit.name, period[0], _STATE_WORDS[sub.state]))
        if sub.refused:
            return self.error(_issue(line, sub.refused, unit.name, period[0]))
        if sub.id is None and not self.error_count:
            sub.id = self.writer.submission(self.new_submission(unit, period))
            self.result.submissions_created += 1
        return sub

    def new_submission(self, unit: _Unit, period) -> tuple:
        return (
            self.plan.pk,
            unit.id,
            period[0],
            period[3],  # the dates as ISO text: what both COPY and sqlite3 take
            period[4],
            *self.submission_tail(),
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
        self.writer = _writer()
        self.now_db = self.writer.adapt(self.now)
        records = self.source.records()
        self.header(records)
        records.close()
        delimiter = getattr(self.source, "delimiter", ",")
        self.comma_decimal = delimiter != ","  # a semicolon or tab file: "12,345" is a decimal
        self.decimal_comma = _decimal_comma_possible(self.source, delimiter) and _scan_decimal_comma(
            self.source, self.columns_core
        )
        records = self.source.records()  # the reading that counts, after the header
        self.header(records)
        self.read_lines(records)
        if self.error_count:
            raise LoadError(self.errors, self.error_count, source=self.source.name)
        self.merge_pending()
        self.writer.finish()
        self.touch_existing()
        self.audit()
        if self.progress is not None:
            self.progress(self.result.rows, self.source.size, self.source.size)
        return self.result

    def general(self, line: int, cells: list[str]) -> None:
        """A line the quick path of ``read_lines`` leaves: other spellings, errors, first sight of a name."""
        parsed = self.fast(cells) or self.slow(line, cells)
        if parsed is None:
            return
        stored = self.check(line, parsed)
        if stored is None or self.error_count:
            return
        self.store(stored)

    def read_lines(self, records) -> None:
        """Every data line: the common case here, anything else through ``general``.

        This loop runs for each of ten million lines, so it is written out with local
        names and no calls for the common case: a known indicator, period, sex and unit
        (found once by ``general`` and cached), plain numbers, a new submission. It makes
        the same checks as ``fast``/``check``/``figure``; whenever one would fail, or the
        line needs anything else, the line goes to ``general``, which reports it with the
        shared messages. The two paths store identical rows (the tests run both).
        """
        result, writer, general = self.result, self.writer, self.general
        rules_get, periods_get, sexes_get = self.rules.get, self.periods.get, self.sexes.get
        units_found, subs, existing, seen = self.units._found, self.subs, self.existing, self.seen
        out, batch, new_sub = writer.observations, writer.batch, writer.submission
        width, padding, slots, area_id = self.width, self.padding, self.slots, self.units.area_id
        ci, cp, cu, cs, cn, cd, cv, cnote = self.indexes
        progress, every, position, size = (
            self.progress,
            PROGRESS_EVERY,
            self.source.position,
            self.source.size,
        )
        plan_id, tail, count, percent = self.plan.pk, self.submission_tail(), Measure.COUNT, Measure.PERCENT
        commune, sex_index, plain, fast_value = (
            UnitKind.COMMUNE.value,
            _SEX_INDEX,
            _PLAIN_DECIMAL.fullmatch,
            _FAST_VALUE.fullmatch,
        )
        decimal_comma, normalize, unit_class = self.decimal_comma, unicodedata.normalize, _Unit
        rows = created = subs_created = 0
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
            num = den = val = None
            if t_num:
                if len(t_num) > 13 or not (t_num.isdigit() and t_num.isascii()):
                    general(line, cells)
                    failed = bool(self.error_count)
                    continue
                num = Decimal(t_num)
            if t_den:
                if len(t_den) > 13 or not (t_den.isdigit() and t_den.isascii()) or t_den.strip("0") == "":
                    general(line, cells)
                    failed = bool(self.error_count)
                    continue
                den = Decimal(t_den)
            if t_val:
                if fast_value(t_val) and (
                    t_val.isdigit() or (not decimal_comma and rule.measure != count and plain(t_val))
                ):
                    val = Decimal(t_val)
                else:
                    general(line, cells)
                    failed = bool(self.error_count)
                    continue
            measure = rule.measure
            value = rule.figure.compute(num, den, val)  # the rule's own formula and rounding
            if (
                value is None
                or (den is not None and num is None and val is None)
                or (
                    measure == percent
                    and (
                        (den is not None and num is not None and num > den) or (val is not None and val > 100)
                    )
                )
                or value.adjusted() >= 17
            ):
                general(line, cells)
                failed = bool(self.error_count)
                continue
            key = (unit.id, period[0])
            sub = subs.get(key)
            if sub is None:
                if (
                    key in existing
                    or (unit.valid_from and unit.valid_from > period[2])
                    or (unit.valid_to and unit.valid_to < period[1])
                ):
                    general(line, cells)
                    failed = bool(self.error_count)
                    continue
                sub = subs[key] = _Sub(len(subs), None, self.state, False)
                sub.id = new_sub((plan_id, unit.id, period[0], period[3], period[4], *tail))
                subs_created += 1
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
            out.append((sub.id, code, sex, t_num or None, t_den or None, str(value), note))
            created += 1
            if len(out) >= batch:
                writer.flush()
        result.rows += rows
        result.observations_created += created
        result.submissions_created += subs_created

    def store(self, stored: tuple) -> None:
        sub, code, sex, num, den, value, note = stored
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
                    AuditEntry(
                        actor_id=self.actor_id,
                        action="figure_change",
                        subject_type="submission",
                        subject_id=sub.id,
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
        AuditEntry.objects.bulk_create(audits, batch_size=1000)

    def touch_existing(self) -> None:
        """Existing submissions written to: a new revision (open forms become stale), the load's state."""
        touched = [s for s in self.subs.values() if s.existing and not s.refused]
        audits = []
        for chunk_start in range(0, len(touched), 500):
            chunk = touched[chunk_start : chunk_start + 500]
            for sub in chunk:
                if sub.state != self.state:
                    audits.append(
                        AuditEntry(
                            actor_id=self.actor_id,
                            action="bulk_load",
                            subject_type="submission",
                            subject_id=sub.id,
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
        AuditEntry.objects.bulk_create(audits, batch_size=1000)

    def audit(self) -> None:
        # One entry for the whole load, not one per figure: a national load is ten million
        # figures that nobody typed; the entry says who loaded which file and how much, and
        # the file itself is the record of every value. Figures that *replace* stored ones
        # still get their own entry each (merge_pending), so no old value is ever lost.
        r = self.result
        AuditEntry.objects.create(
            actor_id=self.actor_id,
            action="bulk_load",
            subject_type="plan",
            subject_id=self.plan.pk,
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
        raise LoadError([_issue(0, "bad_state")])
    if actor is not None:
        require_coordinator(actor)
        require_see_unit(actor, plan.area)
    started = time.monotonic()
    source = _Source(rows_or_path)
    try:
        # wrap_database_errors: the writers use the driver directly; its errors become Django's.
        with connection.wrap_database_errors, transaction.atomic():
            result = _Load(
                plan=plan,
                actor=actor,
                state=state,
                allow_locked=allow_locked,
                source=source,
                progress=progress,
            ).run()
    except DatabaseError as exc:  # a refusal found late (a constraint, a lost connection…)
        raise LoadError(
            [_issue(0, "database", str(exc).strip().splitlines()[0])], source=source.name
        ) from exc
    result.seconds = time.monotonic() - started
    _rollups_rebuild(plan)
    result.rollup_seconds = time.monotonic() - started - result.seconds
    return result


def _rollups_rebuild(plan: Plan) -> None:
    """Bring the roll-up tables up to date once the load is committed (helper ``rollup``'s service)."""
    hooks.announce(hooks.PLAN_LOADED, plan=plan)


# ------------------------------------------------------------------ units


@dataclass
class UnitsResult:
    created: int = 0
    existing: int = 0


UNIT_COLUMNS = ("code", "name", "kind", "parent_code")


def units_load(*, rows_or_path, actor=None) -> UnitsResult:
    """Load units.csv (code,name,kind,parent_code; parents first); units already there (same code) are kept.

    All or nothing: a bad line (unknown kind, unknown parent, repeated code) is
    reported with every other one and nothing is created.
    """
    if actor is not None:
        require_coordinator(actor)
    rows, name = _csv_rows(rows_or_path, UNIT_COLUMNS)
    known = dict(OrgUnit.objects.exclude(code="").values_list("code", "id"))
    kinds = set(UnitKind.values)
    errors: list[LoadIssue] = []
    new: list[tuple[int, str, str, str, str]] = []  # (line, code, name, kind, parent code)
    in_file: dict[str, int] = {}
    result = UnitsResult()
    for line, cells in rows:
        code, unit_name, kind, parent = [*cells, "", "", "", ""][:4]
        code, unit_name, kind, parent = code.strip(), unit_name.strip(), kind.strip(), parent.strip()
        problem = (
            "thiếu mã đơn vị"
            if not code
            else "thiếu tên đơn vị"
            if not unit_name
            else f"loại đơn vị không hợp lệ: {kind!r} (dùng {', '.join(sorted(kinds))})"
            if kind not in kinds
            else f"mã {code!r} trùng với dòng {in_file[code]}"
            if code in in_file
            else f"không tìm thấy đơn vị cấp trên {parent!r} (cấp trên phải đứng trước)"
            if parent and parent not in in_file and parent not in known
            else ""
        )
        if problem:
            errors.append(LoadIssue(line, problem, "bad_unit"))
            continue
        in_file[code] = line
        if code in known:
            result.existing += 1
        else:
            new.append((line, code, unicodedata.normalize("NFC", unit_name), kind, parent))
    if errors:
        raise LoadError(errors[:MAX_REPORTED], len(errors), source=name)
    with transaction.atomic():
        _units_create(new, known)
        result.created = len(new)
        if new:  # the roll-ups' closure of the tree follows, in the same transaction
            hooks.announce(hooks.TREE_CHANGED)
        if new:
            AuditEntry.objects.create(
                actor_id=actor.pk if actor is not None else None,
                action="units_load",
                subject_type="org_unit",
                subject_id=known[new[0][1]],
                field=name[:120],
                new=str(len(new)),
            )
    return result


def _units_create(new: list[tuple], known: dict[str, int]) -> None:
    """Level by level, so that every parent has its id before its children are created."""
    pending = new
    while pending:
        ready = [row for row in pending if not row[4] or row[4] in known]
        pending = [row for row in pending if row[4] and row[4] not in known]
        created = OrgUnit.objects.bulk_create(
            [
                OrgUnit(code=code, name=n, name_key=name_key(n), kind=kind, parent_id=known.get(parent))
                for _line, code, n, kind, parent in ready
            ],
            batch_size=2000,
        )
        if not created[0].pk:  # a database that does not return ids from a bulk insert
            ids = dict(OrgUnit.objects.filter(code__in=[u.code for u in created]).values_list("code", "id"))
        else:
            ids = {u.code: u.pk for u in created}
        known.update(ids)
        UnitName.objects.bulk_create(
            [UnitName(unit_id=ids[u.code], name=u.name) for u in created], batch_size=2000
        )


# ------------------------------------------------------------------ assignments of a synthetic country

ASSIGNMENT_COLUMNS = ("indicator", "reporters", "frequency", "by_sex", "office")
_FREQUENCIES = ("year", "half", "quarter", "month")


def assignments_load(*, version, rows_or_path, actor) -> int:
    """Who reports what (assignments.csv): ``communes`` (every commune) or ``offices`` (the office
    named ``office`` in every district, as the lead units). All or nothing; returns the rows applied."""
    rows, name = _csv_rows(rows_or_path, ASSIGNMENT_COLUMNS)
    indicators = {i.code: i for i in version.indicators.select_related("assignment")}
    units = _Units(version.plan.area)
    errors, plans = [], []
    for line, cells in rows:
        code, reporters, frequency, by_sex, office = (c.strip() for c in [*cells, "", "", "", "", ""][:5])
        offices = [u for u in units.by_name.get(name_key(office), []) if u.kind == UnitKind.OFFICE]
        problem = (
            f"mã chỉ tiêu không có trong kế hoạch: {code!r}"
            if code not in indicators
            else f"cột reporters phải là communes hoặc offices, không phải {reporters!r}"
            if reporters not in ("communes", "offices")
            else f"cột frequency phải là một trong {', '.join(_FREQUENCIES)}, không phải {frequency!r}"
            if frequency not in _FREQUENCIES
            else f"cột by_sex phải là 0 hoặc 1, không phải {by_sex!r}"
            if by_sex not in ("0", "1")
            else f"không có đơn vị nào tên {office!r} trong địa bàn"
            if reporters == "offices" and not offices
            else ""
        )
        if problem:
            errors.append(LoadIssue(line, problem, "bad_assignment"))
        else:
            plans.append((indicators[code], reporters, frequency, by_sex == "1", offices))
    if errors:
        raise LoadError(errors, source=name)
    with transaction.atomic():
        for indicator, reporters, frequency, by_sex, offices in plans:
            assignment_update(
                actor=actor,
                assignment=indicator.assignment,
                lead_units=list(OrgUnit.objects.filter(pk__in=[u.id for u in offices])),
                reporters=Reporters.COMMUNES if reporters == "communes" else Reporters.LEAD_UNITS,
                frequency=frequency,
                by_sex=by_sex,
            )
    return len(plans)


def _csv_rows(rows_or_path, header: tuple[str, ...]) -> tuple[list[tuple[int, list[str]]], str]:
    """(line, cells) after a header that must be ``header``; blank lines skipped."""
    if isinstance(rows_or_path, str | Path):
        path = Path(rows_or_path)
        if not path.is_file():
            raise LoadError([_issue(0, "not_found", path)], source=path.name)
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
