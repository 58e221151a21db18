"""``web.core.bulk_sql.planned_without``: a planner method off for the statements inside, then as it
was (the roll-up rebuild's shapes' INSERT runs without merge joins inside a longer transaction)."""

from __future__ import annotations

from django.db import connection, transaction

from web.core.bulk_sql import planned_without


def _setting(cursor, name: str) -> str:
    cursor.execute("SELECT current_setting(%s)", [name])
    return cursor.fetchone()[0]


def test_a_method_is_off_inside_and_as_it_was_after(db):
    if connection.vendor != "postgresql":  # nothing to change elsewhere: the block only runs
        with connection.cursor() as cursor, planned_without(cursor, "mergejoin"):
            cursor.execute("SELECT 1")
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for before in ("on", "off"):  # whatever the caller had set, it has it back
            cursor.execute("SELECT set_config('enable_mergejoin', %s, true)", [before])
            with planned_without(cursor, "mergejoin"):
                assert _setting(cursor, "enable_mergejoin") == "off"
                assert _setting(cursor, "enable_hashjoin") == "on"
            assert _setting(cursor, "enable_mergejoin") == before
