"""PostgreSQL: a plain file loaded without a line of it going through Python.

Most bulk files are written by a program: one record a line, known codes, known units,
plain numbers, new reports. For such a file nothing needs to be asked of each line that
cannot be asked of the few distinct texts its lines are made of:

1. the file's bytes are copied into an UNLOGGED table, one column a cell (COPY's own CSV
   parser, in C; the file has no quote, so a record is a line; blank lines are left out);
2. one scan groups the cells by what each check reads — (indicator, sex), (indicator, unit),
   (unit, period), (indicator, numerator, denominator, value), note — and Python judges each
   distinct tuple with the loader's own rules: the names as ``_Load`` finds them, the numbers
   by ``IndicatorRule.quick_value`` (the quick path's question, the one figure rule), a few
   hundred thousand tuples instead of millions of lines;
3. the reports are inserted from the distinct (unit, period) pairs in one statement, and the
   figures in one INSERT … SELECT joining each line to the answers for its texts.

Any tuple the quick path would not take — an unknown name, a figure the rule refuses, a
report already there, a note not written plainly — and anything COPY refuses (a stray byte,
a line with more or fewer cells, mixed line ends) or the unique key refuses (a repeated
line) rolls back to the savepoint taken before step 1, and the file is loaded by the
line-by-line path, which names every bad line with its number and the shared messages. So
this path never reports an error itself: it stores what the other path would have stored,
or declines. Since every check of a line is a check of one of its tuples, a line is taken
here exactly when each of its tuples is; the INSERT counts the lines it joined, and a count
short of the lines read (a line whose tuple was skipped, e.g. no indicator) declines too.
"""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, connection, transaction

from web.core.bulk_sql import planned_without
from web.data.loading.area import AreaUnit
from web.data.loading.stage import Stored
from web.data.loading.writers import BIG_LOAD, observation_keys_add, observation_keys_drop, submission_ids
from web.data.models import Observation, Submission
from web.orgs.models import UnitKind

_CHUNK = 1 << 20
# No quote in the file (checked), so the quote is a byte it does not hold; an empty cell is the
# empty text, not NULL (NULL is another such byte), so that the joins on texts need no coalesce.
_COPY_OPTIONS = "FORMAT csv, HEADER true, DELIMITER %s, QUOTE E'\\x02', NULL E'\\x03'"
_SUB_COLUMNS = (
    "plan_id, org_unit_id, period_key, period_start, period_end, state, revision,"
    " submitted_at, submitted_by_id, decided_at, decided_by_id, reason"
)
# Blank lines between records, in either line end: COPY's CSV would read one as a short record.
_BLANK_LINES = re.compile(rb"(\r?\n)(?:\r?\n)+")
# The grouping sets, in this order: what each check of the quick path reads of a line.
_CODE_SEX, _CODE_UNIT, _UNIT_PERIOD, _NUMBERS, _NOTE = range(5)


class _Declined(Exception):
    """The file is not plain: roll back to the savepoint and load it line by line."""


@dataclass
class PlainLoad:
    rows: int
    submissions: int
    stored: Stored
    periods: set[str]
    units: set[int]


def enabled() -> bool:
    """``CHITIEU_LOAD_IN_SQL=1`` turns this path on; it is off by default.

    Measured at 25 % of the country on the shared 2-core machine (bench/LOAD-PROFILE.md, session
    13), it took the figures in more time than the line-by-line path even with no Python per
    line: everything here is one backend's work in sequence (the copy, the grouping, the reports
    and their queued key checks, the figures' INSERT), while the line path has Python read on one
    core as PostgreSQL writes the previous batch on the other. Kept, tested equal, for a machine
    with more cores to spare, or for once the writes themselves are cheaper."""
    return os.environ.get("CHITIEU_LOAD_IN_SQL", "").strip() == "1"


def plain_copy_possible(load) -> bool:
    """Whether the file can be copied as it is: bytes or a path, UTF-8, no quote, no COPY end mark,
    the header on the first line, decimals with a point, a UTF-8 database."""
    source = load.source
    return (
        enabled()
        and connection.vendor == "postgresql"
        and source._rows is None
        and source.encoding == "utf-8-sig"
        and not source.has_quote
        and not source.has_end_mark
        and load.header_line == 1
        and not load.decimal_comma
        and load.source.delimiter in (",", ";", "\t")
    )


def plain_copy_load(load) -> PlainLoad | None:
    """Load the whole file set-based if the quick path would take every line; None if it would not
    (nothing of this attempt is left: the savepoint is rolled back)."""
    try:
        # wrap_database_errors: the COPY uses the driver's cursor; its errors become Django's here.
        with connection.wrap_database_errors, transaction.atomic():
            return _PlainFile(load).run()
    except (_Declined, IntegrityError):
        return None
    except DatabaseError:
        if connection.needs_rollback or not connection.is_usable():
            raise
        return None


def _without_blank_lines(binary) -> Iterator[bytes]:
    """The file's bytes with blank lines left out (a line end held back until the next chunk shows
    whether a blank line follows it)."""
    held = b""
    while chunk := binary.read(_CHUNK):
        chunk = _BLANK_LINES.sub(rb"\1", held + chunk)
        cut = len(chunk.rstrip(b"\r\n"))
        chunk, held = chunk[:cut], chunk[cut:]
        if chunk:
            yield chunk
    if held:
        yield _BLANK_LINES.sub(rb"\1", held)


class _PlainFile:
    def __init__(self, load):
        self.load = load
        self.raw = f"data_load_raw_{uuid.uuid4().hex}"
        self.cells = load.width  # COPY refuses a line of more or fewer cells (then: declined)
        # Each of the eight columns of the tidy CSV: its cell, or a column of blanks where the header
        # has none (the line path reads a missing cell as blank).
        self.column = [f"c{i}" if i < self.cells else "blank" for i in load.indexes]

    def run(self) -> PlainLoad:
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor
            rows = self.copy(cursor)
            found = self.distinct(cursor)
            codes, blank_codes = self.codes(found[_CODE_SEX])
            self.assignments(found[_CODE_UNIT])
            pairs = self.reports(found[_UNIT_PERIOD])
            numbers = self.numbers(found[_NUMBERS])
            self.notes(found[_NOTE])
            rows -= self.blank_lines(cursor, blank_codes)
            submissions = self.insert_reports(cursor, pairs)
            created = self.insert_figures(cursor, codes, numbers, rows)
            cursor.execute(f"DROP TABLE {self.raw}, {self.raw}_codes, {self.raw}_numbers, {self.raw}_subs")
        periods = {p for _t, _u, _uid, p, _s, _e in pairs}
        units = {uid for _t, _u, uid, _p, _s, _e in pairs}
        return PlainLoad(rows, submissions, Stored(created=created), periods, units)

    def copy(self, cursor) -> int:
        if len(self.load.header_cells) != self.cells:
            raise _Declined  # unknown columns after the known ones: their cells must be blank
        columns = ", ".join(f"c{i}" for i in range(self.cells))
        cursor.execute(
            f"CREATE UNLOGGED TABLE {self.raw} ({columns.replace(',', ' text,')} text,"
            " blank text NOT NULL DEFAULT '')"
        )
        source = self.load.source
        copy_sql = f"COPY {self.raw} ({columns}) FROM STDIN ({_COPY_OPTIONS % _literal(source.delimiter)})"
        with source._binary() as binary, source._raw, cursor.copy(copy_sql) as copy:
            for chunk in _without_blank_lines(binary):
                copy.write(chunk)
        rows = cursor.rowcount
        cursor.execute(f"ANALYZE {self.raw}")  # a sample: the joins then hash the small side
        return rows

    def distinct(self, cursor) -> dict[int, list[tuple[str, ...]]]:
        """The distinct tuples of cells each check reads, in one scan of the lines."""
        ci, cp, cu, cs, cn, cd, cv, cnote = self.column
        sets = [(ci, cs), (ci, cu), (cu, cp), (ci, cn, cd, cv), (cnote,)]
        used = list(dict.fromkeys(c for s in sets for c in s))
        grouping = ", ".join("(" + ", ".join(s) + ")" for s in sets)
        cursor.execute(
            f"""SELECT GROUPING({", ".join(used)}), {", ".join(used)}
                  FROM {self.raw} GROUP BY GROUPING SETS ({grouping})"""
        )
        # GROUPING() sets a bit (first column highest) for each column *not* in the set.
        which = {
            sum(1 << (len(used) - 1 - i) for i, c in enumerate(used) if c not in s): n
            for n, s in enumerate(sets)
        }
        found: dict[int, list[tuple[str, ...]]] = {n: [] for n in range(len(sets))}
        for bits, *cells in cursor.fetchall():
            n = which[bits]
            found[n].append(tuple(cells[used.index(c)] for c in sets[n]))
        return found

    def codes(self, found) -> tuple[list[tuple], list[str]]:
        """(indicator text, sex text, code, sex) for each pair; and the indicator texts that are
        blank (their lines must be blank lines: ``blank_lines``)."""
        load, rows, blank = self.load, [], []
        for code_text, sex_text in found:
            if not code_text.strip():
                blank.append(code_text)
                continue
            rule, sex = load.rules.get(code_text.strip()), load.sexes.get(sex_text.strip())
            if rule is None or sex is None or (sex != "") != rule.by_sex:
                raise _Declined
            rows.append((code_text, sex_text, rule.code, sex))
        return rows, sorted(set(blank))

    def assignments(self, found) -> None:
        load, commune, area_id = self.load, UnitKind.COMMUNE.value, self.load.units.area_id
        for code_text, unit_text in found:
            if not code_text.strip():
                continue  # a blank line, or a line that no indicator joins (counted short)
            rule, unit = load.rules[code_text.strip()], load.units.find(unit_text.strip())
            if not isinstance(unit, AreaUnit) or not (
                unit.id in rule.lead_ids or (unit.kind == commune if rule.communes else unit.id == area_id)
            ):
                raise _Declined

    def reports(self, found) -> list[tuple]:
        """(unit text, period text, unit id, period key, start, end): the new report of each pair."""
        load, rows = self.load, []
        for unit_text, period_text in found:
            if not (unit_text.strip() or period_text.strip()):
                continue  # a blank line's: no period, so no line with it is joined (counted short)
            unit, period = load.units.find(unit_text.strip()), load.period(period_text.strip())
            if (
                period is None
                or not isinstance(unit, AreaUnit)
                or (unit.id, period.key) in load.existing
                or (unit.valid_from and unit.valid_from > period.end)
                or (unit.valid_to and unit.valid_to < period.start)
            ):
                raise _Declined
            rows.append((unit_text, period_text, unit.id, period.key, period.start_text, period.end_text))
        return rows

    def numbers(self, found) -> list[tuple]:
        """(indicator, numerator, denominator, value texts; the numbers to store) for each tuple."""
        rules, rows = self.load.rules, []
        for code_text, num_text, den_text, value_text in found:
            if not code_text.strip():
                continue
            num, den = num_text.strip(), den_text.strip()
            value = rules[code_text.strip()].quick_value(num, den, value_text.strip(), False)
            if not value:
                raise _Declined
            rows.append((code_text, num_text, den_text, value_text, num or None, den or None, value))
        return rows

    def notes(self, found) -> None:
        """A note is copied as written: only if the quick path would store it as it is."""
        for (note,) in found:
            stripped = note.strip()
            if note != (stripped if stripped.isascii() else unicodedata.normalize("NFC", stripped)):
                raise _Declined

    def blank_lines(self, cursor, blank_codes: list[str]) -> int:
        """How many lines are blank (every cell blank, as the line path skips them); declined if a
        line with no indicator has anything else."""
        if not blank_codes:
            return 0
        ci = self.column[0]
        cells = " || ".join(f"c{i}" for i in range(self.cells))
        cursor.execute(f"SELECT DISTINCT {cells} FROM {self.raw} WHERE {ci} = ANY(%s)", [blank_codes])
        if any(text.strip() for (text,) in cursor.fetchall()):
            raise _Declined
        cursor.execute(f"SELECT count(*) FROM {self.raw} WHERE {ci} = ANY(%s)", [blank_codes])
        return cursor.fetchone()[0]

    def insert_reports(self, cursor, pairs: list[tuple]) -> int:
        """One report per (unit, period) the file names, however spelled, copied with ids taken
        from the sequence; and the map from the texts to its id, for the figures."""
        ids: dict[tuple[int, str], int] = {}
        for _unit_text, _period_text, unit_id, key, _start, _end in pairs:
            ids.setdefault((unit_id, key), 0)
        table = Submission._meta.db_table
        for key, sub_id in zip(ids, submission_ids(cursor, len(ids)), strict=True):
            ids[key] = sub_id
        plan, tail = self.load.plan.pk, self.load.submission_tail()
        subs, made = f"{self.raw}_subs", set()
        cursor.execute(f"CREATE UNLOGGED TABLE {subs} (unit_text text, period_text text, id bigint)")
        with cursor.copy(f"COPY {table} (id, {_SUB_COLUMNS}) FROM STDIN") as copy:
            for _unit_text, _period_text, unit_id, key, start, end in pairs:
                sub_id = ids[unit_id, key]
                if sub_id not in made:
                    made.add(sub_id)
                    copy.write_row((sub_id, plan, unit_id, key, start, end, *tail))
        with cursor.copy(f"COPY {subs} FROM STDIN") as copy:
            for unit_text, period_text, unit_id, key, _start, _end in pairs:
                copy.write_row((unit_text, period_text, ids[unit_id, key]))
        cursor.execute(f"ANALYZE {subs}")
        return len(ids)

    def insert_figures(self, cursor, codes: list[tuple], numbers: list[tuple], rows: int) -> int:
        """Every line's figure, from the answers for its texts; declined unless every line is joined."""
        ci, cp, cu, cs, cn, cd, cv, cnote = self.column
        table = Observation._meta.db_table
        code_map, number_map = f"{self.raw}_codes", f"{self.raw}_numbers"
        cursor.execute(
            f"CREATE UNLOGGED TABLE {code_map} (code_text text, sex_text text, code text, sex text)"
        )
        cursor.execute(
            f"""CREATE UNLOGGED TABLE {number_map} (code_text text, num_text text, den_text text,
                    value_text text, numerator numeric, denominator numeric, value numeric)"""
        )
        for name, found in ((code_map, codes), (number_map, numbers)):
            with cursor.copy(f"COPY {name} FROM STDIN") as copy:
                for row in found:
                    copy.write_row(row)
            cursor.execute(f"ANALYZE {name}")
        keys = observation_keys_drop(cursor) if rows >= BIG_LOAD else []
        # Hash joins only: each line looks up its texts' answers. The planner, multiplying the
        # selectivities of four correlated texts, expected a few hundred lines out of a million
        # and sorted them all for a merge join instead (18.5 s against 7.9 s at 25 % of the country).
        with planned_without(cursor, "mergejoin"), planned_without(cursor, "nestloop"):
            cursor.execute(
                f"""INSERT INTO {table}
                           (submission_id, indicator_code, sex, numerator, denominator, value, note)
                    SELECT s.id, c.code, c.sex, n.numerator, n.denominator, n.value, {cnote}
                      FROM {self.raw} l
                      JOIN {code_map} c ON c.code_text = {ci} AND c.sex_text = {cs}
                      JOIN {number_map} n
                        ON n.code_text = {ci} AND n.num_text = {cn} AND n.den_text = {cd}
                       AND n.value_text = {cv}
                      JOIN {self.raw}_subs s ON s.unit_text = {cu} AND s.period_text = {cp}"""
            )
            created = cursor.rowcount
        if created != rows:
            raise _Declined  # a line no answer joins: the line path says what is wrong with it
        if keys:
            observation_keys_add(cursor, keys)
        return created


def _literal(text: str) -> str:
    """A one-character SQL literal (the delimiter: a comma, a semicolon or a tab)."""
    return "E'\\t'" if text == "\t" else f"'{text}'"
