"""A plan's reports in id order: the API's pages of observations (web.api.api) follow it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("data", "0004_submission_plan_start"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(fields=["plan", "id"], name="submission_plan_order"),
        ),
    ]
