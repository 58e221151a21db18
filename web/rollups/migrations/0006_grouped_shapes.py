"""Shape rows are now grouped by each unit's latest period (``web.rollups.services.shape_of``):
the rows written by exact patterns of periods are removed, so that no change adds to a group while
the units were summed elsewhere. Until ``manage.py rollup_rebuild`` writes them again, the years of
level indicators are read from the raw figures (right, but slow for a province or the nation)."""

from django.db import migrations


def remove_exact_shapes(apps, schema_editor):
    figures = apps.get_model("rollups", "RollupFigure")
    figures.objects.exclude(shape="").delete()


class Migration(migrations.Migration):
    dependencies = [("rollups", "0005_rollup_shape")]

    operations = [migrations.RunPython(remove_exact_shapes, migrations.RunPython.noop)]
