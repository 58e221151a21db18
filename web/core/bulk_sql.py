"""Settings for the few big set-based statements (a bulk load, a summary rebuild), on PostgreSQL.

PostgreSQL's defaults are made for many small queries: 4 MB of memory per sort or hash, so
the GROUP BY of a rebuild (a million rows at 5 % of the country) spilled to disk and was
sorted instead of hashed; and JIT compilation, which took 150 ms of each statement to
compile expressions it then ran once. Inside ``bulk_statements`` both are set for the
transaction only (SET LOCAL), and put back as they were when the block ends, so the
caller's later statements run with the server's settings.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

BULK_SETTINGS = {"work_mem": "256MB", "jit": "off"}


@contextmanager
def bulk_statements() -> Iterator[None]:
    """Room for big sorts and hashes, no JIT, for the statements inside (PostgreSQL; a no-op elsewhere).

    Call inside a transaction: SET LOCAL lasts until its end at most."""
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
