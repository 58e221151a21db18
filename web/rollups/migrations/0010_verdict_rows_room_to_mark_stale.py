"""Verdict pages kept half empty on PostgreSQL (fillfactor 50).

Every write to a plan's summary marks the verdicts of the areas it touched stale in its own
transaction (``verdicts.refresh_verdicts``: an UPDATE of ``stale_since``); a country's rebuild
marks all 231,000. In pages filled by the verdicts' COPY, each new row version went to another
page with an entry in each of the five indexes: 7.2–7.7 s of the rebuild at full scale. With room
on its own page the new version is a heap-only tuple (no column of an index changes): 1.7–1.8 s.
The rows take twice the pages (320 → 646 MB at full scale); the store rewrites them all each
time it judges, so the setting reaches existing rows then. SQLite has no such setting.
"""

from django.db import migrations


def _set(fillfactor: str):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE rollups_verdict {fillfactor}")

    return run


class Migration(migrations.Migration):
    dependencies = [("rollups", "0009_summary_rows_without_key_checks")]

    operations = [
        migrations.RunPython(_set("SET (fillfactor = 50)"), _set("RESET (fillfactor)")),
    ]
