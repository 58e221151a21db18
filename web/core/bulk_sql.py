"""Settings for the few big set-based statements (a bulk load, a summary rebuild).

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

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

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
