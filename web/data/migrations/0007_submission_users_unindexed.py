"""The reports' user columns without an index of their own (bench/LOAD-PROFILE.md, session 18).

Nothing reads reports by who sent or decided them; a bulk load wrote both indexes for every report.
Only the indexes are dropped: the foreign keys stay as they are (AlterField alone would drop and add
them again, checking every report and locking the accounts for it)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

_INDEXES = {
    "decided_by": "data_submission_decided_by_id_01411df4",
    "submitted_by": "data_submission_submitted_by_id_a640a0d0",
}


class Migration(migrations.Migration):
    dependencies = [
        ("data", "0006_submission_open_start"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX "{index}" ON "data_submission" ("{field}_id")',
                )
                for field, index in _INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="submission",
                    name=field,
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                )
                for field in _INDEXES
            ],
        ),
    ]
