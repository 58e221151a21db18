"""Data built once per module for the tests that only read it (and roll back what they change)."""

from __future__ import annotations

import fcntl
import pickle
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from web.home.demo import load_demo

# Fixtures through which a test reaches the test database (pytest-django's, and what needs them).
DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_setup", "live_server"})


@contextmanager
def rolled_back(django_db_blocker) -> Iterator[None]:
    """An outer transaction for a module-scoped fixture, rolled back after the module: each test's
    ``db`` fixture nests a savepoint in it, so a test's own changes are undone after the test and
    what the fixture built is undone after the module. On-commit callbacks never run inside it, as
    inside any ``db`` test."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def read_again(value, _seen: dict | None = None):
    """``value`` with every model instance read again from the database (no stale attributes), in
    the dicts, lists and tuples it is made of: what a module-scoped fixture hands each test. The
    related objects the instance held (``plan.area`` after ``plan_import(area=…)``) are read again
    and held too, so a test counting its queries counts the same ones as on a freshly built object."""
    from django.db.models import Model

    seen = {} if _seen is None else _seen
    if isinstance(value, Model):
        key = (type(value), value.pk)
        if key not in seen:
            seen[key] = type(value)._default_manager.get(pk=value.pk)
            for name, related in value._state.fields_cache.items():
                seen[key]._state.fields_cache[name] = read_again(related, seen)
        return seen[key]
    if isinstance(value, dict):
        return {key: read_again(item, seen) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(read_again(item, seen) for item in value)
    return value


def commits(item: pytest.Item) -> bool:
    """Whether ``item`` runs on a committed database (a live server, ``transaction=True``): it cannot
    see what a module's outer transaction holds."""
    from pytest_django.plugin import validate_django_db

    marker = item.get_closest_marker("django_db")
    if marker is not None:
        transaction, reset_sequences, _, serialized_rollback, _ = validate_django_db(marker)
        if transaction or reset_sequences or serialized_rollback:
            return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def module_shares(request: pytest.FixtureRequest, name: str) -> bool:
    """Whether the data of fixture ``name`` may be built once for the requesting module: every test
    of the module that reaches the database asks for it (a test that does not would find it there
    all the same) and runs inside a transaction. Read from what the module's tests ask for, so a test
    added without it turns the sharing off for its module rather than see data it did not ask for."""
    here = [item for item in request.session.items if item.path == request.path]
    for item in here:
        names = set(getattr(item, "fixturenames", ()))
        if commits(item):
            return False
        if name not in names and (DATABASE_FIXTURES & names or item.get_closest_marker("django_db")):
            return False
    return True


class DemoCopies:
    """The demo's database as ``load_demo`` leaves it, per ``reform``: built once per test run, by the
    first worker that asks, in its own test database, then kept as a file that the other xdist
    workers read (under a lock, so that no two build it), and copied into a test database in
    milliseconds instead of a build's 15-20 s.

    SQLite (``load``): built in one transaction (what waits for a commit, the verdicts judged again,
    runs once after it) and copied page by page with SQLite's backup API, outside any transaction.
    PostgreSQL (``load_rows``): built inside the caller's transaction, as a test builds it, and
    copied table by table (COPY) into it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._held: dict[bool, tuple[sqlite3.Connection, dict]] = {}
        self._rows: dict[bool, tuple[dict[str, bytes], dict]] = {}

    def load(self, reform: bool) -> dict:
        """Make the test database (outside any transaction) the demo; what ``load_demo`` returned."""
        assert connection.vendor == "sqlite" and not connection.in_atomic_block
        connection.ensure_connection()
        if reform not in self._held:
            self._held[reform] = self._read_or_build(reform)
        copy, built = self._held[reform]
        _copy_in(copy)
        return read_again(built)

    def _read_or_build(self, reform: bool) -> tuple[sqlite3.Connection, dict]:
        database, answer = self.folder / f"demo-{reform}.sqlite3", self.folder / f"demo-{reform}.pickle"
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        with (self.folder / f"demo-{reform}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if answer.exists():
                with closing(sqlite3.connect(database)) as stored:
                    stored.backup(copy)
                return copy, pickle.loads(answer.read_bytes())
            with transaction.atomic():
                built = load_demo(reform=reform)
            connection.connection.backup(copy)
            with closing(sqlite3.connect(database)) as stored:
                copy.backup(stored)
            partial = answer.with_suffix(".partial")
            partial.write_bytes(pickle.dumps(built))
            partial.rename(answer)  # last: a worker that finds it finds the database complete
            return copy, built

    def load_rows(self, reform: bool) -> dict:
        """Inside the caller's transaction on PostgreSQL, make every table's rows the demo's; what
        ``load_demo`` returned. The sequences only move forward (setval is not rolled back)."""
        assert connection.vendor == "postgresql" and connection.in_atomic_block
        if reform in self._rows:
            _rows_in(self._rows[reform][0])
            return read_again(self._rows[reform][1])
        answer = self.folder / f"demo-{reform}-rows.pickle"
        with (self.folder / f"demo-{reform}-rows.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if answer.exists():
                self._rows[reform] = pickle.loads(answer.read_bytes())
                _rows_in(self._rows[reform][0])
                return read_again(self._rows[reform][1])
            built = load_demo(reform=reform)
            self._rows[reform] = (_rows_out(), built)
            partial = answer.with_suffix(".partial")
            partial.write_bytes(pickle.dumps(self._rows[reform]))
            partial.rename(answer)
            # Read again, as for every later module: what a module does with its objects (a plan's
            # publication looked up and cached on it) must not reach the next through ``built``.
            return read_again(built)

    def close(self) -> None:
        for copy, _built in self._held.values():
            copy.close()


def _tables(cursor) -> list[str]:
    """The database's tables, quoted; Django's record of the migrations is the same everywhere."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
    return [f'"{name}"' for (name,) in cursor.fetchall() if name != "django_migrations"]


def _rows_out() -> dict[str, bytes]:
    """Every table's rows as COPY's binary format, as this transaction sees them."""
    rows = {}
    with connection.cursor() as cursor:
        for table in _tables(cursor):
            with cursor.cursor.copy(f"COPY {table} TO STDOUT (FORMAT binary)") as copy:
                rows[table] = b"".join(bytes(block) for block in copy)
    return rows


# Each sequence a column takes its default from (serial and identity columns alike), with its column.
_SEQUENCES = """
SELECT quote_ident(t.relname), quote_ident(a.attname) FROM pg_class s
JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
WHERE s.relkind = 'S' AND t.relnamespace = current_schema()::regnamespace
"""


def _rows_in(rows: dict[str, bytes]) -> None:
    """Every table emptied (TRUNCATE is rolled back with the transaction) and given ``rows``; each
    sequence moved past both the copied rows and whatever it handed out before."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(_tables(cursor))}")
        for table, data in rows.items():
            with cursor.cursor.copy(f"COPY {table} FROM STDIN (FORMAT binary)") as copy:
                copy.write(data)
        cursor.execute(_SEQUENCES)
        for table, column in cursor.fetchall():
            sequence = f"pg_get_serial_sequence('{table}', '{column}')"
            cursor.execute(
                f"SELECT setval({sequence}, GREATEST(COALESCE(MAX({column}), 0), nextval({sequence}))) "
                f"FROM {table}"
            )
    ContentType.objects.clear_cache()  # the ids are the copy's now


@contextmanager
def demo_for_module(copies: DemoCopies, django_db_blocker, *, reform: bool) -> Iterator[dict]:
    """The demo for a module's tests (``load_demo``'s answer), each test's changes rolled back after
    it. It is copied in (DemoCopies): on SQLite the database as it was is put back after the module;
    on PostgreSQL the copy is made in an outer transaction rolled back after the module. Either way
    what the module's fixture adds on top is inside that outer transaction (``rolled_back``)."""
    if connection.vendor == "postgresql":
        with rolled_back(django_db_blocker):
            yield copies.load_rows(reform)
        return
    if connection.vendor != "sqlite":
        with rolled_back(django_db_blocker):
            yield load_demo(reform=reform)
        return
    with django_db_blocker.unblock():
        connection.ensure_connection()
        before = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(before)
        try:
            built = copies.load(reform)
            with rolled_back(django_db_blocker):
                yield built
        finally:
            _copy_in(before)
            before.close()


def _copy_in(copy: sqlite3.Connection) -> None:
    """The SQLite test database made a page-by-page copy of ``copy``."""
    copy.backup(connection.connection)
    ContentType.objects.clear_cache()  # the ids are the copy's now
