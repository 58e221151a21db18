"""The national benchmark settles PostgreSQL after its load (bench.national_django.settle)."""

import pytest
from django.db import connection

from bench.national_django import settle
from web.orgs.models import OrgUnit, UnitKind


def _waiting_for_autovacuum(table: str) -> tuple[int, int]:
    """Rows inserted since the table's last vacuum, and changed since its last analyse."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT n_ins_since_vacuum, n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = %s",
            [table],
        )
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)
def test_the_database_is_settled_before_the_timed_steps():
    """After the load, one VACUUM (ANALYZE) leaves autovacuum nothing to come back for: in session 18
    its runs over the new rows overlapped the timed evaluate step. (40 rows: below autovacuum's own
    thresholds, so it does not settle the table first.)"""
    if connection.vendor != "postgresql":
        assert settle() == {}  # SQLite has no background work to wait for
        return
    OrgUnit.objects.bulk_create(
        OrgUnit(name=f"Xã {n}", kind=UnitKind.COMMUNE, code=f"settle-{n}") for n in range(40)
    )
    table = OrgUnit._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")  # this backend's counts, shared now
    inserted, changed = _waiting_for_autovacuum(table)
    assert inserted >= 40 and changed >= 40
    assert settle()["settle"] > 0
    assert _waiting_for_autovacuum(table) == (0, 0)
