"""Buffered writes of new submissions and observations: COPY on PostgreSQL, executemany on SQLite."""

from __future__ import annotations

import sqlite3
import sys
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from itertools import chain

from django.db import connection

from web.core.bulk_sql import planned_without
from web.data.models import Observation, Submission


class Writer:
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

    def settle(self) -> None:
        """Wait until every batch handed over is written (a writer that writes as it is asked: nothing)."""

    def close(self) -> None:
        """Called once the load is done or has failed."""


_OBS_COLUMNS = "submission_id, indicator_code, sex, numerator, denominator, value, note"
_SUB_COLUMNS = (
    "plan_id, org_unit_id, period_key, period_start, period_end, state, revision,"
    " submitted_at, submitted_by_id, decided_at, decided_by_id, reason"
)


# Bound values in one SQLite statement: the smallest limit of the versions Python links (999 before
# 3.32), unless the connection says more (Connection.getlimit, Python 3.11 on); at most 32,766 (the
# default limit of SQLite 3.32 on), so a statement's text stays in the hundreds of kilobytes.
_SQLITE_VARIABLES = 999
_SQLITE_VARIABLES_MOST = 32_766


def sqlite_variables(db) -> int:
    """Values one statement may bind on this sqlite3 connection (within the bounds above)."""
    getlimit = getattr(db, "getlimit", None)
    if getlimit is None:
        return _SQLITE_VARIABLES
    return max(_SQLITE_VARIABLES, min(getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), _SQLITE_VARIABLES_MOST))


class _RowsInsert:
    """INSERT of many rows per statement on SQLite, rather than one statement per row.

    SQLite ends every INSERT statement by writing the table's AUTOINCREMENT counter, and each
    statement starts up on its own: at 5 % of the country the figures took 0.55–0.63 s in
    statements of 142 rows against 1.28–1.62 s in one statement a row (executemany), measured
    on the same rows back-to-back. Statements of thousands of rows (SQLite 3.32 on binds 32,766
    values) took 13 % less CPU again than 142 rows (1.16 M figures: 2.14 against 2.47 s)."""

    def __init__(self, head: str, width: int, variables: int = _SQLITE_VARIABLES):
        self.head, self.width = head, width
        self.per = max(1, variables // width)  # rows per statement
        self.full = self.statement(self.per)

    def statement(self, rows: int) -> str:
        one = f"({', '.join('?' * self.width)})"
        return f"{self.head} VALUES {', '.join([one] * rows)}"

    def whole(self, count: int) -> int:
        """How many of ``count`` rows fill whole statements."""
        return count - count % self.per

    def run(self, db, rows: list[tuple]) -> None:
        per = self.per
        whole = self.whole(len(rows))
        if whole:
            db.executemany(
                self.full, (tuple(chain.from_iterable(rows[i : i + per])) for i in range(0, whole, per))
            )
        if whole < len(rows):
            db.execute(self.statement(len(rows) - whole), tuple(chain.from_iterable(rows[whole:])))


class SqliteWriter(Writer):
    """Many rows per INSERT on the sqlite3 connection itself, inside Django's transaction.

    Submission ids are given here (after the largest id in use, the write lock held),
    so that submissions are inserted in batches too: a national file has about one
    submission for every two figures.

    The figures are written in whole statements only (as many rows as the connection binds); the
    rest of a batch waits for the next one (the last rows at ``finish``): one prepared statement
    for nearly all of them. (A second thread writing each batch while the loading thread reads the
    next was tried in session 15: no faster on 2 cores, bench/LOAD-PROFILE.md.)
    """

    def __init__(self):
        super().__init__()
        self.db = connection.connection
        table = Submission._meta.db_table
        variables = sqlite_variables(self.db)
        self.obs_insert = _RowsInsert(
            f"INSERT INTO {Observation._meta.db_table} ({_OBS_COLUMNS})", 7, variables
        )
        self.sub_insert = _RowsInsert(f"INSERT INTO {table} (id, {_SUB_COLUMNS})", 13, variables)
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
        """Write the buffered reports, and the figures that fill whole statements (the rest stay
        buffered; a batch smaller than one statement is written whole)."""
        whole = self.obs_insert.whole(len(self.observations)) or len(self.observations)
        self.write(self.submissions, self.observations[:whole])
        self.submissions.clear()
        del self.observations[:whole]

    def write(self, submissions: list[tuple], observations: list[tuple]) -> None:
        """The reports first, so that every figure's report is there."""
        if submissions:
            self.sub_insert.run(self.db, submissions)
        if observations:
            self.obs_insert.run(self.db, observations)

    def finish(self) -> None:
        self.flush()
        self.write([], self.observations)  # the last figures, short of a whole statement
        self.observations.clear()
        self.db.execute(f"PRAGMA cache_size = {int(self.old_cache)}")


# Python's switch interval while a PostgreSQL load reads and writes on two threads (seconds; the
# default is 0.005). Measured at 25 % of the country (bench/LOAD-PROFILE.md, session 18).
SWITCH_INTERVAL = 0.0001


class _ShortSwitch:
    """The switch interval while at least one load of this process reads and writes; the one before
    the first of them put back when the last ends (two loads on two threads of one web process must
    not leave it short, nor put it back under the other)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.loads = 0
        self.before = 0.0

    def enter(self) -> None:
        with self.lock:
            if not self.loads:
                self.before = sys.getswitchinterval()
                sys.setswitchinterval(min(self.before, SWITCH_INTERVAL))
            self.loads += 1

    def leave(self) -> None:
        with self.lock:
            self.loads -= 1
            if not self.loads:
                sys.setswitchinterval(self.before)


_short_switch = _ShortSwitch()


class PostgresWriter(Writer):
    """COPY … FROM STDIN (psycopg 3), straight into the tables: every row it writes is new.

    Submission ids are taken from the table's sequence in blocks, so observations can
    name their submission before it is copied; the submissions of a batch are copied
    first, so the foreign key holds at every step.

    A batch is written by a second thread while the loading thread reads the next one: the
    server parses, indexes and checks a batch on one core while Python reads lines on the
    other (before, Python waited for each COPY, and every report's queued key checks ran
    at the end, after the last line: ~19 of the 75 s of a national load). The thread uses
    the same connection, inside the load's transaction; psycopg's connection lock keeps one
    statement at a time, and ``settle`` waits for the batch in flight (raising its error)
    before the loading thread uses the connection itself or the transaction ends (``close``).
    """

    batch = 50_000

    def __init__(self):
        super().__init__()
        self.free_ids: list[int] = []
        self.block = 1000
        self.sub_table = Submission._meta.db_table
        self.obs_table = Observation._meta.db_table
        self.obs_target = f"{self.obs_table} ({_OBS_COLUMNS})"  # where COPY writes the figures
        connection.ensure_connection()
        self.db = connection.connection  # psycopg's connection: the writing thread's too
        self.writing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chitieu-load-copy")
        self.in_flight: Future | None = None
        # The writing thread needs the interpreter's lock back after every chunk it sends, and the
        # reading thread holds it without a pause: at Python's default switch interval (5 ms) each
        # of those hand-overs waited up to 5 ms while the server waited for the data (its COPY
        # "ClientRead"). Shorter for the load, as it was after: close().
        _short_switch.enter()

    def adapt(self, moment):
        """The load's moment as ISO text with its offset, once: COPY reads it back as the same
        instant, and psycopg formatted a datetime for each report (2.7 of the 3.9 µs of a report's
        row, in the writing thread, which shares the interpreter lock with the reading)."""
        return moment.isoformat()

    def submission(self, row: tuple) -> int:
        if not self.free_ids:
            self.settle()  # the batch in flight first: its error, not "transaction aborted"
            with connection.cursor() as cursor:
                self.free_ids = submission_ids(cursor, self.block)[::-1]
            self.block = min(self.block * 4, 64_000)  # a big file asks the sequence rarely
        sub_id = self.free_ids.pop()
        self.submissions.append((sub_id, *row))
        return sub_id

    def settle(self) -> None:
        """Wait for the batch in flight to be written; its database error is raised here."""
        in_flight, self.in_flight = self.in_flight, None
        if in_flight is not None:
            in_flight.result()

    def copies(self) -> list[tuple[str, list[tuple]]]:
        """The COPY statements of the rows buffered, with their rows (taken out of the buffers:
        the reading loop appends to the same lists)."""
        copies = []
        for statement, rows in (
            (f"COPY {self.sub_table} (id, {_SUB_COLUMNS}) FROM STDIN", self.submissions),
            (f"COPY {self.obs_target} FROM STDIN", self.observations),
        ):
            if rows:
                copies.append((statement, rows[:]))
                rows.clear()
        return copies

    def flush(self) -> None:
        self.settle()
        copies = self.copies()
        if copies:
            started = threading.Event()
            self.in_flight = in_flight = self.writing.submit(self.write, copies, started)
            # Until the writing thread has begun, the reading one waits (without the interpreter's
            # lock). Without this wait the writing thread, woken while the reading one ran on, did
            # not get the lock before the reading one next blocked: at the following batch, so the
            # two alternated instead of overlapping (measured: each batch's COPY began the moment
            # the reader waited for it; session 18, bench/LOAD-PROFILE.md).
            while not started.wait(0.01) and not in_flight.done():
                pass  # (done without starting: its error is raised by the next settle)

    def write(self, copies: list[tuple[str, list[tuple]]], started: threading.Event | None = None) -> None:
        """In the writing thread: copy the rows, then run the key checks the new reports queued
        (deferred by Django's keys; run here, they overlap the reading instead of the COMMIT)."""
        if started is not None:
            started.set()
        with self.db.cursor() as cursor:
            for statement, rows in copies:
                with cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def finish(self) -> None:
        self.flush()
        self.settle()

    def close(self) -> None:
        """End the writing thread. After a load that failed a batch may still be in flight: it is
        waited for (the transaction cannot be rolled back under it) and its error left aside."""
        try:
            with suppress(Exception):  # the load's own error is on its way up already
                self.settle()
        finally:
            self.writing.shutdown(wait=True)
            _short_switch.leave()


_STAGED_COLUMNS = (
    "line, submission_id, rule, indicator_code, sex, numerator, denominator, value, note, existing"
)
# From this many figures on, the observations' foreign key to their reports is checked once for the
# whole table instead of once per row (observation_keys_drop): below it, the lock is not worth it.
BIG_LOAD = 50_000


class PostgresStaging(PostgresWriter):
    """PostgreSQL: new submissions and the figures the quick path has judged (by the core's rule,
    as on SQLite) are copied straight in; every other line — other spellings, a report already
    there, anything to report — goes to an UNLOGGED staging table named for this load, as read,
    and is judged in SQL with the rest of them once the file is read (web.data.loading.stage).
    Unlogged: nothing of it is worth a write-ahead log, it lives for one transaction and is
    dropped at the end (a rollback removes it too).

    A load of BIG_LOAD figures or more copies them with the observations' foreign key dropped
    (``observation_keys_drop``) and adds it back at the end (``keys_restore``), which checks it
    once, set-based, instead of queueing one check per row for the commit."""

    def __init__(self):
        self.staging = f"data_load_{uuid.uuid4().hex}"
        with connection.cursor() as cursor:  # first: the writer's thread and interval once it is made
            cursor.execute(
                f"CREATE UNLOGGED TABLE {self.staging} (line bigint NOT NULL, submission_id bigint,"
                " rule integer NOT NULL, indicator_code varchar(20) NOT NULL, sex varchar(1) NOT NULL,"
                " numerator numeric, denominator numeric, value numeric, note text NOT NULL,"
                " existing boolean NOT NULL)"
            )
        super().__init__()
        self.staged: list[tuple] = []
        self.keys: list[tuple[str, str]] | None = None  # the foreign keys dropped, to add back

    def stage(self, row: tuple) -> None:
        self.staged.append(row)
        if len(self.staged) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.keys is None and len(self.observations) >= BIG_LOAD:
            self.settle()
            with connection.cursor() as cursor:
                self.keys = observation_keys_drop(cursor)
        super().flush()

    def copies(self) -> list[tuple[str, list[tuple]]]:
        copies = super().copies()
        if self.staged:
            copies.append((f"COPY {self.staging} ({_STAGED_COLUMNS}) FROM STDIN", self.staged[:]))
            self.staged.clear()
        return copies

    def keys_restore(self) -> None:
        """Add back the foreign keys dropped for a big load: one check of the whole table."""
        if self.keys:
            with connection.cursor() as cursor:
                observation_keys_add(cursor, self.keys)
        self.keys = None


def observation_keys_drop(cursor) -> list[tuple[str, str]]:
    """Drop the observations' foreign keys to their reports; (name, definition) of each, to add back.

    Django makes foreign keys DEFERRABLE INITIALLY DEFERRED on PostgreSQL: each inserted row
    queues a check (an index probe and a row lock on its report) that runs at COMMIT — a
    third of a national load's time, spent after the last line was read. Dropped and added
    again by its own definition in the same transaction, the key is validated for the whole
    table with one anti-join. All or nothing still: a row without its report makes the ADD
    fail and the load roll back. The price is an exclusive lock on the observations and
    reports until the commit, which a bulk load of this size holds in practice anyway."""
    cursor.execute(
        """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = %s::regclass AND contype = 'f' AND confrelid = %s::regclass""",
        [Observation._meta.db_table, Submission._meta.db_table],
    )
    keys = cursor.fetchall()
    _queued_checks_run(cursor)
    for name, _definition in keys:
        cursor.execute(f'ALTER TABLE {Observation._meta.db_table} DROP CONSTRAINT "{name}"')
    return keys


def observation_keys_add(cursor, keys: list[tuple[str, str]]) -> None:
    """Add the keys back; PostgreSQL checks every row with one anti-join of the two tables.

    That anti-join is planned from the tables' statistics, and a load rolled back after its
    ANALYZE leaves them saying "empty" (ANALYZE writes them in place, outside the transaction)
    over the pages the rolled-back rows still fill: the next big load's check was then a nested
    loop of every figure against every report (at 25 % of the country, stopped after 8 minutes
    instead of 0.3 s). With nested loops off for this statement it is a hash or merge join
    whatever the statistics say."""
    _queued_checks_run(cursor)
    with planned_without(cursor, "nestloop"):
        for name, definition in keys:
            cursor.execute(f'ALTER TABLE {Observation._meta.db_table} ADD CONSTRAINT "{name}" {definition}')


def _queued_checks_run(cursor) -> None:
    """The reports copied in have checks of their own still queued, and a table with queued checks
    cannot be altered: run those now (a few per report), then defer again as Django does."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def submission_ids(cursor, count: int) -> list[int]:
    """``count`` new report ids from the table's own sequence (PostgreSQL), in the order taken.

    The sequence is named once and given to nextval as a constant: with
    ``nextval(pg_get_serial_sequence(table, 'id'))`` in the select list, the name was looked up
    (a scan of pg_depend and a cast from text) for every id: 5.9 µs an id against 0.6 µs, about
    1.4 s of the database's time for the 231 k reports of a quarter of the country, while the
    loading thread waited for it."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Submission._meta.db_table])
    (sequence,) = cursor.fetchone()
    cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
    return [row[0] for row in cursor.fetchall()]


def writer_for_connection() -> Writer:
    return PostgresStaging() if connection.vendor == "postgresql" else SqliteWriter()


def staging_drop(name: str) -> None:
    """Drop a load's staging table if it is still there (after a rollback it is already gone)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def refresh_statistics() -> None:
    """After a bulk load on PostgreSQL, fresh planner statistics: the roll-ups that follow (and any
    query before autovacuum comes by) otherwise plan for the tables as they were, nearly empty, and
    a query of the 6.3 shares took minutes instead of milliseconds. ANALYZE samples, so it stays
    quick at national scale; it may run inside a transaction and sees that transaction's rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
