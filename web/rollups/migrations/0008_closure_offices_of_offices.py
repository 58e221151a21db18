"""The closure again, for an office under another office: its depth-0 ancestor is now the first
unit above it that is not an office (its district), as ``reports_for_area`` reads its figures.

Run only where such an office exists (elsewhere the table is already right). The summary rows of
their districts were written with the old closure: ``manage.py rollup_rebuild`` once after this
migration writes them again (docs/deployment.md, upgrades). The SQL is written out here, not
imported, so that the migration stays as it was written.
"""

from django.db import migrations

CLOSURE_SQL = """
WITH RECURSIVE home(unit_id, area_id, hops) AS (
    SELECT id, id, 0 FROM orgs_orgunit
    UNION ALL
    SELECT home.unit_id, u.parent_id, home.hops + 1
      FROM home JOIN orgs_orgunit u ON u.id = home.area_id
     WHERE u.kind = 'office' AND u.parent_id IS NOT NULL AND home.hops < 30
),
settled(unit_id, area_id) AS (
    SELECT home.unit_id, home.area_id
      FROM home JOIN orgs_orgunit u ON u.id = home.area_id
     WHERE u.kind <> 'office' OR u.parent_id IS NULL OR home.hops = 30
),
up(unit_id, ancestor_id, depth) AS (
    SELECT unit_id, area_id, 0 FROM settled
    UNION ALL
    SELECT up.unit_id, u.parent_id, up.depth + 1
      FROM up JOIN orgs_orgunit u ON u.id = up.ancestor_id
     WHERE u.parent_id IS NOT NULL AND up.depth < 30
)
INSERT INTO rollups_unitancestor (unit_id, ancestor_id, depth)
SELECT unit_id, ancestor_id, depth FROM up
"""

OFFICES_OF_OFFICES = """
SELECT 1 FROM orgs_orgunit u JOIN orgs_orgunit p ON p.id = u.parent_id
 WHERE u.kind = 'office' AND p.kind = 'office' LIMIT 1
"""


def closure_refresh(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(OFFICES_OF_OFFICES)
        if cursor.fetchone() is None:
            return
        cursor.execute("DELETE FROM rollups_unitancestor")
        cursor.execute(CLOSURE_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_unit_code_and_nation"),
        ("rollups", "0007_verdicts_being_updated"),
    ]

    operations = [migrations.RunPython(closure_refresh, migrations.RunPython.noop)]
