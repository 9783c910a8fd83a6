"""Load the shipped instrument definitions from measures/content, so a fresh install has them.

Later changes are loaded with ``wisemind load_instruments`` (idempotent).
"""

from django.db import migrations


def load(apps, schema_editor):
    from measures.definitions import read_content
    from measures.loading import sync_definitions

    sync_definitions(
        apps.get_model("measures", "Instrument"),
        apps.get_model("measures", "InstrumentVersion"),
        read_content(),
    )


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
