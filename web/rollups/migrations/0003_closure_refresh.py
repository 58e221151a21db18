"""The closure of the unit tree, computed once for databases from before it was kept on writes.

Until now a read repaired the closure when units had been added without the unit services
(a bulk unit load, the shell). Reads no longer write, so the table is made right here once;
from now on every write that adds or moves units keeps it (``hooks.TREE_CHANGED``).
The SQL is written out here, not imported, so that the migration stays as it was written.
"""

from django.db import migrations

CLOSURE_SQL = """
WITH RECURSIVE up(unit_id, ancestor_id, depth) AS (
    SELECT id,
           CASE WHEN kind = 'office' AND parent_id IS NOT NULL THEN parent_id ELSE id END,
           0
      FROM orgs_orgunit
    UNION ALL
    SELECT up.unit_id, u.parent_id, up.depth + 1
      FROM up JOIN orgs_orgunit u ON u.id = up.ancestor_id
     WHERE u.parent_id IS NOT NULL AND up.depth < 30
)
INSERT INTO rollups_unitancestor (unit_id, ancestor_id, depth)
SELECT unit_id, ancestor_id, depth FROM up
"""


def closure_refresh(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM rollups_unitancestor")
        cursor.execute(CLOSURE_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_unit_code_and_nation"),
        ("rollups", "0002_rollup_version"),
    ]

    operations = [migrations.RunPython(closure_refresh, migrations.RunPython.noop)]
