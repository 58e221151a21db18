"""Settings for the few big set-based statements (a bulk load, a summary rebuild), and a multi-row
INSERT of plain values (``rows_insert``) for writes of thousands of rows per request.

PostgreSQL's defaults are made for many small queries: 4 MB of memory per sort or hash, so
the GROUP BY of a rebuild (a million rows at 5 % of the country) spilled to disk and was
sorted instead of hashed; and JIT compilation, which took 150 ms of each statement to
compile expressions it then ran once. Inside ``bulk_statements`` both are set for the
transaction only (SET LOCAL), and put back as they were when the block ends, so the
caller's later statements run with the server's settings.

SQLite's default is 2 MB of page cache per connection, which also bounds what a sort keeps in
memory: the GROUP BY of a whole country's rebuild wrote gigabytes of sorted runs to /var/tmp
and ran at half a core. Inside the block the cache is 256 MB, for the database and for temporary
tables (allowed inside a transaction, unlike temp_store), and put back after.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.models import Model

BULK_SETTINGS = {"work_mem": "256MB", "jit": "off"}
# 256 MB (negative: in KiB), for the database and for the temporary tables (the rebuild's sums per
# reporting group), which have a cache of their own.
SQLITE_BULK_PRAGMAS = {"main.cache_size": "-262144", "temp.cache_size": "-262144"}


@contextmanager
def bulk_statements() -> Iterator[None]:
    """Room for big sorts and hashes, no JIT, for the statements inside (PostgreSQL; on SQLite a
    bigger page cache).

    Call inside a transaction: SET LOCAL lasts until its end at most."""
    if connection.vendor == "sqlite":
        with _sqlite_pragmas():
            yield
        return
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        old = {}
        for name, value in BULK_SETTINGS.items():
            cursor.execute("SELECT current_setting(%s)", [name])
            old[name] = cursor.fetchone()[0]
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
    try:
        yield
    finally:
        if connection.is_usable() and not connection.needs_rollback:
            with connection.cursor() as cursor:
                for name, value in old.items():
                    cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


@contextmanager
def planned_without(cursor, method: str) -> Iterator[None]:
    """The statements inside planned without ``method`` (``mergejoin``, ``nestloop``…: PostgreSQL's
    ``enable_…`` settings), for the transaction at most, then as it was; elsewhere nothing changes.

    For a statement whose plan from the tables' statistics is known to be slow: temporary tables
    have none until ANALYZE, and even analysed a rebuild's join of a year's cells to their groups'
    patterns was merged after sorting both (2.5 s at 25 % of the country, hashed 1.6 s)."""
    if connection.vendor != "postgresql":
        yield
        return
    setting = f"enable_{method}"
    cursor.execute("SELECT current_setting(%s)", [setting])
    (old,) = cursor.fetchone()
    cursor.execute("SELECT set_config(%s, 'off', true)", [setting])
    try:
        yield
    finally:
        if connection.is_usable() and not connection.needs_rollback:
            cursor.execute("SELECT set_config(%s, %s, true)", [setting, old])


@contextmanager
def _sqlite_pragmas() -> Iterator[None]:
    with connection.cursor() as cursor:
        old = {}
        for name, value in SQLITE_BULK_PRAGMAS.items():
            cursor.execute(f"PRAGMA {name}")
            old[name] = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA {name} = {value}")
    try:
        yield
    finally:
        if connection.is_usable():
            with connection.cursor() as cursor:
                for name, value in old.items():  # a smaller cache gives its pages back
                    cursor.execute(f"PRAGMA {name} = {int(value)}")


def rows_insert(
    model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[Any]], chunk: int = 1000
) -> None:
    """INSERT ``rows`` (values in the order of ``fields``): one COPY on PostgreSQL, one multi-row
    statement per ``chunk`` on SQLite.

    ``bulk_create`` prepares every value of every instance through its field, which was most of
    an API request of 500 new figures and their 1,500 audit entries. Here the values the driver
    takes as they are (int, str, None) go as they are, the others (Decimal, datetime) through
    their field's conversion for this database, as ``bulk_create`` would."""
    columns = [model._meta.get_field(name) for name in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field in columns)
    prepared: dict[tuple[int, Any], Any] = {}  # the same moment or figure again: converted once

    def prepare(number: int, value: Any) -> Any:
        if value is None or type(value) in (int, str):
            return value
        if (number, value) not in prepared:
            prepared[(number, value)] = columns[number].get_db_prep_save(value, connection)
        return prepared[(number, value)]

    if connection.vendor == "postgresql":
        # COPY: the driver writes each row in C. A multi-row INSERT (one array per column) had its
        # arrays quoted value by value in Python: a third of an API request of 10,000 new figures.
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([prepare(number, value) for number, value in enumerate(row)])
        return
    one = f"({', '.join(['%s'] * len(columns))})"
    batch: list[Any] = []
    count = 0
    for row in rows:
        batch += [prepare(number, value) for number, value in enumerate(row)]
        count += 1
        if count == chunk:
            _insert_values(table, names, one, count, batch)
            batch, count = [], 0
    if count:
        _insert_values(table, names, one, count, batch)


def _insert_values(table: str, names: str, one: str, count: int, values: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * count)}", values)
